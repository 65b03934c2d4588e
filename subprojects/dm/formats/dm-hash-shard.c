/* dm-hash-shard.c: the hash-key cache in shards, for `dm hash --shard I/N
 * --keys-out FILE` and `--merge`.
 *
 * Decoding images to make their keys is the part of pruning that outgrows
 * one machine; the job runners users already have (Slurm arrays,
 * Kubernetes Indexed Jobs, GNU parallel) run one `dm hash --shard` per
 * index, then one `dm hash --merge` stores the keys in SOURCE's cache.
 *
 * The host (the dm command) selects a shard's items into a sub-dataset and runs the "hash"
 * transform on it as on any dataset, so it needs to know nothing of the
 * plugin's options, and any transform named "hash" can be sharded.
 *
 * The split: item "<subset>/<id>" is in shard
 *   (first 8 bytes of SHA-256("<subset>/<id>"), big-endian) mod N,
 * which depends on nothing but the name and N: not on the item order, the
 * thread count or the machine.
 *
 * A shard's key file is in the cache's layout (hash_key_meta/hash_keys.json),
 * with string members the cache reader ignores: "dm_shard" ("I/N"),
 * "dm_dataset" (the dataset's identity: item count and SHA-256 of its
 * sorted "<subset>/<id>" names, one a line) and "dm_key_origin" (the key
 * version, as "dm_hasher" names it in the cache).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "dm.h"
#include "dm-datumaro-private.h"
#include "dm-file-tree-private.h"

#define MEMBER_SHARD "dm_shard"
#define MEMBER_DATASET "dm_dataset"
#define MEMBER_ORIGIN "dm_key_origin"

/* Parses "I/N" with 0 ≤ I < N. */
/**
 * dm_hash_shard_parse:
 * @text: "I/N"
 * @index: (out): I
 * @count: (out): N
 *
 * Parses a shard "I/N" with 0 ≤ I < N.
 *
 * Returns: %TRUE when @text is such a shard
 */
gboolean
dm_hash_shard_parse (const char *text,
                    guint      *index,
                    guint      *count)
{
  g_auto(GStrv) parts = g_strsplit (text, "/", -1);
  guint64 i, n;

  if (g_strv_length (parts) != 2
      || !g_ascii_string_to_unsigned (parts[0], 10, 0, G_MAXUINT - 1, &i, NULL)
      || !g_ascii_string_to_unsigned (parts[1], 10, 1, G_MAXUINT, &n, NULL)
      || i >= n)
    return FALSE;
  *index = (guint) i;
  *count = (guint) n;
  return TRUE;
}

static guint
shard_of_name (const char *name,
               guint       count)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize length = sizeof digest;
  guint64 value = 0;

  g_checksum_update (checksum, (const guchar *) name, -1);
  g_checksum_get_digest (checksum, digest, &length);
  for (guint b = 0; b < 8; b++)
    value = value << 8 | digest[b];
  return (guint) (value % count);
}

/**
 * dm_hash_shard_of:
 * @item: an item
 * @count: the number of shards
 *
 * The shard of @item among @count: the first 8 bytes of SHA-256 of
 * "<subset>/<id>", big-endian, modulo @count.
 *
 * Returns: the shard index
 */
guint
dm_hash_shard_of (DmItem *item,
                 guint   count)
{
  g_autofree char *name = dm_hash_key_item_name (item);

  return shard_of_name (name, count);
}

/**
 * dm_hash_shard_dataset_identity:
 * @dataset: a dataset
 *
 * "<item count>:<SHA-256 of the sorted names, one a line>": the same for
 * the same items in any order, on any machine.
 *
 * Returns: (transfer full): the identity
 */
char *
dm_hash_shard_dataset_identity (DmDataset *dataset)
{
  guint n = dm_dataset_get_n_items (dataset);
  g_autoptr(GPtrArray) names = g_ptr_array_new_full (n, g_free);
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (names, dm_hash_key_item_name (dm_dataset_get_item (dataset, i)));
  g_ptr_array_sort (names, dm_compare_names);
  for (guint i = 0; i < n; i++)
    {
      g_checksum_update (checksum, g_ptr_array_index (names, i), -1);
      g_checksum_update (checksum, (const guchar *) "\n", 1);
    }
  return g_strdup_printf ("%u:%s", n, g_checksum_get_string (checksum));
}

/**
 * dm_hash_shard_select:
 * @dataset: a dataset
 * @index: the shard
 * @count: the number of shards
 *
 * The items of shard @index of @count, the same objects, in @dataset's
 * order: what the "hash" transform runs on.
 *
 * Returns: (transfer full): a dataset of the shard's items
 */
DmDataset *
dm_hash_shard_select (DmDataset *dataset,
                     guint      index,
                     guint      count)
{
  DmDataset *shard = dm_dataset_new_like (dataset);

  for (guint i = 0; i < dm_dataset_get_n_items (dataset); i++)
    {
      DmItem *item = dm_dataset_get_item (dataset, i);

      if (dm_hash_shard_of (item, count) == index)
        dm_dataset_append_item (shard, item);
    }
  return shard;
}

/**
 * dm_hash_shard_write:
 * @keyed: the shard's items, each with its hash key
 * @path: the shard's key file
 * @identity: the whole dataset's identity (dm_hash_shard_dataset_identity())
 * @index: the shard
 * @count: the number of shards
 * @error: return location for a #GError
 *
 * Writes the keys of @keyed, shard @index of @count of the dataset
 * @identity names, to @path, atomically.
 *
 * Returns: %TRUE on success
 */
gboolean
dm_hash_shard_write (DmDataset   *keyed,
                    const char  *path,
                    const char  *identity,
                    guint        index,
                    guint        count,
                    GError     **error)
{
  g_autofree char *shard = g_strdup_printf ("%u/%u", index, count);
  const char *origin = dm_dataset_get_hash_key_origin (keyed);
  const char *members[] = {
    MEMBER_SHARD, shard,
    MEMBER_DATASET, identity,
    MEMBER_ORIGIN, origin != NULL ? origin : DM_HASH_KEY_ORIGIN_DATUMARO,
    NULL
  };

  return dm_hash_key_cache_write_file (keyed, path, members, error);
}

/* What a merge, or the check of one shard file, has read so far. */
typedef struct
{
  DmDataset *dataset;
  const char *identity;
  char *origin;                  /* the key version, of the first file */
  char *first_path;              /* the first file */
  const char *path;              /* the file being read */
  GHashTable *members;           /* its members */
  gboolean checked;              /* its members were checked */
  guint index;                   /* its shard */
  guint count;                   /* shards in all, 0 before the first file */
  char **shard_paths;            /* the file of each shard, of count */
  GHashTable *keyed;             /* items given a key so far */
  gboolean apply;                /* give the items their keys */
} ShardRead;

static gboolean
fail (GError    **error,
      const char *format,
      ...) G_GNUC_PRINTF (2, 3);

static gboolean
fail (GError    **error,
      const char *format,
      ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (DM_ERROR, DM_ERROR_INVALID_DATA, format, args));
  va_end (args);
  return FALSE;
}

static gboolean
check_members (ShardRead  *s,
               GError    **error)
{
  const char *dataset = g_hash_table_lookup (s->members, MEMBER_DATASET);
  const char *origin = g_hash_table_lookup (s->members, MEMBER_ORIGIN);
  const char *shard = g_hash_table_lookup (s->members, MEMBER_SHARD);
  guint index, count;

  s->checked = TRUE;
  if (dataset == NULL || origin == NULL || shard == NULL || !dm_hash_shard_parse (shard, &index, &count))
    return fail (error, _("%s is not a shard’s key file"), s->path);
  if (!g_str_equal (dataset, s->identity))
    return fail (error, _("%s holds keys of another dataset (identity %s, this one’s %s)"),
                 s->path, dataset, s->identity);
  if (s->origin != NULL && !g_str_equal (origin, s->origin))
    return fail (error, _("%s holds keys of version %s, but %s of version %s: hash the older shards again"),
                 s->path, origin, s->first_path, s->origin);
  if (s->count == 0)
    {
      s->origin = g_strdup (origin);
      s->first_path = g_strdup (s->path);
      s->count = count;
      s->shard_paths = g_new0 (char *, count + 1);
    }
  else if (count != s->count)
    return fail (error, _("%s is shard %u of %u, but the first file splits the dataset into %u shards"),
                 s->path, index, count, s->count);
  if (s->shard_paths[index] != NULL)
    return fail (error, _("%s holds shard %u/%u, which %s holds already"),
                 s->path, index, count, s->shard_paths[index]);
  s->shard_paths[index] = g_strdup (s->path);
  s->index = index;
  return TRUE;
}

static gboolean
read_key (const char  *name,
          GBytes      *key,
          gpointer     user_data,
          GError     **error)
{
  ShardRead *s = user_data;
  DmItem *item;

  if (!s->checked && !check_members (s, error))
    return FALSE;
  item = dm_hash_key_find_item (s->dataset, name);
  if (item == NULL)
    return fail (error, _("%s: “%s” is not an item of the dataset"), s->path, name);
  if (shard_of_name (name, s->count) != s->index)
    return fail (error, _("%s: “%s” belongs to shard %u/%u, not %u/%u"),
                 s->path, name, shard_of_name (name, s->count), s->count, s->index, s->count);
  if (!g_hash_table_add (s->keyed, item))
    return fail (error, _("%s: the key of “%s” is there twice"), s->path, name);
  if (s->apply)
    dm_item_set_hash_key (item, key);
  return TRUE;
}

static gboolean
read_shard_file (ShardRead     *s,
                 const char    *path,
                 GCancellable  *cancellable,
                 GError       **error)
{
  gboolean ok;

  s->path = path;
  s->checked = FALSE;
  ok = dm_datumaro_read_hash_key_file (path, &s->members, read_key, s, cancellable, error);
  if (ok && !s->checked)
    ok = check_members (s, error);
  g_clear_pointer (&s->members, g_hash_table_unref);
  return ok;
}

static void
shard_read_clear (ShardRead *s)
{
  g_clear_pointer (&s->members, g_hash_table_unref);
  /* Not g_strfreev: the shards not read yet are NULL between others. */
  for (guint i = 0; s->shard_paths != NULL && i < s->count; i++)
    g_free (s->shard_paths[i]);
  g_clear_pointer (&s->shard_paths, g_free);
  g_clear_pointer (&s->keyed, g_hash_table_unref);
  g_clear_pointer (&s->origin, g_free);
  g_clear_pointer (&s->first_path, g_free);
}

/**
 * dm_hash_shard_is_complete:
 * @dataset: the whole dataset
 * @path: a shard's key file
 * @identity: @dataset's identity
 * @index: the shard
 * @count: the number of shards
 *
 * Whether @path already holds every key of shard @index of @count of
 * @dataset, so a restarted shard can be skipped.
 *
 * Returns: %TRUE when it does
 */
gboolean
dm_hash_shard_is_complete (DmDataset  *dataset,
                          const char *path,
                          const char *identity,
                          guint       index,
                          guint       count)
{
  ShardRead s = { dataset, identity };
  gboolean complete;

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return FALSE;
  s.keyed = g_hash_table_new (NULL, NULL);
  complete = read_shard_file (&s, path, NULL, NULL) && s.index == index && s.count == count;
  shard_read_clear (&s);
  return complete;
}

/**
 * dm_hash_shard_merge:
 * @dataset: the whole dataset, loaded from its directory
 * @paths: (array zero-terminated=1): the shards' key files
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Checks that the shard files belong to @dataset and one key version and
 * cover every item exactly once, then writes @dataset's key cache
 * atomically (only that file).
 *
 * Returns: %TRUE on success
 */
gboolean
dm_hash_shard_merge (DmDataset     *dataset,
                    char         **paths,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autofree char *identity = dm_hash_shard_dataset_identity (dataset);
  ShardRead s = { dataset, identity };
  gboolean ok = TRUE;

  s.keyed = g_hash_table_new (NULL, NULL);
  s.apply = TRUE;
  for (guint p = 0; ok && paths[p] != NULL; p++)
    ok = read_shard_file (&s, paths[p], cancellable, error);

  for (guint i = 0; ok && i < s.count; i++)
    if (s.shard_paths[i] == NULL)
      {
        guint n_items = 0;
        g_autofree char *first = NULL;

        for (guint k = 0; k < dm_dataset_get_n_items (dataset); k++)
          {
            DmItem *item = dm_dataset_get_item (dataset, k);

            if (dm_hash_shard_of (item, s.count) == i && n_items++ == 0)
              first = dm_hash_key_item_name (item);
          }
        g_set_error (error, DM_ERROR, DM_ERROR_NOT_FOUND,
                     _("shard %u/%u is missing: no file given holds it (%u items, the first “%s”)"),
                     i, s.count, n_items, first != NULL ? first : "");
        ok = FALSE;
      }

  if (ok)
    dm_dataset_set_hash_key_origin (dataset, s.origin);
  shard_read_clear (&s);
  return ok;
}
