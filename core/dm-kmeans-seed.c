/* dm-kmeans-seed.c: greedy k-means++ seeding on packed keys, as
 * scikit-learn seeds: candidates, their potentials and the pending centre,
 * dropping the items settled on a centre, and giving Lloyd its starting
 * labels and bounds in item order. Its own file: the seeding shares only
 * the Kmeans state with Lloyd, and none of Lloyd's code.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "dm-kmeans-private.h"

#include <stdlib.h>
#include <string.h>

#define SEED_CHUNK   512    /* points per seeding task, a multiple of 8 */
/* The candidates' distances are kept where they take at most this much:
 * half of a Zen 4 or 5 core's L2, so that writing them costs less than
 * computing the chosen one's again (at 10k keys and k = 5000, 200 KiB:
 * 1 pass in 11 fewer). Beyond, as at 1.28M keys (40 MB a centre), the
 * memory traffic cost more than the distances saved. */
#define SEED_KEEP_BYTES (512 * 1024)

/* The pending centre's distances to the items of chunk; each task or the
 * sampling computes its own chunks only, so no two threads write one. */
static const guint16 *
pending_chunk_distances (Kmeans *km, gsize chunk)
{
  gsize first = chunk * SEED_CHUNK;

  if (km->candidate_dist != NULL)
    return km->candidate_dist + (chunk * km->max_trials + km->pending_slot) * SEED_CHUNK;
  if (km->pending_stamp[chunk] != km->pending_serial)
    {
      km->kernels->hamming_bounded (km->points_t, km->n_words, first / DM_KMEANS_POINT_BLOCK,
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

/* Candidate t's potential over blocks [begin, end) of chunk; its
 * distances are kept when km->candidate_dist has room for them. */
static guint64
candidate_potential (const Kmeans *km, guint t, gsize chunk, gsize begin, gsize end)
{
  /* Else only the sums matter: the distances stay in L1. */
  guint16 scratch[SEED_CHUNK];
  guint16 *out = scratch;

  if (km->candidate_dist != NULL)
    out = km->candidate_dist + (chunk * km->max_trials + t) * SEED_CHUNK
          + (begin * DM_KMEANS_POINT_BLOCK - chunk * SEED_CHUNK);
  return km->kernels->hamming_bounded (km->points_t, km->n_words, begin, end,
                                       km->candidate_keys + t * km->n_words,
                                       km->nearest + begin * DM_KMEANS_POINT_BLOCK, out);
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
        candidate_potential (km, t, chunk, begin, km->screening ? screened_end : end);
}

/* Makes the finalists' chunk potentials whole: the blocks screening left. */
static void
seed_finalists_task (gsize chunk, guint worker, gpointer data)
{
  Kmeans *km = data;
  gsize begin, end, screened_end = chunk_blocks (km, chunk, &begin, &end);

  for (guint f = 0; f < km->n_finalists; f++)
    km->chunk_potential[chunk * km->max_trials + km->finalists[f]] +=
        candidate_potential (km, km->finalists[f], chunk, screened_end, end);
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

/* Items a sampling scan sums at once before it compares the total: a
 * fixed-length loop the compiler vectorises. Item by item, the draws took
 * 34 ms of centroid's seeding at 10k keys (5000 centres, 10 draws each)
 * and 30 ms at 50k keys; now 14-21 ms and 21 ms (Zen 5, instrumented). */
#define SAMPLE_RUN 32

/* Sum of the distances of SAMPLE_RUN items, nearest[] against the
 * pending centre's pending[] (NULL when none is pending). */
static inline guint32
run_sum (const guint16 *nearest, const guint16 *pending)
{
  guint32 sum = 0;

  if (pending == NULL)
    for (guint i = 0; i < SAMPLE_RUN; i++)
      sum += nearest[i];
  else
    for (guint i = 0; i < SAMPLE_RUN; i++)
      sum += MIN (nearest[i], pending[i]);
  return sum;
}

/* Within chunk c, the first active item at which *cumulative, adding each
 * item's distance, exceeds target; G_MAXUINT when none does. Whole runs
 * whose sum leaves *cumulative at most target are skipped at once: the
 * same integers summed in another order, so the same item is found. */
static guint
sample_in_chunk (Kmeans *km, gsize c, guint64 *cumulative, guint64 target)
{
  gsize first = c * SEED_CHUNK;
  gsize n = MIN (first + SEED_CHUNK, km->n_active) - first;
  const guint16 *nearest = km->nearest + first;
  const guint16 *pending = km->update_pending ? pending_chunk_distances (km, c) : NULL;
  gsize x = 0;

  for (; x + SAMPLE_RUN <= n; x += SAMPLE_RUN)
    {
      guint32 run = run_sum (nearest + x, pending != NULL ? pending + x : NULL);
      if (*cumulative + run > target)
        break;
      *cumulative += run;
    }
  for (; x < n; x++)
    {
      *cumulative += pending != NULL ? MIN (nearest[x], pending[x]) : nearest[x];
      if (*cumulative > target)
        return item_of_active (km, first + x);
    }
  return G_MAXUINT;
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
      guint item;

      if (cumulative + km->chunk_sum[c] <= target)
        {
          cumulative += km->chunk_sum[c];
          continue;
        }
      item = sample_in_chunk (km, c, &cumulative, target);
      if (item != G_MAXUINT)
        return item;
    }
  for (gsize x = km->n_active; x-- > 0;)
    if (current_nearest (km, x) > 0)
      return item_of_active (km, x);
  return (guint) (km->n - 1);
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
  km->pending_slot = km->best_candidate;
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
      if (km->pending_stamp != NULL)
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

gboolean
kmeans_seed (Kmeans *km, guint *seed_items, GError **error)
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
  km->pending_serial = 0;
  km->chunk_potential = g_new0 (guint64, km->n_seed_chunks * km->max_trials);
  km->chunk_sum = g_new0 (guint64, km->n_seed_chunks);
  /* Either every candidate's distances are kept, or the chosen one's are
   * computed again where needed: one buffer or the other. */
  if ((double) km->n_seed_chunks * km->max_trials * SEED_CHUNK * sizeof (guint16)
      <= (request->seed_keep_bytes > 0 ? request->seed_keep_bytes : SEED_KEEP_BYTES))
    km->candidate_dist = g_new (guint16, km->n_seed_chunks * km->max_trials * SEED_CHUNK);
  else
    {
      km->pending_dist = g_new (guint16, km->n_padded);
      km->pending_stamp = g_new (guint, km->n_seed_chunks);
      for (gsize c = 0; c < km->n_seed_chunks; c++)
        km->pending_stamp[c] = G_MAXUINT;
    }

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
  g_clear_pointer (&km->candidate_dist, g_free);
  g_clear_pointer (&km->pending_stamp, g_free);
  g_clear_pointer (&km->chunk_potential, g_free);
  g_clear_pointer (&km->chunk_sum, g_free);
  g_clear_pointer (&km->chunk_settled, g_free);
  g_clear_pointer (&km->candidate_nearest, g_free);
  g_clear_pointer (&km->finalists, g_free);
  g_clear_pointer (&km->chosen_nearest, g_free);
  return TRUE;
}
