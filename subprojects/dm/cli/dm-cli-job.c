/* dm-cli-job.c: running a command's work in a worker thread, with progress
 * shown and Ctrl-C turned into cancellation.
 *
 * The work (load, apply, save) runs in a GTask thread. The calling thread
 * runs a main loop that shows the progress the worker posts and, on
 * SIGINT or SIGTERM, cancels the GCancellable the work passes to every
 * long call, so the work stops at its next check and cleans up after
 * itself (the save removes its temporary directory) before the command
 * exits.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <signal.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "dm-cli-job.h"
#include "dm-progress-relay-private.h"

/* How often a bar is redrawn when no update comes, so a phase without a
 * fraction (loading, writing) still shows it is alive. */
#define TICK_INTERVAL_MS 200

struct _DmCliJob
{
  DmCliProgress *progress;
  DmCliJobFunc func;
  gpointer user_data;

  GMainContext *context;
  GMainLoop *loop;
  GCancellable *cancellable;
  int stop_signal;          /* the signal that cancelled the work, or 0 */

  /* Progress posted by the worker, delivered on the main thread. */
  DmProgressRelay *relay;

  DmTransform *transform;   /* followed, to disconnect at the end */
  gulong progress_handler;

  gboolean succeeded;
  GError *error;
};

/* Main thread: shows what the worker posted. */
static void
show_progress (const char *phase,
               double      fraction,
               guint       total,
               gpointer    user_data)
{
  DmCliJob *job = user_data;

  dm_cli_progress_update (job->progress, phase, fraction, total, g_get_monotonic_time ());
}

/**
 * dm_cli_job_report:
 * @job: the running job
 * @phase: the phase under way
 * @fraction: how much of it is done, from 0 to 1, or negative when unknown
 * @total: how many items it goes through, or 0 when unknown
 *
 * Posts progress to the main thread, from any thread. A phase's first
 * update is always shown as posted; its later updates that come faster
 * than the main thread shows them replace each other.
 */
void
dm_cli_job_report (DmCliJob   *job,
                   const char *phase,
                   double      fraction,
                   guint       total)
{
  dm_progress_relay_post (job->relay, phase, fraction, total);
}

/* The count comes with the signal: the host knows no phase of a plugin. */
static void
on_transform_progress (DmTransform *transform,
                       const char  *phase,
                       double       fraction,
                       guint        n_items,
                       DmCliJob    *job)
{
  dm_cli_job_report (job, phase, fraction, n_items);
}

/**
 * dm_cli_job_follow_transform:
 * @job: the running job
 * @transform: a transform the work is about to apply
 *
 * Shows the transform's `progress` signal, which it emits in the worker
 * thread, as the job's progress.
 */
void
dm_cli_job_follow_transform (DmCliJob    *job,
                             DmTransform *transform)
{
  g_return_if_fail (job->transform == NULL);

  job->transform = g_object_ref (transform);
  job->progress_handler = g_signal_connect (transform, "progress",
                                            G_CALLBACK (on_transform_progress), job);
}

static gboolean
on_stop_signal (DmCliJob *job,
                int       signum)
{
  if (job->stop_signal != 0)
    {
      /* A second Ctrl-C: the user will not wait for the clean-up. */
      dm_cli_progress_interrupt (job->progress);
      g_printerr (_("dm: cancelled\n"));
      _exit (128 + signum);
    }

  job->stop_signal = signum;
  g_cancellable_cancel (job->cancellable);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_sigint (gpointer user_data)
{
  return on_stop_signal (user_data, SIGINT);
}

static gboolean
on_sigterm (gpointer user_data)
{
  return on_stop_signal (user_data, SIGTERM);
}

static gboolean
on_tick (gpointer user_data)
{
  DmCliJob *job = user_data;

  dm_cli_progress_tick (job->progress, g_get_monotonic_time ());
  return G_SOURCE_CONTINUE;
}

static void
work_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  DmCliJob *job = task_data;
  GError *error = NULL;

  if (job->func (job, job->user_data, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_work_done (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  DmCliJob *job = user_data;

  job->succeeded = g_task_propagate_boolean (G_TASK (result), &job->error);
  g_main_loop_quit (job->loop);
}

/**
 * dm_cli_job_run:
 * @progress: where to show progress
 * @func: the work
 * @user_data: for @func
 * @stop_signal: (out): the signal that cancelled the work, or 0
 * @error: return location for a #GError
 *
 * Runs @func in a worker thread and, meanwhile, shows its progress and
 * turns SIGINT and SIGTERM into cancelling it. Returns when @func has
 * returned, so nothing it does outlives the call.
 *
 * Returns: what @func returned; when a signal cancelled it, %FALSE with
 *   @stop_signal set and, usually, a %G_IO_ERROR_CANCELLED error
 */
gboolean
dm_cli_job_run (DmCliProgress  *progress,
                DmCliJobFunc    func,
                gpointer        user_data,
                int            *stop_signal,
                GError        **error)
{
  g_autoptr(GTask) task = NULL;
  DmCliJob job = { 0 };
  guint sigint_source, sigterm_source, tick_source = 0;

  job.progress = progress;
  job.func = func;
  job.user_data = user_data;
  job.context = g_main_context_ref_thread_default ();
  job.loop = g_main_loop_new (job.context, FALSE);
  job.cancellable = g_cancellable_new ();
  job.relay = dm_progress_relay_new (job.context, show_progress, &job, NULL);

  sigint_source = g_unix_signal_add (SIGINT, on_sigint, &job);
  sigterm_source = g_unix_signal_add (SIGTERM, on_sigterm, &job);
  if (dm_cli_progress_get_mode (progress) == DM_CLI_PROGRESS_BAR)
    tick_source = g_timeout_add (TICK_INTERVAL_MS, on_tick, &job);

  task = g_task_new (NULL, job.cancellable, on_work_done, &job);
  g_task_set_task_data (task, &job, NULL);
  /* A cancel that comes after the work finished (the output is complete
   * and in place) does not make it a failure. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, work_in_thread);
  g_clear_object (&task);

  g_main_loop_run (job.loop);

  /* The worker is done; show what it posted last, then let no source
   * that points at this job fire after it is gone. */
  g_source_remove (sigint_source);
  g_source_remove (sigterm_source);
  if (tick_source != 0)
    g_source_remove (tick_source);
  while (g_main_context_iteration (job.context, FALSE))
    ;
  dm_progress_relay_close (g_steal_pointer (&job.relay));

  if (job.transform != NULL)
    {
      g_signal_handler_disconnect (job.transform, job.progress_handler);
      g_object_unref (job.transform);
    }

  if (job.succeeded)
    dm_cli_progress_finish (progress, g_get_monotonic_time ());
  else
    dm_cli_progress_interrupt (progress);

  *stop_signal = job.stop_signal;
  if (!job.succeeded)
    g_propagate_error (error, g_steal_pointer (&job.error));

  g_object_unref (job.cancellable);
  g_main_loop_unref (job.loop);
  g_main_context_unref (job.context);

  return job.succeeded;
}
