/* prune-image-decode.h: images decoded for hashing and NDR.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <dm.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

G_BEGIN_DECLS

/* 100 megapixels: 400 MB as decoded RGBA, beyond any photo in a dataset. */
#define PRUNE_IMAGE_MAX_PIXELS G_GINT64_CONSTANT (100000000)

GdkPixbuf *prune_image_decode     (const char  *path,
                                   int          min_side,
                                   GError     **error);
void       prune_name_item        (GError     **error,
                                   DmItem      *item);
GError    *prune_media_file_error (DmItem      *item,
                                   const char  *path);
gboolean   prune_check_image_file (DmItem      *item,
                                   GError     **error);

G_END_DECLS
