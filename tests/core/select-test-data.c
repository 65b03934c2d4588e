/* select-test-data.c: what the tests of dm_cluster_select() share.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "dm-select-beyond.h"
#include "select-test-data.h"

void
data_clear (Data *data)
{
  g_clear_pointer (&data->keys, g_free);
  g_clear_pointer (&data->labels, g_free);
}

DmSelectRequest
request_for (const Data *data, DmSelectMethod method, double ratio)
{
  DmSelectRequest request = { 0 };

  request.keys = data->keys;
  request.n_items = data->n;
  request.key_bytes = KEY_BYTES;
  request.labels = data->labels;
  request.n_labels = data->n_labels;
  request.method = method;
  request.ratio = ratio;
  request.dedup_threshold = DM_DEDUP_DEFAULT_THRESHOLD;
  request.herding_bandwidth = DM_HERDING_DEFAULT_BANDWIDTH;
  return request;
}

DmSelectResult *
select_ok (const DmSelectRequest *request)
{
  DmSelectResult *result = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (dm_cluster_select (request, &result, &error));
  g_assert_no_error (error);
  return result;
}

gboolean *
kept_flags (const DmSelectResult *result, gsize n)
{
  gboolean *kept = g_new0 (gboolean, n);

  for (guint m = 0; m < result->n_kept; m++)
    {
      g_assert_cmpuint (result->kept[m], <, n);
      kept[result->kept[m]] = TRUE;
    }
  return kept;
}

void
check_counts (const DmSelectResult *result, gsize n, gsize total)
{
  g_autofree guint *sizes = g_new0 (guint, result->n_clusters);
  g_autofree guint *kept_in = g_new0 (guint, result->n_clusters);
  g_autofree gboolean *kept = kept_flags (result, n);

  g_assert_cmpuint (result->n_kept, ==, total);
  for (guint m = 1; m < result->n_kept; m++)
    g_assert_cmpuint (result->kept[m - 1], <, result->kept[m]);
  for (gsize i = 0; i < n; i++)
    {
      g_assert_cmpuint (result->cluster_of_item[i], <, result->n_clusters);
      sizes[result->cluster_of_item[i]]++;
      kept_in[result->cluster_of_item[i]] += kept[i];
    }
  for (guint j = 0; j < result->n_clusters; j++)
    {
      g_assert_cmpuint (sizes[j], ==, result->cluster_sizes[j]);
      g_assert_cmpuint (kept_in[j], ==, result->quotas[j]);
    }
}

void
assert_same_kept (const DmSelectResult *a, const DmSelectResult *b)
{
  g_assert_cmpuint (a->n_kept, ==, b->n_kept);
  g_assert_cmpmem (a->kept, a->n_kept * sizeof (guint), b->kept, b->n_kept * sizeof (guint));
}

void
assert_seed_decides (const DmSelectRequest *request, guint32 other_seed)
{
  DmSelectRequest reseeded = *request;
  g_autoptr(DmSelectResult) a = select_ok (request);
  g_autoptr(DmSelectResult) b = select_ok (request);
  g_autoptr(DmSelectResult) other = NULL;

  reseeded.seed = other_seed;
  other = select_ok (&reseeded);
  assert_same_kept (a, b);
  g_assert_cmpuint (other->n_kept, ==, a->n_kept);
  g_assert_true (memcmp (a->kept, other->kept, a->n_kept * sizeof (guint)) != 0);
}
