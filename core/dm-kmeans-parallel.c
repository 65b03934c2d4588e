/* dm-kmeans-parallel.c: a fixed-task parallel loop on a GThreadPool.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "dm-kmeans-parallel.h"

typedef struct {
  DmParallelTaskFunc task;
  gpointer user_data;
  gsize n_tasks;
  gint next_task;           /* atomic */
  gint next_worker;         /* atomic: helpers number themselves from 1 */
  gint n_done;              /* atomic: tasks finished */
} DmParallelJob;

struct _DmParallel {
  guint n_threads;
  GThreadPool *pool;        /* n_threads - 1 workers; the caller is the last */
  GMutex lock;
  GCond done;
  guint workers_busy;       /* under lock */
};

static void
run_tasks (DmParallelJob *job, guint worker)
{
  for (;;)
    {
      gsize task = (gsize) g_atomic_int_add (&job->next_task, 1);
      if (task >= job->n_tasks)
        return;
      job->task (task, worker, job->user_data);
      g_atomic_int_inc (&job->n_done);
    }
}

static void
worker (gpointer data, gpointer user_data)
{
  DmParallel *parallel = user_data;

  DmParallelJob *job = data;

  run_tasks (job, (guint) g_atomic_int_add (&job->next_worker, 1));
  /* The job lives on the caller's stack: touch it no more after this. */
  g_mutex_lock (&parallel->lock);
  if (--parallel->workers_busy == 0)
    g_cond_signal (&parallel->done);
  g_mutex_unlock (&parallel->lock);
}

DmParallel *
dm_parallel_new (guint n_threads)
{
  DmParallel *parallel = g_new0 (DmParallel, 1);

  if (n_threads == 0)
    n_threads = g_get_num_processors ();
  parallel->n_threads = MAX (n_threads, 1);
  g_mutex_init (&parallel->lock);
  g_cond_init (&parallel->done);
  if (parallel->n_threads > 1)
    {
      g_autoptr(GError) error = NULL;
      parallel->pool = g_thread_pool_new (worker, parallel,
                                          (int) parallel->n_threads - 1,
                                          TRUE, &error);
      if (parallel->pool == NULL)
        {
          /* Fewer threads only costs time, never changes a result. */
          g_debug ("parallel loop runs single-threaded: %s", error->message);
          parallel->n_threads = 1;
        }
    }
  return parallel;
}

guint
dm_parallel_get_n_threads (DmParallel *parallel)
{
  return parallel->n_threads;
}

/* The caller's share of the tasks, then the wait for the helpers; with
 * @watch, called from here every @interval_us. */
static void
run_and_wait (DmParallel         *parallel,
              DmParallelJob      *job,
              guint               helpers,
              gint64              interval_us,
              DmParallelWatchFunc watch,
              gpointer            watch_data)
{
  gint64 next_watch = g_get_monotonic_time () + interval_us;

  if (helpers > 0)
    {
      g_mutex_lock (&parallel->lock);
      parallel->workers_busy = helpers;
      g_mutex_unlock (&parallel->lock);
      for (guint h = 0; h < helpers; h++)
        g_thread_pool_push (parallel->pool, job, NULL);
    }

  for (;;)
    {
      gsize task = (gsize) g_atomic_int_add (&job->next_task, 1);

      if (task >= job->n_tasks)
        break;
      job->task (task, 0, job->user_data);
      g_atomic_int_inc (&job->n_done);
      if (watch != NULL && g_get_monotonic_time () >= next_watch)
        {
          watch ((gsize) g_atomic_int_get (&job->n_done), watch_data);
          next_watch = g_get_monotonic_time () + interval_us;
        }
    }

  if (helpers > 0)
    {
      g_mutex_lock (&parallel->lock);
      while (parallel->workers_busy > 0)
        {
          if (watch == NULL)
            {
              g_cond_wait (&parallel->done, &parallel->lock);
              continue;
            }
          g_cond_wait_until (&parallel->done, &parallel->lock, g_get_monotonic_time () + interval_us);
          g_mutex_unlock (&parallel->lock);
          watch ((gsize) g_atomic_int_get (&job->n_done), watch_data);
          g_mutex_lock (&parallel->lock);
        }
      g_mutex_unlock (&parallel->lock);
    }
  if (watch != NULL)
    watch (job->n_tasks, watch_data);
}

void
dm_parallel_run (DmParallel        *parallel,
                 gsize              n_tasks,
                 DmParallelTaskFunc task,
                 gpointer           user_data)
{
  dm_parallel_run_watched (parallel, n_tasks, task, user_data, 0, NULL, NULL);
}

void
dm_parallel_run_watched (DmParallel         *parallel,
                         gsize               n_tasks,
                         DmParallelTaskFunc  task,
                         gpointer            user_data,
                         gint64              interval_us,
                         DmParallelWatchFunc watch,
                         gpointer            watch_data)
{
  DmParallelJob job = { task, user_data, n_tasks, 0, 1, 0 };
  guint helpers;

  g_return_if_fail (n_tasks < G_MAXINT / 2);

  helpers = (guint) MIN ((gsize) parallel->n_threads - 1, n_tasks > 0 ? n_tasks - 1 : 0);
  if (helpers == 0 && watch == NULL)
    {
      for (gsize t = 0; t < n_tasks; t++)
        task (t, 0, user_data);
      return;
    }
  run_and_wait (parallel, &job, helpers, interval_us, watch, watch_data);
}

void
dm_parallel_free (DmParallel *parallel)
{
  if (parallel == NULL)
    return;
  if (parallel->pool != NULL)
    g_thread_pool_free (parallel->pool, TRUE, TRUE);
  g_mutex_clear (&parallel->lock);
  g_cond_clear (&parallel->done);
  g_free (parallel);
}
