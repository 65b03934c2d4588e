/* dm-cli-log.h: how the dm command shows the libraries' log messages.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What the log writer needs from the command line. */
typedef struct
{
  gboolean quiet;   /* -q: no messages, warnings still */
} DmCliLog;

DmCliLog *dm_cli_log_install (void);

G_END_DECLS
