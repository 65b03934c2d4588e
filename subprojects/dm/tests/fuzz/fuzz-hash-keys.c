/* fuzz-hash-keys.c: the reader of Datumaro's hash-key cache,
 * hash_key_meta/hash_keys.json, on arbitrary bytes beside a fixed, valid
 * annotations file of three items in two subsets. */
#include <dm.h>

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

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *root = fuzz_make_root ();
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

  fuzz_remove_tree (root);
  return 0;
}
