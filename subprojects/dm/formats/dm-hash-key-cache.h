/* dm-hash-key-cache.h: the hash-key cache file of a Datumaro dataset,
 * hash_key_meta/hash_keys.json: where it is, writing it, installing one
 * written elsewhere, and reading it (and a shard's key file, in its
 * layout).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#ifndef DM_COMPILATION
#error "This header is private to libdm: include <dm.h>."
#endif

#include "dm-dataset.h"

G_BEGIN_DECLS

/* Datumaro's place for the cache below a dataset directory. */
#define DM_HASH_KEY_CACHE_DIR "hash_key_meta"
#define DM_HASH_KEY_CACHE_FILE "hash_keys.json"

/* The origin of keys in a cache without "dm_hasher": Datumaro's CLIP. */
#define DM_HASH_KEY_ORIGIN_DATUMARO "datumaro-clip"

/* Bytes in an image hash key, as Datumaro caches them. */
#define DM_HASH_KEY_SIZE 64

char     *dm_hash_key_cache_path    (const char          *directory);
gboolean  dm_hash_key_cache_exists  (const char          *directory);
char     *dm_hash_key_item_name     (DmItem              *item);
DmItem   *dm_hash_key_find_item     (DmDataset           *dataset,
                                     const char          *name);
gboolean  dm_hash_key_cache_has_keys (DmDataset          *dataset);
gboolean  dm_hash_key_cache_covers  (DmDataset          *dataset);

gboolean  dm_hash_key_cache_write_file (DmDataset          *dataset,
                                        const char         *path,
                                        const char * const *members,
                                        GError            **error);
gboolean  dm_hash_key_cache_install (const char          *from_directory,
                                     const char          *directory,
                                     GError             **error);

/* Called for each key of a key file, in file order: @name is
 * "<subset>/<id>", @key DM_HASH_KEY_SIZE bytes. */
typedef gboolean (*DmHashKeyFunc) (const char   *name,
                                   GBytes       *key,
                                   gpointer      user_data,
                                   GError      **error);
/* How every reader of a key file (a cache, a shard's) but the fuzzer reads
 * it: dm_hash_key_cache_read_with() by DM_HASH_KEY_PARSER_ANY. */
gboolean  dm_datumaro_read_hash_key_file (const char    *path,
                                          GHashTable   **members,
                                          DmHashKeyFunc  func,
                                          gpointer       user_data,
                                          GCancellable  *cancellable,
                                          GError       **error);

/* A file is read by a hand scanner, fast, when it has the shape Datumaro
 * and dm write, and by yajl's events when the scanner declines it. Each is
 * here on its own for the fuzzer, which checks that they agree. */
typedef enum {
  DM_HASH_KEY_PARSER_ANY,       /* the scanner, then yajl if it declines */
  DM_HASH_KEY_PARSER_SCANNER,   /* declining fails: G_IO_ERROR_NOT_SUPPORTED */
  DM_HASH_KEY_PARSER_YAJL,
} DmHashKeyParser;

gboolean  dm_hash_key_cache_read_with (const char       *path,
                                       DmHashKeyParser   parser,
                                       GHashTable      **members,
                                       DmHashKeyFunc     func,
                                       gpointer          user_data,
                                       GCancellable     *cancellable,
                                       GError          **error);

/* A dataset's cache, parsed in a thread while its annotations are read. */
typedef struct _DmHashKeyLoad DmHashKeyLoad;

DmHashKeyLoad *dm_hash_key_load_start  (const char     *path,
                                        GCancellable   *cancellable);
gboolean       dm_hash_key_load_finish (DmHashKeyLoad  *load,
                                        DmDataset      *dataset,
                                        GError        **error);
void           dm_hash_key_load_free   (DmHashKeyLoad  *load);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmHashKeyLoad, dm_hash_key_load_free)

G_END_DECLS
