/* dm-json-stream.c: JSON files as streams, through yajl: parsing a file
 * into a parser's events, and writing one with its generator.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include <glib/gi18n-lib.h>
#include <yajl/yajl_parse.h>

#include "dm-error.h"
#include "dm-file-tree-private.h"
#include "dm-json-stream.h"

/* Large enough that the per-call overhead vanishes (a read per 64 KiB);
 * small, because every page of a fresh buffer is a page fault: 1 MiB
 * chunks cost about 250 of them per file read, several milliseconds of a
 * 10k-item load in a VM where a fault takes 10 us. */
#define CHUNK_SIZE (64 * 1024)

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

/* ---- yajl's events, as a DmJsonEvents parser gets them ---- */

/* The context of event_callbacks: a parser and what it does, and the
 * source text of the container at events->raw_depth being read. */
typedef struct
{
  const DmJsonEvents *events;
  gpointer parser;
  yajl_handle handle;
  const guchar *chunk;        /* the text yajl_parse() is reading */
  guint depth;
  gsize capture_from;         /* where the container's text goes on in chunk */
  GString *raw;
  gboolean in_string, escaped;
} EventSink;

/* Appends @length bytes of source text to sink->raw, but for the
 * whitespace between tokens; a string's quotes and escapes are followed
 * across calls. */
static void
append_raw (EventSink    *sink,
            const guchar *text,
            gsize         length)
{
  gsize start = sink->raw->len;
  gboolean in_string = sink->in_string, escaped = sink->escaped;
  char *out;

  g_string_set_size (sink->raw, start + length);
  out = sink->raw->str + start;
  for (gsize i = 0; i < length; i++)
    {
      guchar c = text[i];

      if (!in_string)
        {
          if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
            continue;
          in_string = c == '"';
        }
      else if (escaped)
        escaped = FALSE;
      else if (c == '\\')
        escaped = TRUE;
      else if (c == '"')
        in_string = FALSE;
      *out++ = (char) c;
    }
  g_string_truncate (sink->raw, (gsize) (out - sink->raw->str));
  sink->in_string = in_string;
  sink->escaped = escaped;
}

/* Whether a container at events->raw_depth is open: its text is being
 * captured. */
static inline gboolean
is_capturing (const EventSink *sink)
{
  return sink->events->raw_depth > 0 && sink->depth >= sink->events->raw_depth;
}

/* The text yajl has read of the container being captured, up to the end
 * of the token just read. */
static void
capture_to_token (EventSink *sink)
{
  gsize consumed = yajl_get_bytes_consumed (sink->handle);

  append_raw (sink, sink->chunk + sink->capture_from, consumed - sink->capture_from);
  sink->capture_from = consumed;
}

static int
event_null (void *context)
{
  EventSink *sink = context;

  return sink->events->value (sink->parser, DM_JSON_VALUE_OTHER, "null", 4);
}

static int
event_boolean (void *context,
               int   value)
{
  EventSink *sink = context;

  return sink->events->value (sink->parser, DM_JSON_VALUE_OTHER, value ? "true" : "false", value ? 4 : 5);
}

static int
event_number (void       *context,
              const char *text,
              size_t      length)
{
  EventSink *sink = context;

  return sink->events->value (sink->parser, DM_JSON_VALUE_NUMBER, text, length);
}

/* Whether @text is UTF-8 but for NUL bytes, which g_utf8_validate_len()
 * refuses: a "\u0000" that the parser takes (DM_JSON_ESCAPES_WITH_NUL). */
static gboolean
validate_utf8_with_nul (const char *text,
                        size_t      length)
{
  const char *end;

  while (!g_utf8_validate_len (text, length, &end))
    {
      if (*end != '\0')
        return FALSE;
      length -= (size_t) (end - text) + 1;
      text = end + 1;
    }
  return TRUE;
}

/* A string, or a member name when @is_name. Escapes that are no character
 * were refused before yajl decoded them (scan_escapes()); raw bytes that
 * are not UTF-8 yajl lets through (an overlong form, a surrogate's bytes). */
static int
event_text (EventSink           *sink,
            const unsigned char *text,
            size_t               length,
            gboolean             is_name)
{
  if (!validate_utf8_with_nul ((const char *) text, length))
    return sink->events->fail_not_utf8 (sink->parser,
                                        is_name ? _("a member name is not valid UTF-8")
                                                : _("a string is not valid UTF-8"));
  if (is_name)
    return sink->events->member (sink->parser, (const char *) text, length);
  return sink->events->value (sink->parser, DM_JSON_VALUE_STRING, (const char *) text, length);
}

static int
event_string (void                *context,
              const unsigned char *text,
              size_t               length)
{
  return event_text (context, text, length, FALSE);
}

static int
event_map_key (void                *context,
               const unsigned char *key,
               size_t               length)
{
  return event_text (context, key, length, TRUE);
}

/* A container opens (@open) or closes; @is_array: an array, not an object. */
static int
event_container (void     *context,
                 gboolean  open,
                 gboolean  is_array)
{
  EventSink *sink = context;
  gboolean at_raw_depth;

  if (open)
    {
      sink->depth++;
      if (sink->depth == sink->events->raw_depth)
        {
          /* The bracket is the token just read. */
          sink->capture_from = yajl_get_bytes_consumed (sink->handle) - 1;
          sink->in_string = sink->escaped = FALSE;
          g_string_truncate (sink->raw, 0);
        }
      return sink->events->open (sink->parser, is_array);
    }

  at_raw_depth = sink->depth == sink->events->raw_depth;
  sink->depth--;
  if (at_raw_depth)
    {
      capture_to_token (sink);
      if (!sink->events->raw (sink->parser, sink->raw->str, sink->raw->len))
        return 0;
    }
  return sink->events->close (sink->parser, is_array);
}

static int event_start_map (void *context)   { return event_container (context, TRUE, FALSE); }
static int event_end_map (void *context)     { return event_container (context, FALSE, FALSE); }
static int event_start_array (void *context) { return event_container (context, TRUE, TRUE); }
static int event_end_array (void *context)   { return event_container (context, FALSE, TRUE); }

static const yajl_callbacks event_callbacks = {
  .yajl_null = event_null,
  .yajl_boolean = event_boolean,
  .yajl_number = event_number,
  .yajl_string = event_string,
  .yajl_start_map = event_start_map,
  .yajl_map_key = event_map_key,
  .yajl_end_map = event_end_map,
  .yajl_start_array = event_start_array,
  .yajl_end_array = event_end_array,
};

/* ---- \u escapes yajl would decode into no character ---- */

typedef enum {
  ESCAPE_SOUND,
  ESCAPE_LONE_HIGH,   /* \ud800-\udbff without \udc00-\udfff right after it */
  ESCAPE_LONE_LOW,    /* \udc00-\udfff without \ud800-\udbff right before it */
  ESCAPE_NUL,         /* \u0000 */
} EscapeProblem;

typedef enum {
  SCAN_TEXT,          /* looking for a backslash */
  SCAN_BACKSLASH,     /* after one */
  SCAN_HEX,           /* in \uXXXX's digits */
  SCAN_LOW_BACKSLASH, /* after a high surrogate, where its low half's backslash must be */
} ScanState;

/* The scan of the whole text, chunk by chunk: an escape may straddle two.
 * A backslash outside a string is a syntax error of yajl's, which it
 * reports before the scan's problem (the text is fed to yajl up to the
 * problem first), so strings need not be told from the rest. */
typedef struct
{
  ScanState state;
  guint n_digits;
  gunichar value;       /* the \u escape's digits so far */
  gunichar high;        /* a high surrogate waiting for its low half, or 0 */
  guint64 start;        /* the offset of the current escape's backslash */
  guint64 high_start;   /* the high surrogate's */
  /* What was found: the escape and its offset in the text. */
  gunichar bad_value;
  guint64 bad_start;
} EscapeScan;

static gboolean is_high_surrogate (gunichar c) { return c >= 0xd800 && c <= 0xdbff; }
static gboolean is_low_surrogate (gunichar c)  { return c >= 0xdc00 && c <= 0xdfff; }

/* The high surrogate waiting for its low half had none. */
static EscapeProblem
lone_high (EscapeScan *s)
{
  s->bad_value = s->high;
  s->bad_start = s->high_start;
  return ESCAPE_LONE_HIGH;
}

/* A complete \uXXXX, not the low half of a pair. */
static EscapeProblem
check_escape (EscapeScan    *s,
              DmJsonEscapes  escapes)
{
  s->state = SCAN_TEXT;
  if (is_high_surrogate (s->value))
    {
      s->high = s->value;
      s->high_start = s->start;
      s->state = SCAN_LOW_BACKSLASH;
      return ESCAPE_SOUND;
    }
  s->bad_value = s->value;
  s->bad_start = s->start;
  if (is_low_surrogate (s->value))
    return ESCAPE_LONE_LOW;
  if (s->value == 0 && escapes == DM_JSON_ESCAPES_CHARACTERS)
    return ESCAPE_NUL;
  return ESCAPE_SOUND;
}

/* Scans @chunk, at @base in the text, on from where the chunk before left
 * @s. Stops at the first escape that @escapes does not take, which ends
 * the parse; at the chunk's end, ESCAPE_SOUND. */
static EscapeProblem
scan_escapes (EscapeScan    *s,
              DmJsonEscapes  escapes,
              const guchar  *chunk,
              gsize          length,
              guint64        base)
{
  gsize i = 0;
  EscapeProblem problem = ESCAPE_SOUND;

  while (i < length && problem == ESCAPE_SOUND)
    {
      guchar c = chunk[i];

      switch (s->state)
        {
        case SCAN_TEXT:
          {
            const guchar *backslash = memchr (chunk + i, '\\', length - i);

            if (backslash == NULL)
              {
                i = length;
                break;
              }
            i = (gsize) (backslash - chunk);
          }
          G_GNUC_FALLTHROUGH;
        case SCAN_LOW_BACKSLASH:
          if (chunk[i] != '\\')
            {
              problem = lone_high (s);
              break;
            }
          s->start = base + i++;
          s->state = SCAN_BACKSLASH;
          break;
        case SCAN_BACKSLASH:
          i++;
          if (c == 'u')
            {
              s->state = SCAN_HEX;
              s->n_digits = 0;
              s->value = 0;
            }
          else if (s->high != 0)
            problem = lone_high (s);
          else
            s->state = SCAN_TEXT;   /* \n, \", \\ and the like */
          break;
        case SCAN_HEX:
          if (!g_ascii_isxdigit (c))
            {
              /* yajl reports the escape itself. */
              if (s->high != 0)
                problem = lone_high (s);
              s->state = SCAN_TEXT;
              break;
            }
          i++;
          s->value = s->value * 16 + (gunichar) g_ascii_xdigit_value (c);
          if (++s->n_digits < 4)
            break;
          if (s->high != 0 && is_low_surrogate (s->value))
            {
              s->high = 0;
              s->state = SCAN_TEXT;
            }
          else if (s->high != 0)
            problem = lone_high (s);
          else
            problem = check_escape (s, escapes);
          break;
        }
    }
  return problem;
}

/* The message of @problem, found at @where ("file:line:column"). */
static void
set_escape_error (GError        **error,
                  const char     *where,
                  EscapeProblem   problem,
                  gunichar        value)
{
  switch (problem)
    {
    case ESCAPE_LONE_HIGH:
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                   _("%s: “\\u%04x” is the first half of a UTF-16 surrogate pair, and no second half "
                     "(\\udc00 to \\udfff) follows it: the string holds no such character"),
                   where, value);
      break;
    case ESCAPE_LONE_LOW:
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                   _("%s: “\\u%04x” is the second half of a UTF-16 surrogate pair, and no first half "
                     "(\\ud800 to \\udbff) comes before it: the string holds no such character"),
                   where, value);
      break;
    case ESCAPE_NUL:
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                   _("%s: “\\u0000” (a NUL character) cannot be in a string of this file"), where);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Scans @chunk (at @base in the text) for an escape @escapes does not
 * take; *@good_length is how much of @chunk comes before it. */
static EscapeProblem
scan_chunk (EscapeScan    *scan,
            DmJsonEscapes  escapes,
            const guchar  *chunk,
            gsize          length,
            guint64        base,
            gsize         *good_length)
{
  EscapeProblem problem = ESCAPE_SOUND;

  if (escapes != DM_JSON_ESCAPES_ANY)
    problem = scan_escapes (scan, escapes, chunk, length, base);
  /* A problem's escape may have begun in the chunk before. */
  *good_length = problem == ESCAPE_SOUND ? length : (gsize) (MAX (scan->bad_start, base) - base);
  return problem;
}

/* "file:line:column" of the escape @scan found, @chunk starting at @base,
 * on line @line at column @column. An escape that began in the chunk
 * before has no newline in it. */
static char *
escape_where (const char       *name,
              const EscapeScan *scan,
              const guchar     *chunk,
              guint64           base,
              guint64           line,
              guint64           column)
{
  guint64 at_line = line, at_column;

  if (scan->bad_start >= base)
    locate (chunk, scan->bad_start - base, line, column, &at_line, &at_column);
  else
    at_column = column - (base - scan->bad_start);
  return g_strdup_printf ("%s:%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT, name, at_line, at_column);
}

/* The encoding the first bytes of a JSON text (@length of them, @start)
 * show when it is not UTF-8, or NULL: a byte-order mark, or the NUL bytes
 * that UTF-16 and UTF-32 give its first character, which is ASCII (RFC
 * 4627, section 3). yajl would stop at the first byte it cannot take,
 * "line 1, column 2", which says nothing of why. */
static const char *
foreign_encoding (const guchar *start,
                  gsize         length)
{
  if (length >= 3 && memcmp (start, "\xef\xbb\xbf", 3) == 0)
    return _("UTF-8 with a byte-order mark");
  if (length >= 4 && memcmp (start, "\xff\xfe\0\0", 4) == 0)
    return "UTF-32LE";
  if (length >= 4 && memcmp (start, "\0\0\xfe\xff", 4) == 0)
    return "UTF-32BE";
  if (length >= 2 && memcmp (start, "\xff\xfe", 2) == 0)
    return "UTF-16LE";
  if (length >= 2 && memcmp (start, "\xfe\xff", 2) == 0)
    return "UTF-16BE";
  if (length >= 4 && start[0] != 0 && start[1] == 0 && start[2] == 0 && start[3] == 0)
    return "UTF-32LE";
  if (length >= 4 && start[0] == 0 && start[1] == 0 && start[2] == 0 && start[3] != 0)
    return "UTF-32BE";
  if (length >= 2 && start[0] != 0 && start[1] == 0)
    return "UTF-16LE";
  if (length >= 2 && start[0] == 0 && start[1] != 0)
    return "UTF-16BE";
  return NULL;
}

/*
 * dm_json_stream_parse_events:
 * @path: the file to parse
 * @events: what @parser does with each event
 * @parser: the state @events work on
 * @parser_error: where @events leave the error that stops the parse
 * @cancellable: (nullable): checked between chunks
 * @error: return location for a #GError
 *
 * dm_json_input_parse_events() for the file @path.
 *
 * Returns: %TRUE when the whole file was parsed
 */
gboolean
dm_json_stream_parse_events (const char         *path,
                             const DmJsonEvents *events,
                             gpointer            parser,
                             GError            **parser_error,
                             GCancellable       *cancellable,
                             GError            **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) input = NULL;
  g_autoptr(GError) local_error = NULL;

  input = g_file_read (file, cancellable, &local_error);
  if (input == NULL)
    {
      g_set_error (error, G_IO_ERROR, local_error->code,
                   _("Cannot read %s: %s"), path, local_error->message);
      return FALSE;
    }
  return dm_json_input_parse_events (G_INPUT_STREAM (input), path, events, parser, parser_error,
                                     cancellable, error);
}

/*
 * dm_json_input_parse_events:
 * @input: the JSON text, such as a file's stream or a #GMemoryInputStream
 * @name: what @input is (a file's path), for errors
 * @events: what @parser does with each event
 * @parser: the state @events work on
 * @parser_error: where @events leave the error that stops the parse
 * @cancellable: (nullable): checked between chunks
 * @error: return location for a #GError
 *
 * Parses @input as one JSON value, chunk by chunk, into @parser through
 * @events. A syntax error, or an escape that @events do not take
 * (#DmJsonEscapes), is reported with @name, line and column; the error
 * @events set (returning 0) is passed on as it is.
 *
 * Returns: %TRUE when the whole text was parsed
 */
gboolean
dm_json_input_parse_events (GInputStream       *input,
                            const char         *name,
                            const DmJsonEvents *events,
                            gpointer            parser,
                            GError            **parser_error,
                            GCancellable       *cancellable,
                            GError            **error)
{
  EventSink sink = { events, parser };
  EscapeScan scan = { 0 };
  EscapeProblem problem;
  gsize good_length;
  g_autofree guchar *chunk = g_malloc (CHUNK_SIZE);
  g_autoptr(GError) local_error = NULL;
  yajl_handle handle = yajl_alloc (&event_callbacks, NULL, &sink);
  g_autoptr(GString) raw = events->raw_depth > 0 ? g_string_new (NULL) : NULL;
  yajl_status status = yajl_status_ok;
  guint64 line = 1, column = 1, total = 0;
  gsize length = 0;
  gboolean ok = FALSE;
  const char *encoding;

  sink.handle = handle;
  sink.raw = raw;
  for (;;)
    {
      gssize n_read = g_input_stream_read (input, chunk, CHUNK_SIZE, cancellable, &local_error);

      if (n_read < 0)
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            g_propagate_error (error, g_steal_pointer (&local_error));
          else
            g_set_error (error, G_IO_ERROR, local_error->code,
                         _("Cannot read %s: %s"), name, local_error->message);
          goto out;
        }
      if (n_read == 0)
        break;

      length = (gsize) n_read;
      /* JSON files are UTF-8 (RFC 8259), and Datumaro reads no other, a
       * byte-order mark included: another encoding is named as such. */
      if (total == 0 && (encoding = foreign_encoding (chunk, length)) != NULL)
        {
          g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                       _("%s: the file is in an unsupported encoding, %s: JSON files must be UTF-8 "
                         "without a byte-order mark"), name, encoding);
          goto out;
        }
      problem = scan_chunk (&scan, events->escapes, chunk, length, total, &good_length);
      total += length;
      /* What comes before the escape is parsed first: an error of its own
       * is reported as the first. */
      sink.chunk = chunk;
      status = yajl_parse (handle, chunk, good_length);
      if (status != yajl_status_ok)
        {
          length = good_length;
          break;
        }
      /* A container being captured goes on in the next chunk. */
      if (is_capturing (&sink))
        {
          append_raw (&sink, chunk + sink.capture_from, good_length - sink.capture_from);
          sink.capture_from = 0;
        }
      if (problem != ESCAPE_SOUND)
        {
          g_autofree char *where = escape_where (name, &scan, chunk, total - length, line, column);

          set_escape_error (error, where, problem, scan.bad_value);
          goto out;
        }
      locate (chunk, length, line, column, &line, &column);
    }

  if (status == yajl_status_ok)
    {
      if (total == 0)
        {
          g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                       _("%s: the file is empty, not JSON"), name);
          goto out;
        }
      length = 0;
      /* yajl finishes by reading one space of its own. */
      sink.chunk = (const guchar *) " ";
      status = yajl_complete_parse (handle);
    }

  if (status == yajl_status_client_canceled)
    {
      g_assert (*parser_error != NULL);
      g_propagate_error (error, g_steal_pointer (parser_error));
      goto out;
    }
  if (status != yajl_status_ok)
    {
      set_syntax_error (error, name, handle, chunk, length, line, column);
      goto out;
    }
  ok = TRUE;

out:
  yajl_free (handle);
  return ok;
}


/*
 * dm_json_events_fail:
 * @path: the file being parsed
 * @error: the parser's error
 * @format: what is wrong with the data, printf()-style
 *
 * Sets *@error (unless the parser has one already) to @path's data being
 * invalid as @format words it.
 *
 * Returns: 0, for an event to stop the parse
 */
int
dm_json_events_fail (const char  *path,
                     GError     **error,
                     const char  *format,
                     ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  if (*error == NULL)
    g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA, "%s: %s", path, what);
  return 0;
}

/*
 * dm_json_value_kind_name:
 * @kind: a kind of value
 *
 * Returns: @kind as messages name it ("an object")
 */
const char *
dm_json_value_kind_name (DmJsonValueKind kind)
{
  switch (kind)
    {
    case DM_JSON_VALUE_MAP: return _("an object");
    case DM_JSON_VALUE_ARRAY: return _("an array");
    case DM_JSON_VALUE_STRING: return _("a string");
    case DM_JSON_VALUE_NUMBER: return _("a number");
    default: return _("true, false or null");
    }
}

/*
 * dm_json_node_kind:
 * @node: a node of a json-glib tree
 *
 * Returns: what @node is, as a parser of events sees it: for
 *   dm_json_value_kind_name() to name it in messages
 */
DmJsonValueKind
dm_json_node_kind (JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT: return DM_JSON_VALUE_MAP;
    case JSON_NODE_ARRAY: return DM_JSON_VALUE_ARRAY;
    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_STRING: return DM_JSON_VALUE_STRING;
        case G_TYPE_INT64:
        case G_TYPE_DOUBLE: return DM_JSON_VALUE_NUMBER;
        default: return DM_JSON_VALUE_OTHER;
        }
    default: return DM_JSON_VALUE_OTHER;
    }
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
