/* dm-kmeans.c: greedy k-means++ seeding and bounded Lloyd on packed keys.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "dm-kmeans.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dm-keys.h"
#include "dm-kmeans-kernels.h"
#include "dm-kmeans-parallel.h"

#define SEED_CHUNK   512    /* points per seeding task, a multiple of 8 */
#define LLOYD_CHUNK  512    /* points per assignment task */
#define SCAN_BATCH   32     /* points sharing one pass over the centres */
/* Distance evaluations k-means++ may spend by default (about 6 s on two
 * cores with AVX-512) before it uses fewer local trials than 2 + ln k. */
#define SEED_BUDGET  1.2e10
#define MEMBER_PIECE 4096   /* points swept per candidate batch, cache-sized */
#define SCAN_GROUP_BYTES (256 * 1024)  /* centre counts kept hot in cache */
#define FAR          G_MAXUINT16       /* "no centre yet" seeding distance */
/* Bounds are rounded (lower ones to float) and updated over iterations; a
 * skip needs this margin so rounding never skips an item whose nearest
 * centre changed. */
#define BOUND_MARGIN 1e-3
/* Per worker, the dot products of every centre's reference key with every
 * centre's counts may take this much (k = 1400 at most); beyond, scans sum
 * the keys' set features. */
#define REFERENCE_BYTES (8 * 1024 * 1024)
#define MAX_GROUPS   64     /* lower bounds per item: n x 64 floats at most */
/* Stands for "no centre": beyond any key distance (at most 32), yet finite
 * so that a centre appearing there (shift BOUND_FAR too) brings the bound
 * below zero instead of to NaN. */
#define BOUND_FAR    1e6

static inline double
lower_bound (double squared)
{
  return MIN (sqrt (MAX (squared, 0.0)), BOUND_FAR);
}

typedef struct {
  guint item, from, to;
} Move;


typedef struct {
  const DmKmeansRequest *request;
  const DmKmeansKernels *kernels;
  DmParallel *parallel;

  gsize n, n_words, n_features, n_blocks, n_padded;
  guint k, n_cblocks;
  guint64 *points_t;
  guint16 *popcount;
  guint *label;

  /* seeding */
  guint16 *nearest, *second;        /* Hamming distance to 1st / 2nd seed */
  /* Items at distance 0 from a centre (the centres and copies of their
   * keys) add 0 to every potential and are never drawn, so the seeding
   * drops them from its arrays (see drop_settled_items): nearest, second,
   * seed_label and points_t then hold the n_active items still in play,
   * in item order. */
  gsize n_active, n_active_blocks;
  guint *active_item;               /* n_active: their items; NULL: all items */
  guint *seed_label;                /* n_active; km->label while all items */
  guint *chunk_settled;             /* n_seed_chunks: items at distance 0 */
  /* Lower bounds for Lloyd on a dropped item's distance to the centres
   * chosen after it was dropped: each centre's distance to the centres
   * chosen before it, as it was chosen, in the order chosen. */
  guint16 *candidate_nearest;       /* max_trials */
  guint16 *chosen_nearest;          /* k */
  guint n_chosen;
  guint16 *dropped_second;          /* n: second when dropped */
  guint *dropped_after;             /* n: centres chosen when dropped */
  guint64 *candidate_keys;          /* max_trials x n_words */
  guint max_trials, n_candidates, best_candidate, new_centre;
  /* Screening (see DmKmeansRequest.seed_screen): while screening, the
   * candidates' chunk potentials cover each chunk's first screen_blocks
   * only; finalists then gets the candidates whose potentials are made
   * whole. */
  guint screen_stride;
  gboolean screening;
  guint *finalists, n_finalists, max_finalists;
  gboolean update_pending;
  guint pending_centre;
  /* The last chosen centre's distances are recomputed, a chunk at a time,
   * where needed (its pass, or sampling in the chunk) rather than kept for
   * every candidate: one more distance per item and centre instead of
   * writing max_trials x 2 bytes per item and centre to memory. */
  guint64 *pending_key;             /* n_words */
  guint16 *pending_dist;            /* n_padded, valid per chunk */
  guint *pending_stamp;             /* n_seed_chunks: pending_serial when valid */
  guint pending_serial;
  gsize n_seed_chunks;
  guint64 *chunk_potential;         /* n_seed_chunks x max_trials */
  guint64 *chunk_sum;               /* n_seed_chunks: sum of nearest */

  /* Lloyd */
  guint32 *counts_t;
  /* With centre-count scans: the counts again in 16 bits (kept equal
   * modulo 2^16) and the runs the kernels may sum them over. */
  guint16 *counts16_t;
  guint16 *count_runs;              /* n_cblocks */
  DmKmeansCounts counts_view;
  /* Centre scans from each centre's majority bits (see DmKmeansKey): the
   * reference keys, and per worker the reference dot products (k rows of
   * n_cblocks x 16), each block's valid when its stamp is the pass's. */
  gboolean use_reference;
  guint64 *reference;               /* k x n_words */
  guint32 **reference_sums;
  guint **reference_stamp;          /* per worker: k x n_cblocks */
  guint16 **reference_features;     /* per worker: one reference's set features */
  guint *reference_listed;          /* per worker: whose (G_MAXUINT: none) */
  guint *reference_n_set;           /* per worker */
  guint pass_stamp;
  guint *members;
  double *inv_members, *norm_term, *shift;
  double *upper;                    /* bound on the distance to own centre */
  guint n_groups, group_cblocks;    /* centre groups for the lower bounds */
  /* n x bound_stride Euclidean lower bounds in 16-bit fixed point, rounded
   * down (half the memory of floats: 160 MB at 1.28M items, 63 groups);
   * 0xffff stands for "beyond any key". Slot g < n_groups bounds the
   * distance to the centres of home group g that are not mobile, slot
   * n_groups (with use_mobile) to the mobile ones; neither counts the
   * item's own centre. */
  guint16 *group_lower;
  guint bound_stride;               /* n_groups, + 1 with the mobile group */
  double bound_scale, bound_unit;   /* units per distance, distance per unit */
  guint16 *group_shift_units;       /* bound_stride, bound units rounded up */
  /* The mobile group (see choose_mobile): the centres that moved most in
   * the last iteration, their counts copied into one more centre block
   * (n_cblocks) that scans read like the others. */
  gboolean use_mobile;
  guint n_count_blocks;             /* centre blocks allocated: n_cblocks (+ 1) */
  guint *centre_group;              /* k: the group whose bound covers it */
  guint mobile_centre[DM_KMEANS_CENTRE_BLOCK];  /* per lane, ascending */
  guint n_mobile;
  /* Home groups that centres entered the mobile group from (left it for)
   * since assign_task last applied them to the bounds. */
  guint64 mobile_entered, mobile_left;
  gsize n_lloyd_chunks;
  GArray **chunk_moves;             /* of Move */
  /* With reference keys, scans wait until the whole pass has found its
   * failing items, then run in cluster order: consecutive items share their
   * centre's reference sums (k x 4 KB at k = 1000), which stay in cache. */
  GArray **chunk_failing;           /* of guint items, per chunk; their
                                     * own centre's distance in exact */
  guint *failing;                   /* n, in cluster order */
  gsize n_failing;
  gsize scan_group;                 /* centre blocks per cache group */
  double *exact;                    /* n: squared distance to own centre */

  /* Member scans: with tiny clusters, x.c for every centre comes cheaper
   * from Hamming distances to all items, ordered by cluster:
   * 2 x.counts = members * |x| + sum of member popcounts - sum of distances. */
  gboolean member_mode;
  guint64 *sorted_t;                /* points transposed, in cluster order */
  guint *cluster_offsets;           /* k + 1 */
  guint64 *popcount_sum;            /* k: sum of member popcounts */
  guint16 **scratch;                /* per worker: SCAN_BATCH x n_padded */
  guint n_workers;
  guint16 **feature_scratch;        /* per worker: SCAN_BATCH x n_features */
  guint64 **candidate_scratch;      /* per worker: SCAN_BATCH x n_words */
  guint16 *zeros;                   /* MEMBER_PIECE zero "nearest" distances */
} Kmeans;

static inline double
bound_value (const Kmeans *km, guint16 bound)
{
  return bound * km->bound_unit;
}

/* The largest representable bound not above distance. */
static inline guint16
bound_floor (const Kmeans *km, double distance)
{
  double units = distance * km->bound_scale;

  /* The conversion truncates: rounds down, as a lower bound must. */
  if (!(units > 0))
    return 0;
  return units >= G_MAXUINT16 ? G_MAXUINT16 : (guint16) units;
}

static inline guint64
load_word (const guint8 *bytes)
{
  guint64 word;

  memcpy (&word, bytes, sizeof word);
  return GUINT64_FROM_LE (word);
}

static inline const guint8 *
key_of (const Kmeans *km, gsize item)
{
  return km->request->keys + item * km->request->key_bytes;
}

/* Appends the internal feature numbers (64 * w + bit) of the set bits of
 * word w to features[n...]; returns the new count. */
static inline guint
append_features (guint64 word, gsize w, guint16 *features, guint n)
{
  while (word != 0)
    {
      features[n++] = (guint16) (64 * w + (guint) __builtin_ctzll (word));
      word &= word - 1;
    }
  return n;
}

/* Internal feature numbers of the set bits of a key. */
static guint
list_set_features (const Kmeans *km, gsize item, guint16 *features)
{
  const guint8 *key = key_of (km, item);
  guint n_set = 0;

  for (gsize w = 0; w < km->n_words; w++)
    n_set = append_features (load_word (key + 8 * w), w, features, n_set);
  return n_set;
}

static inline gsize
count_offset (const Kmeans *km, guint centre, gsize feature)
{
  return ((gsize) (centre / DM_KMEANS_CENTRE_BLOCK) * km->n_features + feature)
         * DM_KMEANS_CENTRE_BLOCK + centre % DM_KMEANS_CENTRE_BLOCK;
}

static inline guint32 *
count_cell (const Kmeans *km, guint centre, gsize feature)
{
  return km->counts_t + count_offset (km, centre, feature);
}

/* Squared distance from the dot product of a key with a centre's counts:
 * |x|^2 - 2 x.c + |c|^2 with c = counts / members, in the order the
 * kernels use (see dm-kmeans-kernels.h), so all paths agree to the bit. */
static inline double
distance_from_sum (const Kmeans *km, guint popcount, guint32 sum, guint centre)
{
  double twice = 2.0 * (double) sum;
  double cross = twice * km->inv_members[centre];
  double partial = (double) popcount - cross;
  return partial + km->norm_term[centre];
}

static double
exact_distance (const Kmeans *km, gsize item, guint centre)
{
  const guint8 *key = key_of (km, item);
  guint32 sum = 0;

  if (km->members[centre] == 0)
    return INFINITY;
  for (gsize w = 0; w < km->n_words; w++)
    {
      guint64 word = load_word (key + 8 * w);
      while (word != 0)
        {
          sum += *count_cell (km, centre, 64 * w + (guint) __builtin_ctzll (word));
          word &= word - 1;
        }
    }
  return distance_from_sum (km, km->popcount[item], sum, centre);
}

static gboolean
report (const Kmeans *km, double fraction, GError **error)
{
  if (km->request->progress == NULL
      || km->request->progress ("clustering", fraction, km->request->progress_data))
    return TRUE;
  g_set_error_literal (error, DM_CORE_ERROR, DM_CORE_ERROR_CANCELLED,
                       "clustering was cancelled");
  return FALSE;
}

/* ---- seeding ---------------------------------------------------------- */

/* The pending centre's distances to the items of chunk; each task or the
 * sampling computes its own chunks only, so no two threads write one. */
static const guint16 *
pending_chunk_distances (Kmeans *km, gsize chunk)
{
  gsize first = chunk * SEED_CHUNK;

  if (km->pending_stamp[chunk] != km->pending_serial)
    {
      km->kernels->hamming (km->points_t, km->n_words, first / DM_KMEANS_POINT_BLOCK,
                            MIN ((first + SEED_CHUNK) / DM_KMEANS_POINT_BLOCK,
                                 km->n_active_blocks),
                            km->pending_key, km->nearest + first, km->pending_dist + first);
      km->pending_stamp[chunk] = km->pending_serial;
    }
  return km->pending_dist + first;
}

/* The last chosen centre's distances are applied lazily, by the next
 * pass over the same chunk: one pass over the items per centre, not two. */
static void
apply_pending_chunk (Kmeans *km, gsize chunk)
{
  gsize first = chunk * SEED_CHUNK;
  gsize end = MIN (first + SEED_CHUNK, km->n_active);

  if (!km->update_pending)
    return;
  km->kernels->apply_centre (pending_chunk_distances (km, chunk),
                             km->nearest + first, km->second + first, km->seed_label + first,
                             end - first, km->pending_centre);
}

static guint
count_settled (const Kmeans *km, gsize chunk)
{
  guint settled = 0;

  for (gsize x = chunk * SEED_CHUNK; x < MIN ((chunk + 1) * SEED_CHUNK, km->n_active); x++)
    settled += km->nearest[x] == 0;
  return settled;
}

/* The blocks of chunk [*begin, *end), and where its screened part ends. */
static gsize
chunk_blocks (const Kmeans *km, gsize chunk, gsize *begin, gsize *end)
{
  *begin = chunk * SEED_CHUNK / DM_KMEANS_POINT_BLOCK;
  *end = MIN ((chunk + 1) * SEED_CHUNK / DM_KMEANS_POINT_BLOCK, km->n_active_blocks);
  return *begin + (*end - *begin + km->screen_stride - 1) / km->screen_stride;
}

/* Candidate t's potential over blocks [begin, end). */
static guint64
candidate_potential (const Kmeans *km, guint t, gsize begin, gsize end)
{
  /* Only the sums matter here: the distances stay in L1. */
  guint16 scratch[SEED_CHUNK];

  return km->kernels->hamming (km->points_t, km->n_words, begin, end,
                               km->candidate_keys + t * km->n_words,
                               km->nearest + begin * DM_KMEANS_POINT_BLOCK, scratch);
}

static void
seed_candidates_task (gsize chunk, guint worker, gpointer data)
{
  Kmeans *km = data;
  gsize begin, end, screened_end = chunk_blocks (km, chunk, &begin, &end);

  apply_pending_chunk (km, chunk);
  km->chunk_settled[chunk] = count_settled (km, chunk);
  for (guint t = 0; t < km->n_candidates; t++)
    km->chunk_potential[chunk * km->max_trials + t] =
        candidate_potential (km, t, begin, km->screening ? screened_end : end);
}

/* Makes the finalists' chunk potentials whole: the blocks screening left. */
static void
seed_finalists_task (gsize chunk, guint worker, gpointer data)
{
  Kmeans *km = data;
  gsize begin, end, screened_end = chunk_blocks (km, chunk, &begin, &end);

  for (guint f = 0; f < km->n_finalists; f++)
    km->chunk_potential[chunk * km->max_trials + km->finalists[f]] +=
        candidate_potential (km, km->finalists[f], screened_end, end);
}

static void
apply_pending_task (gsize chunk, guint worker, gpointer data)
{
  apply_pending_chunk (data, chunk);
}

/* Nearest-centre distance of active item x, the pending centre included. */
static inline guint
current_nearest (Kmeans *km, gsize x)
{
  guint nearest = km->nearest[x];

  if (km->update_pending)
    nearest = MIN (nearest, pending_chunk_distances (km, x / SEED_CHUNK)[x % SEED_CHUNK]);
  return nearest;
}

static inline guint
item_of_active (const Kmeans *km, gsize x)
{
  return km->active_item != NULL ? km->active_item[x] : (guint) x;
}

/* The first item whose running sum of seeding distances exceeds target:
 * sampling with probability proportional to the squared distance. The
 * items dropped add 0 to the sum, so skipping them draws the same item. */
static guint
sample_item (Kmeans *km, guint64 target)
{
  guint64 cumulative = 0;

  for (gsize c = 0; c < km->n_seed_chunks; c++)
    {
      if (cumulative + km->chunk_sum[c] <= target)
        {
          cumulative += km->chunk_sum[c];
          continue;
        }
      for (gsize x = c * SEED_CHUNK; x < MIN ((c + 1) * SEED_CHUNK, km->n_active); x++)
        {
          cumulative += current_nearest (km, x);
          if (cumulative > target)
            return item_of_active (km, x);
        }
    }
  for (gsize x = km->n_active; x-- > 0;)
    if (current_nearest (km, x) > 0)
      return item_of_active (km, x);
  return (guint) (km->n - 1);
}

static int
compare_items (gconstpointer a, gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return x < y ? -1 : x > y;
}

/* An item's distance to the nearest centre so far, the pending one
 * included: 0 once dropped. */
static guint
item_nearest (Kmeans *km, guint item)
{
  const guint *found;

  if (km->active_item == NULL)
    return current_nearest (km, item);
  found = bsearch (&item, km->active_item, km->n_active, sizeof item, compare_items);
  return found != NULL ? current_nearest (km, (gsize) (found - km->active_item)) : 0;
}

static void
set_candidate (Kmeans *km, guint slot, guint item)
{
  for (gsize w = 0; w < km->n_words; w++)
    km->candidate_keys[slot * km->n_words + w] = load_word (key_of (km, item) + 8 * w);
  km->candidate_nearest[slot] = (guint16) item_nearest (km, item);
}

/* Makes candidate best_candidate centre new_centre, to be applied by the
 * next pass; the chunk sums already count it. */
static void
commit_candidate (Kmeans *km, guint *seed_items, const guint *candidates)
{
  seed_items[km->new_centre] = candidates[km->best_candidate];
  km->chosen_nearest[km->n_chosen++] = km->candidate_nearest[km->best_candidate];
  km->update_pending = TRUE;
  memcpy (km->pending_key, km->candidate_keys + km->best_candidate * km->n_words,
          km->n_words * sizeof *km->pending_key);
  km->pending_serial++;
  km->pending_centre = km->new_centre;
  for (gsize c = 0; c < km->n_seed_chunks; c++)
    km->chunk_sum[c] = km->chunk_potential[c * km->max_trials + km->best_candidate];
}

static void
add_fixed_centre (Kmeans *km, guint centre, guint item, guint *seed_items)
{
  guint candidates[1] = { item };

  set_candidate (km, 0, item);
  km->n_candidates = 1;
  km->best_candidate = 0;
  km->new_centre = centre;
  dm_parallel_run (km->parallel, km->n_seed_chunks, seed_candidates_task, km);
  commit_candidate (km, seed_items, candidates);
}

static guint64
candidate_total (const Kmeans *km, guint t)
{
  guint64 total = 0;

  for (gsize c = 0; c < km->n_seed_chunks; c++)
    total += km->chunk_potential[c * km->max_trials + t];
  return total;
}

/* The max_finalists candidates of lowest screened potential (ties: the
 * earlier draw), in candidate order. */
static void
choose_finalists (Kmeans *km)
{
  g_autofree guint64 *screened = g_new (guint64, km->max_trials);
  g_autofree gboolean *chosen = g_new0 (gboolean, km->max_trials);

  for (guint t = 0; t < km->max_trials; t++)
    screened[t] = candidate_total (km, t);
  for (guint f = 0; f < km->max_finalists; f++)
    {
      guint best = G_MAXUINT;
      for (guint t = 0; t < km->max_trials; t++)
        if (!chosen[t] && (best == G_MAXUINT || screened[t] < screened[best]))
          best = t;
      chosen[best] = TRUE;
    }
  km->n_finalists = 0;
  for (guint t = 0; t < km->max_trials; t++)
    if (chosen[t])
      km->finalists[km->n_finalists++] = t;
}

/* Greedy k-means++ as scikit-learn does it: draw max_trials candidates
 * with probability proportional to the squared distance to the nearest
 * centre so far, keep the one that lowers the total potential most. */
static void
add_sampled_centre (Kmeans *km, guint centre, GRand *rand, guint *seed_items)
{
  g_autofree guint *candidates = g_new (guint, km->max_trials);
  guint64 potential = 0, best_potential = G_MAXUINT64;

  for (gsize c = 0; c < km->n_seed_chunks; c++)
    potential += km->chunk_sum[c];
  for (guint t = 0; t < km->max_trials; t++)
    {
      /* All items sit on centres (duplicate keys): any item will do. */
      if (potential == 0)
        candidates[t] = (guint) g_rand_int_range (rand, 0, (gint32) km->n);
      else
        {
          guint64 target = (guint64) (g_rand_double (rand) * (double) potential);
          candidates[t] = sample_item (km, MIN (target, potential - 1));
        }
      set_candidate (km, t, candidates[t]);
    }
  km->n_candidates = km->max_trials;
  km->new_centre = centre;
  km->screening = km->screen_stride > 1 && km->max_finalists < km->max_trials;
  dm_parallel_run (km->parallel, km->n_seed_chunks, seed_candidates_task, km);

  if (km->screening)
    {
      choose_finalists (km);
      dm_parallel_run (km->parallel, km->n_seed_chunks, seed_finalists_task, km);
    }
  else
    {
      km->n_finalists = km->max_trials;
      for (guint t = 0; t < km->max_trials; t++)
        km->finalists[t] = t;
    }
  km->screening = FALSE;

  /* Finalists are in candidate order: ties go to the earlier draw. */
  km->best_candidate = km->finalists[0];
  for (guint f = 0; f < km->n_finalists; f++)
    {
      guint64 total = candidate_total (km, km->finalists[f]);
      if (total < best_potential)
        {
          best_potential = total;
          km->best_candidate = km->finalists[f];
        }
    }
  commit_candidate (km, seed_items, candidates);
}

/* ---- seeding: dropping the items settled on a centre ------------------ */

/* Moves active item from's point and seeding state to slot to <= from;
 * filling slots in increasing order overwrites only items already moved. */
static void
move_active (Kmeans *km, gsize from, gsize to)
{
  gsize from_block = from / DM_KMEANS_POINT_BLOCK, from_lane = from % DM_KMEANS_POINT_BLOCK;
  gsize to_block = to / DM_KMEANS_POINT_BLOCK, to_lane = to % DM_KMEANS_POINT_BLOCK;

  for (gsize w = 0; w < km->n_words; w++)
    km->points_t[(to_block * km->n_words + w) * DM_KMEANS_POINT_BLOCK + to_lane] =
        km->points_t[(from_block * km->n_words + w) * DM_KMEANS_POINT_BLOCK + from_lane];
  km->nearest[to] = km->nearest[from];
  km->second[to] = km->second[from];
  km->seed_label[to] = km->seed_label[from];
  km->active_item[to] = km->active_item[from];
}

/* Applies the pending centre to every chunk, then keeps the active items
 * not yet on a centre, in their order: sums over the remaining items are
 * the same integers, so sampling and the candidates' potentials do not
 * change. A dropped item's label is final (a centre takes an item only
 * where strictly closer, never at distance 0) and goes to km->label. */
static void
drop_settled_items (Kmeans *km)
{
  gsize kept = 0;

  dm_parallel_run (km->parallel, km->n_seed_chunks, apply_pending_task, km);
  km->update_pending = FALSE;
  if (km->active_item == NULL)
    {
      km->active_item = g_new (guint, km->n);
      for (gsize i = 0; i < km->n; i++)
        km->active_item[i] = (guint) i;
      km->seed_label = g_memdup2 (km->label, km->n * sizeof *km->label);
      km->dropped_second = g_new (guint16, km->n);
      km->dropped_after = g_new (guint, km->n);
    }
  for (gsize x = 0; x < km->n_active; x++)
    if (km->nearest[x] == 0)
      {
        guint item = km->active_item[x];
        km->label[item] = km->seed_label[x];
        km->dropped_second[item] = km->second[x];
        km->dropped_after[item] = km->n_chosen;
      }
    else
      move_active (km, x, kept++);

  km->n_active = kept;
  km->n_active_blocks = (kept + DM_KMEANS_POINT_BLOCK - 1) / DM_KMEANS_POINT_BLOCK;
  /* The last block's padding lanes must add nothing to potentials. */
  for (gsize x = kept; x < km->n_active_blocks * DM_KMEANS_POINT_BLOCK; x++)
    km->nearest[x] = 0;
  km->n_seed_chunks = (kept + SEED_CHUNK - 1) / SEED_CHUNK;
  for (gsize c = 0; c < km->n_seed_chunks; c++)
    {
      km->chunk_sum[c] = 0;
      for (gsize x = c * SEED_CHUNK; x < MIN ((c + 1) * SEED_CHUNK, kept); x++)
        km->chunk_sum[c] += km->nearest[x];
      km->chunk_settled[c] = 0;
      km->pending_stamp[c] = G_MAXUINT;
    }
}

/* Dropping copies the active items' points once, about what one distance
 * per item costs, where each centre's pass takes max_trials per item:
 * worth it once a 32nd of them adds nothing to the next centres' passes
 * (at 10k keys, k = 5000: 4% less seeding time than waiting for an 8th).
 * The counts are those before the last chosen centre, which is applied
 * first. */
static void
drop_settled_if_worth (Kmeans *km)
{
  gsize settled = 0;

  for (gsize c = 0; c < km->n_seed_chunks; c++)
    settled += km->chunk_settled[c];
  if (32 * settled > km->n_active)
    drop_settled_items (km);
}

/* Lloyd takes every item's seeding distances and label in item order.
 * For a dropped item, second is a lower bound on its distance to the other
 * centres rather than the exact one the seeding stopped updating: the
 * second when dropped, or a centre chosen later's distance to the nearest
 * earlier centre (its own among them). Lloyd needs no more: it skips an
 * item only where its centre is strictly nearest, and a scan keeps it
 * there too (an item moves only to a strictly nearer centre), so a weaker
 * bound may cost scans, never a label. Left exact, it would cost k^2 / 2
 * distances; this one lets Lloyd skip as many items on our keys. */
static void
restore_item_order (Kmeans *km)
{
  g_autofree guint16 *later = g_new (guint16, km->n_chosen + 1);
  guint16 *nearest = g_new0 (guint16, km->n), *second = g_new (guint16, km->n);
  gsize x = 0;

  later[km->n_chosen] = FAR;
  for (guint j = km->n_chosen; j-- > 0;)
    later[j] = MIN (km->chosen_nearest[j], later[j + 1]);
  for (gsize i = 0; i < km->n; i++)
    if (x < km->n_active && km->active_item[x] == i)
      {
        nearest[i] = km->nearest[x];
        second[i] = km->second[x];
        km->label[i] = km->seed_label[x];
        x++;
      }
    else
      second[i] = MIN (km->dropped_second[i], later[km->dropped_after[i]]);
  g_free (km->nearest);
  g_free (km->second);
  km->nearest = nearest;
  km->second = second;
  g_clear_pointer (&km->active_item, g_free);
  g_clear_pointer (&km->dropped_second, g_free);
  g_clear_pointer (&km->dropped_after, g_free);
  g_free (km->seed_label);
  km->seed_label = km->label;
}

static gboolean
seed (Kmeans *km, guint *seed_items, GError **error)
{
  const DmKmeansRequest *request = km->request;
  g_autoptr(GRand) rand = g_rand_new_with_seed (request->seed);
  guint done = 0;
  guint report_every = MAX (km->k / 64, 1);

  km->max_trials = request->local_trials > 0
                   ? request->local_trials
                   : dm_kmeans_default_trials (km->n, km->k);
  km->n_seed_chunks = (km->n + SEED_CHUNK - 1) / SEED_CHUNK;
  km->n_active = km->n;
  km->n_active_blocks = km->n_blocks;
  km->seed_label = km->label;
  km->chunk_settled = g_new0 (guint, km->n_seed_chunks);
  km->candidate_nearest = g_new (guint16, km->max_trials);
  km->screen_stride = MAX (request->seed_screen, 1);
  km->max_finalists = request->seed_finalists > 0 ? request->seed_finalists : 2;
  km->finalists = g_new (guint, km->max_trials);
  km->chosen_nearest = g_new (guint16, km->k);
  km->n_chosen = 0;
  /* Padding lanes stay at distance 0 and add nothing to potentials. */
  km->nearest = g_new0 (guint16, km->n_padded);
  km->second = g_new (guint16, km->n);
  for (gsize i = 0; i < km->n; i++)
    km->nearest[i] = km->second[i] = FAR;
  km->candidate_keys = g_new (guint64, km->max_trials * km->n_words);
  km->pending_key = g_new (guint64, km->n_words);
  km->pending_dist = g_new (guint16, km->n_padded);
  km->pending_stamp = g_new (guint, km->n_seed_chunks);
  for (gsize c = 0; c < km->n_seed_chunks; c++)
    km->pending_stamp[c] = G_MAXUINT;
  km->pending_serial = 0;
  km->chunk_potential = g_new0 (guint64, km->n_seed_chunks * km->max_trials);
  km->chunk_sum = g_new0 (guint64, km->n_seed_chunks);

  if (request->initial_items != NULL)
    for (guint j = 0; j < km->k; j++)
      if (request->initial_items[j] >= 0)
        {
          add_fixed_centre (km, j, (guint) request->initial_items[j], seed_items);
          drop_settled_if_worth (km);
          if (++done % report_every == 0 && !report (km, 0.5 * done / km->k, error))
            return FALSE;
        }

  for (guint j = 0; j < km->k; j++)
    {
      if (request->initial_items != NULL && request->initial_items[j] >= 0)
        continue;
      if (done == 0)
        add_fixed_centre (km, j, (guint) g_rand_int_range (rand, 0, (gint32) km->n),
                          seed_items);
      else
        add_sampled_centre (km, j, rand, seed_items);
      drop_settled_if_worth (km);
      if (++done % report_every == 0 && !report (km, 0.5 * done / km->k, error))
        return FALSE;
    }

  dm_parallel_run (km->parallel, km->n_seed_chunks, apply_pending_task, km);
  km->update_pending = FALSE;
  if (km->active_item != NULL)
    restore_item_order (km);
  /* Lloyd reads the keys themselves: the transposed copy would only add to
   * its peak memory (80 MB at 1.28M keys). */
  g_clear_pointer (&km->points_t, g_free);
  g_clear_pointer (&km->candidate_keys, g_free);
  g_clear_pointer (&km->pending_key, g_free);
  g_clear_pointer (&km->pending_dist, g_free);
  g_clear_pointer (&km->pending_stamp, g_free);
  g_clear_pointer (&km->chunk_potential, g_free);
  g_clear_pointer (&km->chunk_sum, g_free);
  g_clear_pointer (&km->chunk_settled, g_free);
  g_clear_pointer (&km->candidate_nearest, g_free);
  g_clear_pointer (&km->finalists, g_free);
  g_clear_pointer (&km->chosen_nearest, g_free);
  return TRUE;
}

/* ---- centres ---------------------------------------------------------- */

typedef struct {
  Kmeans *km;
  gsize n_tasks;
} BuildJob;

/* Task t owns a range of centre blocks, so no two tasks write one cell. */
static void
build_counts_task (gsize task, guint worker, gpointer data)
{
  BuildJob *job = data;
  Kmeans *km = job->km;
  guint first = (guint) (task * km->n_cblocks / job->n_tasks) * DM_KMEANS_CENTRE_BLOCK;
  guint end = (guint) ((task + 1) * km->n_cblocks / job->n_tasks) * DM_KMEANS_CENTRE_BLOCK;

  for (gsize i = 0; i < km->n; i++)
    {
      guint j = km->label[i];
      if (j < first || j >= end)
        continue;
      const guint8 *key = key_of (km, i);
      km->popcount_sum[j] += km->popcount[i];
      for (gsize w = 0; w < km->n_words; w++)
        {
          guint64 word = load_word (key + 8 * w);
          while (word != 0)
            {
              gsize f = 64 * w + (guint) __builtin_ctzll (word);
              (*count_cell (km, j, f))++;
              if (km->counts16_t != NULL)
                km->counts16_t[count_offset (km, j, f)]++;
              word &= word - 1;
            }
        }
    }
}

static void
update_centre_terms (Kmeans *km, guint centre)
{
  guint64 square_sum = 0;
  double n = km->members[centre];

  for (gsize f = 0; f < km->n_features; f++)
    {
      guint64 count = *count_cell (km, centre, f);
      square_sum += count * count;
    }
  /* An empty centre is infinitely far from every key. */
  km->inv_members[centre] = n > 0 ? 1.0 / n : 0.0;
  km->norm_term[centre] = n > 0 ? (double) square_sum / (n * n) : INFINITY;
}

/* Euclidean distance between a centre and its earlier position given as
 * counts over members (internal feature order). */
static double
centre_shift (Kmeans *km, guint centre, const guint32 *old_counts, guint old_members)
{
  double sum = 0;

  if (old_members == 0 || km->members[centre] == 0)
    return old_members == km->members[centre] ? 0.0 : 2 * BOUND_FAR;
  for (gsize f = 0; f < km->n_features; f++)
    {
      double delta = (double) *count_cell (km, centre, f) * km->inv_members[centre]
                     - (double) old_counts[f] / old_members;
      sum += delta * delta;
    }
  return sqrt (sum);
}

static void
key_as_counts (Kmeans *km, gsize item, guint32 *counts)
{
  memset (counts, 0, km->n_features * sizeof *counts);
  for (gsize w = 0; w < km->n_words; w++)
    for (guint b = 0; b < 64; b++)
      counts[64 * w + b] = (guint32) ((load_word (key_of (km, item) + 8 * w) >> b) & 1u);
}

static void
exact_distance_task (gsize chunk, guint worker, gpointer data)
{
  Kmeans *km = data;

  for (gsize i = chunk * LLOYD_CHUNK; i < MIN ((chunk + 1) * LLOYD_CHUNK, km->n); i++)
    km->exact[i] = exact_distance (km, i, km->label[i]);
}

/* Remembers a centre's counts before its first change in an iteration. */
typedef struct {
  gint *slot_of;          /* k, -1 = untouched */
  GArray *centres;        /* guint, touched centres in touch order */
  GArray *old_counts;     /* guint32, n_features per slot */
  GArray *old_members;    /* guint per slot */
} Touched;

static void
touch (Kmeans *km, Touched *touched, guint centre)
{
  if (touched->slot_of[centre] >= 0)
    return;
  touched->slot_of[centre] = (gint) touched->centres->len;
  g_array_append_val (touched->centres, centre);
  g_array_append_val (touched->old_members, km->members[centre]);
  g_array_set_size (touched->old_counts, touched->old_counts->len + km->n_features);
  guint32 *saved = &g_array_index (touched->old_counts, guint32,
                                   touched->old_counts->len - km->n_features);
  for (gsize f = 0; f < km->n_features; f++)
    saved[f] = *count_cell (km, centre, f);
}

static void
move_item (Kmeans *km, gsize item, guint from, guint to)
{
  const guint8 *key = key_of (km, item);

  for (gsize w = 0; w < km->n_words; w++)
    {
      guint64 word = load_word (key + 8 * w);
      while (word != 0)
        {
          gsize f = 64 * w + (guint) __builtin_ctzll (word);
          (*count_cell (km, from, f))--;
          (*count_cell (km, to, f))++;
          if (km->counts16_t != NULL)
            {
              km->counts16_t[count_offset (km, from, f)]--;
              km->counts16_t[count_offset (km, to, f)]++;
            }
          word &= word - 1;
        }
    }
  km->members[from]--;
  km->members[to]++;
  km->popcount_sum[from] -= km->popcount[item];
  km->popcount_sum[to] += km->popcount[item];
  km->label[item] = to;
}

/* scikit-learn's rule: an empty cluster takes the item farthest from its
 * centre (ties: lowest index), from a cluster that keeps a member. */
static void
relocate_empty (Kmeans *km, Touched *touched)
{
  gboolean have_distances = FALSE;

  for (guint j = 0; j < km->k; j++)
    {
      if (km->members[j] != 0)
        continue;
      if (!have_distances)
        {
          for (guint c = 0; c < km->k; c++)
            update_centre_terms (km, c);
          dm_parallel_run (km->parallel, km->n_lloyd_chunks, exact_distance_task, km);
          have_distances = TRUE;
        }
      gsize far = G_MAXSIZE;
      for (gsize i = 0; i < km->n; i++)
        if (km->members[km->label[i]] > 1 && km->exact[i] > 0
            && (far == G_MAXSIZE || km->exact[i] > km->exact[far]))
          far = i;
      if (far == G_MAXSIZE)
        return;   /* every remaining item duplicates its centre */
      if (touched != NULL)
        {
          touch (km, touched, km->label[far]);
          touch (km, touched, j);
        }
      move_item (km, far, km->label[far], j);
      km->exact[far] = -1;
      km->upper[far] = 0;
      /* Forces a full scan next time. */
      for (guint g = 0; g < km->bound_stride; g++)
        km->group_lower[far * km->bound_stride + g] = 0;
    }
}

/* The group of centres a centre belongs to by its index. */
static inline guint
home_group (const Kmeans *km, guint centre)
{
  return centre / (km->group_cblocks * DM_KMEANS_CENTRE_BLOCK);
}

/* The group whose lower bounds cover a centre now: its home group, or
 * the mobile group (n_groups) while it is mobile. */
static inline guint
group_of (const Kmeans *km, guint centre)
{
  return km->centre_group[centre];
}

/* Copies the mobile centres' counts and terms into block n_cblocks, lane
 * by lane; unused lanes get what padding has: no counts, infinitely far. */
static void
copy_mobile_block (Kmeans *km)
{
  for (guint lane = 0; lane < DM_KMEANS_CENTRE_BLOCK; lane++)
    {
      guint to = km->n_cblocks * DM_KMEANS_CENTRE_BLOCK + lane;
      gboolean used = lane < km->n_mobile;
      guint from = used ? km->mobile_centre[lane] : 0;

      for (gsize f = 0; f < km->n_features; f++)
        {
          gsize target = count_offset (km, to, f), source = count_offset (km, from, f);
          km->counts_t[target] = used ? km->counts_t[source] : 0;
          km->counts16_t[target] = used ? km->counts16_t[source] : 0;
        }
      km->inv_members[to] = used ? km->inv_members[from] : 0.0;
      km->norm_term[to] = used ? km->norm_term[from] : INFINITY;
    }
}

static gboolean
is_listed (const guint *centres, guint n, guint centre)
{
  for (guint l = 0; l < n; l++)
    if (centres[l] == centre)
      return TRUE;
  return FALSE;
}

/* The mobile group. A group's bounds drop by the largest shift of its
 * centres, and late in Lloyd one or two unstable centres set that for
 * every group while most centres stay put (50k keys, k = 1000: group
 * shifts 0.8-1.4 against a median nonzero shift of 0.3, so every item
 * failed the bound test in every iteration; at 1.28M keys, iteration 3:
 * median nonzero shift 0.09, mean group maximum 2.15). The 16 centres
 * that moved most (nonzero shifts; ties: the lower index) therefore leave
 * their home groups' bounds for one bound of their own. Bounds are still
 * at the old positions here: a centre entering from group g is covered
 * by g's bound, so the mobile bound becomes the smaller of the two; one
 * leaving back to g lowers g's bound to the mobile one. assign_task
 * applies that to every item, just before it lowers the bounds. */
static void
choose_mobile (Kmeans *km)
{
  guint chosen[DM_KMEANS_CENTRE_BLOCK], n_chosen = 0;

  for (guint j = 0; j < km->k; j++)
    {
      guint at;

      if (!(km->shift[j] > 0)
          || (n_chosen == DM_KMEANS_CENTRE_BLOCK
              && !(km->shift[j] > km->shift[chosen[n_chosen - 1]])))
        continue;
      /* Insertion into the list by decreasing shift: the last drops out. */
      at = n_chosen < DM_KMEANS_CENTRE_BLOCK ? n_chosen++ : n_chosen - 1;
      while (at > 0 && km->shift[chosen[at - 1]] < km->shift[j])
        {
          chosen[at] = chosen[at - 1];
          at--;
        }
      chosen[at] = j;
    }
  /* Lanes in centre order, so that a scan meets equally near mobile
   * centres lowest first, as in their home blocks. */
  qsort (chosen, n_chosen, sizeof *chosen, compare_items);

  for (guint l = 0; l < km->n_mobile; l++)
    {
      guint j = km->mobile_centre[l];
      if (is_listed (chosen, n_chosen, j))
        continue;
      km->centre_group[j] = home_group (km, j);
      km->mobile_left |= G_GUINT64_CONSTANT (1) << km->centre_group[j];
    }
  for (guint l = 0; l < n_chosen; l++)
    {
      guint j = chosen[l];
      if (km->centre_group[j] == km->n_groups)
        continue;
      km->mobile_entered |= G_GUINT64_CONSTANT (1) << km->centre_group[j];
      km->centre_group[j] = km->n_groups;
    }
  for (guint l = 0; l < DM_KMEANS_CENTRE_BLOCK; l++)
    km->mobile_centre[l] = l < n_chosen ? chosen[l] : G_MAXUINT;
  km->n_mobile = n_chosen;
  copy_mobile_block (km);
}

/* Moves the centres into and out of the mobile group in one item's bounds
 * (see choose_mobile), from the bounds at the old positions. */
static inline void
apply_mobile_changes (const Kmeans *km, guint16 *lower)
{
  guint16 old_mobile = lower[km->n_groups], mobile = old_mobile;

  for (guint64 mask = km->mobile_entered; mask != 0; mask &= mask - 1)
    mobile = MIN (mobile, lower[__builtin_ctzll (mask)]);
  for (guint64 mask = km->mobile_left; mask != 0; mask &= mask - 1)
    {
      guint g = (guint) __builtin_ctzll (mask);
      lower[g] = MIN (lower[g], old_mobile);
    }
  lower[km->n_groups] = mobile;
}

/* Per group of centres (the mobile one included), the largest shift of a
 * centre it covers: how much the group's lower bounds must drop, in bound
 * units. */
static void
update_group_shifts (Kmeans *km)
{
  double largest[MAX_GROUPS + 1] = { 0 };

  if (km->use_mobile)
    choose_mobile (km);
  for (guint j = 0; j < km->k; j++)
    largest[group_of (km, j)] = MAX (largest[group_of (km, j)], km->shift[j]);
  for (guint g = 0; g < km->bound_stride; g++)
    {
      /* Rounded up, so that bounds lowered by it stay bounds; a shift
       * beyond any key distance takes every bound to 0. */
      double units = ceil (largest[g] * km->bound_scale);
      km->group_shift_units[g] = units >= G_MAXUINT16 ? G_MAXUINT16 : (guint16) units;
    }
}

/* ---- assignment ------------------------------------------------------- */

/* Each centre's reference key: the features set in more than half of its
 * members (none for an empty centre). */
static void
update_references (Kmeans *km)
{
  for (guint j = 0; j < km->k; j++)
    for (gsize w = 0; w < km->n_words; w++)
      {
        guint64 word = 0;
        for (guint b = 0; b < 64; b++)
          if (2 * (guint64) *count_cell (km, j, 64 * w + b) > km->members[j])
            word |= G_GUINT64_CONSTANT (1) << b;
        km->reference[(gsize) j * km->n_words + w] = word;
      }
  km->pass_stamp++;
  for (guint w = 0; w < km->n_workers; w++)
    km->reference_listed[w] = G_MAXUINT;
}

/* A key against centre's reference: features it sets that the reference
 * does not (plus, first), then those the reference sets that it does not. */
static void
list_differences (const Kmeans *km, gsize item, guint centre, guint16 *features,
                  guint *n_plus, guint *n_minus)
{
  const guint8 *key = key_of (km, item);
  const guint64 *reference = km->reference + (gsize) centre * km->n_words;
  guint plus = 0, all = 0;

  for (gsize w = 0; w < km->n_words; w++)
    plus = append_features (load_word (key + 8 * w) & ~reference[w], w, features, plus);
  all = plus;
  for (gsize w = 0; w < km->n_words; w++)
    all = append_features (reference[w] & ~load_word (key + 8 * w), w, features, all);
  *n_plus = plus;
  *n_minus = all - plus;
}

/* The reference dot products of centre's reference key with the centres
 * of blocks [first, end), computed once per pass and worker; returns the
 * row (indexed by absolute centre) for DmKmeansKey.base. */
static const guint32 *
reference_sums (Kmeans *km, guint worker, guint centre, gsize first, gsize end)
{
  guint32 *row = km->reference_sums[worker]
                 + (gsize) centre * km->n_count_blocks * DM_KMEANS_CENTRE_BLOCK;
  guint *stamp = km->reference_stamp[worker] + (gsize) centre * km->n_count_blocks;
  guint16 *features = km->reference_features[worker];

  for (gsize c = first; c < end; c++)
    {
      if (stamp[c] == km->pass_stamp)
        continue;
      if (km->reference_listed[worker] != centre)
        {
          guint n = 0;
          for (gsize w = 0; w < km->n_words; w++)
            n = append_features (km->reference[(gsize) centre * km->n_words + w], w, features, n);
          km->reference_n_set[worker] = n;
          km->reference_listed[worker] = centre;
        }
      km->kernels->sums (&km->counts_view, features, km->reference_n_set[worker], c,
                         row + c * DM_KMEANS_CENTRE_BLOCK);
      stamp[c] = km->pass_stamp;
    }
  return row;
}

/* Yinyang's group filter: each item keeps, per group of centres, a lower
 * bound on its distance to the group's centres other than its own. A full
 * scan visits only the groups whose bound does not rule them out, home
 * groups in centre order, then the mobile group. A home block still holds
 * its mobile centres' lanes: its minimum over them too is still a bound
 * for the others. As with one pass over all centres in order, an item
 * moves only to a strictly nearer centre, and of equally near ones to the
 * lowest: a skipped group holds no centre as near as the best, and a
 * mobile centre, met last, also wins a tie with a higher best that is not
 * the item's own centre. */
static void
scan_batch (Kmeans *km, const guint *items, const double *own_distance,
            guint n_items, GArray *moves, guint worker)
{
  /* SCAN_BATCH lists of set features, n_features apart */
  guint16 *features = km->feature_scratch[worker];
  guint n_set[SCAN_BATCH], n_minus[SCAN_BATCH];
  double best[SCAN_BATCH], best_root[SCAN_BATCH];
  guint best_centre[SCAN_BATCH];
  double distances[SCAN_GROUP_BYTES / 64 * DM_KMEANS_CENTRE_BLOCK / 16];
  double block_min[SCAN_GROUP_BYTES / 64 / 16];
  gsize group_stride = km->bound_stride;

  g_assert (km->scan_group * DM_KMEANS_CENTRE_BLOCK <= G_N_ELEMENTS (distances));

  for (guint p = 0; p < n_items; p++)
    {
      if (km->use_reference)
        list_differences (km, items[p], km->label[items[p]], features + p * km->n_features,
                          &n_set[p], &n_minus[p]);
      else
        {
          n_set[p] = list_set_features (km, items[p], features + p * km->n_features);
          n_minus[p] = 0;
        }
      best[p] = own_distance[p];
      best_root[p] = sqrt (MAX (best[p], 0.0));
      best_centre[p] = km->label[items[p]];
    }
  for (guint g = 0; g < km->bound_stride; g++)
    {
      gboolean mobile = g == km->n_groups;
      gsize group_first = mobile ? km->n_cblocks : (gsize) g * km->group_cblocks;
      gsize group_end = mobile ? km->n_cblocks + 1
                               : MIN (group_first + km->group_cblocks, km->n_cblocks);

      for (guint p = 0; p < n_items; p++)
        {
          guint16 *lower = km->group_lower + items[p] * group_stride;
          guint own = km->label[items[p]];
          DmKmeansKey key = {
            features + p * km->n_features, features + p * km->n_features + n_set[p],
            n_set[p], n_minus[p], NULL, km->popcount[items[p]],
          };
          double group_min = INFINITY;

          if (mobile && km->n_mobile == 0)
            {
              lower[g] = G_MAXUINT16;   /* no centre to bound */
              continue;
            }
          if (bound_value (km, lower[g]) > best_root[p] + BOUND_MARGIN)
            continue;

          for (gsize part = group_first; part < group_end; part += km->scan_group)
            {
              gsize part_end = MIN (part + km->scan_group, group_end);
              if (km->use_reference)
                key.base = reference_sums (km, worker, own, part, part_end);
              km->kernels->distances (&km->counts_view, &key, part, part_end,
                                      km->inv_members, km->norm_term, distances, block_min);
              for (gsize c = part; c < part_end; c++)
                {
                  const double *d = distances + (c - part) * DM_KMEANS_CENTRE_BLOCK;
                  guint first = (guint) (c * DM_KMEANS_CENTRE_BLOCK), nearest = G_MAXUINT;
                  double smallest = INFINITY, next = INFINITY;

                  /* Mostly no centre of the block beats the best: then the
                   * block minimum is all the group bound needs. A mobile
                   * centre may win a tie, so its block needs more. */
                  if (mobile ? block_min[c - part] > best[p]
                             : (block_min[c - part] >= best[p]
                                && best_centre[p] - first >= DM_KMEANS_CENTRE_BLOCK))
                    {
                      group_min = MIN (group_min, block_min[c - part]);
                      continue;
                    }

                  /* Padding, unused mobile lanes and empty centres sit at
                   * infinity. */
                  for (guint lane = 0; lane < DM_KMEANS_CENTRE_BLOCK; lane++)
                    {
                      guint centre = mobile ? km->mobile_centre[lane] : first + lane;
                      if (centre == best_centre[p])
                        continue;
                      if (d[lane] < smallest)
                        {
                          next = smallest;
                          smallest = d[lane];
                          nearest = centre;
                        }
                      else if (d[lane] < next)
                        next = d[lane];
                    }
                  if (smallest < best[p]
                      || (mobile && smallest == best[p] && nearest < best_centre[p]
                          && best_centre[p] != own))
                    {
                      /* The centre it displaces is now one of "the others". */
                      guint old_group = group_of (km, best_centre[p]);
                      if (old_group == g)
                        group_min = MIN (group_min, best[p]);
                      else
                        lower[old_group] = MIN (lower[old_group], bound_floor (km, best_root[p]));
                      best[p] = smallest;
                      best_root[p] = sqrt (MAX (smallest, 0.0));
                      best_centre[p] = nearest;
                      group_min = MIN (group_min, next);
                    }
                  else
                    group_min = MIN (group_min, smallest);
                }
            }
          lower[g] = bound_floor (km, lower_bound (group_min));
        }
    }
  for (guint p = 0; p < n_items; p++)
    {
      guint item = items[p];
      km->upper[item] = best_root[p];
      if (best_centre[p] != km->label[item])
        {
          Move move = { item, km->label[item], best_centre[p] };
          g_array_append_val (moves, move);
          km->label[item] = best_centre[p];
        }
    }
}

static void
member_scan (Kmeans *km, const guint *items, const double *own_distance,
             guint n_items, GArray *moves, guint worker)
{
  /* SCAN_BATCH keys, n_words each */
  guint64 *candidates = km->candidate_scratch[worker];
  guint16 *distances = km->scratch[worker];
  guint32 *prefix = (guint32 *) (distances + SCAN_BATCH * km->n_padded);
  guint group_size = km->group_cblocks * DM_KMEANS_CENTRE_BLOCK;
  gsize piece_blocks = MEMBER_PIECE / DM_KMEANS_POINT_BLOCK;

  for (guint p = 0; p < n_items; p++)
    for (gsize w = 0; w < km->n_words; w++)
      candidates[p * km->n_words + w] = load_word (key_of (km, items[p]) + 8 * w);
  for (gsize b = 0; b < km->n_blocks; b += piece_blocks)
    for (guint p = 0; p < n_items; p++)
      km->kernels->hamming (km->sorted_t, km->n_words, b, MIN (b + piece_blocks, km->n_blocks),
                            candidates + p * km->n_words, km->zeros,
                            distances + p * km->n_padded + b * DM_KMEANS_POINT_BLOCK);

  for (guint p = 0; p < n_items; p++)
    {
      guint item = items[p];
      const guint16 *to_item = distances + p * km->n_padded;
      /* Member scans keep every centre in its home group: no mobile group
       * (use_mobile is FALSE, bound_stride n_groups). They run for small
       * data sets, where scans are cheap anyway. */
      guint16 *lower = km->group_lower + (gsize) item * km->bound_stride;
      guint popcount = km->popcount[item];
      double best = own_distance[p], best_root = sqrt (MAX (best, 0.0));
      guint best_centre = km->label[item];
      guint32 running = 0;

      /* Prefix sums make each centre's sum of distances branch-free. */
      for (gsize m = 0; m < km->n; m++)
        {
          prefix[m] = running;
          running += to_item[m];
        }
      prefix[km->n] = running;

      for (guint g = 0; g < km->n_groups; g++)
        {
          guint end = MIN ((g + 1) * group_size, km->k);
          double group_min = INFINITY;

          for (guint j = g * group_size; j < end; j++)
            {
              guint32 sum_distances = prefix[km->cluster_offsets[j + 1]]
                                      - prefix[km->cluster_offsets[j]];
              guint32 sum = (guint32) (((guint64) km->members[j] * popcount
                                        + km->popcount_sum[j] - sum_distances) / 2);
              /* Empty centres come out infinite (see update_centre_terms). */
              double d = distance_from_sum (km, popcount, sum, j);
              if (j == best_centre)
                continue;
              if (G_UNLIKELY (d < best))
                {
                  guint old_group = best_centre / group_size;
                  if (old_group == g)
                    group_min = MIN (group_min, best);
                  else if (old_group < g)
                    lower[old_group] = MIN (lower[old_group], bound_floor (km, best_root));
                  best = d;
                  best_root = sqrt (MAX (d, 0.0));
                  best_centre = j;
                }
              else
                group_min = MIN (group_min, d);
            }
          lower[g] = bound_floor (km, lower_bound (group_min));
        }

      km->upper[item] = best_root;
      if (best_centre != km->label[item])
        {
          Move move = { item, km->label[item], best_centre };
          g_array_append_val (moves, move);
          km->label[item] = best_centre;
        }
    }
}

/* Lays the points out in cluster order for member scans; the centre counts
 * are those of the current labels. */
static void
sort_by_cluster (Kmeans *km)
{
  g_autofree guint *fill = g_new (guint, km->k);

  km->cluster_offsets[0] = 0;
  for (guint j = 0; j < km->k; j++)
    {
      km->cluster_offsets[j + 1] = km->cluster_offsets[j] + km->members[j];
      fill[j] = km->cluster_offsets[j];
    }
  g_assert (km->cluster_offsets[km->k] == km->n);
  for (gsize i = 0; i < km->n; i++)
    {
      gsize position = fill[km->label[i]]++;
      gsize block = position / DM_KMEANS_POINT_BLOCK, lane = position % DM_KMEANS_POINT_BLOCK;
      for (gsize w = 0; w < km->n_words; w++)
        km->sorted_t[(block * km->n_words + w) * DM_KMEANS_POINT_BLOCK + lane] =
            load_word (key_of (km, i) + 8 * w);
    }
}

static void
assign_task (gsize chunk, guint worker, gpointer data)
{
  Kmeans *km = data;
  GArray *moves = km->chunk_moves[chunk];
  guint failing[SCAN_BATCH];
  double own_distance[SCAN_BATCH];
  guint n_failing = 0;

  g_array_set_size (moves, 0);
  if (km->use_reference)
    g_array_set_size (km->chunk_failing[chunk], 0);
  for (gsize i = chunk * LLOYD_CHUNK; i < MIN ((chunk + 1) * LLOYD_CHUNK, km->n); i++)
    {
      guint own = km->label[i];
      guint16 *lower = km->group_lower + i * km->bound_stride;
      guint16 lowest_units = G_MAXUINT16;
      double lowest, d_own;

      if (km->mobile_entered != 0 || km->mobile_left != 0)
        apply_mobile_changes (km, lower);
      /* In bound units: a saturating integer subtraction per group, the
       * cost of every item in every iteration. */
      km->upper[i] += km->shift[own];
      for (guint g = 0; g < km->bound_stride; g++)
        {
          guint16 shift = km->group_shift_units[g];
          lower[g] = lower[g] > shift ? lower[g] - shift : 0;
          lowest_units = MIN (lowest_units, lower[g]);
        }
      lowest = bound_value (km, lowest_units);
      if (km->upper[i] + BOUND_MARGIN < lowest)
        continue;
      d_own = exact_distance (km, i, own);
      km->upper[i] = sqrt (MAX (d_own, 0.0));
      if (km->upper[i] + BOUND_MARGIN < lowest)
        continue;
      if (km->use_reference)
        {
          guint item = (guint) i;
          km->exact[i] = d_own;
          g_array_append_val (km->chunk_failing[chunk], item);
          continue;
        }
      own_distance[n_failing] = d_own;
      failing[n_failing++] = (guint) i;
      if (n_failing == SCAN_BATCH)
        {
          if (km->member_mode)
            member_scan (km, failing, own_distance, n_failing, moves, worker);
          else
            scan_batch (km, failing, own_distance, n_failing, moves, worker);
          n_failing = 0;
        }
    }
  if (n_failing > 0 && km->member_mode)
    member_scan (km, failing, own_distance, n_failing, moves, worker);
  else if (n_failing > 0)
    scan_batch (km, failing, own_distance, n_failing, moves, worker);
}

/* How many features the kernels may sum in 16-bit lanes before widening,
 * for a block whose largest centre has largest members: 0 (32-bit sums)
 * when a count may pass 65 535. */
static guint16
count_run (const Kmeans *km, guint largest)
{
  return (guint16) MIN (G_MAXUINT16 / MAX (largest, 1), km->n_features);
}

/* Per centre block, the mobile one included, its count_run(): a count is
 * at most its centre's members. */
static void
update_count_runs (Kmeans *km)
{
  for (guint c = 0; c < km->n_cblocks; c++)
    {
      guint largest = 0;
      for (guint j = c * DM_KMEANS_CENTRE_BLOCK;
           j < MIN ((c + 1) * DM_KMEANS_CENTRE_BLOCK, km->k); j++)
        largest = MAX (largest, km->members[j]);
      km->count_runs[c] = count_run (km, largest);
    }
  if (km->use_mobile)
    {
      guint largest = 0;
      for (guint lane = 0; lane < km->n_mobile; lane++)
        largest = MAX (largest, km->members[km->mobile_centre[lane]]);
      km->count_runs[km->n_cblocks] = count_run (km, largest);
    }
}

/* Scans task's share of the failing items (in cluster order), SCAN_BATCH
 * at a time. */
static void
scan_failing_task (gsize task, guint worker, gpointer data)
{
  Kmeans *km = data;
  gsize first = task * LLOYD_CHUNK, end = MIN (first + LLOYD_CHUNK, km->n_failing);
  GArray *moves = km->chunk_moves[task];

  for (gsize b = first; b < end; b += SCAN_BATCH)
    {
      guint items[SCAN_BATCH];
      double own_distance[SCAN_BATCH];
      guint n_items = (guint) MIN (SCAN_BATCH, end - b);

      for (guint p = 0; p < n_items; p++)
        {
          items[p] = km->failing[b + p];
          own_distance[p] = km->exact[items[p]];
        }
      scan_batch (km, items, own_distance, n_items, moves, worker);
    }
}

/* The failing items of all chunks, by own centre (counting sort: chunk
 * and item order within a centre), then scanned. */
static void
scan_failing (Kmeans *km)
{
  g_autofree guint *offset = g_new0 (guint, km->k + 1);

  km->n_failing = 0;
  for (gsize c = 0; c < km->n_lloyd_chunks; c++)
    {
      GArray *failing = km->chunk_failing[c];
      for (guint f = 0; f < failing->len; f++)
        offset[km->label[g_array_index (failing, guint, f)] + 1]++;
      km->n_failing += failing->len;
    }
  for (guint j = 0; j < km->k; j++)
    offset[j + 1] += offset[j];
  for (gsize c = 0; c < km->n_lloyd_chunks; c++)
    {
      GArray *failing = km->chunk_failing[c];
      for (guint f = 0; f < failing->len; f++)
        {
          guint item = g_array_index (failing, guint, f);
          km->failing[offset[km->label[item]]++] = item;
        }
    }
  dm_parallel_run (km->parallel, (km->n_failing + LLOYD_CHUNK - 1) / LLOYD_CHUNK,
                   scan_failing_task, km);
}

/* One assignment pass; with apply, moves update the centre counts. Returns
 * the number of items that changed cluster. */
static gsize
assign (Kmeans *km, Touched *touched, gboolean apply)
{
  gsize n_moves = 0;

  if (km->member_mode)
    sort_by_cluster (km);
  else
    update_count_runs (km);
  if (km->use_reference)
    update_references (km);
  dm_parallel_run (km->parallel, km->n_lloyd_chunks, assign_task, km);
  km->mobile_entered = km->mobile_left = 0;
  if (km->use_reference)
    scan_failing (km);
  for (gsize c = 0; c < km->n_lloyd_chunks; c++)
    {
      GArray *moves = km->chunk_moves[c];
      n_moves += moves->len;
      if (!apply)
        continue;
      for (guint m = 0; m < moves->len; m++)
        {
          const Move *move = &g_array_index (moves, Move, m);
          touch (km, touched, move->from);
          touch (km, touched, move->to);
          km->label[move->item] = move->from;
          move_item (km, move->item, move->from, move->to);
        }
    }
  return n_moves;
}

/* ---- driver ----------------------------------------------------------- */

static void
kmeans_clear (Kmeans *km)
{
  g_clear_pointer (&km->parallel, dm_parallel_free);
  g_free (km->points_t);
  g_free (km->popcount);
  g_free (km->nearest);
  g_free (km->second);
  g_free (km->candidate_keys);
  g_free (km->pending_key);
  g_free (km->pending_dist);
  g_free (km->pending_stamp);
  g_free (km->chunk_potential);
  g_free (km->chunk_sum);
  g_free (km->chunk_settled);
  g_free (km->candidate_nearest);
  g_free (km->finalists);
  g_free (km->chosen_nearest);
  g_free (km->dropped_second);
  g_free (km->dropped_after);
  g_free (km->active_item);
  if (km->seed_label != km->label)
    g_free (km->seed_label);
  g_free (km->counts16_t);
  g_free (km->count_runs);
  g_free (km->inv_members);
  g_free (km->norm_term);
  g_free (km->shift);
  g_free (km->upper);
  g_free (km->group_lower);
  g_free (km->group_shift_units);
  g_free (km->centre_group);
  g_free (km->exact);
  if (km->chunk_moves != NULL)
    for (gsize c = 0; c < km->n_lloyd_chunks; c++)
      g_array_unref (km->chunk_moves[c]);
  g_free (km->chunk_moves);
  g_free (km->sorted_t);
  g_free (km->cluster_offsets);
  g_free (km->popcount_sum);
  for (guint w = 0; w < km->n_workers; w++)
    {
      if (km->scratch != NULL)
        g_free (km->scratch[w]);
      g_free (km->feature_scratch[w]);
      g_free (km->candidate_scratch[w]);
    }
  if (km->use_reference)
    for (guint w = 0; w < km->n_workers; w++)
      {
        g_free (km->reference_sums[w]);
        g_free (km->reference_stamp[w]);
        g_free (km->reference_features[w]);
      }
  if (km->chunk_failing != NULL)
    for (gsize c = 0; c < km->n_lloyd_chunks; c++)
      g_array_unref (km->chunk_failing[c]);
  g_free (km->chunk_failing);
  g_free (km->failing);
  g_free (km->reference);
  g_free (km->reference_sums);
  g_free (km->reference_stamp);
  g_free (km->reference_features);
  g_free (km->reference_listed);
  g_free (km->reference_n_set);
  g_free (km->scratch);
  g_free (km->feature_scratch);
  g_free (km->candidate_scratch);
  g_free (km->zeros);
}

static gboolean
check_request (const DmKmeansRequest *request, GError **error)
{
  if (!dm_keys_check_size (request->key_bytes, error))
    return FALSE;
  if (request->n_items == 0 || request->n_items > DM_KMEANS_MAX_ITEMS)
    {
      g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
                   "k-means needs 1 to %u items, not %" G_GSIZE_FORMAT,
                   DM_KMEANS_MAX_ITEMS, request->n_items);
      return FALSE;
    }
  if (request->k == 0 || request->k > request->n_items)
    {
      g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
                   "cannot make %u clusters from %" G_GSIZE_FORMAT " items",
                   request->k, request->n_items);
      return FALSE;
    }
  if (request->kernel > DM_KMEANS_KERNEL_PORTABLE)
    {
      g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
                   "unknown k-means kernel path %d", (int) request->kernel);
      return FALSE;
    }
  if (!(request->tolerance >= 0))
    {
      g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
                   "k-means tolerance %g is not a non-negative number",
                   request->tolerance);
      return FALSE;
    }
  if (request->initial_items != NULL)
    for (guint j = 0; j < request->k; j++)
      if (request->initial_items[j] >= (gint64) request->n_items)
        {
          g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
                       "initial centre %u names item %" G_GINT64_FORMAT
                       " of %" G_GSIZE_FORMAT, j, request->initial_items[j],
                       request->n_items);
          return FALSE;
        }
  return TRUE;
}

static void
prepare_points (Kmeans *km)
{
  km->points_t = g_new0 (guint64, km->n_padded * km->n_words);
  km->popcount = g_new (guint16, km->n);
  for (gsize i = 0; i < km->n; i++)
    {
      const guint8 *key = key_of (km, i);
      gsize block = i / DM_KMEANS_POINT_BLOCK, lane = i % DM_KMEANS_POINT_BLOCK;
      for (gsize w = 0; w < km->n_words; w++)
        km->points_t[(block * km->n_words + w) * DM_KMEANS_POINT_BLOCK + lane] =
            load_word (key + 8 * w);
      km->popcount[i] = (guint16) dm_keys_popcount (key, km->request->key_bytes);
    }
}

/* scikit-learn's absolute tolerance: tol * mean feature variance. */
static double
absolute_tolerance (Kmeans *km)
{
  double variance_sum = 0;

  for (gsize f = 0; f < km->n_features; f++)
    {
      guint64 ones = 0;
      for (guint j = 0; j < km->k; j++)
        ones += *count_cell (km, j, f);
      double p = (double) ones / (double) km->n;
      variance_sum += p * (1 - p);
    }
  return km->request->tolerance * variance_sum / (double) km->n_features;
}

static gboolean
lloyd (Kmeans *km, DmKmeansResult *result, GError **error)
{
  const DmKmeansRequest *request = km->request;
  g_autofree guint32 *seed_counts = g_new (guint32, km->n_features);
  gboolean strict = FALSE, cancelled = FALSE;
  double tolerance;
  Touched touched = { 0 };

  km->member_mode = request->scan == DM_KMEANS_SCAN_MEMBERS
                    || (request->scan == DM_KMEANS_SCAN_AUTO && km->n < 8 * (gsize) km->k);
  km->group_cblocks = (km->n_cblocks + MAX_GROUPS - 1) / MAX_GROUPS;
  km->n_groups = (km->n_cblocks + km->group_cblocks - 1) / km->group_cblocks;
  /* With one group, its bound is the global one. */
  km->use_mobile = !km->member_mode && km->n_groups > 1 && !request->fixed_groups;
  km->n_count_blocks = km->n_cblocks + (km->use_mobile ? 1 : 0);
  km->bound_stride = km->n_groups + (km->use_mobile ? 1 : 0);
  km->centre_group = g_new (guint, km->k);
  for (guint j = 0; j < km->k; j++)
    km->centre_group[j] = home_group (km, j);
  for (guint l = 0; l < DM_KMEANS_CENTRE_BLOCK; l++)
    km->mobile_centre[l] = G_MAXUINT;

  km->counts_t = g_new0 (guint32, (gsize) km->n_count_blocks * DM_KMEANS_CENTRE_BLOCK
                                  * km->n_features);
  km->members = g_new0 (guint, km->k);
  km->inv_members = g_new0 (double, (gsize) km->n_count_blocks * DM_KMEANS_CENTRE_BLOCK);
  km->norm_term = g_new (double, (gsize) km->n_count_blocks * DM_KMEANS_CENTRE_BLOCK);
  for (gsize j = 0; j < (gsize) km->n_count_blocks * DM_KMEANS_CENTRE_BLOCK; j++)
    km->norm_term[j] = INFINITY;
  km->shift = g_new0 (double, km->k);
  km->upper = g_new (double, km->n);
  km->group_lower = g_new (guint16, km->n * km->bound_stride);
  /* No key is farther than sqrt(n_features) from a centre. */
  km->bound_scale = (G_MAXUINT16 - 1) / sqrt ((double) km->n_features);
  km->bound_unit = 1.0 / km->bound_scale;
  km->group_shift_units = g_new0 (guint16, km->bound_stride);
  km->exact = g_new (double, km->n);
  km->n_lloyd_chunks = (km->n + LLOYD_CHUNK - 1) / LLOYD_CHUNK;
  km->chunk_moves = g_new (GArray *, km->n_lloyd_chunks);
  for (gsize c = 0; c < km->n_lloyd_chunks; c++)
    km->chunk_moves[c] = g_array_new (FALSE, FALSE, sizeof (Move));
  km->popcount_sum = g_new0 (guint64, km->k);
  km->n_workers = dm_parallel_get_n_threads (km->parallel);
  km->feature_scratch = g_new (guint16 *, km->n_workers);
  km->candidate_scratch = g_new (guint64 *, km->n_workers);
  for (guint w = 0; w < km->n_workers; w++)
    {
      km->feature_scratch[w] = g_new (guint16, SCAN_BATCH * km->n_features);
      km->candidate_scratch[w] = g_new (guint64, SCAN_BATCH * km->n_words);
    }
  if (!km->member_mode)
    {
      km->counts16_t = g_new0 (guint16, (gsize) km->n_count_blocks * DM_KMEANS_CENTRE_BLOCK
                                        * km->n_features);
      km->count_runs = g_new (guint16, km->n_count_blocks);
      km->counts_view = (DmKmeansCounts) { km->counts_t, km->counts16_t, km->count_runs,
                                           km->n_features };
      km->use_reference = request->scan != DM_KMEANS_SCAN_SET_BITS
                          && (gsize) km->k * km->n_cblocks * DM_KMEANS_CENTRE_BLOCK
                             * sizeof (guint32) <= REFERENCE_BYTES;
    }
  if (km->use_reference)
    {
      km->reference = g_new (guint64, (gsize) km->k * km->n_words);
      km->reference_sums = g_new (guint32 *, km->n_workers);
      km->reference_stamp = g_new (guint *, km->n_workers);
      km->reference_features = g_new (guint16 *, km->n_workers);
      km->reference_listed = g_new (guint, km->n_workers);
      km->reference_n_set = g_new0 (guint, km->n_workers);
      km->failing = g_new (guint, km->n);
      km->chunk_failing = g_new (GArray *, km->n_lloyd_chunks);
      for (gsize c = 0; c < km->n_lloyd_chunks; c++)
        km->chunk_failing[c] = g_array_new (FALSE, FALSE, sizeof (guint));
      for (guint w = 0; w < km->n_workers; w++)
        {
          km->reference_sums[w] = g_new (guint32, (gsize) km->k * km->n_count_blocks
                                                  * DM_KMEANS_CENTRE_BLOCK);
          km->reference_stamp[w] = g_new0 (guint, (gsize) km->k * km->n_count_blocks);
          km->reference_features[w] = g_new (guint16, km->n_features);
        }
    }
  if (km->member_mode)
    {
      km->sorted_t = g_new0 (guint64, km->n_padded * km->n_words);
      km->cluster_offsets = g_new (guint, km->k + 1);
      km->scratch = g_new (guint16 *, km->n_workers);
      for (guint w = 0; w < km->n_workers; w++)
        /* distances to all items for a batch, then one row of prefix sums */
        km->scratch[w] = g_new (guint16, SCAN_BATCH * km->n_padded + 2 * (km->n + 2));
      km->zeros = g_new0 (guint16, MEMBER_PIECE);
    }
  km->scan_group = MAX (SCAN_GROUP_BYTES / (km->n_features * DM_KMEANS_CENTRE_BLOCK
                                            * sizeof (guint32)), 1);

  /* The seeding distances are exact bounds to the seeds themselves. */
  for (gsize i = 0; i < km->n; i++)
    {
      guint16 lower = km->second[i] == FAR ? G_MAXUINT16 : bound_floor (km, lower_bound (km->second[i]));
      km->upper[i] = sqrt ((double) km->nearest[i]);
      for (guint g = 0; g < km->n_groups; g++)
        km->group_lower[i * km->bound_stride + g] = lower;
      /* The mobile group starts empty. */
      if (km->use_mobile)
        km->group_lower[i * km->bound_stride + km->n_groups] = G_MAXUINT16;
      km->members[km->label[i]]++;
    }
  g_clear_pointer (&km->nearest, g_free);
  g_clear_pointer (&km->second, g_free);

  /* Iteration 1: the labels are those of the seeding pass. */
  {
    BuildJob job = { km, MIN (km->n_cblocks, 4 * dm_parallel_get_n_threads (km->parallel)) };
    dm_parallel_run (km->parallel, job.n_tasks, build_counts_task, &job);
  }
  relocate_empty (km, NULL);
  tolerance = absolute_tolerance (km);
  {
    double shift_total = 0;
    for (guint j = 0; j < km->k; j++)
      {
        update_centre_terms (km, j);
        key_as_counts (km, result->seed_items[j], seed_counts);
        km->shift[j] = centre_shift (km, j, seed_counts, 1);
        shift_total += km->shift[j] * km->shift[j];
      }
    update_group_shifts (km);
    result->iterations = 1;
    if (!report (km, 0.5 + 0.5 / request->max_iterations, error))
      return FALSE;
    result->converged = shift_total <= tolerance;
  }

  touched.slot_of = g_new (gint, km->k);
  for (guint j = 0; j < km->k; j++)
    touched.slot_of[j] = -1;
  touched.centres = g_array_new (FALSE, FALSE, sizeof (guint));
  touched.old_counts = g_array_new (FALSE, FALSE, sizeof (guint32));
  touched.old_members = g_array_new (FALSE, FALSE, sizeof (guint));

  while (!result->converged && result->iterations < request->max_iterations)
    {
      double shift_total = 0;
      gsize n_moves = assign (km, &touched, TRUE);

      result->iterations++;
      if (n_moves == 0)
        {
          strict = TRUE;
          break;
        }
      relocate_empty (km, &touched);
      memset (km->shift, 0, km->k * sizeof *km->shift);
      for (guint t = 0; t < touched.centres->len; t++)
        {
          guint j = g_array_index (touched.centres, guint, t);
          update_centre_terms (km, j);
          km->shift[j] = centre_shift (km, j,
                                       &g_array_index (touched.old_counts, guint32,
                                                       t * km->n_features),
                                       g_array_index (touched.old_members, guint, t));
          shift_total += km->shift[j] * km->shift[j];
          touched.slot_of[j] = -1;
        }
      g_array_set_size (touched.centres, 0);
      g_array_set_size (touched.old_counts, 0);
      g_array_set_size (touched.old_members, 0);
      update_group_shifts (km);
      if (!report (km, 0.5 + 0.5 * result->iterations / request->max_iterations, error))
        {
          cancelled = TRUE;
          break;
        }
      if (shift_total <= tolerance)
        {
          result->converged = TRUE;
          break;
        }
    }
  g_free (touched.slot_of);
  g_array_unref (touched.centres);
  g_array_unref (touched.old_counts);
  g_array_unref (touched.old_members);
  if (cancelled)
    return FALSE;
  result->converged = result->converged || strict;
  if (!strict)
    assign (km, NULL, FALSE);   /* labels for the final centres */
  return TRUE;
}

typedef struct {
  const char *name;
  DmKmeansKernel kernel;
} KernelName;

static const KernelName kernel_names[] = {
  { "avx512", DM_KMEANS_KERNEL_AVX512 },
  { "avx2", DM_KMEANS_KERNEL_AVX2 },
  { "portable", DM_KMEANS_KERNEL_PORTABLE },
};

/* The kernels for a path, or NULL when this build or CPU cannot run it. */
static const DmKmeansKernels *
kernels_for (DmKmeansKernel kernel)
{
  switch (kernel)
    {
    case DM_KMEANS_KERNEL_AVX512:
#ifdef DM_HAVE_AVX512_KERNELS
      if (dm_kmeans_simd_available ())
        return &dm_kmeans_kernels_avx512;
#endif
      return NULL;
    case DM_KMEANS_KERNEL_AVX2:
#ifdef DM_HAVE_AVX2_KERNELS
      if (dm_kmeans_avx2_available ())
        return &dm_kmeans_kernels_avx2;
#endif
      return NULL;
    case DM_KMEANS_KERNEL_PORTABLE:
      return &dm_kmeans_kernels_portable;
    case DM_KMEANS_KERNEL_AUTO:
    default:
      return NULL;
    }
}

/* AUTO: DM_KERNEL, else the first path (fastest first) this CPU runs. */
static const DmKmeansKernels *
choose_kernels (DmKmeansKernel kernel, const char **name, GError **error)
{
  const char *forced = NULL;
  const DmKmeansKernels *kernels;

  if (kernel == DM_KMEANS_KERNEL_AUTO)
    {
      const char *variable = g_getenv ("DM_KERNEL");

      if (variable == NULL || *variable == '\0')
        for (gsize i = 0; i < G_N_ELEMENTS (kernel_names); i++)
          if ((kernels = kernels_for (kernel_names[i].kernel)) != NULL)
            {
              *name = kernel_names[i].name;
              return kernels;
            }
      forced = variable;
      for (gsize i = 0; i < G_N_ELEMENTS (kernel_names); i++)
        if (g_strcmp0 (variable, kernel_names[i].name) == 0)
          kernel = kernel_names[i].kernel;
      if (kernel == DM_KMEANS_KERNEL_AUTO)
        {
          g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
                       "DM_KERNEL=%s: expected avx512, avx2 or portable", variable);
          return NULL;
        }
    }
  for (gsize i = 0; i < G_N_ELEMENTS (kernel_names); i++)
    if (kernel_names[i].kernel == kernel)
      *name = kernel_names[i].name;
  kernels = kernels_for (kernel);
  if (kernels == NULL)
    g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
                 "%s%s: the %s k-means kernels are not built in or this CPU cannot run them",
                 forced != NULL ? "DM_KERNEL=" : "", forced != NULL ? forced : "",
                 *name);
  return kernels;
}

const char *
dm_kmeans_kernel_name (DmKmeansKernel kernel, GError **error)
{
  const char *name = NULL;

  g_return_val_if_fail (kernel <= DM_KMEANS_KERNEL_PORTABLE, NULL);
  return choose_kernels (kernel, &name, error) != NULL ? name : NULL;
}

gboolean
dm_kmeans_avx2_available (void)
{
#if defined(DM_HAVE_AVX2_KERNELS) && (defined(__x86_64__) || defined(__i386__))
  __builtin_cpu_init ();
  return __builtin_cpu_supports ("avx2");
#else
  return FALSE;
#endif
}

gboolean
dm_kmeans_simd_available (void)
{
#if defined(DM_HAVE_AVX512_KERNELS) && (defined(__x86_64__) || defined(__i386__))
  __builtin_cpu_init ();
  return __builtin_cpu_supports ("avx512f") && __builtin_cpu_supports ("avx512bw")
         && __builtin_cpu_supports ("avx512vpopcntdq");
#else
  return FALSE;
#endif
}

guint
dm_kmeans_default_trials (gsize n_items, guint k)
{
  guint trials = 2 + (guint) log ((double) MAX (k, 1));
  double work = (double) n_items * k;

  if (work * trials > SEED_BUDGET)
    trials = (guint) CLAMP (SEED_BUDGET / work, 1, trials);
  return trials;
}

void
dm_kmeans_request_init (DmKmeansRequest *request)
{
  memset (request, 0, sizeof *request);
  request->max_iterations = 300;
  request->tolerance = 1e-4;
}

gboolean
dm_kmeans_run (const DmKmeansRequest *request,
               DmKmeansResult       **result_out,
               GError               **error)
{
  Kmeans km = { 0 };
  const char *kernels_name;
  g_autoptr(DmKmeansResult) result = NULL;
  gint64 start;
  gboolean ok;

  g_return_val_if_fail (request != NULL, FALSE);
  g_return_val_if_fail (request->keys != NULL || request->n_items == 0, FALSE);
  g_return_val_if_fail (result_out != NULL, FALSE);

  if (!check_request (request, error))
    return FALSE;

  km.kernels = choose_kernels (request->force_portable ? DM_KMEANS_KERNEL_PORTABLE
                                                      : request->kernel,
                               &kernels_name, error);
  if (km.kernels == NULL)
    return FALSE;
  km.request = request;
  km.parallel = dm_parallel_new (request->n_threads);
  km.n = request->n_items;
  km.n_words = request->key_bytes / 8;
  km.n_features = request->key_bytes * 8;
  km.n_blocks = (km.n + DM_KMEANS_POINT_BLOCK - 1) / DM_KMEANS_POINT_BLOCK;
  km.n_padded = km.n_blocks * DM_KMEANS_POINT_BLOCK;
  km.k = request->k;
  km.n_cblocks = (km.k + DM_KMEANS_CENTRE_BLOCK - 1) / DM_KMEANS_CENTRE_BLOCK;

  result = g_new0 (DmKmeansResult, 1);
  result->k = km.k;
  result->n_items = km.n;
  result->n_features = km.n_features;
  result->labels = g_new0 (guint, km.n);
  result->seed_items = g_new0 (guint, km.k);
  result->used_simd = km.kernels != &dm_kmeans_kernels_portable;
  result->kernels = kernels_name;
  km.label = result->labels;

  start = g_get_monotonic_time ();
  prepare_points (&km);
  ok = seed (&km, result->seed_items, error);
  result->seconds_seeding = (g_get_monotonic_time () - start) / 1e6;
  if (ok)
    {
      start = g_get_monotonic_time ();
      ok = lloyd (&km, result, error);
      if (ok)
        {
          result->distance = g_new (double, km.n);
          result->sizes = g_new0 (guint, km.k);
          dm_parallel_run (km.parallel, km.n_lloyd_chunks, exact_distance_task, &km);
          result->inertia = 0;
          for (gsize i = 0; i < km.n; i++)
            {
              double d = MAX (km.exact[i], 0.0);
              result->distance[i] = d;
              result->inertia += d;
              result->sizes[km.label[i]]++;
            }
        }
      result->seconds_lloyd = (g_get_monotonic_time () - start) / 1e6;
    }
  result->centre_counts = g_steal_pointer (&km.counts_t);
  result->centre_members = g_steal_pointer (&km.members);
  kmeans_clear (&km);
  if (!ok)
    return FALSE;
  *result_out = g_steal_pointer (&result);
  return TRUE;
}

void
dm_kmeans_result_get_centre (const DmKmeansResult *result,
                             guint                 cluster,
                             float                *centre)
{
  g_return_if_fail (result != NULL && cluster < result->k);

  for (gsize f = 0; f < result->n_features; f++)
    {
      /* Internal feature 8 * byte + LSB-first bit; packbits is MSB first. */
      gsize packbits_feature = (f & ~(gsize) 7) | (7 - (f & 7));
      guint32 count = result->centre_counts[((gsize) (cluster / DM_KMEANS_CENTRE_BLOCK)
                                             * result->n_features + f)
                                            * DM_KMEANS_CENTRE_BLOCK
                                            + cluster % DM_KMEANS_CENTRE_BLOCK];
      guint members = result->centre_members[cluster];
      centre[packbits_feature] = members > 0 ? (float) ((double) count / members) : 0.0f;
    }
}

void
dm_kmeans_result_free (DmKmeansResult *result)
{
  if (result == NULL)
    return;
  g_free (result->labels);
  g_free (result->distance);
  g_free (result->sizes);
  g_free (result->seed_items);
  g_free (result->centre_counts);
  g_free (result->centre_members);
  g_free (result);
}
