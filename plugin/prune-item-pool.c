/* prune-item-pool.c: per-item work on all cores, with progress and cancel.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib/gi18n-lib.h>

#include "prune-item-pool.h"

/* How often the waiting thread wakes to report progress and check for
 * cancellation while the workers run. */
#define POLL_INTERVAL_US (100 * G_TIME_SPAN_MILLISECOND)

typedef struct {
  PruneItemWork work;
  gpointer      user_data;
  GError      **errors;       /* n_items slots, each written by its worker */
  gboolean      keep_going;   /* an error does not stop the others */

  GMutex        mutex;
  GCond         all_done;
  guint         n_items;
  guint         n_done;       /* guarded by mutex */
  gint          cancelled;    /* atomic */
  gint          first_failed; /* atomic: lowest failing index, or G_MAXINT */
} Pool;

/* Lowers pool->first_failed to @index if it is lower. */
static void
note_failure (Pool  *pool,
              guint  index)
{
  gint seen = g_atomic_int_get (&pool->first_failed);

  while ((gint) index < seen &&
         !g_atomic_int_compare_and_exchange_full (&pool->first_failed, seen, (gint) index, &seen))
    ;
}

static void
run_one (gpointer data,
         gpointer user_data)
{
  Pool *pool = user_data;
  guint index = GPOINTER_TO_UINT (data) - 1;

  /* After a failure, the items before it still run, so the error reported
   * is always the first failing item's, whatever the threads' timing. */
  if (!g_atomic_int_get (&pool->cancelled) &&
      (gint) index < g_atomic_int_get (&pool->first_failed) &&
      !pool->work (index, pool->user_data, &pool->errors[index]) &&
      !pool->keep_going)
    note_failure (pool, index);

  /* The waiting thread polls for progress: waking it per item would cost
   * a context switch each. */
  g_mutex_lock (&pool->mutex);
  if (++pool->n_done == pool->n_items)
    g_cond_signal (&pool->all_done);
  g_mutex_unlock (&pool->mutex);
}

/**
 * prune_item_pool_run:
 * @n_items: how many items
 * @n_threads: how many at once; 0 means one per core
 * @work: the work of one item
 * @user_data: for @work
 * @progress: (nullable): where and how to report progress, from the
 *   calling thread
 * @errors: (nullable) (array length=n_items): with --skip-broken, one slot
 *   per item: a failing item's error is left there and the others go on.
 *   %NULL stops at the first failure.
 * @cancellable: (nullable): stops the work with %G_IO_ERROR_CANCELLED
 * @error: return location for a #GError
 *
 * Runs @work for every item on a thread pool and waits for it.
 *
 * Returns: %TRUE when every item's work ran (with @errors, whether or
 *   not it failed); %FALSE with @error set when cancelled, or without
 *   @errors, to the first failing item's error in index order
 */
gboolean
prune_item_pool_run (guint                    n_items,
                     guint                    n_threads,
                     PruneItemWork            work,
                     gpointer                 user_data,
                     const PruneItemProgress *progress,
                     GError                 **errors,
                     GCancellable            *cancellable,
                     GError                 **error)
{
  g_autoptr(GError) pool_error = NULL;
  g_autofree GError **own_errors = NULL;
  Pool pool = { work, user_data, errors, errors != NULL };
  GThreadPool *threads;
  gboolean cancelled = FALSE;
  gboolean ok = TRUE;

  g_return_val_if_fail (work != NULL, FALSE);
  g_return_val_if_fail (n_items < G_MAXINT, FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (n_items == 0)
    return TRUE;

  if (errors == NULL)
    pool.errors = own_errors = g_new0 (GError *, n_items);
  pool.n_items = n_items;
  pool.first_failed = G_MAXINT;
  g_mutex_init (&pool.mutex);
  g_cond_init (&pool.all_done);

  if (n_threads == 0)
    n_threads = MAX (g_get_num_processors (), 1);
  threads = g_thread_pool_new (run_one, &pool, (int) MIN (n_threads, n_items), TRUE, &pool_error);
  if (threads == NULL)
    {
      g_set_error (error, DM_ERROR, DM_ERROR_FAILED,
                   _("Cannot start worker threads: %s"), pool_error->message);
      ok = FALSE;
      goto out;
    }

  for (guint i = 0; i < n_items; i++)
    g_thread_pool_push (threads, GUINT_TO_POINTER (i + 1), NULL);

  g_mutex_lock (&pool.mutex);
  while (pool.n_done < n_items)
    {
      guint n_done;

      g_cond_wait_until (&pool.all_done, &pool.mutex, g_get_monotonic_time () + POLL_INTERVAL_US);
      n_done = pool.n_done;

      g_mutex_unlock (&pool.mutex);
      if (progress != NULL && progress->reporter != NULL)
        dm_transform_report_progress (progress->reporter, progress->phase,
                                      (double) (progress->done_before + n_done) / MAX (progress->total, 1));
      if (!cancelled && g_cancellable_is_cancelled (cancellable))
        {
          cancelled = TRUE;
          g_atomic_int_set (&pool.cancelled, TRUE);
        }
      g_mutex_lock (&pool.mutex);
    }
  g_mutex_unlock (&pool.mutex);

  g_thread_pool_free (threads, FALSE, TRUE);

  if (cancelled)
    {
      ok = !g_cancellable_set_error_if_cancelled (cancellable, error);
      goto out;
    }

  /* The first failing item in index order, when several failed. */
  if (own_errors != NULL)
    for (guint i = 0; i < n_items && ok; i++)
      if (own_errors[i] != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&own_errors[i]));
          ok = FALSE;
        }

out:
  if (own_errors != NULL)
    for (guint i = 0; i < n_items; i++)
      g_clear_error (&own_errors[i]);
  g_mutex_clear (&pool.mutex);
  g_cond_clear (&pool.all_done);
  return ok;
}
