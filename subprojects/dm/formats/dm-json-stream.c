/* dm-json-stream.c: feeding a JSON file through yajl's event parser.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include <glib/gi18n-lib.h>

#include "dm-error.h"
#include "dm-json-stream.h"

/* Large enough that the per-call overhead vanishes, small enough to stay
 * out of the peak memory of a 400 MB file. */
#define CHUNK_SIZE (1024 * 1024)

/* Line and column (both from 1) of the byte at @offset in @chunk, the
 * chunk starting on line @line at column @column. */
static void
locate (const guchar *chunk,
        gsize         offset,
        guint64       line,
        guint64       column,
        guint64      *out_line,
        guint64      *out_column)
{
  const guchar *end = chunk + offset;
  const guchar *line_start = NULL;

  for (const guchar *p = chunk; (p = memchr (p, '\n', end - p)) != NULL; p++)
    {
      line++;
      line_start = p + 1;
    }
  *out_line = line;
  *out_column = line_start != NULL ? (guint64) (end - line_start) + 1 : column + offset;
}

static void
set_syntax_error (GError       **error,
                  const char    *path,
                  yajl_handle    handle,
                  const guchar  *chunk,
                  gsize          chunk_length,
                  guint64        line,
                  guint64        column)
{
  guchar *message = yajl_get_error (handle, 0, chunk, chunk_length);
  g_autofree char *text = g_strstrip (g_strdup ((const char *) message));
  g_autofree char *where = NULL;
  gsize consumed = yajl_get_bytes_consumed (handle);
  guint64 at_line, at_column;

  yajl_free_error (handle, message);
  locate (chunk, MIN (consumed, chunk_length), line, column, &at_line, &at_column);
  where = g_strdup_printf ("%s:%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT, path, at_line, at_column);
  g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA, _("%s: not valid JSON (%s)"), where, text);
}

/*
 * dm_json_stream_parse_file:
 * @path: the file to parse
 * @callbacks: yajl's callbacks, called with @context
 * @context: the callbacks' state
 * @callback_error: where the callbacks put their error before they return 0
 * @cancellable: (nullable): checked between chunks
 * @error: return location for a #GError
 *
 * Parses @path as one JSON value, chunk by chunk. A syntax error is reported
 * with the file, line and column; an error a callback set (returning 0) is
 * passed on as it is.
 */
gboolean
dm_json_stream_parse_file (const char           *path,
                           const yajl_callbacks *callbacks,
                           gpointer              context,
                           GError              **callback_error,
                           GCancellable         *cancellable,
                           GError              **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) input = NULL;
  g_autofree guchar *chunk = NULL;
  g_autoptr(GError) local_error = NULL;
  yajl_handle handle;
  yajl_status status = yajl_status_ok;
  guint64 line = 1, column = 1, total = 0;
  gsize length = 0;
  gboolean ok = FALSE;

  input = g_file_read (file, cancellable, &local_error);
  if (input == NULL)
    {
      g_set_error (error, G_IO_ERROR, local_error->code,
                   _("Cannot read %s: %s"), path, local_error->message);
      return FALSE;
    }

  chunk = g_malloc (CHUNK_SIZE);
  handle = yajl_alloc (callbacks, NULL, context);

  for (;;)
    {
      gssize n_read = g_input_stream_read (G_INPUT_STREAM (input), chunk, CHUNK_SIZE,
                                           cancellable, &local_error);

      if (n_read < 0)
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            g_propagate_error (error, g_steal_pointer (&local_error));
          else
            g_set_error (error, G_IO_ERROR, local_error->code,
                         _("Cannot read %s: %s"), path, local_error->message);
          goto out;
        }
      if (n_read == 0)
        break;

      length = (gsize) n_read;
      total += length;
      status = yajl_parse (handle, chunk, length);
      if (status != yajl_status_ok)
        break;
      locate (chunk, length, line, column, &line, &column);
    }

  if (status == yajl_status_ok)
    {
      if (total == 0)
        {
          g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                       _("%s: the file is empty, not JSON"), path);
          goto out;
        }
      length = 0;
      status = yajl_complete_parse (handle);
    }

  if (status == yajl_status_client_canceled)
    {
      g_assert (*callback_error != NULL);
      g_propagate_error (error, g_steal_pointer (callback_error));
      goto out;
    }
  if (status != yajl_status_ok)
    {
      set_syntax_error (error, path, handle, chunk, length, line, column);
      goto out;
    }
  ok = TRUE;

out:
  yajl_free (handle);
  return ok;
}

/*
 * dm_json_parse_integer:
 * @number: a JSON number as yajl passes it (not NUL-terminated)
 * @length: its length
 * @value: (out): the integer
 *
 * Returns: whether @number is an integer (no fraction, no exponent) that
 *   fits 64 bits
 */
gboolean
dm_json_parse_integer (const char *number,
                       size_t      length,
                       gint64     *value)
{
  char buffer[32];

  /* The common case, a small non-negative integer, without a copy. */
  if (length > 0 && length <= 9)
    {
      gint64 v = 0;
      size_t i;

      for (i = 0; i < length && number[i] >= '0' && number[i] <= '9'; i++)
        v = v * 10 + (number[i] - '0');
      if (i == length)
        {
          *value = v;
          return TRUE;
        }
    }

  if (length == 0 || length >= sizeof buffer)
    return FALSE;
  memcpy (buffer, number, length);
  buffer[length] = '\0';

  return g_ascii_string_to_signed (buffer, 10, G_MININT64, G_MAXINT64, value, NULL);
}

/*
 * dm_json_gen_steal_text:
 * @gen: a generator that completed a value
 *
 * Returns: (transfer full): the text @gen made, after which @gen is empty
 *   and ready for the next value
 */
char *
dm_json_gen_steal_text (yajl_gen gen)
{
  const unsigned char *buffer;
  size_t length;
  char *text;

  yajl_gen_get_buf (gen, &buffer, &length);
  text = g_strndup ((const char *) buffer, length);
  yajl_gen_clear (gen);
  yajl_gen_reset (gen, NULL);

  return text;
}
