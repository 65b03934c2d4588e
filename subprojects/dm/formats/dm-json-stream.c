/* dm-json-stream.c: JSON files as streams, through yajl: feeding a file to
 * its event parser, and writing one with its generator.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include <glib/gi18n-lib.h>

#include "dm-error.h"
#include "dm-file-tree-private.h"
#include "dm-json-stream.h"

/* Large enough that the per-call overhead vanishes, small enough to stay
 * out of the peak memory of a 400 MB file. */
#define CHUNK_SIZE (1024 * 1024)

/* The generated text gathers to this much before it goes to the stream. */
#define WRITE_CHUNK_SIZE (256 * 1024)

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

/*
 * dm_json_gen_text:
 * @gen: a generator
 * @text: a NUL-terminated string, a member name or a value
 */
void
dm_json_gen_text (yajl_gen    gen,
                  const char *text)
{
  yajl_gen_string (gen, (const unsigned char *) text, strlen (text));
}

/* A double as json-glib's generator writes it (g_ascii_dtostr(), with
 * ".0" where that reads as an integer), so that a header read and written
 * again stays as it was. */
static void
gen_double (yajl_gen gen,
            double   value)
{
  char text[G_ASCII_DTOSTR_BUF_SIZE + 2];

  g_ascii_dtostr (text, G_ASCII_DTOSTR_BUF_SIZE, value);
  if (strchr (text, '.') == NULL && strchr (text, 'e') == NULL)
    strcat (text, ".0");
  yajl_gen_number (gen, text, strlen (text));
}

/*
 * dm_json_gen_members:
 * @gen: a generator in an object
 * @object: a json-glib object
 *
 * Generates the members of @object, in their order, into the object @gen
 * has open.
 */
void
dm_json_gen_members (yajl_gen    gen,
                     JsonObject *object)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    {
      dm_json_gen_text (gen, name);
      dm_json_gen_node (gen, member);
    }
}

/*
 * dm_json_gen_node:
 * @gen: a generator
 * @node: a json-glib tree, such as a subset's header
 *
 * Generates @node as json_to_string() would write it.
 */
void
dm_json_gen_node (yajl_gen  gen,
                  JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      yajl_gen_map_open (gen);
      dm_json_gen_members (gen, json_node_get_object (node));
      yajl_gen_map_close (gen);
      break;
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        yajl_gen_array_open (gen);
        for (guint i = 0; i < json_array_get_length (array); i++)
          dm_json_gen_node (gen, json_array_get_element (array, i));
        yajl_gen_array_close (gen);
      }
      break;
    case JSON_NODE_NULL:
      yajl_gen_null (gen);
      break;
    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_INT64:
          yajl_gen_integer (gen, json_node_get_int (node));
          break;
        case G_TYPE_DOUBLE:
          gen_double (gen, json_node_get_double (node));
          break;
        case G_TYPE_BOOLEAN:
          yajl_gen_bool (gen, json_node_get_boolean (node));
          break;
        case G_TYPE_STRING:
          dm_json_gen_text (gen, json_node_get_string (node));
          break;
        default:
          g_assert_not_reached ();
        }
      break;
    default:
      g_assert_not_reached ();
    }
}

/*
 * dm_json_gen_value_text:
 * @gen: a generator expecting a value
 * @json: a complete JSON value as text (an item as it was read)
 *
 * Generates @json as it is: yajl copies a number's text verbatim, with
 * the separator before it, which is what a value already in JSON needs.
 */
void
dm_json_gen_value_text (yajl_gen    gen,
                        const char *json)
{
  yajl_gen_number (gen, json, strlen (json));
}

/*
 * dm_json_node_to_text:
 * @node: a json-glib tree
 *
 * Returns: (transfer full): @node as compact JSON text
 */
char *
dm_json_node_to_text (JsonNode *node)
{
  yajl_gen gen = yajl_gen_alloc (NULL);
  char *text;

  dm_json_gen_node (gen, node);
  text = dm_json_gen_steal_text (gen);
  yajl_gen_free (gen);
  return text;
}

/*
 * dm_json_writer_init:
 * @writer: the writer to set up
 * @stream: the file's stream
 * @path: the file, for errors
 * @cancellable: (nullable): checked at each flush
 */
void
dm_json_writer_init (DmJsonWriter  *writer,
                     GOutputStream *stream,
                     const char    *path,
                     GCancellable  *cancellable)
{
  writer->gen = yajl_gen_alloc (NULL);
  writer->stream = stream;
  writer->path = path;
  writer->cancellable = cancellable;
}

/*
 * dm_json_writer_flush:
 * @writer: a writer
 * @all: write all the text made so far, not only when much has gathered
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
dm_json_writer_flush (DmJsonWriter  *writer,
                      gboolean       all,
                      GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  const unsigned char *buffer;
  size_t length;

  yajl_gen_get_buf (writer->gen, &buffer, &length);
  if (!all && length < WRITE_CHUNK_SIZE)
    return TRUE;
  if (!g_output_stream_write_all (writer->stream, buffer, length, NULL, writer->cancellable, &local_error))
    return dm_propagate_write_error (error, g_steal_pointer (&local_error), writer->path);
  yajl_gen_clear (writer->gen);
  return TRUE;
}

void
dm_json_writer_clear (DmJsonWriter *writer)
{
  g_clear_pointer (&writer->gen, yajl_gen_free);
}
