/* dm-cli-host-seconds.c: the host's own report member.
 *
 * The report is staged before the dataset is saved, and how long the save
 * took is known only after it: the member's value is printed in a fixed
 * length whatever the figures, so that the final one can be written over
 * the staged one in place (dm_staged_file_patch()), with no new space
 * needed once the dataset is in place.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include <dm.h>

#include "dm-cli-host-seconds.h"

/* Figures print as "%14.6f": up to this many seconds fit in 14 bytes. */
#define HOST_SECONDS_MAX 9999999.0

static void
append_figure (GString    *text,
               const char *name,
               double      seconds,
               const char *separator)
{
  char figure[G_ASCII_DTOSTR_BUF_SIZE];

  /* Locale-independent, as JSON wants; padded with spaces, which JSON
   * allows before a number, where zeros it does not. */
  g_ascii_formatd (figure, sizeof figure, "%14.6f", CLAMP (seconds, 0.0, HOST_SECONDS_MAX));
  g_string_append_printf (text, "    \"%s\" : %s%s\n", name, figure, separator);
}

/**
 * dm_host_seconds_format:
 * @seconds: the figures
 *
 * Returns: (transfer full): the member's value, a JSON object of the same
 *   length whatever the figures
 */
GString *
dm_host_seconds_format (const DmHostSeconds *seconds)
{
  GString *text = g_string_new ("{\n");

  append_figure (text, DM_TRANSFORM_REPORT_HOST_LOADING, seconds->loading, ",");
  append_figure (text, DM_TRANSFORM_REPORT_HOST_WRITING, seconds->writing, ",");
  append_figure (text, DM_TRANSFORM_REPORT_HOST_TOTAL, seconds->total, "");
  g_string_append (text, "  }");
  return text;
}

/**
 * dm_host_seconds_append:
 * @text: a resizable stream holding the JSON object a transform wrote
 * @seconds: the figures so far
 * @value_offset: (out): where in @text the member's value starts
 *
 * Reopens the object in @text and adds the member
 * %DM_TRANSFORM_REPORT_HOST_SECONDS as its last.
 *
 * Returns: %FALSE, with @text unchanged, when @text does not end an object
 */
gboolean
dm_host_seconds_append (GMemoryOutputStream *text,
                        const DmHostSeconds *seconds,
                        goffset             *value_offset)
{
  const char *data = g_memory_output_stream_get_data (text);
  gsize end = g_memory_output_stream_get_data_size (text);
  g_autoptr(GString) member = g_string_new (NULL);
  g_autoptr(GString) value = dm_host_seconds_format (seconds);
  gsize before;

  while (end > 0 && g_ascii_isspace (data[end - 1]))
    end--;
  if (end == 0 || data[end - 1] != '}')
    return FALSE;
  before = end - 1;
  while (before > 0 && g_ascii_isspace (data[before - 1]))
    before--;

  /* An empty object takes no comma. */
  g_string_printf (member, "%s\n  \"%s\" : ", before > 0 && data[before - 1] == '{' ? "" : ",",
                   DM_TRANSFORM_REPORT_HOST_SECONDS);
  *value_offset = before + member->len;
  g_string_append_len (member, value->str, value->len);
  g_string_append (member, "\n}\n");

  /* A resizable memory stream, open, takes any seek and write. */
  if (!g_seekable_truncate (G_SEEKABLE (text), before, NULL, NULL) ||
      !g_seekable_seek (G_SEEKABLE (text), before, G_SEEK_SET, NULL, NULL) ||
      !g_output_stream_write_all (G_OUTPUT_STREAM (text), member->str, member->len, NULL, NULL, NULL))
    g_return_val_if_reached (FALSE);
  return TRUE;
}
