/* dm-quota.h: how many items each cluster keeps.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * dm_quota_total:
 * @n_items: number of items in the dataset
 * @ratio: fraction to keep, in (0, 1]
 *
 * The number of items a prune keeps: the plain ceiling of the double
 * product `n_items * ratio`, exactly as Python's `math.ceil(n * ratio)`
 * (Datumaro's rule), so 100 * 0.07 = 7.000000000000001 gives 8. The result is
 * clamped to @n_items. The caller validates @ratio.
 *
 * Returns: the number of items to keep
 */
gsize dm_quota_total (gsize n_items, double ratio);

/**
 * dm_quota_compute:
 * @sizes: (array length=n_clusters): number of items in each cluster
 * @n_clusters: number of clusters
 * @total: number of items to keep over all clusters, at most the sum of @sizes
 * @quotas: (out caller-allocates) (array length=n_clusters): kept per cluster
 * @error: return location for a #GError (DM_CORE_ERROR_INVALID_ARGUMENT)
 *
 * Shares @total among the clusters in proportion to their sizes by the
 * largest remainder method: each cluster first gets the floor of its exact
 * share `total * size / sum`, then the items left over go one each to the
 * clusters with the largest remainders, ties to the lower cluster index.
 * Computed in exact integer arithmetic. A cluster never gets more than it
 * holds; should capping ever leave items over, they go to the clusters with
 * room in the same remainder order. Unlike Datumaro's rule, the quotas
 * always add up to exactly @total.
 *
 * Returns: %TRUE, or %FALSE with @error set when @total exceeds the sum of
 *   @sizes
 */
gboolean dm_quota_compute (const guint *sizes,
                           guint        n_clusters,
                           gsize        total,
                           guint       *quotas,
                           GError     **error);

G_END_DECLS
