/* dm-json-stream.h: JSON files as streams, through yajl: feeding a file to
 * its event parser, and writing one with its generator.
 *
 * Private to the host library: the Datumaro reader and writer handle their
 * annotation files and the hash-key cache with it, which are too large for
 * a DOM. yajl's generator is the one way libdm makes JSON text.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#ifndef DM_COMPILATION
#error "This header is private to libdm: include <dm.h>."
#endif

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>

G_BEGIN_DECLS

gboolean  dm_json_stream_parse_file (const char           *path,
                                     const yajl_callbacks *callbacks,
                                     gpointer              context,
                                     GError              **callback_error,
                                     GCancellable         *cancellable,
                                     GError              **error);

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
