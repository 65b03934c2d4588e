/* fuzz-datumaro.c: the Datumaro annotation reader on arbitrary bytes as
 * annotations/default.json. Whatever it accepts must also survive being
 * written back and read again with the same items. */
#include <dm.h>

#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *root = fuzz_make_root ();
  g_autofree char *source = g_build_filename (root, "in", NULL);
  g_autofree char *copy = g_build_filename (root, "out", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(DmDataset) dataset = NULL;

  fuzz_write_file (source, "annotations/default.json", data, size);
  dataset = dm_datumaro_load (source, NULL, &error);
  fuzz_check_result (dataset, error, source);

  if (dataset != NULL && dm_datumaro_write (dataset, copy, NULL, NULL))
    {
      g_autoptr(DmDataset) again = dm_datumaro_load (copy, NULL, &error);

      if (again == NULL)
        g_error ("a dataset written by dm_datumaro_write cannot be read back: %s", error->message);
      g_assert_cmpuint (dm_dataset_get_n_items (again), ==, dm_dataset_get_n_items (dataset));
      g_assert_cmpuint (dm_dataset_get_n_labels (again), ==, dm_dataset_get_n_labels (dataset));
      for (guint i = 0; i < dm_dataset_get_n_items (dataset); i++)
        {
          DmItem *item = dm_dataset_get_item (dataset, i);
          DmItem *read = dm_dataset_find_item (again, dm_item_get_subset (item), dm_item_get_id (item));

          g_assert_nonnull (read);
          g_assert_cmpstr (dm_item_get_json (read), ==, dm_item_get_json (item));
        }
    }

  fuzz_remove_tree (root);
  return 0;
}
