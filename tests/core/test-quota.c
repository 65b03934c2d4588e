/* test-quota.c: kept totals and largest-remainder quotas.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>

#include "dm-core-error.h"
#include "dm-quota.h"

static void
test_total_python_ceil (void)
{
  /* 100 * 0.07 is 7.000000000000001 in doubles: Python's math.ceil gives
   * 8, and so must we; 10 * 0.7 is exactly 7.0 (Python: 7). */
  g_assert_cmpuint (dm_quota_total (100, 0.07), ==, 8);
  g_assert_cmpuint (dm_quota_total (10, 0.7), ==, 7);
  g_assert_cmpuint (dm_quota_total (10, 0.5), ==, 5);
  g_assert_cmpuint (dm_quota_total (3, 1.0 / 3.0), ==, 1);
  g_assert_cmpuint (dm_quota_total (50000, 0.5), ==, 25000);
  g_assert_cmpuint (dm_quota_total (7, 1.0), ==, 7);
  g_assert_cmpuint (dm_quota_total (7, 1e-9), ==, 1);
  g_assert_cmpuint (dm_quota_total (0, 0.5), ==, 0);
  for (gsize n = 1; n < 300; n++)
    for (double ratio = 0.01; ratio <= 1.0; ratio += 0.07)
      g_assert_cmpuint (dm_quota_total (n, ratio), ==, (gsize) ceil ((double) n * ratio));
}

static void
check_quotas (const guint *sizes, guint n_clusters, gsize total)
{
  g_autofree guint *quotas = g_new (guint, n_clusters);
  g_autoptr(GError) error = NULL;
  guint64 sum = 0;
  gsize given = 0;

  for (guint j = 0; j < n_clusters; j++)
    sum += sizes[j];
  g_assert_true (dm_quota_compute (sizes, n_clusters, total, quotas, &error));
  g_assert_no_error (error);
  for (guint j = 0; j < n_clusters; j++)
    {
      double exact = (double) total * sizes[j] / (double) sum;
      g_assert_cmpuint (quotas[j], <=, sizes[j]);
      /* Largest remainder: every quota is its exact share rounded down or up. */
      g_assert_cmpfloat (fabs (quotas[j] - exact), <, 1.0);
      given += quotas[j];
    }
  g_assert_cmpuint (given, ==, total);
}

static void
test_exact_totals (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  for (guint round = 0; round < 2000; round++)
    {
      guint n_clusters = (guint) g_rand_int_range (rand, 1, 60);
      g_autofree guint *sizes = g_new (guint, n_clusters);
      guint64 sum = 0;
      for (guint j = 0; j < n_clusters; j++)
        {
          sizes[j] = (guint) g_rand_int_range (rand, round % 3 == 0 ? 1 : 0, 200);
          sum += sizes[j];
        }
      if (sum == 0)
        continue;
      double ratio = g_rand_double_range (rand, 1e-6, 1.0);
      check_quotas (sizes, n_clusters, dm_quota_total (sum, ratio));
      check_quotas (sizes, n_clusters, sum);   /* ratio 1.0 */
      check_quotas (sizes, n_clusters, 1);
    }
}

static void
test_edge_shapes (void)
{
  guint one[] = { 17 };
  guint singles[] = { 1, 1, 1, 1, 1, 1, 1 };
  guint quotas[7];

  check_quotas (one, 1, 9);
  g_assert_true (dm_quota_compute (one, 1, 9, quotas, NULL));
  g_assert_cmpuint (quotas[0], ==, 9);

  g_assert_true (dm_quota_compute (singles, 7, 3, quotas, NULL));
  /* Equal remainders go to the lower cluster indices. */
  for (guint j = 0; j < 7; j++)
    g_assert_cmpuint (quotas[j], ==, j < 3 ? 1 : 0);

  g_assert_true (dm_quota_compute (singles, 7, 7, quotas, NULL));
  for (guint j = 0; j < 7; j++)
    g_assert_cmpuint (quotas[j], ==, 1);
}

static void
test_remainder_order (void)
{
  /* total 5 over sizes 3,3,4 (sum 10): exact shares 1.5, 1.5, 2.0; the one
   * item left after the floors goes to cluster 0 (tie with 1, lower index). */
  guint sizes[] = { 3, 3, 4 };
  guint quotas[3];

  g_assert_true (dm_quota_compute (sizes, 3, 5, quotas, NULL));
  g_assert_cmpuint (quotas[0], ==, 2);
  g_assert_cmpuint (quotas[1], ==, 1);
  g_assert_cmpuint (quotas[2], ==, 2);

  /* Exact shares 0.1, 0.1, 0.1, 9.7: the leftover item goes to the largest
   * remainder. (Datumaro's rule hands it to every empty cluster of equal
   * weight and keeps 12.) */
  guint skewed[] = { 1, 1, 1, 97 };
  guint four[4];
  g_assert_true (dm_quota_compute (skewed, 4, 10, four, NULL));
  g_assert_cmpuint (four[0] + four[1] + four[2] + four[3], ==, 10);
  g_assert_cmpuint (four[3], ==, 10);
  g_assert_cmpuint (four[0], ==, 0);
}

static void
test_too_many (void)
{
  guint sizes[] = { 2, 3 };
  guint quotas[2];
  g_autoptr(GError) error = NULL;

  g_assert_false (dm_quota_compute (sizes, 2, 6, quotas, &error));
  g_assert_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/quota/total-python-ceil", test_total_python_ceil);
  g_test_add_func ("/quota/exact-totals", test_exact_totals);
  g_test_add_func ("/quota/edge-shapes", test_edge_shapes);
  g_test_add_func ("/quota/remainder-order", test_remainder_order);
  g_test_add_func ("/quota/too-many", test_too_many);
  return g_test_run ();
}
