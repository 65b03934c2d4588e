/* bench-ndr.c: times prune's "ndr" method on a list of images.
 *
 * Usage: bench-ndr LIST RATIO SEED [FEATURES_OUT]
 *   LIST          lines "subset<TAB>image path"
 *   FEATURES_OUT  also writes each image's gradient feature (float32,
 *                 list order), decoded here without orientation or alpha
 *                 handling, for comparison with a reference
 * Prints one JSON object: seconds, items, kept.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>

#include <gdk-pixbuf/gdk-pixbuf.h>

#include "prune-ndr.h"

static DmDataset *
dataset_from_list (const char *list_path, GError **error)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(DmDataset) dataset = dm_dataset_new ();

  if (!g_file_get_contents (list_path, &contents, NULL, error))
    return NULL;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = NULL;
      g_autofree char *id = NULL;
      g_autoptr(DmItem) item = NULL;

      if (lines[i][0] == '\0')
        continue;
      fields = g_strsplit (lines[i], "\t", 2);
      if (g_strv_length (fields) != 2)
        {
          g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                       "%s:%u: expected “subset<TAB>path”", list_path, i + 1);
          return NULL;
        }
      id = g_strdup_printf ("%u", i);
      item = dm_item_new (id, fields[0]);
      dm_item_set_image_path (item, fields[1]);
      dm_dataset_append_item (dataset, item);
    }

  return g_steal_pointer (&dataset);
}

static gboolean
write_features (DmDataset *dataset, const DmNdrParams *params, const char *path, GError **error)
{
  gsize dim = dm_ndr_feature_dim (params);
  guint n_items = dm_dataset_get_n_items (dataset);
  g_autofree float *features = g_new (float, (gsize) n_items * dim);

  for (guint i = 0; i < n_items; i++)
    {
      const char *image = dm_item_get_image_path (dm_dataset_get_item (dataset, i));
      g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new_from_file (image, error);

      if (pixbuf == NULL)
        return FALSE;
      if (gdk_pixbuf_get_has_alpha (pixbuf))
        {
          g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                       "%s: the feature dump takes opaque images only", image);
          return FALSE;
        }
      dm_ndr_features (gdk_pixbuf_read_pixels (pixbuf), gdk_pixbuf_get_width (pixbuf),
                       gdk_pixbuf_get_height (pixbuf), gdk_pixbuf_get_rowstride (pixbuf),
                       params, features + (gsize) i * dim);
    }

  return g_file_set_contents (path, (const char *) features,
                              (gssize) ((gsize) n_items * dim * sizeof (float)), error);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DmDataset) dataset = NULL;
  g_autoptr(GArray) kept = NULL;
  DmNdrParams params;
  gint64 start, end;

  if (argc < 4 || argc > 5)
    {
      g_printerr ("Usage: %s LIST RATIO SEED [FEATURES_OUT]\n", argv[0]);
      return 2;
    }

  dm_ndr_params_init (&params);
  dataset = dataset_from_list (argv[1], &error);
  if (dataset == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  start = g_get_monotonic_time ();
  if (!prune_ndr_select (dataset, &params, g_ascii_strtod (argv[2], NULL),
                         (guint32) g_ascii_strtoull (argv[3], NULL, 10),
                         NULL, NULL, &kept, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  end = g_get_monotonic_time ();

  if (argc == 5 && !write_features (dataset, &params, argv[4], &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  g_print ("{\"seconds\": %.4f, \"items\": %u, \"kept\": %u, \"threads\": %u}\n",
           (end - start) / (double) G_USEC_PER_SEC, dm_dataset_get_n_items (dataset),
           kept->len, g_get_num_processors ());
  return 0;
}
