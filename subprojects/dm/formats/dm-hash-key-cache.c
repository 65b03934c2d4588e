/* dm-hash-key-cache.c: the hash-key cache file of a Datumaro dataset,
 * hash_key_meta/hash_keys.json, in Datumaro's layout
 * ({"hashkey": {"<subset>/<id>": [64 bytes]}}), with "dm_hasher" naming
 * the origin of keys that are not Datumaro's CLIP's.
 *
 * Every writer of the file (the Datumaro writer, an in-place save, dm hash
 * and its shards' merge) and every reader (the Datumaro reader, the shards'
 * merge) goes through here. A file is read by a hand scanner when it has
 * the usual shape, else by yajl's events (dm-json-stream.c), which word
 * every error.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "dm-dataset-io.h"
#include "dm-file-tree-private.h"
#include "dm-hash-key-cache.h"
#include "dm-json-stream.h"

/* ---- where the cache is, and writing it ---- */

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
 * dm_hash_key_item_name:
 * @item: an item
 *
 * Returns: (transfer full): "<subset>/<id>", the name a key file (the
 *   cache, a shard's) gives @item's key
 */
char *
dm_hash_key_item_name (DmItem *item)
{
  return g_strconcat (dm_item_get_subset (item), "/", dm_item_get_id (item), NULL);
}

/*
 * dm_hash_key_find_item:
 * @dataset: a dataset
 * @name: the name of a key in a key file
 *
 * The inverse of dm_hash_key_item_name(): a subset has no "/" (the writer
 * refuses one), an id may.
 *
 * Returns: (transfer none) (nullable): the item of @dataset that @name
 *   names, or %NULL when there is none
 */
DmItem *
dm_hash_key_find_item (DmDataset  *dataset,
                       const char *name)
{
  const char *slash = strchr (name, '/');
  g_autofree char *subset = NULL;

  if (slash == NULL)
    return NULL;
  subset = g_strndup (name, (gsize) (slash - name));
  return dm_dataset_find_item (dataset, subset, slash + 1);
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

/*
 * dm_hash_key_cache_covers:
 * @dataset: a dataset
 *
 * Datumaro's importer looks every item up in a dataset's cache
 * (load_hash_key() of its meta_file_util), so a cache without the key of
 * one of its items makes the whole dataset unreadable to Datumaro.
 *
 * Returns: whether @dataset has items and each has a hash key
 */
gboolean
dm_hash_key_cache_covers (DmDataset *dataset)
{
  guint n_items = dm_dataset_get_n_items (dataset);

  for (guint i = 0; i < n_items; i++)
    if (dm_item_get_hash_key (dm_dataset_get_item (dataset, i)) == NULL)
      return FALSE;
  return n_items > 0;
}

/* The folder of the cache of @directory, made if it is not there;
 * @made: whether it was made here, for remove_made_cache_dir(). */
static char *
make_cache_dir (const char  *directory,
                gboolean    *made,
                GError     **error)
{
  g_autofree char *key_dir = g_build_filename (directory, DM_HASH_KEY_CACHE_DIR, NULL);

  *made = !g_file_test (key_dir, G_FILE_TEST_IS_DIR);
  if (g_mkdir_with_parents (key_dir, 0777) != 0)
    {
      DM_SET_ERRNO_ERROR (error, _("Cannot create %s: %s"), key_dir);
      return NULL;
    }
  return g_steal_pointer (&key_dir);
}

/* After the cache could not be written (a full disk): the folder made for
 * it goes too, as a run that changes nothing leaves nothing. An empty
 * hash_key_meta/ would be a cache without keys to Datumaro. */
static void
remove_made_cache_dir (const char *key_dir,
                       gboolean    made)
{
  if (made)
    g_rmdir (key_dir);
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
  gboolean made;

  if (!g_file_test (new_keys, G_FILE_TEST_EXISTS))
    return TRUE;
  key_dir = make_cache_dir (directory, &made, error);
  if (key_dir == NULL)
    return FALSE;
  keys = dm_hash_key_cache_path (directory);
  if (g_rename (new_keys, keys) != 0)
    {
      DM_SET_ERRNO_ERROR (error, _("Cannot write %s: %s"), keys);
      remove_made_cache_dir (key_dir, made);
      return FALSE;
    }
  return TRUE;
}

/* Sets text to a key's bytes as JSON text, "[b0,b1,…]": at most 4 bytes
 * of text per key byte, written in place. */
static void
set_key_array (GString      *text,
               const guint8 *bytes,
               gsize         size)
{
  char *out;

  g_string_set_size (text, 4 * size + 2);
  out = text->str;
  *out++ = '[';
  for (gsize b = 0; b < size; b++)
    {
      guint value = bytes[b];

      if (value >= 100)
        *out++ = (char) ('0' + value / 100);
      if (value >= 10)
        *out++ = (char) ('0' + value / 10 % 10);
      *out++ = (char) ('0' + value % 10);
      *out++ = ',';
    }
  if (size > 0)
    out--;
  *out++ = ']';
  g_string_truncate (text, (gsize) (out - text->str));
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
  g_autoptr(GString) array = g_string_new (NULL);
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
      name = dm_hash_key_item_name (item);
      dm_json_gen_text (gen, name);
      bytes = g_bytes_get_data (key, &size);
      set_key_array (array, bytes, size);
      /* yajl writes a number's text as given: the whole array goes out as
       * one value, the same bytes as an array of numbers. A yajl call per
       * byte (180 instructions each; yajl_gen_integer goes through printf)
       * was most of the time of writing a cache. */
      yajl_gen_number (gen, array->str, array->len);

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
 * @directory is touched, and a failure leaves @directory as it was (no
 * `hash_key_meta/` made for a file that could not be written).
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
  gboolean made;

  g_return_val_if_fail (DM_IS_DATASET (dataset), FALSE);
  g_return_val_if_fail (directory != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  key_dir = make_cache_dir (directory, &made, error);
  if (key_dir == NULL)
    return FALSE;
  path = dm_hash_key_cache_path (directory);
  if (dm_hash_key_cache_write_file (dataset, path, NULL, error))
    return TRUE;
  remove_made_cache_dir (key_dir, made);
  return FALSE;
}

/* ---- reading: what either parser gathers ---- */

/* Keys are stored this many to a block, so a million keys are not a
 * million allocations. */
#define KEYS_PER_BLOCK 4096

typedef struct
{
  char *path;
  GCancellable *cancellable;
  int abandoned;                 /* atomic: the dataset failed, stop */
  GError *error;

  guint depth;
  gboolean in_hashkey;           /* the "hashkey" object is open */
  gboolean hashkey_member;       /* the next value is that of "hashkey" */
  gboolean hasher_member;        /* the next value is that of "dm_hasher" */
  char *hasher;
  char *member;                  /* the name of the top-level member being read */
  GHashTable *members;           /* its string-valued top-level members */

  GString *key_name;             /* "<subset>/<id>" of the key being read */
  guint8 key[DM_HASH_KEY_SIZE];
  guint n_values;
  guint value_depth;             /* where the key's numbers are: 3, 4 in its
                                  * one row, 0 once that row has closed */

  /* The keys in file order: names[k] has the key k of blocks. */
  GStringChunk *name_chunk;
  GPtrArray *names;
  GPtrArray *blocks;             /* of GBytes, KEYS_PER_BLOCK keys each */
  guint8 *block_data;
} HashKeyReader;

static void
store_key (HashKeyReader *r)
{
  guint n_keys = r->names->len;

  if (n_keys % KEYS_PER_BLOCK == 0)
    {
      r->block_data = g_malloc (KEYS_PER_BLOCK * DM_HASH_KEY_SIZE);
      g_ptr_array_add (r->blocks, g_bytes_new_take (r->block_data, KEYS_PER_BLOCK * DM_HASH_KEY_SIZE));
    }
  memcpy (r->block_data + (gsize) (n_keys % KEYS_PER_BLOCK) * DM_HASH_KEY_SIZE, r->key, DM_HASH_KEY_SIZE);
  g_ptr_array_add (r->names, g_string_chunk_insert_len (r->name_chunk, r->key_name->str,
                                                        (gssize) r->key_name->len));
}

static HashKeyReader *
hash_key_reader_new (const char   *path,
                     GCancellable *cancellable)
{
  HashKeyReader *r = g_new0 (HashKeyReader, 1);

  /* Owned: a load's parse may outlive its caller's strings. */
  r->path = g_strdup (path);
  r->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  r->key_name = g_string_new (NULL);
  r->name_chunk = g_string_chunk_new (1024 * 1024);
  r->names = g_ptr_array_new ();
  r->blocks = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  r->members = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return r;
}

static void
hash_key_reader_free (HashKeyReader *r)
{
  g_free (r->path);
  g_clear_object (&r->cancellable);
  g_clear_error (&r->error);
  g_free (r->hasher);
  g_free (r->member);
  g_hash_table_unref (r->members);
  g_string_free (r->key_name, TRUE);
  g_string_chunk_free (r->name_chunk);
  g_ptr_array_unref (r->names);
  g_ptr_array_unref (r->blocks);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HashKeyReader, hash_key_reader_free)

/* ---- reading: yajl's events, for any file ---- */

/* Sets the reader's error, as dm_json_events_fail() words it. */
#define fail(r, ...) dm_json_events_fail ((r)->path, &(r)->error, __VA_ARGS__)

static int
finish_key (HashKeyReader *r)
{
  if (r->n_values != DM_HASH_KEY_SIZE)
    return fail (r, _("hashkey “%s” has %u values, not %u"),
                 r->key_name->str, r->n_values, DM_HASH_KEY_SIZE);
  store_key (r);

  if (r->names->len % 4096 == 0)
    {
      if (g_cancellable_set_error_if_cancelled (r->cancellable, &r->error))
        return 0;
      /* The annotations failed: this error is dropped, nothing is lost. */
      if (g_atomic_int_get (&r->abandoned))
        {
          g_set_error_literal (&r->error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "abandoned");
          return 0;
        }
    }
  return 1;
}

/* Depths in the cache: 1 the top object, 2 "hashkey", 3 a key's array,
 * 4 the one row of a key kept as a 1 × 64 array ([[n, …, n]]): Datumaro
 * writes a key with the shape it had, and its own tests and any batch of
 * one give keys that shape; its reader flattens them (reshape(1, -1)). */
static int
key_scalar (HashKeyReader   *r,
            DmJsonValueKind  kind,
            const char      *text,
            size_t           length)
{
  if (r->depth == 0)
    return fail (r, _("the file holds %s, not a JSON object"), dm_json_value_kind_name (kind));

  if (r->depth == 1)
    {
      if (r->hashkey_member)
        return fail (r, _("“hashkey” is %s, not an object"), dm_json_value_kind_name (kind));
      if (r->hasher_member)
        {
          if (kind != DM_JSON_VALUE_STRING)
            return fail (r, _("“dm_hasher” is %s, not a string"), dm_json_value_kind_name (kind));
          g_free (r->hasher);
          r->hasher = g_strndup (text, length);
        }
      if (kind == DM_JSON_VALUE_STRING && r->member != NULL)
        g_hash_table_replace (r->members, g_steal_pointer (&r->member), g_strndup (text, length));
      r->hashkey_member = r->hasher_member = FALSE;
      return 1;
    }

  if (r->depth == 2 && r->in_hashkey)
    return fail (r, _("hashkey “%s” is %s, not an array"),
                 r->key_name->str, dm_json_value_kind_name (kind));

  if (r->depth == 3 && r->in_hashkey && r->value_depth != 3)
    return fail (r, _("hashkey “%s”: a value follows its row of %u values"),
                 r->key_name->str, r->n_values);

  if (r->depth == r->value_depth && r->in_hashkey)
    {
      g_autofree char *shown = g_strndup (text, length);
      gint64 value;

      if (kind != DM_JSON_VALUE_NUMBER)
        return fail (r, _("hashkey “%s”: value %u is %s, not an integer"),
                     r->key_name->str, r->n_values, dm_json_value_kind_name (kind));
      if (!dm_json_parse_integer (text, length, &value))
        return fail (r, _("hashkey “%s”: value %u, %s, is not an integer"),
                     r->key_name->str, r->n_values, shown);
      if (value < 0 || value > 255)
        return fail (r, _("hashkey “%s”: value %u, %s, is outside 0..255"),
                     r->key_name->str, r->n_values, shown);
      if (r->n_values < DM_HASH_KEY_SIZE)
        r->key[r->n_values] = (guint8) value;
      r->n_values++;
    }
  return 1;
}

/* The hot path: 64 numbers a key. */
static int
key_value (gpointer         reader,
           DmJsonValueKind  kind,
           const char      *text,
           size_t           length)
{
  HashKeyReader *r = reader;

  if (kind == DM_JSON_VALUE_NUMBER && r->depth == r->value_depth && r->in_hashkey && r->n_values < DM_HASH_KEY_SIZE &&
      length <= 3 && text[0] >= '0' && text[0] <= '9')
    {
      guint value = 0;
      size_t i;

      for (i = 0; i < length && text[i] >= '0' && text[i] <= '9'; i++)
        value = value * 10 + (guint) (text[i] - '0');
      if (i == length && value <= 255)
        {
          r->key[r->n_values++] = (guint8) value;
          return 1;
        }
    }
  return key_scalar (r, kind, text, length);
}

static int
key_fail_not_utf8 (gpointer    reader,
                   const char *message)
{
  return fail ((HashKeyReader *) reader, "%s", message);
}

static int
key_member (gpointer    reader,
            const char *key,
            size_t      length)
{
  HashKeyReader *r = reader;

  if (r->depth == 1)
    {
      r->hashkey_member = dm_json_text_is (key, length, "hashkey");
      r->hasher_member = dm_json_text_is (key, length, "dm_hasher");
      g_free (r->member);
      r->member = g_strndup (key, length);
    }
  else if (r->depth == 2 && r->in_hashkey)
    g_string_overwrite_len (g_string_truncate (r->key_name, 0), 0, key, (gssize) length);
  return 1;
}

static int
key_open (gpointer reader,
          gboolean is_array)
{
  HashKeyReader *r = reader;
  DmJsonValueKind kind = is_array ? DM_JSON_VALUE_ARRAY : DM_JSON_VALUE_MAP;

  if (r->depth == 0 && is_array)
    return fail (r, _("the file holds an array, not a JSON object"));
  if (r->depth == 1)
    {
      if (r->hashkey_member)
        {
          if (is_array)
            return fail (r, _("“hashkey” is an array, not an object"));
          r->in_hashkey = TRUE;
        }
      else if (r->hasher_member)
        return fail (r, _("“dm_hasher” is %s, not a string"), dm_json_value_kind_name (kind));
      r->hashkey_member = r->hasher_member = FALSE;
    }
  else if (r->depth == 2 && r->in_hashkey)
    {
      if (!is_array)
        return fail (r, _("hashkey “%s” is an object, not an array"), r->key_name->str);
      r->n_values = 0;
      r->value_depth = 3;
    }
  else if (r->depth == 3 && r->in_hashkey && is_array && r->value_depth == 3 && r->n_values == 0)
    r->value_depth = 4;
  else if (r->depth == 3 && r->in_hashkey && r->value_depth != 3)
    return fail (r, _("hashkey “%s”: a value follows its row of %u values"),
                 r->key_name->str, r->n_values);
  else if (r->depth >= 3 && r->in_hashkey)
    return fail (r, _("hashkey “%s”: value %u is %s, not an integer"),
                 r->key_name->str, r->n_values, dm_json_value_kind_name (kind));

  r->depth++;
  return 1;
}

static int
key_close (gpointer reader,
           gboolean is_array)
{
  HashKeyReader *r = reader;

  r->depth--;
  if (r->depth == 3 && r->in_hashkey)
    r->value_depth = 0;
  if (r->depth == 2 && r->in_hashkey)
    return finish_key (r);
  if (r->depth == 1)
    r->in_hashkey = FALSE;
  return 1;
}

/* value, member, open, close, fail_not_utf8 */
static const DmJsonEvents hash_key_events = {
  key_value, key_member,
  key_open, key_close, key_fail_not_utf8,
};

/* ---- reading: the usual shape, scanned by hand ---- */

/* A cache as Datumaro and dm write it is one long run of
 * "name": [n, ..., n] entries, and yajl spends some 300 instructions on
 * each of a key's 64 numbers. The scanner below reads that shape only: a
 * top-level object of string members, then "hashkey", an object of
 * 64-number arrays, last. Anything else (escapes or non-ASCII in a name,
 * other shapes, any error) sends the whole file to the yajl reader, which
 * words every error; what the scanner accepts, yajl reads the same. */

typedef enum {
  SCAN_OK,
  SCAN_MORE,     /* the buffer ends first */
  SCAN_OTHER,    /* not the usual shape: yajl's turn */
} ScanStatus;

typedef struct
{
  const char *p;
  const char *end;
} Scan;

static void
scan_space (Scan *s)
{
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
    s->p++;
}

static ScanStatus
scan_char (Scan *s,
           char  c)
{
  scan_space (s);
  if (s->p == s->end)
    return SCAN_MORE;
  if (*s->p != c)
    return SCAN_OTHER;
  s->p++;
  return SCAN_OK;
}

/* A string of printable ASCII without escapes, as [*text, *text + *length). */
static ScanStatus
scan_plain_string (Scan        *s,
                   const char **text,
                   gsize       *length)
{
  ScanStatus status = scan_char (s, '"');
  const char *q;

  if (status != SCAN_OK)
    return status;
  for (q = s->p; q < s->end && *q != '"'; q++)
    if ((guchar) *q < 0x20 || (guchar) *q >= 0x80 || *q == '\\')
      return SCAN_OTHER;
  if (q == s->end)
    return SCAN_MORE;
  *text = s->p;
  *length = (gsize) (q - s->p);
  s->p = q + 1;
  return SCAN_OK;
}

/* One entry, "name": [64 numbers from 0 to 255], into @r's key_name and key. */
static ScanStatus
scan_key (HashKeyReader *r,
          Scan          *s)
{
  const char *name;
  gsize length;
  ScanStatus status;

  if ((status = scan_plain_string (s, &name, &length)) != SCAN_OK ||
      (status = scan_char (s, ':')) != SCAN_OK ||
      (status = scan_char (s, '[')) != SCAN_OK)
    return status;
  for (guint v = 0; v < DM_HASH_KEY_SIZE; v++)
    {
      const char *digits;
      guint value = 0;

      if (v > 0 && (status = scan_char (s, ',')) != SCAN_OK)
        return status;
      scan_space (s);
      digits = s->p;
      while (s->p < s->end && *s->p >= '0' && *s->p <= '9' && s->p - digits < 4)
        value = value * 10 + (guint) (*s->p++ - '0');
      if (s->p == s->end)
        return SCAN_MORE;
      /* JSON has no leading zeros; yajl words that error. */
      if (s->p == digits || s->p - digits > 3 || value > 255 || (*digits == '0' && s->p - digits > 1))
        return SCAN_OTHER;
      r->key[v] = (guint8) value;
    }
  if ((status = scan_char (s, ']')) != SCAN_OK)
    return status;
  g_string_overwrite_len (g_string_truncate (r->key_name, 0), 0, name, (gssize) length);
  return SCAN_OK;
}

/* The top-level string members up to "hashkey" and its opening brace,
 * recorded as the yajl reader records them. */
static ScanStatus
scan_head (HashKeyReader *r,
           Scan          *s)
{
  ScanStatus status = scan_char (s, '{');

  while (status == SCAN_OK)
    {
      const char *name, *value;
      gsize name_length, value_length;

      if ((status = scan_plain_string (s, &name, &name_length)) != SCAN_OK ||
          (status = scan_char (s, ':')) != SCAN_OK)
        return status;
      if (dm_json_text_is (name, name_length, "hashkey"))
        return scan_char (s, '{');
      if ((status = scan_plain_string (s, &value, &value_length)) != SCAN_OK)
        return status;
      if (dm_json_text_is (name, name_length, "dm_hasher"))
        {
          g_free (r->hasher);
          r->hasher = g_strndup (value, value_length);
        }
      g_hash_table_replace (r->members, g_strndup (name, name_length), g_strndup (value, value_length));
      status = scan_char (s, ',');
    }
  return status;
}

/* Moves what is left from @mark on to the start of @buffer and reads
 * after it. */
static ScanStatus
scan_refill (GInputStream *input,
             char         *buffer,
             gsize         size,
             Scan         *s,
             const char   *mark,
             gboolean     *at_end)
{
  gsize kept = (gsize) (s->end - mark);
  gssize n_read;

  /* Truncated, or an entry larger than the buffer: yajl's turn. */
  if (*at_end || kept == size)
    return SCAN_OTHER;
  memmove (buffer, mark, kept);
  n_read = g_input_stream_read (input, buffer + kept, size - kept, NULL, NULL);
  if (n_read < 0)
    return SCAN_OTHER;
  *at_end = n_read == 0;
  s->p = buffer;
  s->end = buffer + kept + n_read;
  return SCAN_OK;
}

/* Clears what a scan that gave up read, for the yajl reader to start again. */
static void
reset_hash_key_reader (HashKeyReader *r)
{
  g_ptr_array_set_size (r->names, 0);
  g_ptr_array_set_size (r->blocks, 0);
  g_string_chunk_clear (r->name_chunk);
  r->block_data = NULL;
  g_hash_table_remove_all (r->members);
  g_clear_pointer (&r->hasher, g_free);
}

/* Holds the longest entry the scanner takes (a 65 472-bit key is about
 * 41 KB of JSON numbers); larger would only add page faults. */
#define SCAN_BUFFER_SIZE (64 * 1024)

/* Reads the cache into @r if it has the usual shape. Returns %FALSE when
 * it does not (nothing read then); %TRUE when it was read or the load was
 * cancelled or abandoned (@r's error set). */
static gboolean
scan_hash_keys (HashKeyReader *r)
{
  g_autoptr(GFile) file = g_file_new_for_path (r->path);
  g_autoptr(GFileInputStream) input = g_file_read (file, NULL, NULL);
  g_autofree char *buffer = g_malloc (SCAN_BUFFER_SIZE);
  enum { HEAD, FIRST_KEY, NEXT_KEY, TAIL } stage = HEAD;
  Scan s = { buffer, buffer };
  gboolean at_end = FALSE;

  if (input == NULL)
    return FALSE;

  for (;;)
    {
      const char *mark = s.p;
      ScanStatus status;

      switch (stage)
        {
        case HEAD:
          status = scan_head (r, &s);
          if (status == SCAN_OK)
            stage = FIRST_KEY;
          break;
        case FIRST_KEY:
        case NEXT_KEY:
          scan_space (&s);
          if (s.p < s.end && *s.p == '}')
            {
              s.p++;
              stage = TAIL;
              status = SCAN_OK;
              break;
            }
          status = stage == NEXT_KEY ? scan_char (&s, ',') : SCAN_OK;
          if (status == SCAN_OK)
            status = scan_key (r, &s);
          if (status != SCAN_OK)
            break;
          stage = NEXT_KEY;
          store_key (r);
          if (r->names->len % 4096 == 0 &&
              (g_cancellable_set_error_if_cancelled (r->cancellable, &r->error) ||
               g_atomic_int_get (&r->abandoned)))
            {
              if (r->error == NULL)
                g_set_error_literal (&r->error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "abandoned");
              return TRUE;
            }
          break;
        case TAIL:
          status = scan_char (&s, '}');
          if (status == SCAN_OK)
            {
              scan_space (&s);
              if (s.p < s.end)
                status = SCAN_OTHER;
              else if (at_end)
                return TRUE;
              else
                status = SCAN_MORE;   /* only space may follow: read on */
            }
          break;
        default:
          g_assert_not_reached ();
        }

      if (status == SCAN_OTHER ||
          (status == SCAN_MORE &&
           scan_refill (G_INPUT_STREAM (input), buffer, SCAN_BUFFER_SIZE, &s, mark, &at_end) != SCAN_OK))
        {
          reset_hash_key_reader (r);
          return FALSE;
        }
    }
}

/* ---- reading: either parser, and what is read ---- */

/* Parses the cache into @r with @parser; @r's error says why it failed. */
static void
parse_hash_keys (HashKeyReader   *r,
                 DmHashKeyParser  parser)
{
  GError *error = NULL;

  if (parser != DM_HASH_KEY_PARSER_YAJL && scan_hash_keys (r))
    return;
  if (parser == DM_HASH_KEY_PARSER_SCANNER)
    {
      /* Only the fuzzer asks for the scanner alone: no user reads this. */
      g_set_error_literal (&r->error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "not in the layout the scanner reads");
      return;
    }
  if (!dm_json_stream_parse_events (r->path, &hash_key_events, r, &r->error, r->cancellable, &error))
    {
      g_clear_error (&r->error);
      r->error = error;
    }
}

/* The key k of @r, a slice of its block. */
static GBytes *
reader_key (HashKeyReader *r,
            guint          k)
{
  return g_bytes_new_from_bytes (g_ptr_array_index (r->blocks, k / KEYS_PER_BLOCK),
                                 (gsize) (k % KEYS_PER_BLOCK) * DM_HASH_KEY_SIZE,
                                 DM_HASH_KEY_SIZE);
}

/*
 * dm_hash_key_cache_read_with:
 * @path: a file in the cache's layout (a cache, or a shard's key file)
 * @parser: which parser reads it
 * @members: (out) (transfer full): its string-valued top-level members
 *   (name → value, "dm_hasher" among them)
 * @func: called on every key, in file order
 * @user_data: for @func
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads @path and calls @func on its keys, stopping at the first failure.
 *
 * Returns: %TRUE when the file was read and @func never failed
 */
gboolean
dm_hash_key_cache_read_with (const char       *path,
                             DmHashKeyParser   parser,
                             GHashTable      **members,
                             DmHashKeyFunc     func,
                             gpointer          user_data,
                             GCancellable     *cancellable,
                             GError          **error)
{
  g_autoptr(HashKeyReader) r = hash_key_reader_new (path, cancellable);

  parse_hash_keys (r, parser);
  if (r->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&r->error));
      return FALSE;
    }
  /* Before the keys, so @func can check them against the members. */
  *members = g_hash_table_ref (r->members);
  for (guint k = 0; k < r->names->len; k++)
    {
      g_autoptr(GBytes) key = reader_key (r, k);

      if (!func (g_ptr_array_index (r->names, k), key, user_data, error))
        return FALSE;
    }
  return TRUE;
}

/*
 * dm_datumaro_read_hash_key_file:
 *
 * dm_hash_key_cache_read_with() by %DM_HASH_KEY_PARSER_ANY, as every
 * reader of a key file but the fuzzer reads it.
 */
gboolean
dm_datumaro_read_hash_key_file (const char    *path,
                                GHashTable   **members,
                                DmHashKeyFunc  func,
                                gpointer       user_data,
                                GCancellable  *cancellable,
                                GError       **error)
{
  return dm_hash_key_cache_read_with (path, DM_HASH_KEY_PARSER_ANY, members, func, user_data,
                                      cancellable, error);
}

/* ---- a dataset's cache, read beside its annotations ---- */

struct _DmHashKeyLoad
{
  HashKeyReader *reader;
  GThread *thread;               /* NULL when none started, or once joined */
};

/* How many unknown items a warning names before it only counts the rest. */
#define UNKNOWN_ITEMS_SHOWN 5

/* Gives the items of @dataset the keys @r read, the last one where a name
 * occurs twice, and sets the hash key origin. Keys of items the dataset
 * lacks are ignored with a warning. */
static void
apply_hash_keys (HashKeyReader *r,
                 DmDataset     *dataset)
{
  guint n_unknown = 0;

  for (guint k = 0; k < r->names->len; k++)
    {
      const char *name = g_ptr_array_index (r->names, k);
      DmItem *item = dm_hash_key_find_item (dataset, name);

      if (item == NULL)
        {
          if (n_unknown < UNKNOWN_ITEMS_SHOWN)
            g_warning (_("%s: ignoring the key of “%s”, which is not an item of the dataset"),
                       r->path, name);
          n_unknown++;
        }
      else
        {
          g_autoptr(GBytes) key = reader_key (r, k);

          dm_item_set_hash_key (item, key);
        }
    }
  if (n_unknown > UNKNOWN_ITEMS_SHOWN)
    g_warning (_("%s: ignoring %u more keys of items that are not in the dataset"),
               r->path, n_unknown - UNKNOWN_ITEMS_SHOWN);
  dm_dataset_set_hash_key_origin (dataset, r->hasher != NULL ? r->hasher : DM_HASH_KEY_ORIGIN_DATUMARO);
}

static gpointer
parse_in_thread (gpointer reader)
{
  parse_hash_keys (reader, DM_HASH_KEY_PARSER_ANY);
  return NULL;
}

/*
 * dm_hash_key_load_start:
 * @path: a dataset's cache file
 * @cancellable: (nullable): a #GCancellable
 *
 * Starts parsing @path in a thread of its own, for the Datumaro reader to
 * read the annotation files meanwhile: the cache is as large as they are.
 * Where no thread can start, dm_hash_key_load_finish() parses it.
 *
 * Returns: (transfer full): the load, to finish or to free
 */
DmHashKeyLoad *
dm_hash_key_load_start (const char   *path,
                        GCancellable *cancellable)
{
  DmHashKeyLoad *load = g_new0 (DmHashKeyLoad, 1);

  load->reader = hash_key_reader_new (path, cancellable);
  load->thread = g_thread_try_new ("dm-hash-keys", parse_in_thread, load->reader, NULL);
  return load;
}

/*
 * dm_hash_key_load_finish:
 * @load: a load dm_hash_key_load_start() started
 * @dataset: the dataset the cache belongs to
 * @error: return location for a #GError
 *
 * Waits for the parse of @load, then gives the items of @dataset the keys
 * read and sets its hash key origin.
 *
 * Returns: %TRUE on success, %FALSE with @error set when the cache is not
 *   valid (nothing applied then)
 */
gboolean
dm_hash_key_load_finish (DmHashKeyLoad  *load,
                         DmDataset      *dataset,
                         GError        **error)
{
  HashKeyReader *r = load->reader;

  if (load->thread != NULL)
    g_thread_join (g_steal_pointer (&load->thread));
  else
    parse_hash_keys (r, DM_HASH_KEY_PARSER_ANY);
  if (r->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&r->error));
      return FALSE;
    }
  apply_hash_keys (r, dataset);
  return TRUE;
}

/*
 * dm_hash_key_load_free:
 * @load: a load
 *
 * Frees @load. One not finished belongs to a dataset that failed to load:
 * its parse is told to stop at its next check, and what it read is dropped.
 */
void
dm_hash_key_load_free (DmHashKeyLoad *load)
{
  if (load->thread != NULL)
    {
      g_atomic_int_set (&load->reader->abandoned, TRUE);
      g_thread_join (load->thread);
    }
  hash_key_reader_free (load->reader);
  g_free (load);
}
