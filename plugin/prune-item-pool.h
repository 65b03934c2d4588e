/* prune-item-pool.h: per-item work on all cores, with progress and cancel.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <dm.h>

G_BEGIN_DECLS

/* Does the work of item @index (0 ≤ index < n_items); called from worker
 * threads, each index once. Each call must touch only its own item's
 * output, so the result does not depend on scheduling. */
typedef gboolean (*PruneItemWork) (guint     index,
                                   gpointer  user_data,
                                   GError  **error);

/* Progress: the phase is reported as done_before + done items of total. */
typedef struct {
  DmTransform *reporter;      /* nullable */
  const char  *phase;
  guint        done_before;
  guint        total;
} PruneItemProgress;

/* The work: @work for items 0 .. n_items - 1, n_threads at once (0: one
 * per core). */
typedef struct {
  guint          n_items;
  guint          n_threads;
  PruneItemWork  work;
  gpointer       user_data;   /* for work */
} PruneItemBatch;

gboolean prune_item_pool_run (const PruneItemBatch    *batch,
                              const PruneItemProgress *progress,
                              GError                 **errors,
                              GCancellable            *cancellable,
                              GError                 **error);

G_END_DECLS
