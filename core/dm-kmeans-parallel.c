/* dm-kmeans-parallel.c: a fixed-task parallel loop on persistent threads.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "dm-kmeans-parallel.h"

/* Helpers spin this long for the next job before they sleep, and the
 * caller as long for the helpers to finish: seeding runs a job per centre
 * (5000 of some 60 µs each for centroid at 10k items), and waking a
 * sleeping thread through the kernel takes tens of µs, while a spin costs
 * only that much CPU time once the work runs out. */
#define SPIN_US 50

typedef struct {
  DmParallelTaskFunc task;
  gpointer user_data;
  gsize n_tasks;
  gint next_task;           /* atomic */
  gint n_done;              /* atomic: tasks finished */
} DmParallelJob;

typedef struct {
  DmParallel *parallel;
  guint worker;             /* 1 .. n_threads - 1; the caller is 0 */
} DmParallelHelper;

struct _DmParallel {
  guint n_threads;
  GThread **threads;        /* n_threads - 1 helpers */
  DmParallelHelper *helpers;
  DmParallelJob *job;       /* the current job, published by generation */
  gint generation;          /* atomic: one more per job */
  gint busy;                /* atomic: helpers still in the current job */
  gint quit;                /* atomic */
  /* Sleeping is announced (atomic counts) so that a job or its end wakes
   * someone through the lock only when someone sleeps. */
  GMutex lock;
  GCond wake, done;
  gint helpers_sleeping;    /* atomic */
  gint caller_sleeping;     /* atomic */
};

/* Spins up to SPIN_US until (*value == reference) is until_equal; TRUE
 * if it came to that. No PAUSE instruction in the loop: in a virtual
 * machine it traps to the hypervisor (pause-loop exiting); on a 2-vCPU
 * KVM guest it made centroid's seeding at 10k items twice as slow as with
 * sleeping threads, where spinning without it takes a third less. */
static gboolean
spin (gint *value, gint reference, gboolean until_equal)
{
  gint64 deadline = g_get_monotonic_time () + SPIN_US;

  do
    {
      for (guint i = 0; i < 64; i++)
        {
          if ((g_atomic_int_get (value) == reference) == until_equal)
            return TRUE;
        }
    }
  while (g_get_monotonic_time () < deadline);
  return FALSE;
}

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

/* Returns the generation after seen, or seen when told to quit. */
static gint
wait_for_job (DmParallel *parallel, gint seen)
{
  gint generation;

  if (!spin (&parallel->generation, seen, FALSE))
    {
      g_mutex_lock (&parallel->lock);
      g_atomic_int_inc (&parallel->helpers_sleeping);
      while (g_atomic_int_get (&parallel->generation) == seen
             && !g_atomic_int_get (&parallel->quit))
        g_cond_wait (&parallel->wake, &parallel->lock);
      g_atomic_int_add (&parallel->helpers_sleeping, -1);
      g_mutex_unlock (&parallel->lock);
    }
  generation = g_atomic_int_get (&parallel->generation);
  return g_atomic_int_get (&parallel->quit) ? seen : generation;
}

static gpointer
helper_main (gpointer data)
{
  DmParallelHelper *helper = data;
  DmParallel *parallel = helper->parallel;
  gint seen = 0;

  for (;;)
    {
      gint generation = wait_for_job (parallel, seen);
      if (generation == seen)
        return NULL;
      seen = generation;
      run_tasks (g_atomic_pointer_get (&parallel->job), helper->worker);
      /* The job lives on the caller's stack: touch it no more after this. */
      if (g_atomic_int_dec_and_test (&parallel->busy)
          && g_atomic_int_get (&parallel->caller_sleeping))
        {
          g_mutex_lock (&parallel->lock);
          g_cond_signal (&parallel->done);
          g_mutex_unlock (&parallel->lock);
        }
    }
}

DmParallel *
dm_parallel_new (guint n_threads)
{
  DmParallel *parallel = g_new0 (DmParallel, 1);
  guint started = 0;

  if (n_threads == 0)
    n_threads = g_get_num_processors ();
  n_threads = MAX (n_threads, 1);
  g_mutex_init (&parallel->lock);
  g_cond_init (&parallel->wake);
  g_cond_init (&parallel->done);
  parallel->threads = g_new0 (GThread *, n_threads);
  parallel->helpers = g_new0 (DmParallelHelper, n_threads);
  for (guint h = 0; h + 1 < n_threads; h++)
    {
      g_autoptr(GError) error = NULL;

      parallel->helpers[h].parallel = parallel;
      parallel->helpers[h].worker = h + 1;
      parallel->threads[h] = g_thread_try_new ("dm-parallel", helper_main,
                                               &parallel->helpers[h], &error);
      if (parallel->threads[h] == NULL)
        {
          /* Fewer threads only costs time, never changes a result. */
          g_debug ("parallel loop runs with %u threads: %s", started + 1, error->message);
          break;
        }
      started++;
    }
  parallel->n_threads = started + 1;
  return parallel;
}

guint
dm_parallel_get_n_threads (DmParallel *parallel)
{
  return parallel->n_threads;
}

static void
start_helpers (DmParallel *parallel, DmParallelJob *job)
{
  g_atomic_int_set (&parallel->busy, (gint) parallel->n_threads - 1);
  g_atomic_pointer_set (&parallel->job, job);
  g_atomic_int_inc (&parallel->generation);
  if (g_atomic_int_get (&parallel->helpers_sleeping) > 0)
    {
      g_mutex_lock (&parallel->lock);
      g_cond_broadcast (&parallel->wake);
      g_mutex_unlock (&parallel->lock);
    }
}

/* Waits for the helpers, up to interval_us (forever when negative);
 * TRUE once all are done. */
static gboolean
wait_for_helpers (DmParallel *parallel, gint64 interval_us)
{
  gint64 deadline = g_get_monotonic_time () + interval_us;
  gboolean finished;

  if (spin (&parallel->busy, 0, TRUE))
    return TRUE;
  g_mutex_lock (&parallel->lock);
  g_atomic_int_inc (&parallel->caller_sleeping);
  while (g_atomic_int_get (&parallel->busy) > 0)
    {
      if (interval_us < 0)
        g_cond_wait (&parallel->done, &parallel->lock);
      else if (!g_cond_wait_until (&parallel->done, &parallel->lock, deadline))
        break;
    }
  g_atomic_int_add (&parallel->caller_sleeping, -1);
  finished = g_atomic_int_get (&parallel->busy) == 0;
  g_mutex_unlock (&parallel->lock);
  return finished;
}

/* The caller's share of the tasks, then the wait for the helpers; with
 * @watch, called from here every @interval_us. */
static void
run_and_wait (DmParallel         *parallel,
              DmParallelJob      *job,
              gint64              interval_us,
              DmParallelWatchFunc watch,
              gpointer            watch_data)
{
  gint64 next_watch = g_get_monotonic_time () + interval_us;

  if (parallel->n_threads > 1)
    start_helpers (parallel, job);

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

  if (parallel->n_threads > 1)
    while (!wait_for_helpers (parallel, watch != NULL ? interval_us : -1))
      watch ((gsize) g_atomic_int_get (&job->n_done), watch_data);
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
  DmParallelJob job = { task, user_data, n_tasks, 0, 0 };

  g_return_if_fail (n_tasks < G_MAXINT / 2);

  /* One task, or one thread: no helper to wake. */
  if ((parallel->n_threads == 1 || n_tasks <= 1) && watch == NULL)
    {
      for (gsize t = 0; t < n_tasks; t++)
        task (t, 0, user_data);
      return;
    }
  run_and_wait (parallel, &job, interval_us, watch, watch_data);
}

void
dm_parallel_free (DmParallel *parallel)
{
  if (parallel == NULL)
    return;
  g_mutex_lock (&parallel->lock);
  g_atomic_int_set (&parallel->quit, TRUE);
  g_cond_broadcast (&parallel->wake);
  g_mutex_unlock (&parallel->lock);
  for (guint h = 0; h + 1 < parallel->n_threads; h++)
    g_thread_join (parallel->threads[h]);
  g_free (parallel->threads);
  g_free (parallel->helpers);
  g_mutex_clear (&parallel->lock);
  g_cond_clear (&parallel->wake);
  g_cond_clear (&parallel->done);
  g_free (parallel);
}
