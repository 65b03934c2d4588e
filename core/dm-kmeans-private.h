/* dm-kmeans-private.h: what the k-means files share: the run's state
 * (Kmeans), the constants and small inline helpers more than one of them
 * uses, and the functions one calls in another. The driver (dm-kmeans.c)
 * calls seeding, centres and assignment; assignment calls centres; none
 * calls back, so the files stack without cycles.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#ifndef DM_CORE_COMPILATION
#error "This header is private to the core's k-means files: include dm-kmeans.h."
#endif

#include <math.h>
#include <string.h>

#include "dm-kmeans.h"
#include "dm-kmeans-kernels.h"
#include "dm-kmeans-parallel.h"

G_BEGIN_DECLS

#define LLOYD_CHUNK  512    /* points per assignment task */
#define SCAN_BATCH   32     /* points sharing one pass over the centres */
#define MEMBER_PIECE 4096   /* points swept per candidate batch, cache-sized */
#define SCAN_GROUP_BYTES (256 * 1024)  /* centre counts kept hot in cache */
#define FAR          G_MAXUINT16       /* "no centre yet" seeding distance */
/* Home groups of centres: with the mobile group, n x 65 16-bit lower
 * bounds at most; mobile_entered and mobile_left hold one bit a group. */
#define MAX_GROUPS   64
G_STATIC_ASSERT (MAX_GROUPS <= 64);
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

/* One run: what the seeding and Lloyd keep, each part used by the files
 * named in its comments. */
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
   * writing max_trials x 2 bytes per item and centre to memory. Where
   * those fit in cache (request->seed_keep_bytes), they are kept instead
   * and the chosen candidate's read back: candidate_dist holds, per chunk
   * and candidate, SEED_CHUNK distances; pending_slot is the chosen one. */
  guint16 *candidate_dist;          /* NULL, or n_seed_chunks x max_trials x SEED_CHUNK */
  guint pending_slot;
  guint64 *pending_key;             /* n_words */
  guint16 *pending_dist;            /* n_padded, valid per chunk; NULL with candidate_dist */
  guint *pending_stamp;             /* n_seed_chunks: pending_serial when valid; NULL too */
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

static inline gboolean
report (const Kmeans *km, double fraction, GError **error)
{
  if (km->request->progress == NULL
      || km->request->progress ("clustering", fraction, km->request->progress_data))
    return TRUE;
  g_set_error_literal (error, DM_CORE_ERROR, DM_CORE_ERROR_CANCELLED,
                       "clustering was cancelled");
  return FALSE;
}

static inline int
compare_items (gconstpointer a, gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return x < y ? -1 : x > y;
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

/* Remembers a centre's counts before its first change in an iteration. */
typedef struct {
  gint *slot_of;          /* k, -1 = untouched */
  GArray *centres;        /* guint, touched centres in touch order */
  GArray *old_counts;     /* guint32, n_features per slot */
  GArray *old_members;    /* guint per slot */
} Touched;

/* dm-kmeans-seed.c */
gboolean kmeans_seed                 (Kmeans        *km,
                                      guint         *seed_items,
                                      GError       **error);

/* dm-kmeans-centres.c */
void     kmeans_build_counts         (Kmeans        *km);
void     kmeans_update_centre_terms  (Kmeans        *km,
                                      guint          centre);
double   kmeans_centre_shift         (Kmeans        *km,
                                      guint          centre,
                                      const guint32 *old_counts,
                                      guint          old_members);
void     kmeans_key_as_counts        (Kmeans        *km,
                                      gsize          item,
                                      guint32       *counts);
double   kmeans_exact_distance       (const Kmeans  *km,
                                      gsize          item,
                                      guint          centre);
void     kmeans_exact_distances      (Kmeans        *km);
void     kmeans_touch                (Kmeans        *km,
                                      Touched       *touched,
                                      guint          centre);
void     kmeans_move_item            (Kmeans        *km,
                                      gsize          item,
                                      guint          from,
                                      guint          to);
void     kmeans_relocate_empty       (Kmeans        *km,
                                      Touched       *touched);
void     kmeans_update_group_shifts  (Kmeans        *km);

/* dm-kmeans-assign.c */
gsize    kmeans_assign               (Kmeans        *km,
                                      Touched       *touched,
                                      gboolean       apply);

G_END_DECLS
