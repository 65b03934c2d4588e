/* dm-json-stream.h: feeding a JSON file through yajl's event parser.
 *
 * Private to the host library: the Datumaro reader parses its annotation
 * files and the hash-key cache with it, which are too large for a DOM.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#ifndef DM_COMPILATION
#error "This header is private to libdm: include <dm.h>."
#endif

#include <gio/gio.h>
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

G_END_DECLS
