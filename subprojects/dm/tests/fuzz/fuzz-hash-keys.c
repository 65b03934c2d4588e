/* fuzz-hash-keys.c: the reader of Datumaro's hash-key cache,
 * hash_key_meta/hash_keys.json, on arbitrary bytes beside a fixed, valid
 * annotations file of three items in two subsets; and, on every input the
 * cache's fast scanner accepts, a check that its yajl parser reads the same.
 *
 * The two parsers are libdm's private API: this target is built from
 * libdm's objects with DM_COMPILATION (see meson.build). */
#include <string.h>

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

/* Appends a key to @transcript: its name, a NUL, its DM_HASH_KEY_SIZE
 * bytes. Two transcripts are equal when the keys were, in the same order. */
static gboolean
append_key (const char  *name,
            GBytes      *key,
            gpointer     transcript,
            GError     **error)
{
  g_string_append_len (transcript, name, (gssize) strlen (name) + 1);
  g_string_append_len (transcript, g_bytes_get_data (key, NULL), (gssize) g_bytes_get_size (key));
  return TRUE;
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
  g_autoptr(GHashTable) scanned_members = NULL;
  g_autoptr(GHashTable) parsed_members = NULL;
  g_autoptr(GString) scanned_keys = g_string_new (NULL);
  g_autoptr(GString) parsed_keys = g_string_new (NULL);
  g_autoptr(GError) scan_error = NULL;
  g_autoptr(GError) parse_error = NULL;

  if (!dm_hash_key_cache_read_with (path, DM_HASH_KEY_PARSER_SCANNER, &scanned_members,
                                    append_key, scanned_keys, NULL, &scan_error))
    {
      /* The scanner's one way to fail: it words no errors. */
      g_assert_error (scan_error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
      return;
    }
  dm_hash_key_cache_read_with (path, DM_HASH_KEY_PARSER_YAJL, &parsed_members,
                               append_key, parsed_keys, NULL, &parse_error);
  g_assert_no_error (parse_error);

  assert_same_members (scanned_members, parsed_members);
  g_assert_cmpmem (scanned_keys->str, scanned_keys->len, parsed_keys->str, parsed_keys->len);
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
