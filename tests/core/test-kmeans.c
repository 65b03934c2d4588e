/* test-kmeans.c: k-means on packed keys against known optima, a naive
 * Lloyd, and itself across kernels and thread counts.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <string.h>

#include "dm-keys.h"
#include "dm-kmeans.h"
#include "dm-kmeans-kernels.h"

/* Flips @flips random bits of @key. */
static void
flip_bits (guint8 *key, gsize key_bytes, guint flips, GRand *rand)
{
  for (guint f = 0; f < flips; f++)
    {
      guint bit = (guint) g_rand_int_range (rand, 0, (gint32) (8 * key_bytes));
      key[bit / 8] ^= (guint8) (1u << (bit % 8));
    }
}

/* n_clusters random centre keys; each item is its cluster's centre with
 * `flips` random bits flipped. Items are interleaved across clusters. */
static guint8 *
make_planted (guint n_clusters, guint per_cluster, guint flips, gsize key_bytes,
              guint32 seed, guint **truth)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autofree guint8 *centres = g_new (guint8, n_clusters * key_bytes);
  gsize n = (gsize) n_clusters * per_cluster;
  guint8 *keys = g_new (guint8, n * key_bytes);

  for (gsize b = 0; b < n_clusters * key_bytes; b++)
    centres[b] = (guint8) g_rand_int_range (rand, 0, 256);
  *truth = g_new (guint, n);
  for (gsize i = 0; i < n; i++)
    {
      guint c = (guint) (i % n_clusters);
      guint8 *key = keys + i * key_bytes;
      memcpy (key, centres + c * key_bytes, key_bytes);
      flip_bits (key, key_bytes, flips, rand);
      (*truth)[i] = c;
    }
  return keys;
}

/* Noisy keys like keys.py's: per cluster a probability per bit, items
 * drawn from it, so clusters overlap and Lloyd has work to do. */
static guint8 *
make_noisy (gsize n, guint n_sources, gsize key_bytes, guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  gsize n_features = 8 * key_bytes;
  g_autofree double *p = g_new (double, n_sources * n_features);
  guint8 *keys = g_new0 (guint8, n * key_bytes);

  for (gsize f = 0; f < n_sources * n_features; f++)
    p[f] = g_rand_double_range (rand, 0.1, 0.9);
  for (gsize i = 0; i < n; i++)
    {
      guint source = (guint) g_rand_int_range (rand, 0, (gint32) n_sources);
      for (gsize f = 0; f < n_features; f++)
        if (g_rand_double (rand) < p[source * n_features + f])
          keys[i * key_bytes + f / 8] |= (guint8) (0x80u >> (f % 8));
    }
  return keys;
}

/* The @n keys unpacked: a row of 8 * @key_bytes 0/1 features each. */
static double *
unpack_rows (const guint8 *keys, gsize n, gsize key_bytes)
{
  gsize n_features = 8 * key_bytes;
  double *x = g_new (double, n * n_features);
  g_autofree float *row = g_new (float, n_features);

  for (gsize i = 0; i < n; i++)
    {
      dm_keys_unpack (keys + i * key_bytes, key_bytes, row);
      for (gsize f = 0; f < n_features; f++)
        x[i * n_features + f] = row[f];
    }
  return x;
}

/* Sum over items of the squared distance to the mean of its cluster,
 * computed directly on unpacked vectors. */
static double
partition_inertia (const guint8 *keys, gsize n, gsize key_bytes, const guint *labels, guint k)
{
  gsize n_features = 8 * key_bytes;
  g_autofree double *x = unpack_rows (keys, n, key_bytes);
  g_autofree double *sums = g_new0 (double, (gsize) k * n_features);
  g_autofree guint *sizes = g_new0 (guint, k);
  double inertia = 0;

  for (gsize i = 0; i < n; i++)
    {
      for (gsize f = 0; f < n_features; f++)
        sums[labels[i] * n_features + f] += x[i * n_features + f];
      sizes[labels[i]]++;
    }
  for (gsize i = 0; i < n; i++)
    for (gsize f = 0; f < n_features; f++)
      {
        double d = x[i * n_features + f] - sums[labels[i] * n_features + f] / sizes[labels[i]];
        inertia += d * d;
      }
  return inertia;
}

/* A request for @k clusters of the @n keys, other fields at their defaults. */
static void
init_request (DmKmeansRequest *request, const guint8 *keys, gsize n, gsize key_bytes, guint k)
{
  dm_kmeans_request_init (request);
  request->keys = keys;
  request->n_items = n;
  request->key_bytes = key_bytes;
  request->k = k;
}

static DmKmeansResult *
run_request (const DmKmeansRequest *request)
{
  DmKmeansResult *result = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (dm_kmeans_run (request, &result, &error));
  g_assert_no_error (error);
  return result;
}

static DmKmeansResult *
run_kernel (const guint8 *keys, gsize n, gsize key_bytes, guint k, guint32 seed,
            guint threads, DmKmeansKernel kernel, double tolerance)
{
  DmKmeansRequest request;

  init_request (&request, keys, n, key_bytes, k);
  request.seed = seed;
  request.n_threads = threads;
  request.kernel = kernel;
  request.tolerance = tolerance;
  return run_request (&request);
}

static DmKmeansResult *
run (const guint8 *keys, gsize n, gsize key_bytes, guint k, guint32 seed,
     guint threads, gboolean portable, double tolerance)
{
  return run_kernel (keys, n, key_bytes, k, seed, threads,
                     portable ? DM_KMEANS_KERNEL_PORTABLE : DM_KMEANS_KERNEL_AUTO, tolerance);
}

static void
assert_same (const DmKmeansResult *a, const DmKmeansResult *b)
{
  g_assert_cmpuint (a->k, ==, b->k);
  g_assert_cmpmem (a->seed_items, a->k * sizeof (guint), b->seed_items, b->k * sizeof (guint));
  g_assert_cmpmem (a->labels, a->n_items * sizeof (guint), b->labels, b->n_items * sizeof (guint));
  g_assert_cmpmem (a->distance, a->n_items * sizeof (double), b->distance, b->n_items * sizeof (double));
  g_assert_cmpfloat (a->inertia, ==, b->inertia);
  g_assert_cmpuint (a->iterations, ==, b->iterations);
}

static void
test_planted (gconstpointer data)
{
  gsize key_bytes = GPOINTER_TO_SIZE (data);
  g_autofree guint *truth = NULL;
  guint k = 8, per = 40;
  g_autofree guint8 *keys = make_planted (k, per, 6, key_bytes, 3, &truth);
  g_autoptr(DmKmeansResult) result = run (keys, k * per, key_bytes, k, 0, 0, FALSE, 1e-4);
  g_autofree guint *found_of_truth = g_new (guint, k);

  /* Perfect recovery: one found cluster per planted one. */
  for (guint c = 0; c < k; c++)
    found_of_truth[c] = G_MAXUINT;
  for (gsize i = 0; i < k * per; i++)
    {
      guint c = truth[i];
      if (found_of_truth[c] == G_MAXUINT)
        found_of_truth[c] = result->labels[i];
      g_assert_cmpuint (result->labels[i], ==, found_of_truth[c]);
    }
  for (guint j = 0; j < k; j++)
    g_assert_cmpuint (result->sizes[j], ==, per);
  g_assert_cmpfloat_with_epsilon (result->inertia,
                                  partition_inertia (keys, k * per, key_bytes, truth, k),
                                  1e-6 * result->inertia);
  g_assert_true (result->converged);
}

/* Distances of the final centres to the items agree with the centres. */
static void
test_centres (void)
{
  gsize n = 300, key_bytes = 64;
  g_autofree guint8 *keys = make_noisy (n, 5, key_bytes, 11);
  g_autoptr(DmKmeansResult) result = run (keys, n, key_bytes, 5, 2, 0, FALSE, 0);
  g_autofree float *centre = g_new (float, 512);
  g_autofree float *x = g_new (float, 512);
  double inertia = 0;

  for (gsize i = 0; i < n; i++)
    {
      double d = 0;
      dm_kmeans_result_get_centre (result, result->labels[i], centre);
      dm_keys_unpack (keys + i * key_bytes, key_bytes, x);
      for (guint f = 0; f < 512; f++)
        d += (x[f] - centre[f]) * (double) (x[f] - centre[f]);
      g_assert_cmpfloat_with_epsilon (d, result->distance[i], 1e-3);
      inertia += d;
    }
  g_assert_cmpfloat_with_epsilon (inertia, result->inertia, 1e-6 * inertia);
  /* Tolerance 0 runs to strict convergence: the centres are the means. */
  g_assert_cmpfloat_with_epsilon (partition_inertia (keys, n, key_bytes, result->labels, 5),
                                  result->inertia, 1e-6 * inertia);
}

/* A plain Lloyd on unpacked doubles from the same seeds, to convergence. */
static double
naive_lloyd (const guint8 *keys, gsize n, gsize key_bytes, guint k, const guint *seeds)
{
  gsize n_features = 8 * key_bytes;
  g_autofree double *x = unpack_rows (keys, n, key_bytes);
  g_autofree double *centres = g_new0 (double, (gsize) k * n_features);
  g_autofree guint *labels = g_new (guint, n);
  g_autofree guint *sizes = g_new (guint, k);
  double inertia = 0;

  for (gsize i = 0; i < n; i++)
    labels[i] = G_MAXUINT;
  for (guint j = 0; j < k; j++)
    memcpy (centres + j * n_features, x + seeds[j] * n_features, n_features * sizeof (double));
  for (guint iteration = 0; iteration < 300; iteration++)
    {
      gboolean changed = FALSE;
      inertia = 0;
      for (gsize i = 0; i < n; i++)
        {
          double best = INFINITY;
          guint best_j = 0;
          for (guint j = 0; j < k; j++)
            {
              double d = 0;
              for (gsize f = 0; f < n_features; f++)
                {
                  double diff = x[i * n_features + f] - centres[j * n_features + f];
                  d += diff * diff;
                }
              if (d < best)
                {
                  best = d;
                  best_j = j;
                }
            }
          changed |= labels[i] != best_j;
          labels[i] = best_j;
          inertia += best;
        }
      if (!changed)
        break;
      memset (centres, 0, (gsize) k * n_features * sizeof (double));
      memset (sizes, 0, k * sizeof (guint));
      for (gsize i = 0; i < n; i++)
        {
          sizes[labels[i]]++;
          for (gsize f = 0; f < n_features; f++)
            centres[labels[i] * n_features + f] += x[i * n_features + f];
        }
      for (guint j = 0; j < k; j++)
        for (gsize f = 0; f < n_features; f++)
          centres[j * n_features + f] /= MAX (sizes[j], 1);
    }
  return inertia;
}

static void
test_versus_naive (void)
{
  gsize n = 400, key_bytes = 64;

  for (guint32 seed = 0; seed < 4; seed++)
    {
      g_autofree guint8 *keys = make_noisy (n, 6, key_bytes, 100 + seed);
      g_autoptr(DmKmeansResult) result = run (keys, n, key_bytes, 9, seed, 0, FALSE, 0);
      double naive = naive_lloyd (keys, n, key_bytes, 9, result->seed_items);
      g_test_message ("seed %u: inertia %.6f, naive Lloyd %.6f", seed, result->inertia, naive);
      g_assert_cmpfloat (result->inertia, <=, naive * (1 + 1e-9));
    }
}

typedef struct {
  guint trials;
  guint screen;       /* as DmKmeansRequest.seed_screen; 0: exact */
  guint finalists;
} NaiveTrials;

/* Whether item i is among those a screened seeding scores every candidate
 * on: the first ceil(blocks / screen) 8-item blocks of each 512-item chunk
 * (no item settled on a centre yet, so none dropped from the chunks). */
static gboolean
naive_screened (gsize i, gsize n, guint screen)
{
  gsize chunk_first = i / 512 * 64, n_blocks = (n + 7) / 8;
  gsize chunk_blocks = MIN (chunk_first + 64, n_blocks) - chunk_first;

  return screen <= 1 || i / 8 - chunk_first < (chunk_blocks + screen - 1) / screen;
}

static guint64
naive_potential (const guint8 *keys, gsize n, gsize key_bytes, const guint *nearest,
                 guint candidate, guint screen)
{
  guint64 total = 0;

  for (gsize i = 0; i < n; i++)
    if (naive_screened (i, n, screen))
      total += MIN (nearest[i], dm_keys_hamming (keys + i * key_bytes,
                                                 keys + candidate * key_bytes, key_bytes));
  return total;
}

/* The candidate @naive's scoring keeps among @candidates: with screening,
 * the finalists (lowest screened potentials, the earlier on ties) scored
 * on every item; the lowest total wins, the earlier on ties. */
static guint
naive_best_candidate (const guint8 *keys, gsize n, gsize key_bytes, const guint *nearest,
                      const guint *candidates, guint n_candidates, const NaiveTrials *naive)
{
  g_autofree guint64 *screened = g_new (guint64, n_candidates);
  g_autofree gboolean *finalist = g_new0 (gboolean, n_candidates);
  guint n_finalists = n_candidates, best = 0;
  guint64 best_total = G_MAXUINT64;

  if (naive->screen > 1 && naive->finalists < n_candidates)
    n_finalists = naive->finalists;
  for (guint t = 0; t < n_candidates; t++)
    screened[t] = naive_potential (keys, n, key_bytes, nearest, candidates[t],
                                   n_finalists < n_candidates ? naive->screen : 1);
  for (guint f = 0; f < n_finalists; f++)
    {
      guint lowest = G_MAXUINT;
      for (guint t = 0; t < n_candidates; t++)
        if (!finalist[t] && (lowest == G_MAXUINT || screened[t] < screened[lowest]))
          lowest = t;
      finalist[lowest] = TRUE;
    }
  for (guint t = 0; t < n_candidates; t++)
    {
      guint64 total;
      if (!finalist[t])
        continue;
      total = naive_potential (keys, n, key_bytes, nearest, candidates[t], 1);
      if (total < best_total)
        {
          best_total = total;
          best = t;
        }
    }
  return best;
}

/* Greedy k-means++ as the core specifies it, one distance at a time: the
 * first centre drawn uniformly, then per centre @naive's trials candidates
 * drawn with probability proportional to the distance to the nearest
 * centre so far (all drawn before any is evaluated), of which
 * naive_best_candidate () keeps one. @labels (or NULL): each item's
 * nearest centre, the first on ties. */
static void
naive_seeding_screened (const guint8 *keys, gsize n, gsize key_bytes, guint k,
                        const NaiveTrials *naive, guint32 seed, guint *seeds, guint *labels)
{
  guint trials = naive->trials;
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autofree guint *nearest = g_new (guint, n);
  g_autofree guint *candidates = g_new (guint, trials);

  for (gsize i = 0; i < n; i++)
    nearest[i] = G_MAXUINT;
  for (guint j = 0; j < k; j++)
    {
      guint64 potential = 0;
      guint n_candidates = j == 0 ? 1 : trials;

      for (gsize i = 0; i < n; i++)
        potential += nearest[i];
      if (j == 0)
        candidates[0] = (guint) g_rand_int_range (rand, 0, (gint32) n);
      else
        for (guint t = 0; t < trials; t++)
          {
            guint64 target, cumulative = 0;

            if (potential == 0)
              {
                candidates[t] = (guint) g_rand_int_range (rand, 0, (gint32) n);
                continue;
              }
            /* One draw: MIN () would evaluate it twice. */
            target = (guint64) (g_rand_double (rand) * (double) potential);
            target = MIN (target, potential - 1);
            candidates[t] = (guint) n - 1;
            for (gsize i = 0; i < n; i++)
              if ((cumulative += nearest[i]) > target)
                {
                  candidates[t] = (guint) i;
                  break;
                }
          }
      seeds[j] = candidates[naive_best_candidate (keys, n, key_bytes, nearest, candidates,
                                                  n_candidates, naive)];
      for (gsize i = 0; i < n; i++)
        {
          guint d = dm_keys_hamming (keys + i * key_bytes, keys + seeds[j] * key_bytes, key_bytes);
          if (d < nearest[i] && labels != NULL)
            labels[i] = j;
          nearest[i] = MIN (nearest[i], d);
        }
    }
}

static void
naive_seeding (const guint8 *keys, gsize n, gsize key_bytes, guint k, guint trials,
               guint32 seed, guint *seeds, guint *labels)
{
  NaiveTrials exact = { trials, 0, 0 };

  naive_seeding_screened (keys, n, key_bytes, k, &exact, seed, seeds, labels);
}

/* The seeding chooses @naive's centres with @trials, from @seed: with
 * the candidates' distances kept (they fit: the default) and the chosen
 * one's computed again (nothing kept), on one thread and two. */
static void
assert_seeding_as_naive (const guint8 *keys, gsize n, gsize key_bytes, guint k,
                         const NaiveTrials *trials, guint32 seed, const guint *naive)
{
  for (guint run = 0; run < 4; run++)
    {
      DmKmeansRequest request;

      init_request (&request, keys, n, key_bytes, k);
      request.seed = seed;
      request.n_threads = 1 + run % 2;
      request.seed_keep_bytes = run < 2 ? 0 : 1;
      request.local_trials = trials->trials;
      request.seed_screen = trials->screen;
      /* 2 finalists is the default. */
      request.seed_finalists = trials->finalists == 2 ? 0 : trials->finalists;
      request.max_iterations = 1;
      g_autoptr(DmKmeansResult) result = run_request (&request);
      g_assert_cmpmem (result->seed_items, k * sizeof (guint), naive, k * sizeof (guint));
    }
}

/* The seeding's chunked passes, lazily applied centres, kept or
 * recomputed distances and screening (DmKmeansRequest.seed_screen) choose the naive
 * seeding's centres, on one thread and two, over several chunks and a
 * partial one; with as many finalists as trials, screening is the exact
 * seeding. */
static void
test_seeding_versus_naive (gconstpointer data)
{
  gsize key_bytes = GPOINTER_TO_SIZE (data);
  gsize n = 2900;
  guint k = 25;
  g_autofree guint8 *keys = make_noisy (n, 12, key_bytes, 77);
  g_autofree guint *naive = g_new (guint, k);
  g_autofree guint *exact = g_new (guint, k);
  const NaiveTrials cases[] = {
    { dm_kmeans_default_trials (n, k), 0, 0 },
    { 12, 4, 3 }, { 12, 3, 1 }, { 9, 8, 2 }, { 12, 4, 12 },
  };
  guint n_differing = 0;

  naive_seeding (keys, n, key_bytes, k, 12, 3, exact, NULL);
  for (gsize c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      naive_seeding_screened (keys, n, key_bytes, k, &cases[c], 3, naive, NULL);
      if (cases[c].finalists == cases[c].trials)
        g_assert_cmpmem (naive, k * sizeof (guint), exact, k * sizeof (guint));
      else if (cases[c].screen > 1)
        n_differing += memcmp (naive, exact, k * sizeof (guint)) != 0;
      assert_seeding_as_naive (keys, n, key_bytes, k, &cases[c], 3, naive);
    }
  /* The cases do screen: fewer finalists than trials choose other centres. */
  g_assert_cmpuint (n_differing, >, 0);
}

static void
test_determinism (void)
{
  gsize n = 2000, key_bytes = 64;
  g_autofree guint8 *keys = make_noisy (n, 12, key_bytes, 5);
  g_autoptr(DmKmeansResult) a = run (keys, n, key_bytes, 20, 42, 0, FALSE, 1e-4);
  g_autoptr(DmKmeansResult) b = run (keys, n, key_bytes, 20, 42, 0, FALSE, 1e-4);
  g_autoptr(DmKmeansResult) other = run (keys, n, key_bytes, 20, 43, 0, FALSE, 1e-4);

  assert_same (a, b);
  g_assert_true (memcmp (a->seed_items, other->seed_items, 20 * sizeof (guint)) != 0);
}

static void
test_threads_identical (gconstpointer data)
{
  gsize key_bytes = GPOINTER_TO_SIZE (data);
  gsize n = 5000;
  g_autofree guint8 *keys = make_noisy (n, 30, key_bytes, 9);
  g_autoptr(DmKmeansResult) one = run (keys, n, key_bytes, 60, 1, 1, FALSE, 1e-4);
  g_autoptr(DmKmeansResult) two = run (keys, n, key_bytes, 60, 1, 2, FALSE, 1e-4);
  g_autoptr(DmKmeansResult) three = run (keys, n, key_bytes, 60, 1, 3, FALSE, 1e-4);

  g_assert_cmpuint (one->iterations, >, 1);
  assert_same (one, two);
  assert_same (one, three);
}

/* Every kernel path this CPU runs, forced one by one, gives the portable
 * path's results to the bit, with both kinds of full scan: centre counts
 * (k = 50) and member distances (k = 900). */
static void
test_kernels_identical (gconstpointer data)
{
  gsize key_bytes = GPOINTER_TO_SIZE (data);
  gsize n = 4000;
  g_autofree guint8 *keys = make_noisy (n, 30, key_bytes, 17);
  const struct { DmKmeansKernel kernel; const char *name; } paths[] = {
    { DM_KMEANS_KERNEL_AVX512, "avx512" },
    { DM_KMEANS_KERNEL_AVX2, "avx2" },
  };
  guint compared = 0;

  for (guint k = 50; k <= 900; k += 850)
    {
      g_autoptr(DmKmeansResult) portable = run_kernel (keys, n, key_bytes, k, 4, 2,
                                                       DM_KMEANS_KERNEL_PORTABLE, 1e-4);
      g_assert_cmpstr (portable->kernels, ==, "portable");
      for (gsize p = 0; p < G_N_ELEMENTS (paths); p++)
        {
          if (dm_kmeans_kernel_name (paths[p].kernel, NULL) == NULL)
            continue;
          g_autoptr(DmKmeansResult) simd = run_kernel (keys, n, key_bytes, k, 4, 2,
                                                       paths[p].kernel, 1e-4);
          g_assert_cmpstr (simd->kernels, ==, paths[p].name);
          assert_same (simd, portable);
          compared++;
        }
    }
  if (compared == 0)
    g_test_skip ("this CPU runs no SIMD kernels to compare with the portable ones");
}

/* Every item's label names its nearest final centre, distances computed
 * directly on unpacked vectors (the run converged strictly). */
static void
assert_nearest_centres (const DmKmeansResult *result, const guint8 *keys, gsize key_bytes)
{
  gsize n_features = 8 * key_bytes;
  g_autofree float *centres = g_new (float, result->k * n_features);
  g_autofree float *x = g_new (float, n_features);

  for (guint j = 0; j < result->k; j++)
    dm_kmeans_result_get_centre (result, j, centres + j * n_features);
  for (gsize i = 0; i < result->n_items; i++)
    {
      double own = 0;

      dm_keys_unpack (keys + i * key_bytes, key_bytes, x);
      for (guint j = 0; j < result->k; j++)
        {
          double d = 0;
          for (gsize f = 0; f < n_features; f++)
            d += ((double) x[f] - centres[j * n_features + f]) * ((double) x[f] - centres[j * n_features + f]);
          if (j == result->labels[i])
            own = d;
          else
            g_assert_cmpfloat (result->distance[i], <=, d + 1e-4);
        }
      g_assert_cmpfloat (fabs (own - result->distance[i]), <, 1e-4);
    }
}

/* The key of a point of a line: its first @bits bits set, so that
 * Hamming distances are those between the points. */
static void
set_line_point (guint8 *key, gsize key_bytes, gsize bits)
{
  memset (key, 0, key_bytes);
  for (gsize bit = 0; bit < bits; bit++)
    key[bit / 8] |= (guint8) (1u << (bit % 8));
}

/* n keys at evenly spaced points of a line. */
static guint8 *
make_line (gsize n, gsize key_bytes)
{
  guint8 *keys = g_new (guint8, n * key_bytes);

  for (gsize d = 0; d < n; d++)
    set_line_point (keys + d * key_bytes, key_bytes, d * 8 * key_bytes / n);
  return keys;
}

/* n_distinct keys (noisy ones, or points of a line), then copies of them
 * up to n items. */
static guint8 *
make_with_copies (gsize n_distinct, gboolean line, gsize n, gsize key_bytes)
{
  guint8 *keys = g_realloc (line ? make_line (n_distinct, key_bytes)
                                 : make_noisy (n_distinct, 8, key_bytes, 31),
                            n * key_bytes);

  for (gsize i = n_distinct; i < n; i++)
    memcpy (keys + i * key_bytes, keys + (i * 7 % n_distinct) * key_bytes, key_bytes);
  return keys;
}

/* Sampling finds the item the naive running sum finds where the targets
 * hit the sums of whole runs of items and of chunks: on points of a line,
 * whose distances to the nearest centre are a few bits, potentials are
 * small and such targets come often. */
static void
test_seeding_sampling (gconstpointer data)
{
  gsize key_bytes = GPOINTER_TO_SIZE (data), n = 1700;
  guint k = 60;
  g_autofree guint8 *keys = make_line (n, key_bytes);
  g_autofree guint *naive = g_new (guint, k);
  const NaiveTrials cases[] = { { 12, 0, 0 }, { 5, 0, 0 } };

  for (gsize c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      naive_seeding_screened (keys, n, key_bytes, k, &cases[c], 8, naive, NULL);
      assert_seeding_as_naive (keys, n, key_bytes, k, &cases[c], 8, naive);
    }
}

/* The centres a run of one iteration returns are the means of the
 * seeding's clusters (its final pass only labels the items): those of
 * @labels, when no cluster was empty. */
static void
assert_centres_of (const DmKmeansResult *result, const guint8 *keys, gsize key_bytes,
                   const guint *labels)
{
  gsize n_features = 8 * key_bytes;
  g_autofree double *sums = g_new0 (double, result->k * n_features);
  g_autofree guint *members = g_new0 (guint, result->k);
  g_autofree float *row = g_new (float, n_features);

  for (gsize i = 0; i < result->n_items; i++)
    {
      dm_keys_unpack (keys + i * key_bytes, key_bytes, row);
      members[labels[i]]++;
      for (gsize f = 0; f < n_features; f++)
        sums[labels[i] * n_features + f] += row[f];
    }
  for (guint j = 0; j < result->k; j++)
    {
      g_assert_cmpuint (result->centre_members[j], ==, members[j]);
      dm_kmeans_result_get_centre (result, j, row);
      for (gsize f = 0; f < n_features; f++)
        g_assert_cmpfloat (row[f], ==, (float) (sums[j * n_features + f] / members[j]));
    }
}

/* Screening with items settled on centres (dropped from the chunks) gives
 * the same results on every kernel path and thread count. */
static void
test_screened_paths_identical (gconstpointer data)
{
  gsize key_bytes = GPOINTER_TO_SIZE (data), n = 1100;
  g_autofree guint8 *keys = make_with_copies (700, FALSE, n, key_bytes);
  const DmKmeansKernel kernels[] = {
    DM_KMEANS_KERNEL_PORTABLE, DM_KMEANS_KERNEL_AVX2, DM_KMEANS_KERNEL_AVX512,
  };
  g_autoptr(DmKmeansResult) first = NULL;

  for (gsize p = 0; p < G_N_ELEMENTS (kernels); p++)
    for (guint threads = 1; threads <= 3; threads++)
      {
        DmKmeansRequest request;
        DmKmeansResult *result;

        if (dm_kmeans_kernel_name (kernels[p], NULL) == NULL)
          continue;
        init_request (&request, keys, n, key_bytes, 500);
        request.seed = 8;
        request.n_threads = threads;
        request.kernel = kernels[p];
        request.local_trials = 16;
        request.seed_screen = 4;
        request.seed_finalists = 3;
        result = run_request (&request);
        if (first == NULL)
          first = result;
        else
          {
            assert_same (result, first);
            dm_kmeans_result_free (result);
          }
      }
}

/* Once many items sit on a centre or a copy of its key, the seeding drops
 * them from its passes. 1100 items (two full seeding chunks, a partial one,
 * a partial block): with k close to n, or with every key copied 4 times.
 * The centres are still the naive seeding's, one thread or two, with k
 * below the number of distinct keys (its clusters are the naive seeding's,
 * none empty) and above it (later centres drawn at random, potential 0).
 * Lloyd's bounds start from the seeding distances, the dropped items' ones
 * too: a strict run ends with every item at its nearest centre where
 * centres move off their seeds and take their copies along (keys on a
 * line). */
static void
test_seeding_settled (gconstpointer data)
{
  gsize key_bytes = GPOINTER_TO_SIZE (data), n = 1100;
  const struct { gsize n_distinct; gboolean line; guint k; } cases[] = {
    { 700, FALSE, 500 }, { 700, FALSE, 720 }, { 150, TRUE, 40 },
  };

  for (gsize c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      guint k = cases[c].k;
      gboolean distinct_seeds = k < cases[c].n_distinct;
      g_autofree guint8 *keys = make_with_copies (cases[c].n_distinct, cases[c].line, n,
                                                   key_bytes);
      g_autofree guint *seeds = g_new (guint, k);
      g_autofree guint *labels = g_new (guint, n);

      naive_seeding (keys, n, key_bytes, k, dm_kmeans_default_trials (n, k), 6, seeds, labels);
      /* One thread or two; the candidates' distances kept or not. */
      for (guint run = 0; run < 4; run++)
        {
          DmKmeansRequest request;

          init_request (&request, keys, n, key_bytes, k);
          request.seed = 6;
          request.n_threads = 1 + run % 2;
          request.seed_keep_bytes = run < 2 ? 0 : 1;
          request.max_iterations = 1;
          g_autoptr(DmKmeansResult) first = run_request (&request);
          g_assert_cmpmem (first->seed_items, k * sizeof (guint), seeds, k * sizeof (guint));
          if (distinct_seeds)
            assert_centres_of (first, keys, key_bytes, labels);
        }
      if (cases[c].line)
        {
          g_autoptr(DmKmeansResult) strict = run (keys, n, key_bytes, k, 6, 2, FALSE, 0);
          g_assert_cmpmem (strict->seed_items, k * sizeof (guint), seeds, k * sizeof (guint));
          g_assert_true (strict->converged);
          assert_nearest_centres (strict, keys, key_bytes);
        }
    }
}

/* The seeding drops an item on its centre (S) and stops tracking its
 * second-nearest centre: Lloyd's lower bound for it must still allow for
 * T, the nearest other centre, chosen later; not stay the distance to A,
 * the second when dropped, nor be none.
 * On a line, in 512ths of the key: centre A and 200 copies at 500, drawing
 * no item; S at 100 with 200 items at 130; T at 90 with 50 items at 80.
 * After one iteration S's centre has moved near 130, and S belongs to T's,
 * near 80. The copies of A make the seeding drop S right after A and S. */
static void
test_settled_bounds (gconstpointer data)
{
  gsize key_bytes = GPOINTER_TO_SIZE (data), n_bits = 8 * key_bytes;
  const struct { gsize position, count; } groups[] = {
    { 500, 200 }, { 100, 1 }, { 90, 1 }, { 130, 200 }, { 80, 50 },
  };
  gint64 initial[3] = { 0, 200, 201 };    /* A, S, T */
  gsize n = 0, item = 0;
  DmKmeansRequest request;

  for (gsize g = 0; g < G_N_ELEMENTS (groups); g++)
    n += groups[g].count;
  g_autofree guint8 *keys = g_new (guint8, n * key_bytes);
  for (gsize g = 0; g < G_N_ELEMENTS (groups); g++)
    for (gsize c = 0; c < groups[g].count; c++, item++)
      set_line_point (keys + item * key_bytes, key_bytes, groups[g].position * n_bits / 512);

  init_request (&request, keys, n, key_bytes, 3);
  request.initial_items = initial;
  request.tolerance = 0;
  g_autoptr(DmKmeansResult) result = run_request (&request);
  g_assert_true (result->converged);
  g_assert_cmpuint (result->labels[200], ==, 2);
  assert_nearest_centres (result, keys, key_bytes);
}

/* Large clusters: the kernels sum centre counts in 16-bit lanes in short
 * runs (about 1000 members a centre, 512 bits), or in 32 bits when a
 * centre's counts may pass 65 535 (66 000 copies of a key): still exact,
 * and the same on every path. */
static void
test_large_clusters (void)
{
  const struct { gsize n, key_bytes; guint n_sources, k; } cases[] = {
    { 16000, 64, 6, 16 },
    { 70000, 8, 2, 2 },
  };
  const DmKmeansKernel kernels[] = {
    DM_KMEANS_KERNEL_PORTABLE, DM_KMEANS_KERNEL_AVX2, DM_KMEANS_KERNEL_AVX512,
  };

  for (gsize c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      gsize n = cases[c].n, key_bytes = cases[c].key_bytes;
      g_autofree guint8 *keys = make_noisy (n, cases[c].n_sources, key_bytes, 23);
      g_autoptr(DmKmeansResult) portable = NULL;

      if (cases[c].k == 2)
        {
          /* 66 000 copies of one key, then that key with bits flipped at
           * random, so that items near both centres are scanned. */
          g_autoptr(GRand) rand = g_rand_new_with_seed (29);
          for (gsize i = 1; i < n; i++)
            for (gsize b = 0; b < key_bytes; b++)
              {
                keys[i * key_bytes + b] = keys[b];
                for (guint bit = 0; i >= 66000 && bit < 8; bit++)
                  if (g_rand_double (rand) < 0.25)
                    keys[i * key_bytes + b] ^= (guint8) (1u << bit);
              }
        }
      for (gsize p = 0; p < G_N_ELEMENTS (kernels); p++)
        {
          if (dm_kmeans_kernel_name (kernels[p], NULL) == NULL)
            continue;
          g_autoptr(DmKmeansResult) result = run_kernel (keys, n, key_bytes, cases[c].k, 3, 2,
                                                         kernels[p], 0);
          g_assert_true (result->converged);
          if (cases[c].k == 2)
            g_assert_cmpuint (MAX (result->sizes[0], result->sizes[1]), >, G_MAXUINT16);
          assert_nearest_centres (result, keys, key_bytes);
          if (portable == NULL)
            portable = g_steal_pointer (&result);
          else
            assert_same (result, portable);
        }
    }
}

/* The kernel paths this build and CPU run: portable, then AVX2 and AVX-512
 * or NULL. */
static void
kernel_paths (const DmKmeansKernels *tables[3])
{
  tables[0] = &dm_kmeans_kernels_portable;
  tables[1] = tables[2] = NULL;
#ifdef DM_HAVE_AVX2_KERNELS
  if (dm_kmeans_avx2_available ())
    tables[1] = &dm_kmeans_kernels_avx2;
#endif
#ifdef DM_HAVE_AVX512_KERNELS
  if (dm_kmeans_simd_available ())
    tables[2] = &dm_kmeans_kernels_avx512;
#endif
}

/* The distance kernels' sums from 16-bit counts over runs, and from the
 * 32-bit counts where a block's counts pass 65 535 (runs 0), from the key's
 * features or from a reference key's sums and the differences, against the
 * formula of dm-kmeans-kernels.h evaluated here. */
static void
test_count_widths (void)
{
  const gsize n_features = 128, n_cblocks = 3;
  const guint largest[3] = { 70000, 1000, 40 };
  gsize size = n_cblocks * DM_KMEANS_CENTRE_BLOCK * n_features;
  g_autofree guint32 *wide = g_new (guint32, size);
  g_autofree guint16 *narrow = g_new (guint16, size);
  g_autofree double *inv_members = g_new (double, n_cblocks * DM_KMEANS_CENTRE_BLOCK);
  g_autofree double *norm_term = g_new (double, n_cblocks * DM_KMEANS_CENTRE_BLOCK);
  guint16 runs[3], set_features[128], reference[128], plus[128], minus[128];
  guint n_reference = 0, n_plus = 0, n_minus = 0;
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  guint n_set = 0;
  const DmKmeansKernels *tables[3];

  kernel_paths (tables);
  for (gsize c = 0; c < n_cblocks; c++)
    {
      runs[c] = (guint16) MIN (G_MAXUINT16 / largest[c], n_features);
      for (gsize i = 0; i < DM_KMEANS_CENTRE_BLOCK * n_features; i++)
        {
          gsize at = c * DM_KMEANS_CENTRE_BLOCK * n_features + i;
          wide[at] = (guint32) g_rand_int_range (rand, 0, (gint32) largest[c] + 1);
          narrow[at] = (guint16) wide[at];
        }
    }
  g_assert_cmpuint (runs[0], ==, 0);
  g_assert_cmpuint (runs[1], <, 100);
  for (gsize j = 0; j < n_cblocks * DM_KMEANS_CENTRE_BLOCK; j++)
    {
      inv_members[j] = 1.0 / g_rand_int_range (rand, 1, 80000);
      norm_term[j] = g_rand_double_range (rand, 0, 100);
    }
  for (guint f = 0; f < n_features; f++)
    if (g_rand_boolean (rand))
      set_features[n_set++] = (guint16) f;
  /* The same key against a reference key: base holds the reference's dot
   * products, plus and minus where the key differs from it. */
  for (guint f = 0; f < n_features; f++)
    {
      gboolean in_key = FALSE, in_reference = g_rand_int_range (rand, 0, 4) != 0;
      for (guint s = 0; s < n_set; s++)
        in_key |= set_features[s] == f;
      if (in_reference)
        reference[n_reference++] = (guint16) f;
      if (in_key && !in_reference)
        plus[n_plus++] = (guint16) f;
      else if (!in_key && in_reference)
        minus[n_minus++] = (guint16) f;
    }

  DmKmeansCounts counts = { wide, narrow, runs, n_features };
  for (gsize t = 0; t < G_N_ELEMENTS (tables); t++)
    {
      if (tables[t] == NULL)
        continue;
      for (guint with_reference = 0; with_reference < 2; with_reference++)
        {
          double out[3 * DM_KMEANS_CENTRE_BLOCK], block_min[3];
          guint32 base[3 * DM_KMEANS_CENTRE_BLOCK];
          DmKmeansKey key = { set_features, NULL, n_set, 0, NULL, n_set };

          if (with_reference)
            {
              for (gsize c = 0; c < n_cblocks; c++)
                tables[t]->sums (&counts, reference, n_reference, c, base + c * DM_KMEANS_CENTRE_BLOCK);
              key = (DmKmeansKey) { plus, minus, n_plus, n_minus, base, n_set };
            }
          tables[t]->distances (&counts, &key, 0, n_cblocks, inv_members, norm_term, out, block_min);
          for (gsize j = 0; j < n_cblocks * DM_KMEANS_CENTRE_BLOCK; j++)
            {
              guint64 sum = 0;
              gsize block = j / DM_KMEANS_CENTRE_BLOCK, lane = j % DM_KMEANS_CENTRE_BLOCK;
              for (guint s = 0; s < n_set; s++)
                sum += wide[(block * n_features + set_features[s]) * DM_KMEANS_CENTRE_BLOCK + lane];
              double twice = 2.0 * (double) sum;
              double cross = twice * inv_members[j];
              double partial = (double) n_set - cross;
              g_assert_cmpfloat (out[j], ==, partial + norm_term[j]);
            }
        }
    }
}

/* One width's check of hamming_bounded against the exact distances
 * (dm_keys_hamming) on every kernel path: a block stops after
 * dm_kmeans_bound_words() words exactly when those words' distances
 * reach nearest for all its 8 points, and then holds them; any other
 * block holds the exact distances; the sum is that of min(distance,
 * nearest) either way, and every path writes the same numbers. */
static void
assert_hamming_bounded (gsize n_words, GRand *rand, guint *cut, guint *whole)
{
  const gsize n_blocks = 48, n = n_blocks * DM_KMEANS_POINT_BLOCK, key_bytes = 8 * n_words;
  gsize checked = dm_kmeans_bound_words (n_words);
  g_autofree guint8 *keys = g_new (guint8, (n + 1) * key_bytes);
  g_autofree guint64 *points_t = NULL;
  g_autofree guint64 *candidate = g_new (guint64, n_words);
  g_autofree guint16 *nearest = g_new (guint16, n);
  g_autofree guint16 *exact = g_new (guint16, n);
  g_autofree guint16 *partial = g_new (guint16, n);
  g_autofree guint16 *first_out = NULL;
  const DmKmeansKernels *tables[3];
  guint64 expected = 0;

  for (gsize b = 0; b < (n + 1) * key_bytes; b++)
    keys[b] = (guint8) g_rand_int_range (rand, 0, 256);
  points_t = dm_kmeans_transpose_points (keys, n, key_bytes);
  dm_kmeans_key_words (keys + n * key_bytes, key_bytes, candidate);
  for (gsize i = 0; i < n; i++)
    {
      const guint8 *key = keys + i * key_bytes;
      gsize block = i / DM_KMEANS_POINT_BLOCK;

      exact[i] = (guint16) dm_keys_hamming (key, keys + n * key_bytes, key_bytes);
      partial[i] = (guint16) dm_keys_hamming (key, keys + n * key_bytes, 8 * checked);
      /* Blocks that may stop, blocks that cannot (one point's nearest
       * above its partial distance), and any nearest at all. */
      if (block % 3 == 0)
        nearest[i] = partial[i];
      else if (block % 3 == 1)
        nearest[i] = (guint16) (i % DM_KMEANS_POINT_BLOCK == 5 ? partial[i] + 1 : partial[i] / 2);
      else
        nearest[i] = (guint16) g_rand_int_range (rand, 0, exact[i] + 2);
      expected += MIN (exact[i], nearest[i]);
    }

  kernel_paths (tables);
  for (gsize t = 0; t < G_N_ELEMENTS (tables); t++)
    {
      g_autofree guint16 *out = g_new (guint16, n);

      if (tables[t] == NULL)
        continue;
      g_assert_cmpuint (tables[t]->hamming_bounded (points_t, n_words, 0, n_blocks, candidate,
                                                    nearest, out), ==, expected);
      for (gsize block = 0; block < n_blocks; block++)
        {
          gsize first = block * DM_KMEANS_POINT_BLOCK;
          gboolean stops = checked < n_words;

          for (gsize lane = 0; lane < DM_KMEANS_POINT_BLOCK; lane++)
            stops &= partial[first + lane] >= nearest[first + lane];
          for (gsize lane = 0; lane < DM_KMEANS_POINT_BLOCK; lane++)
            g_assert_cmpuint (out[first + lane], ==, stops ? partial[first + lane] : exact[first + lane]);
          if (t == 0)
            *(stops ? cut : whole) += 1;
        }
      if (first_out == NULL)
        first_out = g_steal_pointer (&out);
      else
        g_assert_cmpmem (out, n * sizeof *out, first_out, n * sizeof *first_out);
    }
}

/* hamming_bounded at widths around its check: under 4 words (never cut
 * short), 4 to 16, and 33 and 64, where the AVX2 kernel's byte counts are
 * flushed before and after the check. */
static void
test_hamming_bounded (void)
{
  const gsize widths[] = { 1, 3, 4, 5, 8, 16, 33, 64 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (29);

  for (gsize w = 0; w < G_N_ELEMENTS (widths); w++)
    {
      guint cut = 0, whole = 0;

      assert_hamming_bounded (widths[w], rand, &cut, &whole);
      if (widths[w] >= 4)
        g_assert_cmpuint (cut, >, 0);
      else
        g_assert_cmpuint (cut, ==, 0);
      g_assert_cmpuint (whole, >, 0);
    }
}

/* DM_KERNEL forces a path for AUTO requests and is refused when it names
 * none; an explicit request beats it. Runs in a subprocess: the
 * environment is changed before any thread exists. */
static void
test_kernel_environment (void)
{
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  gsize n = 300, key_bytes = 64;
  g_autofree guint8 *keys = make_noisy (n, 5, key_bytes, 3);
  g_autoptr(GError) error = NULL;
  DmKmeansRequest request;
  DmKmeansResult *result = NULL;

  g_setenv ("DM_KERNEL", "portable", TRUE);
  g_assert_cmpstr (dm_kmeans_kernel_name (DM_KMEANS_KERNEL_AUTO, NULL), ==, "portable");
  {
    g_autoptr(DmKmeansResult) forced = run (keys, n, key_bytes, 4, 1, 1, FALSE, 1e-4);
    g_assert_cmpstr (forced->kernels, ==, "portable");
  }
  if (dm_kmeans_avx2_available ())
    {
      g_autoptr(DmKmeansResult) explicit = run_kernel (keys, n, key_bytes, 4, 1, 1,
                                                       DM_KMEANS_KERNEL_AVX2, 1e-4);
      g_assert_cmpstr (explicit->kernels, ==, "avx2");
    }

  g_setenv ("DM_KERNEL", "sse9", TRUE);
  g_assert_null (dm_kmeans_kernel_name (DM_KMEANS_KERNEL_AUTO, &error));
  g_assert_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "DM_KERNEL=sse9"));
  g_clear_error (&error);
  dm_kmeans_request_init (&request);
  request.keys = keys;
  request.n_items = n;
  request.key_bytes = key_bytes;
  request.k = 4;
  g_assert_false (dm_kmeans_run (&request, &result, &error));
  g_assert_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT);
  g_assert_null (result);
  g_clear_error (&error);

  if (!dm_kmeans_simd_available ())
    {
      g_setenv ("DM_KERNEL", "avx512", TRUE);
      g_assert_null (dm_kmeans_kernel_name (DM_KMEANS_KERNEL_AUTO, &error));
      g_assert_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
    }
}

/* n keys at points of a line (see make_line), each with 2 random bits
 * flipped. */
static guint8 *
make_noisy_line (gsize n, gsize key_bytes, guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  guint8 *keys = make_line (n, key_bytes);

  for (gsize i = 0; i < n; i++)
    flip_bits (keys + i * key_bytes, key_bytes, 2, rand);
  return keys;
}

/* The mobile group (the centres that moved most, with a bound of their
 * own) changes no result: every kernel path and thread count gives the
 * results of bounds per home group only. The centres start at the line's
 * first k items, all near one end, and spread out from there, the
 * outermost travelling farthest (124, 15 and 18 iterations): centres
 * enter and leave the mobile group all along, and a bound not carried
 * over on either change lets an item keep a centre that is no longer its
 * nearest. On the 8-byte keys, mobile centres often lie exactly as near
 * as another: the lower centre must win unless the other is the item's
 * own. (Checked: each of these four faults fails the test.) */
static void
test_mobile_group (void)
{
  const DmKmeansKernel kernels[] = {
    DM_KMEANS_KERNEL_PORTABLE, DM_KMEANS_KERNEL_AVX2, DM_KMEANS_KERNEL_AVX512,
  };
  const struct { gsize key_bytes; guint k; guint32 seed; } cases[] = {
    { 64, 80, 0 },     /* pure line: many iterations, few big shifts */
    { 8, 200, 0 },     /* noisy line: ties */
    { 8, 120, 2 },
  };
  gsize n = 4000;
  g_autofree gint64 *crowded = g_new (gint64, n);

  for (gsize i = 0; i < n; i++)
    crowded[i] = (gint64) i;
  for (gsize c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      gsize key_bytes = cases[c].key_bytes;
      g_autofree guint8 *keys = key_bytes == 64 ? make_line (n, key_bytes)
                                                : make_noisy_line (n, key_bytes, cases[c].seed);
      DmKmeansRequest request;

      init_request (&request, keys, n, key_bytes, cases[c].k);
      request.seed = cases[c].seed;
      request.initial_items = crowded;
      request.tolerance = 0;
      request.scan = DM_KMEANS_SCAN_COUNTS;
      request.kernel = DM_KMEANS_KERNEL_PORTABLE;
      request.n_threads = 1;
      request.fixed_groups = TRUE;
      g_autoptr(DmKmeansResult) fixed = run_request (&request);
      g_assert_cmpuint (fixed->iterations, >, 10);

      request.fixed_groups = FALSE;
      for (gsize p = 0; p < G_N_ELEMENTS (kernels); p++)
        for (guint threads = 1; threads <= 3; threads++)
          {
            if (dm_kmeans_kernel_name (kernels[p], NULL) == NULL)
              continue;
            request.kernel = kernels[p];
            request.n_threads = threads;
            g_autoptr(DmKmeansResult) mobile = run_request (&request);
            assert_same (mobile, fixed);
          }
    }
}

/* Both ways of scanning all centres give the same numbers. */
static void
test_scan_modes_identical (void)
{
  const DmKmeansScan modes[] = {
    DM_KMEANS_SCAN_COUNTS, DM_KMEANS_SCAN_MEMBERS, DM_KMEANS_SCAN_SET_BITS,
  };
  gsize n = 3000, key_bytes = 64;
  g_autofree guint8 *keys = make_noisy (n, 20, key_bytes, 31);
  DmKmeansResult *results[G_N_ELEMENTS (modes)];

  for (guint mode = 0; mode < G_N_ELEMENTS (modes); mode++)
    {
      DmKmeansRequest request;
      g_autoptr(GError) error = NULL;

      dm_kmeans_request_init (&request);
      request.keys = keys;
      request.n_items = n;
      request.key_bytes = key_bytes;
      request.k = 700;   /* small clusters, where member scans pay */
      request.seed = 3;
      request.scan = modes[mode];
      g_assert_true (dm_kmeans_run (&request, &results[mode], &error));
      g_assert_no_error (error);
    }
  g_assert_cmpuint (results[0]->iterations, >, 1);
  for (guint mode = 1; mode < G_N_ELEMENTS (modes); mode++)
    assert_same (results[0], results[mode]);
  for (guint mode = 0; mode < G_N_ELEMENTS (modes); mode++)
    dm_kmeans_result_free (results[mode]);
}

/* Large k, as the centroid method asks: every cluster gets an item. */
static void
test_many_clusters (void)
{
  gsize n = 600, key_bytes = 64;
  g_autofree guint8 *keys = make_noisy (n, 10, key_bytes, 21);
  g_autoptr(DmKmeansResult) result = run (keys, n, key_bytes, 300, 0, 0, FALSE, 1e-4);
  guint total = 0;

  for (guint j = 0; j < 300; j++)
    {
      g_assert_cmpuint (result->sizes[j], >, 0);
      total += result->sizes[j];
    }
  g_assert_cmpuint (total, ==, n);
  /* The means minimise the inertia of a partition: no centres do better. */
  g_assert_cmpfloat (partition_inertia (keys, n, key_bytes, result->labels, 300),
                     <=, result->inertia * (1 + 1e-9));
}

static void
test_duplicates (void)
{
  gsize n = 50, key_bytes = 64;
  g_autofree guint8 *keys = g_new (guint8, n * key_bytes);
  guint total = 0;

  /* Only two distinct keys, four clusters asked. */
  for (gsize i = 0; i < n; i++)
    memset (keys + i * key_bytes, i % 2 ? 0xff : 0x0f, key_bytes);
  g_autoptr(DmKmeansResult) result = run (keys, n, key_bytes, 4, 0, 0, FALSE, 1e-4);
  for (guint j = 0; j < 4; j++)
    total += result->sizes[j];
  g_assert_cmpuint (total, ==, n);
  g_assert_cmpfloat (result->inertia, ==, 0.0);
}

/* Many copies of a few keys next to distinct ones: clusters run empty and
 * get re-seeded; every path still agrees and the numbers stay finite. */
static void
test_duplicates_mixed (void)
{
  gsize n = 200, key_bytes = 64;
  g_autofree guint8 *keys = make_noisy (n, 4, key_bytes, 77);
  guint total = 0;

  for (gsize i = 0; i < 150; i++)
    memcpy (keys + i * key_bytes, keys + (i % 3) * key_bytes, key_bytes);
  g_autoptr(DmKmeansResult) result = run (keys, n, key_bytes, 60, 5, 1, FALSE, 0);
  g_autoptr(DmKmeansResult) portable = run (keys, n, key_bytes, 60, 5, 2, TRUE, 0);
  assert_same (result, portable);
  g_assert_true (isfinite (result->inertia));
  for (guint j = 0; j < 60; j++)
    total += result->sizes[j];
  g_assert_cmpuint (total, ==, n);
  for (gsize i = 0; i < n; i++)
    {
      g_assert_cmpuint (result->labels[i], <, 60);
      g_assert_true (isfinite (result->distance[i]));
    }
  g_assert_cmpfloat (partition_inertia (keys, n, key_bytes, result->labels, 60),
                     <=, result->inertia * (1 + 1e-9) + 1e-9);
}

static void
test_initial_items (void)
{
  g_autofree guint *truth = NULL;
  g_autofree guint8 *keys = make_planted (4, 30, 4, 64, 8, &truth);
  gint64 initial[4] = { 7, -1, 5, 4 };   /* items of planted clusters 3, ?, 1, 0 */
  DmKmeansRequest request;
  g_autoptr(DmKmeansResult) result = NULL;
  g_autoptr(GError) error = NULL;

  dm_kmeans_request_init (&request);
  request.keys = keys;
  request.n_items = 120;
  request.key_bytes = 64;
  request.k = 4;
  request.initial_items = initial;
  g_assert_true (dm_kmeans_run (&request, &result, &error));
  g_assert_cmpuint (result->seed_items[0], ==, 7);
  g_assert_cmpuint (result->seed_items[2], ==, 5);
  g_assert_cmpuint (result->seed_items[3], ==, 4);
  for (gsize i = 0; i < 120; i++)
    {
      static const guint centre_of_truth[4] = { 3, 2, 1, 0 };
      g_assert_cmpuint (result->labels[i], ==, centre_of_truth[truth[i]]);
    }
}

static gboolean
cancel_soon (const char *phase, double fraction, gpointer data)
{
  guint *calls = data;

  g_assert_cmpstr (phase, ==, "clustering");
  g_assert_cmpfloat (fraction, >=, 0.0);
  g_assert_cmpfloat (fraction, <=, 1.0);
  return ++*calls < 3;
}

static void
test_errors (void)
{
  g_autofree guint8 *keys = make_noisy (100, 3, 64, 1);
  DmKmeansRequest request;
  DmKmeansResult *result = NULL;
  GError *error = NULL;
  guint calls = 0;

  dm_kmeans_request_init (&request);
  request.keys = keys;
  request.n_items = 100;
  request.key_bytes = 64;

  request.k = 0;
  g_assert_false (dm_kmeans_run (&request, &result, &error));
  g_assert_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  request.k = 101;
  g_assert_false (dm_kmeans_run (&request, &result, &error));
  g_assert_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* Keys must be whole 64-bit words, and short enough for 16-bit distances. */
  request.k = 5;
  request.key_bytes = 60;
  g_assert_false (dm_kmeans_run (&request, &result, &error));
  g_assert_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "60 bytes"));
  g_clear_error (&error);
  g_assert_false (dm_keys_check_size (DM_KEYS_BYTES_MAX + 8, &error));
  g_assert_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_true (dm_keys_check_size (DM_KEYS_BYTES_MAX, NULL));
  g_assert_true (dm_keys_check_size (8, NULL));

  request.key_bytes = 64;
  request.k = 64;
  request.progress = cancel_soon;
  request.progress_data = &calls;
  g_assert_false (dm_kmeans_run (&request, &result, &error));
  g_assert_error (error, DM_CORE_ERROR, DM_CORE_ERROR_CANCELLED);
  g_assert_null (result);
  g_clear_error (&error);
}

/* Adds /kmeans/@name/BITS running @test on keys of the first @n_widths
 * of the widths below, in bytes. */
static void
add_per_width (const char    *name,
               GTestDataFunc  test,
               gsize          n_widths)
{
  static const gsize key_bytes[] = { 64, 128, 24, 200 };

  g_assert_cmpuint (n_widths, <=, G_N_ELEMENTS (key_bytes));
  for (gsize w = 0; w < n_widths; w++)
    {
      g_autofree char *path = g_strdup_printf ("/kmeans/%s/%" G_GSIZE_FORMAT, name, key_bytes[w] * 8);

      g_test_add_data_func (path, GSIZE_TO_POINTER (key_bytes[w]), test);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* Our keys' 512 and 1024 bits, and other hashers' widths: 3 and 25
   * words (beyond what the SIMD kernels hold in registers). */
  add_per_width ("planted", test_planted, 4);
  g_test_add_func ("/kmeans/centres", test_centres);
  g_test_add_func ("/kmeans/versus-naive-lloyd", test_versus_naive);
  add_per_width ("seeding-versus-naive", test_seeding_versus_naive, 4);
  add_per_width ("seeding-sampling", test_seeding_sampling, 4);
  add_per_width ("screened-paths-identical", test_screened_paths_identical, 4);
  add_per_width ("seeding-settled", test_seeding_settled, 4);
  add_per_width ("settled-bounds", test_settled_bounds, 4);
  g_test_add_func ("/kmeans/determinism", test_determinism);
  add_per_width ("threads-identical", test_threads_identical, 2);
  add_per_width ("kernels-identical", test_kernels_identical, 4);
  g_test_add_func ("/kmeans/kernel-environment", test_kernel_environment);
  g_test_add_func ("/kmeans/large-clusters", test_large_clusters);
  g_test_add_func ("/kmeans/count-widths", test_count_widths);
  g_test_add_func ("/kmeans/hamming-bounded", test_hamming_bounded);
  g_test_add_func ("/kmeans/many-clusters", test_many_clusters);
  g_test_add_func ("/kmeans/scan-modes-identical", test_scan_modes_identical);
  g_test_add_func ("/kmeans/mobile-group", test_mobile_group);
  g_test_add_func ("/kmeans/duplicates", test_duplicates);
  g_test_add_func ("/kmeans/duplicates-mixed", test_duplicates_mixed);
  g_test_add_func ("/kmeans/initial-items", test_initial_items);
  g_test_add_func ("/kmeans/errors", test_errors);
  return g_test_run ();
}
