/* test-kmeans.c: k-means on packed keys against known optima, a naive
 * Lloyd, and itself across kernels and thread counts.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <string.h>

#include "dm-keys.h"
#include "dm-kmeans.h"

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
      for (guint f = 0; f < flips; f++)
        {
          guint bit = (guint) g_rand_int_range (rand, 0, (gint32) (8 * key_bytes));
          key[bit / 8] ^= (guint8) (1u << (bit % 8));
        }
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

static DmKmeansResult *
run_kernel (const guint8 *keys, gsize n, gsize key_bytes, guint k, guint32 seed,
            guint threads, DmKmeansKernel kernel, double tolerance)
{
  DmKmeansRequest request;
  DmKmeansResult *result = NULL;
  g_autoptr(GError) error = NULL;

  dm_kmeans_request_init (&request);
  request.keys = keys;
  request.n_items = n;
  request.key_bytes = key_bytes;
  request.k = k;
  request.seed = seed;
  request.n_threads = threads;
  request.kernel = kernel;
  request.tolerance = tolerance;
  g_assert_true (dm_kmeans_run (&request, &result, &error));
  g_assert_no_error (error);
  return result;
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

/* Both ways of scanning all centres give the same numbers. */
static void
test_scan_modes_identical (void)
{
  gsize n = 3000, key_bytes = 64;
  g_autofree guint8 *keys = make_noisy (n, 20, key_bytes, 31);
  DmKmeansResult *results[2];

  for (guint mode = 0; mode < 2; mode++)
    {
      DmKmeansRequest request;
      g_autoptr(GError) error = NULL;

      dm_kmeans_request_init (&request);
      request.keys = keys;
      request.n_items = n;
      request.key_bytes = key_bytes;
      request.k = 700;   /* small clusters, where member scans pay */
      request.seed = 3;
      request.scan = mode == 0 ? DM_KMEANS_SCAN_COUNTS : DM_KMEANS_SCAN_MEMBERS;
      g_assert_true (dm_kmeans_run (&request, &results[mode], &error));
      g_assert_no_error (error);
    }
  g_assert_cmpuint (results[0]->iterations, >, 1);
  assert_same (results[0], results[1]);
  dm_kmeans_result_free (results[0]);
  dm_kmeans_result_free (results[1]);
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
  g_test_add_func ("/kmeans/determinism", test_determinism);
  add_per_width ("threads-identical", test_threads_identical, 2);
  add_per_width ("kernels-identical", test_kernels_identical, 4);
  g_test_add_func ("/kmeans/kernel-environment", test_kernel_environment);
  g_test_add_func ("/kmeans/many-clusters", test_many_clusters);
  g_test_add_func ("/kmeans/scan-modes-identical", test_scan_modes_identical);
  g_test_add_func ("/kmeans/duplicates", test_duplicates);
  g_test_add_func ("/kmeans/duplicates-mixed", test_duplicates_mixed);
  g_test_add_func ("/kmeans/initial-items", test_initial_items);
  g_test_add_func ("/kmeans/errors", test_errors);
  return g_test_run ();
}
