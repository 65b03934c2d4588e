/* dm-kmeans-parallel.h: the project's one parallel loop, on threads of its own,
 * for the k-means passes and the plugin's per-item work.
 *
 * Work is cut into tasks the caller numbers; which thread runs a task never
 * matters because every task writes only its own outputs, so results do
 * not depend on the thread count.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _DmParallel DmParallel;
/* worker: 0 .. n_threads - 1, which thread runs the task, for per-thread
 * scratch space; results must not depend on it. */
typedef void (*DmParallelTaskFunc) (gsize task, guint worker, gpointer user_data);

/* n_threads 0 = all cores; 1 runs every task in the calling thread. */
DmParallel *dm_parallel_new (guint n_threads);
guint       dm_parallel_get_n_threads (DmParallel *parallel);
/* Runs task(0) .. task(n_tasks - 1), the caller included, and returns when
 * all are done. */
void        dm_parallel_run (DmParallel        *parallel,
                             gsize              n_tasks,
                             DmParallelTaskFunc task,
                             gpointer           user_data);
/* Called from the calling thread of dm_parallel_run_watched() with the
 * number of tasks finished so far. */
typedef void (*DmParallelWatchFunc) (gsize n_done, gpointer user_data);
/* As dm_parallel_run(), and calls @watch about every @interval_us
 * microseconds while the tasks run, and once when all are done. */
void        dm_parallel_run_watched (DmParallel         *parallel,
                                     gsize               n_tasks,
                                     DmParallelTaskFunc  task,
                                     gpointer            user_data,
                                     gint64              interval_us,
                                     DmParallelWatchFunc watch,
                                     gpointer            watch_data);
void        dm_parallel_free (DmParallel *parallel);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmParallel, dm_parallel_free)

G_END_DECLS
