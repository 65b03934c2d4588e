/* dm-quota.c: largest-remainder quotas.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "dm-quota.h"

#include <math.h>

#include "dm-core-error.h"

gsize
dm_quota_total (gsize n_items, double ratio)
{
  double product = ceil ((double) n_items * ratio);

  if (!(product > 0))
    return 0;
  if (product >= (double) n_items)
    return n_items;
  return (gsize) product;
}

typedef struct {
  guint64 remainder;   /* numerator of the fractional share, over the sum */
  guint cluster;
} Remainder;

/* Largest remainder first. Sorted with g_qsort_with_data(), which is
 * stable, clusters of equal remainder stay in cluster order. */
static int
compare_remainders (gconstpointer a, gconstpointer b, gpointer unused)
{
  guint64 x = ((const Remainder *) a)->remainder, y = ((const Remainder *) b)->remainder;

  return (x < y) - (x > y);
}

gboolean
dm_quota_compute (const guint *sizes,
                  guint        n_clusters,
                  gsize        total,
                  guint       *quotas,
                  GError     **error)
{
  guint64 sum = 0;
  gsize given = 0;

  g_return_val_if_fail (sizes != NULL || n_clusters == 0, FALSE);
  g_return_val_if_fail (quotas != NULL || n_clusters == 0, FALSE);
  g_return_val_if_fail (n_clusters <= G_MAXINT, FALSE);   /* g_qsort_with_data() counts in a gint */

  for (guint j = 0; j < n_clusters; j++)
    sum += sizes[j];
  if (total > sum)
    {
      g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
                   "cannot keep %" G_GSIZE_FORMAT " items from clusters holding %"
                   G_GUINT64_FORMAT " in all", total, sum);
      return FALSE;
    }
  if (n_clusters == 0)
    return TRUE;

  g_autofree Remainder *order = g_new (Remainder, n_clusters);
  for (guint j = 0; j < n_clusters; j++)
    {
      /* total <= sum < 2^32 * n_clusters keeps the product in 64 bits for
       * any dataset the core accepts. */
      guint64 share = sum > 0 ? (guint64) total * sizes[j] : 0;
      quotas[j] = sum > 0 ? (guint) (share / sum) : 0;
      if (quotas[j] > sizes[j])
        quotas[j] = sizes[j];
      given += quotas[j];
      order[j].remainder = sum > 0 ? share % sum : 0;
      order[j].cluster = j;
    }
  g_qsort_with_data (order, (gint) n_clusters, sizeof *order, compare_remainders, NULL);

  /* Exact shares never exceed a cluster's size, so one round suffices;
   * the loop only repeats to place items a capped cluster could not take. */
  while (given < total)
    {
      gsize before = given;
      for (guint i = 0; i < n_clusters && given < total; i++)
        {
          guint j = order[i].cluster;
          if (quotas[j] < sizes[j])
            {
              quotas[j]++;
              given++;
            }
        }
      g_assert (given > before);
    }
  return TRUE;
}
