/* dm-hash-key-cache.c: the hash-key cache file of a Datumaro dataset,
 * hash_key_meta/hash_keys.json, in Datumaro's layout
 * ({"hashkey": {"<subset>/<id>": [64 bytes]}}), with "dm_hasher" naming
 * the origin of keys that are not Datumaro's CLIP's.
 *
 * Every writer of the file (the Datumaro writer, an in-place save, dm hash
 * and its shards' merge) goes through here; the Datumaro reader finds it
 * here and parses it with the event parser its annotation files use.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "dm-dataset-io.h"
#include "dm-file-tree-private.h"
#include "dm-hash-key-cache.h"
#include "dm-json-stream.h"

/*
 * dm_hash_key_cache_path:
 * @directory: a dataset directory
 *
 * Returns: (transfer full): where the cache of @directory is
 */
char *
dm_hash_key_cache_path (const char *directory)
{
  return g_build_filename (directory, DM_HASH_KEY_CACHE_DIR, DM_HASH_KEY_CACHE_FILE, NULL);
}

/*
 * dm_hash_key_cache_exists:
 * @directory: a dataset directory
 *
 * Returns: whether @directory has a cache file
 */
gboolean
dm_hash_key_cache_exists (const char *directory)
{
  g_autofree char *path = dm_hash_key_cache_path (directory);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/*
 * dm_hash_key_cache_has_keys:
 * @dataset: a dataset
 *
 * Returns: whether an item of @dataset has a hash key, to be cached
 */
gboolean
dm_hash_key_cache_has_keys (DmDataset *dataset)
{
  for (guint i = 0; i < dm_dataset_get_n_items (dataset); i++)
    if (dm_item_get_hash_key (dm_dataset_get_item (dataset, i)) != NULL)
      return TRUE;
  return FALSE;
}

/* The folder of the cache of @directory, made if it is not there. */
static char *
make_cache_dir (const char  *directory,
                GError     **error)
{
  g_autofree char *key_dir = g_build_filename (directory, DM_HASH_KEY_CACHE_DIR, NULL);

  if (g_mkdir_with_parents (key_dir, 0777) != 0)
    {
      DM_SET_ERRNO_ERROR (error, _("Cannot create %s: %s"), key_dir);
      return NULL;
    }
  return g_steal_pointer (&key_dir);
}

/*
 * dm_hash_key_cache_install:
 * @from_directory: a directory that may hold a cache (a work directory)
 * @directory: the dataset directory
 * @error: return location for a #GError
 *
 * Moves the cache of @from_directory, if it has one, over that of
 * @directory (a rename: both are on one file system).
 *
 * Returns: %TRUE on success
 */
gboolean
dm_hash_key_cache_install (const char  *from_directory,
                           const char  *directory,
                           GError     **error)
{
  g_autofree char *new_keys = dm_hash_key_cache_path (from_directory);
  g_autofree char *keys = NULL;
  g_autofree char *key_dir = NULL;

  if (!g_file_test (new_keys, G_FILE_TEST_EXISTS))
    return TRUE;
  key_dir = make_cache_dir (directory, error);
  if (key_dir == NULL)
    return FALSE;
  keys = dm_hash_key_cache_path (directory);
  if (g_rename (new_keys, keys) != 0)
    {
      DM_SET_ERRNO_ERROR (error, _("Cannot write %s: %s"), keys);
      return FALSE;
    }
  return TRUE;
}

/* yajl_gen_integer() goes through printf, which is most of the time of
 * writing a million keys. */
static void
gen_byte (yajl_gen gen,
          guint8   value)
{
  char digits[3];
  size_t length = 0;

  if (value >= 100)
    digits[length++] = (char) ('0' + value / 100);
  if (value >= 10)
    digits[length++] = (char) ('0' + value / 10 % 10);
  digits[length++] = (char) ('0' + value % 10);
  yajl_gen_number (gen, digits, length);
}

/* The file's contents: @members (name, value, …, NULL) as further
 * top-level members before "hashkey", which the cache reader ignores. */
typedef struct
{
  DmDataset          *dataset;
  const char * const *members;
  const char         *path;
} HashKeyFile;

static gboolean
write_hash_key_stream (GOutputStream  *stream,
                       gpointer        user_data,
                       GError        **error)
{
  HashKeyFile *file = user_data;
  const char *origin = dm_dataset_get_hash_key_origin (file->dataset);
  const char * const *members = file->members;
  guint n_items = dm_dataset_get_n_items (file->dataset);
  g_auto(DmJsonWriter) writer = { 0 };
  yajl_gen gen;

  dm_json_writer_init (&writer, stream, file->path, NULL);
  gen = writer.gen;
  yajl_gen_map_open (gen);
  if (origin != NULL && !g_str_equal (origin, DM_HASH_KEY_ORIGIN_DATUMARO))
    {
      dm_json_gen_text (gen, "dm_hasher");
      dm_json_gen_text (gen, origin);
    }
  for (guint m = 0; members != NULL && members[m] != NULL && members[m + 1] != NULL; m += 2)
    {
      dm_json_gen_text (gen, members[m]);
      dm_json_gen_text (gen, members[m + 1]);
    }
  dm_json_gen_text (gen, "hashkey");
  yajl_gen_map_open (gen);

  for (guint i = 0; i < n_items; i++)
    {
      DmItem *item = dm_dataset_get_item (file->dataset, i);
      GBytes *key = dm_item_get_hash_key (item);
      g_autofree char *name = NULL;
      const guint8 *bytes;
      gsize size;

      if (key == NULL)
        continue;
      name = g_strconcat (dm_item_get_subset (item), "/", dm_item_get_id (item), NULL);
      dm_json_gen_text (gen, name);
      yajl_gen_array_open (gen);
      bytes = g_bytes_get_data (key, &size);
      for (gsize b = 0; b < size; b++)
        gen_byte (gen, bytes[b]);
      yajl_gen_array_close (gen);

      if (!dm_json_writer_flush (&writer, FALSE, error))
        return FALSE;
    }

  yajl_gen_map_close (gen);
  yajl_gen_map_close (gen);
  return dm_json_writer_flush (&writer, TRUE, error);
}

/*
 * dm_hash_key_cache_write_file:
 * @dataset: a dataset
 * @path: the file to write (a cache, or a shard's key file)
 * @members: (nullable): name, value, name, value, …, %NULL: further
 *   top-level string members, before "hashkey"
 * @error: return location for a #GError
 *
 * Writes the keys of the items of @dataset that have one to @path in the
 * cache's layout. @path is replaced atomically: written beside it, synced,
 * renamed over it; a failure or a kill leaves no partial @path.
 *
 * Returns: %TRUE on success
 */
gboolean
dm_hash_key_cache_write_file (DmDataset          *dataset,
                              const char         *path,
                              const char * const *members,
                              GError            **error)
{
  HashKeyFile file = { dataset, members, path };

  g_return_val_if_fail (DM_IS_DATASET (dataset), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return dm_replace_file (path, write_hash_key_stream, &file, error);
}

/**
 * dm_datumaro_write_hash_keys:
 * @dataset: a dataset
 * @directory: (type filename): the dataset's directory in Datumaro's format
 * @error: return location for a #GError
 *
 * Writes the hash keys of the items of @dataset that have one to
 * `hash_key_meta/hash_keys.json` below @directory, in Datumaro's layout
 * (`{"hashkey": {"<subset>/<id>": [64 bytes]}}`), with "dm_hasher" naming
 * the hash key origin when it is not Datumaro's CLIP. The file is replaced
 * atomically (written beside it, then renamed over it); nothing else in
 * @directory is touched.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 */
gboolean
dm_datumaro_write_hash_keys (DmDataset   *dataset,
                             const char  *directory,
                             GError     **error)
{
  g_autofree char *key_dir = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (DM_IS_DATASET (dataset), FALSE);
  g_return_val_if_fail (directory != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  key_dir = make_cache_dir (directory, error);
  if (key_dir == NULL)
    return FALSE;
  path = dm_hash_key_cache_path (directory);
  return dm_hash_key_cache_write_file (dataset, path, NULL, error);
}
