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
  g_free (data->keys);
  g_free (data->labels);
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

void
assert_seed_decides (const DmSelectRequest *request, guint32 other_seed)
{
  DmSelectRequest reseeded = *request;
  g_autoptr(DmSelectResult) a = select_ok (request);
  g_autoptr(DmSelectResult) b = select_ok (request);
  g_autoptr(DmSelectResult) other = NULL;

  reseeded.seed = other_seed;
  other = select_ok (&reseeded);
  g_assert_cmpmem (a->kept, a->n_kept * sizeof (guint), b->kept, b->n_kept * sizeof (guint));
  g_assert_cmpuint (other->n_kept, ==, a->n_kept);
  g_assert_true (memcmp (a->kept, other->kept, a->n_kept * sizeof (guint)) != 0);
}
