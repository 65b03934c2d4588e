/* dm-kmeans.h: exact k-means (squared Euclidean) on packed binary keys.
 *
 * Solves the problem scikit-learn's KMeans solves on the unpacked 0/1
 * vectors: greedy k-means++ seeding (2 + ln k local trials per centre, the
 * candidate that lowers the potential most wins), then Lloyd iterations
 * until the total squared centre shift falls to tolerance * mean feature
 * variance or the labels stop changing, at most max_iterations, then a last
 * assignment to the final centres.
 *
 * Centres are kept as integer per-feature counts over their members, so
 * every distance is computed from exact integer sums: results are identical
 * whatever the thread count and whether the SIMD or the portable kernels
 * run. Seeding distances are Hamming distances (XOR + popcount). Lloyd
 * skips work with Yinyang-style bounds (an upper bound to the own centre,
 * a lower bound per group of centres, and one for the 16 centres that
 * moved most in the last iteration), which never change a result; items
 * the bounds cannot settle get all their centre distances either from
 * the centre counts summed over their set bits, or, when clusters average
 * under 8 items, from their Hamming distances to every item:
 * 2 x.counts = members * |x| + sum of member popcounts - sum of distances.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "dm-core-error.h"

G_BEGIN_DECLS

/* Most items k-means accepts: centre counts are summed in 32 bits. */
#define DM_KMEANS_MAX_ITEMS 4000000u

/* How a full scan gets an item's distances to all centres. All give the
 * same numbers; they differ only in speed. */
typedef enum {
  DM_KMEANS_SCAN_AUTO,      /* members when clusters average under 8 items */
  /* sum the centres' feature counts where the key differs from its own
   * centre's majority bits (up to about 1400 centres), else over its set bits */
  DM_KMEANS_SCAN_COUNTS,
  DM_KMEANS_SCAN_MEMBERS,   /* from Hamming distances to every member */
  DM_KMEANS_SCAN_SET_BITS,  /* sum the centres' feature counts over the set bits */
} DmKmeansScan;

/* Which kernels run. They compute the same numbers; only speed differs. */
typedef enum {
  DM_KMEANS_KERNEL_AUTO,     /* DM_KERNEL from the environment, else the best the CPU runs */
  DM_KMEANS_KERNEL_AVX512,   /* AVX-512 F, BW and VPOPCNTDQ */
  DM_KMEANS_KERNEL_AVX2,     /* hand-written AVX2 */
  DM_KMEANS_KERNEL_PORTABLE, /* plain C, what every other CPU runs */
} DmKmeansKernel;

typedef struct {
  const guint8 *keys;       /* n_items * key_bytes, packbits order */
  gsize n_items;
  gsize key_bytes;          /* a multiple of 8 (see dm_keys_check_size()) */
  guint k;                  /* clusters, 1 .. n_items */
  guint32 seed;             /* drives k-means++ */
  /* Optional, k entries: an item whose key is centre j's initial value,
   * or -1 to let k-means++ choose it (after the given ones). NULL: all
   * centres by k-means++. */
  const gint64 *initial_items;
  /* k-means++ candidates per centre; 0 = dm_kmeans_default_trials(). More
   * trials cost seeding time and usually give a lower inertia. */
  guint local_trials;
  /* Screening of the candidates: with seed_screen s > 1, each centre's
   * candidates are first scored on part of the items (in each run of 512
   * items the seeding still tracks, the first ceil(blocks / s) blocks of
   * 8), then the seed_finalists lowest (the earlier on ties) on all of
   * them, and the lowest of those wins. 0 or 1: every candidate is scored
   * on every item (exact greedy k-means++). Draws stay exact: the chosen
   * centre's distances, which drive the next draws, are all computed.
   * Results depend on neither the kernel path nor the thread count. */
  guint seed_screen;
  guint seed_finalists;     /* 1 .. local_trials; 0 = 2 */
  /* Bytes the candidates' distances may take to be kept for the winner
   * (every candidate's, a chunk of 512 items at a time): the chosen
   * centre's are then read back instead of computed again. 0 = 512 KiB;
   * 1: never kept. Results are the same either way. */
  gsize seed_keep_bytes;
  guint max_iterations;     /* Lloyd iterations, scikit-learn's default 300 */
  double tolerance;         /* relative to the mean feature variance; 1e-4 */
  guint n_threads;          /* 0 = all cores */
  gboolean force_portable;  /* no SIMD kernels, for tests (as kernel = PORTABLE) */
  DmKmeansKernel kernel;    /* AUTO; another value forces that path */
  DmKmeansScan scan;        /* how full scans compute distances, for tests */
  /* For tests: the lower bounds keep every centre in its home group (no
   * mobile group of the centres that moved most); results are the same. */
  gboolean fixed_groups;
  DmCoreProgressFunc progress;   /* may be NULL; phase "clustering" */
  gpointer progress_data;
} DmKmeansRequest;

typedef struct {
  guint k;
  gsize n_items;
  gsize n_features;         /* 8 * key_bytes */
  guint *labels;            /* n_items: cluster of each item */
  double *distance;         /* n_items: squared distance to own centre */
  guint *sizes;             /* k: items per cluster after the final assignment */
  guint *seed_items;        /* k: item each centre was seeded from */
  double inertia;           /* sum of squared distances item -> own centre */
  guint iterations;         /* Lloyd iterations run */
  gboolean converged;       /* FALSE when max_iterations ran out */
  gboolean used_simd;       /* whether SIMD kernels (AVX2 or AVX-512) ran */
  const char *kernels;      /* "avx512", "avx2" or "portable" */
  double seconds_seeding, seconds_lloyd;
  /* private */
  guint32 *centre_counts;   /* k * n_features, packbits feature order */
  guint *centre_members;    /* k: the count each centre was averaged over */
} DmKmeansResult;

/**
 * dm_kmeans_request_init:
 * @request: (out caller-allocates): a request to fill with defaults
 *
 * Zeroes @request and sets max_iterations 300 and tolerance 1e-4; the
 * caller then sets keys, n_items, key_bytes, k and seed.
 */
void dm_kmeans_request_init (DmKmeansRequest *request);

/**
 * dm_kmeans_default_trials:
 * @n_items: number of items
 * @k: number of clusters
 *
 * scikit-learn's 2 + ln k local trials per k-means++ centre, unless that
 * would cost more than 1.2e10 key distance evaluations (n_items * k *
 * trials, some 6 s on two cores with AVX-512): then as many as fit, at
 * least 1 (plain k-means++). Centroid pruning of 100k items (k = 50000)
 * gets 2: better seeds there also save Lloyd more than they cost.
 *
 * Returns: the number of local trials
 */
guint dm_kmeans_default_trials (gsize n_items, guint k);

/**
 * dm_kmeans_run:
 * @request: the data and parameters
 * @result: (out) (transfer full): the clustering, free with
 *   dm_kmeans_result_free()
 * @error: return location for a #GError
 *
 * Clusters the keys. An empty cluster during Lloyd is re-seeded with the
 * item farthest from its centre (ties: lowest index) among clusters with
 * more than one member, as scikit-learn does; only duplicate keys can
 * leave clusters empty at the end (size 0).
 *
 * Returns: %TRUE on success; %FALSE with DM_CORE_ERROR_INVALID_ARGUMENT for
 *   unusable parameters (k outside 1..n_items, key size, too many items,
 *   an initial item out of range, a kernel path this CPU or build cannot
 *   run, see dm_kmeans_kernel_name()) or DM_CORE_ERROR_CANCELLED when the
 *   progress callback returned %FALSE
 */
gboolean dm_kmeans_run (const DmKmeansRequest *request,
                        DmKmeansResult       **result,
                        GError               **error);

/**
 * dm_kmeans_result_get_centre:
 * @result: a result
 * @cluster: a cluster index below result->k
 * @centre: (out caller-allocates): n_features floats, packbits feature order
 *
 * The centre's coordinates: per-feature member counts over the member
 * count (all zero for a cluster that stayed empty).
 */
void dm_kmeans_result_get_centre (const DmKmeansResult *result,
                                  guint                 cluster,
                                  float                *centre);

void dm_kmeans_result_free (DmKmeansResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmKmeansResult, dm_kmeans_result_free)

/**
 * dm_kmeans_simd_available:
 *
 * Returns: %TRUE when this CPU runs the AVX-512 (VPOPCNTDQ) kernels; they
 *   give the same results as the portable ones, only faster
 */
gboolean dm_kmeans_simd_available (void);

/**
 * dm_kmeans_avx2_available:
 *
 * Returns: %TRUE when this CPU runs the hand-written AVX2 kernels, used
 *   when AVX-512 is missing
 */
gboolean dm_kmeans_avx2_available (void);

/**
 * dm_kmeans_kernel_name:
 * @kernel: the path asked for; AUTO reads the environment variable
 *   DM_KERNEL (`avx512`, `avx2` or `portable`; unset or empty: the best
 *   this CPU runs)
 * @error: return location for a #GError
 *
 * Which kernels dm_kmeans_run() uses for @kernel, so benchmarks and tests
 * can force and name each path.
 *
 * Returns: (nullable): "avx512", "avx2" or "portable"; %NULL with
 *   DM_CORE_ERROR_INVALID_ARGUMENT when DM_KERNEL names no path or the
 *   path asked for is not built in or not supported by this CPU
 */
const char *dm_kmeans_kernel_name (DmKmeansKernel kernel, GError **error);

G_END_DECLS
