/* The plugin's per-item thread pool: the error it reports is the first
 * failing item's in index order, however the threads are scheduled.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib.h>

#include "prune-item-pool.h"

#define N_ITEMS 64

/* Items 5 and 40 fail; item 5 fails late, after item 40 has long failed
 * on another thread, so a pool that stopped at the first error in time
 * would report item 40. */
static gboolean
fail_two_items (guint     index,
                gpointer  user_data,
                GError  **error)
{
  gint *ran = user_data;

  g_atomic_int_inc (&ran[index]);
  if (index == 5)
    {
      g_usleep (50 * G_TIME_SPAN_MILLISECOND);
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA, "item %u", index);
      return FALSE;
    }
  if (index == 40)
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA, "item %u", index);
      return FALSE;
    }
  g_usleep (G_TIME_SPAN_MILLISECOND);
  return TRUE;
}

static void
test_first_failure_in_index_order (void)
{
  for (guint threads = 1; threads <= 4; threads++)
    {
      gint ran[N_ITEMS] = { 0 };
      g_autoptr(GError) error = NULL;

      g_assert_false (prune_item_pool_run (&(PruneItemBatch) { .n_items = N_ITEMS, .n_threads = threads,
                                                             .work = fail_two_items, .user_data = ran },
                                           NULL, NULL, NULL, &error));
      g_assert_error (error, DM_ERROR, DM_ERROR_INVALID_DATA);
      g_assert_cmpstr (error->message, ==, "item 5");
      /* Every item before the first failure ran, each once. */
      for (guint i = 0; i <= 5; i++)
        g_assert_cmpint (ran[i], ==, 1);
      for (guint i = 6; i < N_ITEMS; i++)
        g_assert_cmpint (ran[i], <=, 1);
    }
}

static void
test_keep_going_collects_every_error (void)
{
  gint ran[N_ITEMS] = { 0 };
  GError *errors[N_ITEMS] = { NULL };
  g_autoptr(GError) error = NULL;

  g_assert_true (prune_item_pool_run (&(PruneItemBatch) { .n_items = N_ITEMS, .n_threads = 2,
                                                        .work = fail_two_items, .user_data = ran },
                                      NULL, errors, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < N_ITEMS; i++)
    {
      g_assert_cmpint (ran[i], ==, 1);
      if (i == 5 || i == 40)
        g_assert_error (errors[i], DM_ERROR, DM_ERROR_INVALID_DATA);
      else
        g_assert_null (errors[i]);
      g_clear_error (&errors[i]);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/item-pool/first-failure-in-index-order", test_first_failure_in_index_order);
  g_test_add_func ("/item-pool/keep-going-collects-every-error", test_keep_going_collects_every_error);
  return g_test_run ();
}
