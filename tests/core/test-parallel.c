/* test-parallel.c: the core's parallel loop, plain and watched.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "dm-kmeans-parallel.h"

#define N_TASKS 200

typedef struct {
  gint    runs[N_TASKS];   /* atomic: how often each task ran */
  GThread *caller;
  gsize   last_done;
  guint   n_watches;
  gboolean watched_elsewhere;
  gboolean went_back;
} Run;

static void
count_task (gsize task, guint worker, gpointer user_data)
{
  Run *run = user_data;

  g_atomic_int_inc (&run->runs[task]);
  /* Long enough for the watch to be called while tasks remain. */
  g_usleep (500);
}

static void
note_watch (gsize n_done, gpointer user_data)
{
  Run *run = user_data;

  if (g_thread_self () != run->caller)
    run->watched_elsewhere = TRUE;
  if (n_done < run->last_done)
    run->went_back = TRUE;
  run->last_done = n_done;
  run->n_watches++;
}

static void
test_each_task_once (gconstpointer data)
{
  guint n_threads = GPOINTER_TO_UINT (data);
  g_autoptr(DmParallel) parallel = dm_parallel_new (n_threads);
  g_autofree Run *plain = g_new0 (Run, 1);
  g_autofree Run *watched = g_new0 (Run, 1);

  dm_parallel_run (parallel, N_TASKS, count_task, plain);
  watched->caller = g_thread_self ();
  dm_parallel_run_watched (parallel, N_TASKS, count_task, watched,
                           G_TIME_SPAN_MILLISECOND, note_watch, watched);

  for (guint t = 0; t < N_TASKS; t++)
    {
      g_assert_cmpint (plain->runs[t], ==, 1);
      g_assert_cmpint (watched->runs[t], ==, 1);
    }
  /* Watched while running (200 × 0.5 ms against a 1 ms interval), always
   * from the calling thread, the count never going back, and last when
   * every task is done. */
  g_assert_cmpuint (watched->n_watches, >, 1);
  g_assert_false (watched->watched_elsewhere);
  g_assert_false (watched->went_back);
  g_assert_cmpuint (watched->last_done, ==, N_TASKS);
}

static void
add_task (gsize task, guint worker, gpointer user_data)
{
  gint *runs = user_data;

  g_atomic_int_inc (&runs[task]);
}

/* Jobs back to back, as seeding runs one per centre: helpers still
 * spinning from the previous job, or asleep after a pause longer than
 * their spin, each take the next job, and no run returns before all its
 * tasks are done. */
static void
test_many_short_runs (gconstpointer data)
{
  guint n_threads = GPOINTER_TO_UINT (data);
  g_autoptr(DmParallel) parallel = dm_parallel_new (n_threads);
  gint runs[8];

  for (guint r = 0; r < 5000; r++)
    {
      gsize n_tasks = 2 + r % 7;

      memset (runs, 0, sizeof runs);
      if (r % 500 == 499)
        g_usleep (2 * G_TIME_SPAN_MILLISECOND);
      dm_parallel_run (parallel, n_tasks, add_task, runs);
      for (gsize t = 0; t < G_N_ELEMENTS (runs); t++)
        g_assert_cmpint (runs[t], ==, t < n_tasks);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/parallel/one-thread", GUINT_TO_POINTER (1), test_each_task_once);
  g_test_add_data_func ("/parallel/four-threads", GUINT_TO_POINTER (4), test_each_task_once);
  g_test_add_data_func ("/parallel/many-short-runs/two-threads", GUINT_TO_POINTER (2),
                        test_many_short_runs);
  g_test_add_data_func ("/parallel/many-short-runs/four-threads", GUINT_TO_POINTER (4),
                        test_many_short_runs);
  return g_test_run ();
}
