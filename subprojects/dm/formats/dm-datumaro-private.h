/* dm-datumaro-private.h: Datumaro's layout, and the Datumaro writer and
 * reader functions the other format files use.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#ifndef DM_COMPILATION
#error "This header is private to libdm: include <dm.h>."
#endif

#include "dm-dataset-io.h"

G_BEGIN_DECLS

/* Datumaro's layout below a dataset directory. */
#define DM_DATUMARO_ANNOTATIONS_DIR "annotations"
#define DM_DATUMARO_IMAGES_DIR "images"
#define DM_DATUMARO_POINT_CLOUDS_DIR "point_clouds"
#define DM_DATUMARO_VIDEOS_DIR "videos"
/* The image file of an item whose image has no path: "<id>.jpg". */
#define DM_DATUMARO_IMAGE_EXT ".jpg"
#define DM_DATUMARO_HASH_KEY_DIR "hash_key_meta"
#define DM_DATUMARO_HASH_KEY_FILE "hash_keys.json"

/* The origin of keys in a cache without "dm_hasher": Datumaro's CLIP. */
#define DM_HASH_KEY_ORIGIN_DATUMARO "datumaro-clip"

/* Bytes in an image hash key, as Datumaro caches them. */
#define DM_HASH_KEY_SIZE 64

gboolean  dm_datumaro_write_full     (DmDataset     *dataset,
                                      const char    *directory,
                                      DmSaveFlags    flags,
                                      GCancellable  *cancellable,
                                      GError       **error);
gboolean  dm_datumaro_write_annotations (DmDataset   *dataset,
                                         const char  *annotations_dir,
                                         GHashTable  *rewritten,
                                         GCancellable *cancellable,
                                         GError     **error);

gboolean  dm_datumaro_write_hash_key_file (DmDataset          *dataset,
                                           const char         *path,
                                           const char * const *members,
                                           GError            **error);
/* Called for each key of a key file, in file order: @name is
 * "<subset>/<id>", @key DM_HASH_KEY_SIZE bytes. */
typedef gboolean (*DmHashKeyFunc) (const char   *name,
                                   GBytes       *key,
                                   gpointer      user_data,
                                   GError      **error);
gboolean  dm_datumaro_read_hash_key_file (const char    *path,
                                          GHashTable   **members,
                                          DmHashKeyFunc  func,
                                          gpointer       user_data,
                                          GCancellable  *cancellable,
                                          GError       **error);

gboolean  dm_datumaro_has_annotation_files (const char *path);

/* Appends the JSON object the writer makes for an item that has none (an
 * image with label annotations), compact as yajl generates it. */
void      dm_datumaro_append_item_json (GString *text,
                                        DmItem  *item);

G_END_DECLS
