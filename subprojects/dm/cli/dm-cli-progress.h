/* dm-cli-progress.h: how dm shows the progress of a run's phases.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <stdio.h>

#include <glib.h>

#include "dm.h"

G_BEGIN_DECLS

/**
 * DmCliProgressMode:
 * @DM_CLI_PROGRESS_QUIET: show nothing
 * @DM_CLI_PROGRESS_LINES: one plain line as each phase starts, for logs
 * @DM_CLI_PROGRESS_BAR: a bar redrawn in place, for a terminal
 */
typedef enum {
  DM_CLI_PROGRESS_QUIET,
  DM_CLI_PROGRESS_LINES,
  DM_CLI_PROGRESS_BAR,
} DmCliProgressMode;

typedef struct _DmCliProgress DmCliProgress;

DmCliProgressMode dm_cli_progress_choose_mode (gboolean quiet);

DmCliProgress *dm_cli_progress_new       (DmCliProgressMode  mode,
                                          FILE              *stream);
void           dm_cli_progress_free      (DmCliProgress     *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmCliProgress, dm_cli_progress_free)

DmCliProgressMode dm_cli_progress_get_mode (DmCliProgress   *self);

void           dm_cli_progress_set_width (DmCliProgress     *self,
                                          guint              width);
void           dm_cli_progress_set_transform_class (DmCliProgress    *self,
                                                    DmTransformClass *klass);

void           dm_cli_progress_update    (DmCliProgress     *self,
                                          const char        *phase,
                                          double             fraction,
                                          guint              total,
                                          gint64             now_us);
void           dm_cli_progress_tick      (DmCliProgress     *self,
                                          gint64             now_us);
void           dm_cli_progress_finish    (DmCliProgress     *self,
                                          gint64             now_us);
void           dm_cli_progress_interrupt (DmCliProgress     *self);

/* The pieces, pure functions of their arguments, for the tests. */
char          *dm_cli_progress_format_duration (double       seconds);
char          *dm_cli_progress_format_bar      (DmTransformClass *klass,
                                                const char       *phase,
                                                double            fraction,
                                                guint             total,
                                                double            elapsed,
                                                guint             spinner_step,
                                                guint             width);
char          *dm_cli_progress_format_done     (DmTransformClass *klass,
                                                const char       *phase,
                                                guint             total,
                                                double            elapsed);
char          *dm_cli_progress_format_line     (DmTransformClass *klass,
                                                const char       *phase,
                                                guint             total);

G_END_DECLS
