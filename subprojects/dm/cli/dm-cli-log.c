/* dm-cli-log.c: how the dm command shows the libraries' log messages.
 *
 * A warning or message from libdm (an item's label id outside the labels,
 * a file an ImageNet folder holds that is no image) is one line in the
 * command's own voice, "dm: warning: …" or "dm: …", not GLib's
 * "(dm prune:PID): Dm-WARNING **: TIME: …". -q silences messages, not
 * warnings; debug and info messages show as G_MESSAGES_DEBUG says; a
 * critical or an error is a bug and keeps GLib's full, loud form.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib/gi18n.h>

#include "dm-cli-log.h"

/* The value of the field @key of @fields, or NULL. */
static const char *
field_value (const GLogField *fields,
             gsize            n_fields,
             const char      *key)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, key) && fields[i].length < 0)
      return fields[i].value;
  return NULL;
}

static GLogWriterOutput
write_log (GLogLevelFlags   level,
           const GLogField *fields,
           gsize            n_fields,
           gpointer         user_data)
{
  const DmCliLog *log = user_data;
  const char *message = field_value (fields, n_fields, "MESSAGE");

  if ((level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL)) || message == NULL)
    return g_log_writer_default (level, fields, n_fields, NULL);
  if (g_log_writer_default_would_drop (level, field_value (fields, n_fields, "GLIB_DOMAIN")))
    return G_LOG_WRITER_HANDLED;

  if (level & G_LOG_LEVEL_WARNING)
    /* TRANSLATORS: a warning from the libraries, shown by the dm command */
    g_printerr (_("dm: warning: %s\n"), message);
  else if (!log->quiet)
    g_printerr ("dm: %s\n", message);
  return G_LOG_WRITER_HANDLED;
}

/**
 * dm_cli_log_install:
 *
 * Shows every later log message of the process as write_log() does. Once
 * per process (GLib allows one writer).
 *
 * Returns: (transfer none): the writer's settings, for the command to set
 *   once it has parsed its options; they live as long as the process
 */
DmCliLog *
dm_cli_log_install (void)
{
  DmCliLog *log = g_new0 (DmCliLog, 1);

  g_log_set_writer_func (write_log, log, NULL);
  return log;
}
