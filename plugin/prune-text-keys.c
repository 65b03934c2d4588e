/* prune-text-keys.c: image keys extended with label text keys (hash type "txt").
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include <glib/gi18n-lib.h>

#include "dm-image-key.h"
#include "dm-text-key.h"
#include "prune-text-keys.h"


/**
 * prune_text_keys_append:
 * @image_keys: the 64-byte image key of each item of @dataset, in order
 * @dataset: the dataset the keys belong to
 * @error: return location for a %DM_ERROR
 *
 * Datumaro's `txt` hash type: after each item's image key comes the text
 * key of its label (its first label annotation), computed with the prompt
 * templates of the dataset's format; a label id outside the dataset's
 * labels, which has no name, is prompted by its number. The text key is lexical, not CLIP's;
 * see dm-text-key.h.
 *
 * Returns: (transfer full): 128 bytes per item, image key then text key,
 *   or %NULL with @error set (%DM_ERROR_INVALID_ARGUMENT for keys of the
 *   wrong size, %DM_ERROR_INVALID_DATA for an item without a label)
 */
GBytes *
prune_text_keys_append (GBytes     *image_keys,
                        DmDataset  *dataset,
                        GError    **error)
{
  const char * const *templates;
  const guint8 *image_bytes;
  gsize image_size;
  guint n_items, n_labels;
  g_autofree guint8 *keys = NULL;
  g_autofree guint8 *label_keys = NULL;
  g_autofree gboolean *label_done = NULL;

  g_return_val_if_fail (image_keys != NULL, NULL);
  g_return_val_if_fail (DM_IS_DATASET (dataset), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  n_items = dm_dataset_get_n_items (dataset);
  image_bytes = g_bytes_get_data (image_keys, &image_size);
  if (image_size != (gsize) n_items * DM_IMAGE_KEY_BYTES)
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_ARGUMENT,
                   _("Image keys: %zu bytes for %u items, expected %d per item"),
                   image_size, n_items, DM_IMAGE_KEY_BYTES);
      return NULL;
    }

  templates = dm_text_key_templates_for_format (dm_dataset_get_format (dataset));
  n_labels = dm_dataset_get_n_labels (dataset);
  /* Items of one label share its key: compute each label's once. */
  label_keys = g_new (guint8, (gsize) MAX (n_labels, 1) * DM_TEXT_KEY_BYTES);
  label_done = g_new0 (gboolean, MAX (n_labels, 1));
  keys = g_new (guint8, (gsize) n_items * (DM_IMAGE_KEY_BYTES + DM_TEXT_KEY_BYTES));

  for (guint i = 0; i < n_items; i++)
    {
      DmItem *item = dm_dataset_get_item (dataset, i);
      int label = dm_item_get_label (item);
      guint8 *key = keys + (gsize) i * (DM_IMAGE_KEY_BYTES + DM_TEXT_KEY_BYTES);

      if (label < 0)
        {
          g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                       _("Item “%s” of subset “%s” has no label, which hash type “txt” needs"),
                       dm_item_get_id (item), dm_item_get_subset (item));
          return NULL;
        }

      memcpy (key, image_bytes + (gsize) i * DM_IMAGE_KEY_BYTES, DM_IMAGE_KEY_BYTES);
      /* A label id outside the dataset's labels has no name: its text is
       * the id, as Datumaro looks a label's prompts up by str(id). */
      if ((guint) label >= n_labels)
        {
          g_autofree char *id_text = g_strdup_printf ("%d", label);

          dm_text_key_compute (id_text, templates, key + DM_IMAGE_KEY_BYTES);
          continue;
        }

      if (!label_done[label])
        {
          dm_text_key_compute (dm_dataset_get_label_name (dataset, (guint) label), templates,
                               label_keys + (gsize) label * DM_TEXT_KEY_BYTES);
          label_done[label] = TRUE;
        }

      memcpy (key + DM_IMAGE_KEY_BYTES, label_keys + (gsize) label * DM_TEXT_KEY_BYTES,
              DM_TEXT_KEY_BYTES);
    }

  return g_bytes_new_take (g_steal_pointer (&keys),
                           (gsize) n_items * (DM_IMAGE_KEY_BYTES + DM_TEXT_KEY_BYTES));
}
