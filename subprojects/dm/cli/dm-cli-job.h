/* dm-cli-job.h: running a command's work in a worker thread, with progress
 * shown and Ctrl-C turned into cancellation.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

#include "dm.h"
#include "dm-cli-progress.h"

G_BEGIN_DECLS

typedef struct _DmCliJob DmCliJob;

/* The work, run in the worker thread. It passes @cancellable to every
 * long call and reports its own phases with dm_cli_job_report(). */
typedef gboolean (*DmCliJobFunc) (DmCliJob      *job,
                                  gpointer       user_data,
                                  GCancellable  *cancellable,
                                  GError       **error);

gboolean dm_cli_job_run              (DmCliProgress  *progress,
                                      DmCliJobFunc    func,
                                      gpointer        user_data,
                                      int            *stop_signal,
                                      GError        **error);

/* From the worker thread: */
void     dm_cli_job_report           (DmCliJob       *job,
                                      const char     *phase,
                                      double          fraction,
                                      guint           total);
void     dm_cli_job_follow_transform (DmCliJob       *job,
                                      DmTransform    *transform);

G_END_DECLS
