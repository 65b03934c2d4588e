/* fuzz-hash-keys.c: the reader of Datumaro's hash-key cache,
 * hash_key_meta/hash_keys.json, on arbitrary bytes beside a fixed, valid
 * annotations file of three items in two subsets; and, on every input the
 * cache's fast scanner accepts, a check that its yajl parser reads the same.
 *
 * The two parsers are libdm's private API: this target is built from
 * libdm's objects with DM_COMPILATION (see meson.build). */
#include <dm.h>

#include "dm-hash-key-cache.h"
#include "fuzz-common.h"

static const char annotations_train[] =
  "{\"dm_format_version\": \"1.0\", \"media_type\": 2, \"infos\": {},"
  " \"categories\": {\"label\": {\"labels\": [{\"name\": \"a\", \"parent\": \"\", \"attributes\": []},"
  " {\"name\": \"b\", \"parent\": \"\", \"attributes\": []}], \"label_groups\": [], \"attributes\": []}},"
  " \"items\": [{\"id\": \"x\", \"annotations\": [{\"id\": 0, \"type\": \"label\", \"attributes\": {},"
  " \"group\": 0, \"label_id\": 0}]},"
  " {\"id\": \"y\", \"annotations\": [{\"id\": 0, \"type\": \"label\", \"attributes\": {},"
  " \"group\": 0, \"label_id\": 1}]}]}";

static const char annotations_val[] =
  "{\"dm_format_version\": \"1.0\", \"media_type\": 2, \"infos\": {},"
  " \"categories\": {\"label\": {\"labels\": [{\"name\": \"a\", \"parent\": \"\", \"attributes\": []},"
  " {\"name\": \"b\", \"parent\": \"\", \"attributes\": []}], \"label_groups\": [], \"attributes\": []}},"
  " \"items\": [{\"id\": \"z/1\", \"annotations\": []}]}";

/* What one parser read: the top-level members, and the keys in file order. */
typedef struct
{
  GHashTable *members;
  GPtrArray *names;              /* of char * */
  GPtrArray *keys;               /* of GBytes, beside names */
} KeysRead;

static void
keys_read_clear (KeysRead *read)
{
  g_clear_pointer (&read->members, g_hash_table_unref);
  g_clear_pointer (&read->names, g_ptr_array_unref);
  g_clear_pointer (&read->keys, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (KeysRead, keys_read_clear)

static gboolean
collect_key (const char  *name,
             GBytes      *key,
             gpointer     user_data,
             GError     **error)
{
  KeysRead *read = user_data;

  g_ptr_array_add (read->names, g_strdup (name));
  g_ptr_array_add (read->keys, g_bytes_ref (key));
  return TRUE;
}

static gboolean
read_keys (const char       *path,
           DmHashKeyParser   parser,
           KeysRead         *read,
           GError          **error)
{
  read->names = g_ptr_array_new_with_free_func (g_free);
  read->keys = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  return dm_hash_key_cache_read_with (path, parser, &read->members, collect_key, read, NULL, error);
}

static void
assert_same_members (GHashTable *members,
                     GHashTable *expected)
{
  GHashTableIter iter;
  gpointer name, value;

  g_assert_cmpuint (g_hash_table_size (members), ==, g_hash_table_size (expected));
  g_hash_table_iter_init (&iter, members);
  while (g_hash_table_iter_next (&iter, &name, &value))
    g_assert_cmpstr (value, ==, g_hash_table_lookup (expected, name));
}

/* The scanner reads only the shape Datumaro and dm write, and declines the
 * rest to yajl, which reads any file. Were the two to read a file the
 * scanner accepts differently, a cache's meaning would hang on its spacing:
 * yajl must read it too, to the same members and the same keys in the same
 * order. */
static void
check_parsers_agree (const char *path)
{
  g_auto(KeysRead) scanned = { 0 };
  g_auto(KeysRead) parsed = { 0 };
  g_autoptr(GError) scan_error = NULL;
  g_autoptr(GError) parse_error = NULL;

  if (!read_keys (path, DM_HASH_KEY_PARSER_SCANNER, &scanned, &scan_error))
    {
      /* The scanner's one way to fail: it words no errors. */
      g_assert_error (scan_error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
      return;
    }
  read_keys (path, DM_HASH_KEY_PARSER_YAJL, &parsed, &parse_error);
  g_assert_no_error (parse_error);

  assert_same_members (scanned.members, parsed.members);
  g_assert_cmpuint (scanned.names->len, ==, parsed.names->len);
  for (guint k = 0; k < scanned.names->len; k++)
    {
      g_assert_cmpstr (g_ptr_array_index (scanned.names, k), ==, g_ptr_array_index (parsed.names, k));
      g_assert_true (g_bytes_equal (g_ptr_array_index (scanned.keys, k), g_ptr_array_index (parsed.keys, k)));
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *root = fuzz_make_root ();
  g_autofree char *cache = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DmDataset) dataset = NULL;

  fuzz_write_file (root, "annotations/train.json", annotations_train, sizeof annotations_train - 1);
  fuzz_write_file (root, "annotations/val.json", annotations_val, sizeof annotations_val - 1);
  fuzz_write_file (root, "hash_key_meta/hash_keys.json", data, size);
  dataset = dm_datumaro_load (root, NULL, &error);
  fuzz_check_result (dataset, error, root);

  if (dataset != NULL)
    {
      g_assert_cmpuint (dm_dataset_get_n_items (dataset), ==, 3);
      for (guint i = 0; i < 3; i++)
        {
          GBytes *key = dm_item_get_hash_key (dm_dataset_get_item (dataset, i));

          /* Datumaro's keys are 512 bits. */
          if (key != NULL)
            g_assert_cmpuint (g_bytes_get_size (key), ==, 64);
        }
    }

  cache = dm_hash_key_cache_path (root);
  check_parsers_agree (cache);

  fuzz_remove_tree (root);
  return 0;
}
