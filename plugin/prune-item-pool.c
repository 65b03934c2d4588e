/* prune-item-pool.c: per-item work on all cores, with progress and cancel.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "dm-kmeans-parallel.h"
#include "prune-item-pool.h"

/* How often the calling thread reports progress and checks for
 * cancellation while the items are worked on. */
#define POLL_INTERVAL_US (100 * G_TIME_SPAN_MILLISECOND)

typedef struct {
  PruneItemWork            work;
  gpointer                 user_data;
  GError                 **errors;       /* n_items slots, each written by its worker */
  gboolean                 keep_going;   /* an error does not stop the others */
  const PruneItemProgress *progress;     /* nullable */
  GCancellable            *cancellable;  /* nullable */

  gint                     cancelled;    /* atomic */
  gint                     first_failed; /* atomic: lowest failing index, or G_MAXINT */
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
run_one (gsize    task,
         guint    worker,
         gpointer user_data)
{
  Pool *pool = user_data;
  guint index = (guint) task;

  /* After a failure, the items before it still run, so the error reported
   * is always the first failing item's, whatever the threads' timing. */
  if (!g_atomic_int_get (&pool->cancelled) &&
      (gint) index < g_atomic_int_get (&pool->first_failed) &&
      !pool->work (index, pool->user_data, &pool->errors[index]) &&
      !pool->keep_going)
    note_failure (pool, index);
}

/* From the calling thread, every POLL_INTERVAL_US: progress, and a
 * cancellation that makes the items not yet started skip their work. */
static void
watch (gsize    n_done,
       gpointer user_data)
{
  Pool *pool = user_data;
  const PruneItemProgress *progress = pool->progress;

  if (progress != NULL && progress->reporter != NULL)
    dm_transform_report_item_progress (progress->reporter, progress->phase,
                                       progress->done_before + (guint) n_done, progress->total);
  if (g_cancellable_is_cancelled (pool->cancellable))
    g_atomic_int_set (&pool->cancelled, TRUE);
}

/**
 * prune_item_pool_run:
 * @batch: the work of one item, for how many items and how many at once
 * @progress: (nullable): where and how to report progress, from the
 *   calling thread
 * @errors: (nullable) (array length=batch->n_items): with skip-broken, one slot
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
prune_item_pool_run (const PruneItemBatch    *batch,
                     const PruneItemProgress *progress,
                     GError                 **errors,
                     GCancellable            *cancellable,
                     GError                 **error)
{
  g_return_val_if_fail (batch != NULL, FALSE);

  const guint n_items = batch->n_items;
  guint n_threads = batch->n_threads;
  g_autofree GError **own_errors = NULL;
  g_autoptr(DmParallel) threads = NULL;
  Pool pool = { batch->work, batch->user_data, errors, errors != NULL, progress, cancellable };
  gboolean ok = TRUE;

  g_return_val_if_fail (batch->work != NULL, FALSE);
  g_return_val_if_fail (n_items < G_MAXINT / 2, FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (n_items == 0)
    return TRUE;

  if (errors == NULL)
    pool.errors = own_errors = g_new0 (GError *, n_items);
  pool.first_failed = G_MAXINT;

  if (n_threads == 0)
    n_threads = MAX (g_get_num_processors (), 1);
  threads = dm_parallel_new (MIN (n_threads, n_items));
  dm_parallel_run_watched (threads, n_items, run_one, &pool, POLL_INTERVAL_US, watch, &pool);

  if (g_atomic_int_get (&pool.cancelled))
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
  return ok;
}
