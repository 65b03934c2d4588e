/* dm-json-stream.h: JSON files as streams, through yajl: parsing a file
 * into a parser's events, and writing one with its generator.
 *
 * Private to the host: the Datumaro reader and writer and the hash-key
 * cache handle their files with it, which are too large for a DOM, and the
 * HTML report reads a transform's per-item report member with it. This is
 * the host's one home of yajl's event parser, and its generator is the one
 * way libdm makes JSON text. Not installed; libdm and the report each link
 * it, hidden (formats/meson.build).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined (DM_COMPILATION) && !defined (DM_REPORT_COMPILATION)
#error "This header is private to libdm and the HTML report: include <dm.h>."
#endif

#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <yajl/yajl_gen.h>

G_BEGIN_DECLS

/* What a value is, as far as a parser of events cares. */
typedef enum {
  DM_JSON_VALUE_MAP,
  DM_JSON_VALUE_ARRAY,
  DM_JSON_VALUE_STRING,
  DM_JSON_VALUE_NUMBER,
  DM_JSON_VALUE_OTHER,       /* true, false, null */
} DmJsonValueKind;

/* Which \u escapes a parser takes. yajl decodes every escape without a
 * word: half a UTF-16 surrogate pair ("\ud800" alone) to "?" or to bytes
 * that are not UTF-8, "\u0000" to a NUL byte that a C string ends at. The
 * text is scanned for them before yajl sees it, and the parse stops at the
 * first one the parser does not take, with its line and column. */
typedef enum {
  /* Characters other than NUL: for a parser that keeps strings as C
   * strings. Datumaro's reader (orjson) refuses lone surrogates too. */
  DM_JSON_ESCAPES_CHARACTERS,
  /* Also "\u0000": a string's NUL bytes are counted in its length. */
  DM_JSON_ESCAPES_WITH_NUL,
  /* Any escape, as yajl decodes it: for a parser that reads no strings. */
  DM_JSON_ESCAPES_ANY,
} DmJsonEscapes;

/* What a parser does with yajl's events. yajl's nine callbacks come down
 * to these five after the checks every parser shares: a scalar is its kind
 * and its text (a string's decoded, any other's as it stands). Each returns
 * 0, with the parser's error set, to stop the parse. */
typedef struct
{
  int (*value)         (gpointer         parser,
                        DmJsonValueKind  kind,
                        const char      *text,
                        size_t           length);
  int (*member)        (gpointer         parser,
                        const char      *name,
                        size_t           length);
  int (*open)          (gpointer         parser,
                        gboolean         is_array);
  int (*close)         (gpointer         parser,
                        gboolean         is_array);
  /* A string or member name that is not UTF-8, as @message words it. */
  int (*fail_not_utf8) (gpointer         parser,
                        const char      *message);
  DmJsonEscapes escapes;
  /* Optional: the source text of each container opened at depth
   * raw_depth (the top-level value is at 1), as the file has it but for
   * the whitespace between tokens, given to raw() just before the
   * container's close event: a parser that keeps a part whole need not
   * generate it again from the events. 0: none. */
  guint raw_depth;
  int (*raw)           (gpointer         parser,
                        const char      *text,
                        size_t           length);
} DmJsonEvents;

gboolean  dm_json_stream_parse_events (const char         *path,
                                       const DmJsonEvents *events,
                                       gpointer            parser,
                                       GError            **parser_error,
                                       GCancellable       *cancellable,
                                       GError            **error);
gboolean  dm_json_input_parse_events  (GInputStream       *input,
                                       const char         *name,
                                       const DmJsonEvents *events,
                                       gpointer            parser,
                                       GError            **parser_error,
                                       GCancellable       *cancellable,
                                       GError            **error);

int       dm_json_events_fail       (const char           *path,
                                     GError              **error,
                                     const char           *format,
                                     ...) G_GNUC_PRINTF (3, 4);
const char *dm_json_value_kind_name (DmJsonValueKind       kind);
DmJsonValueKind dm_json_node_kind   (JsonNode             *node);

/* Whether the @length bytes at @text, a member name or a string as an
 * event passes it (not NUL-terminated), are @literal. */
static inline gboolean
dm_json_text_is (const char *text,
                 size_t      length,
                 const char *literal)
{
  return length == strlen (literal) && memcmp (text, literal, length) == 0;
}

gboolean  dm_json_parse_integer     (const char           *number,
                                     size_t                length,
                                     gint64               *value);

char     *dm_json_gen_steal_text    (yajl_gen              gen);

void      dm_json_gen_text          (yajl_gen              gen,
                                     const char           *text);
void      dm_json_gen_members       (yajl_gen              gen,
                                     JsonObject           *object);
void      dm_json_gen_node          (yajl_gen              gen,
                                     JsonNode             *node);
void      dm_json_gen_value_text    (yajl_gen              gen,
                                     const char           *json);
char     *dm_json_node_to_text      (JsonNode             *node);

/* A JSON file written by a yajl generator, the text moved to the stream
 * whenever a good amount has gathered. */
typedef struct
{
  yajl_gen gen;
  GOutputStream *stream;
  const char *path;
  GCancellable *cancellable;
} DmJsonWriter;

void      dm_json_writer_init       (DmJsonWriter         *writer,
                                     GOutputStream        *stream,
                                     const char           *path,
                                     GCancellable         *cancellable);
gboolean  dm_json_writer_flush      (DmJsonWriter         *writer,
                                     gboolean              all,
                                     GError              **error);
void      dm_json_writer_clear      (DmJsonWriter         *writer);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DmJsonWriter, dm_json_writer_clear)

G_END_DECLS
