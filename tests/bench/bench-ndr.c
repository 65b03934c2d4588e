/* bench-ndr.c: times prune's "ndr" method on a list of images.
 *
 * Usage: bench-ndr LIST RATIO SEED [FEATURES_OUT]
 *   LIST          lines "subset<TAB>image path"
 *   FEATURES_OUT  also writes each image's gradient feature (float32,
 *                 list order), decoded here without orientation or alpha
 *                 handling, for comparison with a reference
 * Prints one JSON object: seconds, items, kept, threads, and with
 * FEATURES_OUT the near-duplicates NDR found before the cut.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
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

/* How many near-duplicates NDR finds before the cut, summed over subsets,
 * from the features in list order. */
static gsize
count_near_duplicates (DmDataset *dataset, const DmNdrParams *params, const float *features,
                       double ratio, guint32 seed)
{
  gsize dim = dm_ndr_feature_dim (params);
  guint n_items = dm_dataset_get_n_items (dataset);
  const char * const *subsets = dm_dataset_get_subsets (dataset);
  gsize total = 0;

  for (gsize s = 0; subsets[s] != NULL; s++)
    {
      g_autoptr(GArray) subset_features = g_array_new (FALSE, FALSE, sizeof (float));
      g_autofree guint *kept = NULL;
      gsize n = 0, n_duplicates = 0;
      DmNdrRequest request;

      for (guint i = 0; i < n_items; i++)
        if (g_str_equal (dm_item_get_subset (dm_dataset_get_item (dataset, i)), subsets[s]))
          {
            g_array_append_vals (subset_features, features + (gsize) i * dim, (guint) dim);
            n++;
          }
      kept = g_new (guint, MAX (n, 1));
      request = (DmNdrRequest) {
        .features = (const float *) (gpointer) subset_features->data, .n_items = n, .dim = dim,
        .n_keep = (gsize) MIN (ceil (n * ratio), (double) n), .params = params, .seed = seed,
      };
      if (dm_ndr_select (&request, kept, &n_duplicates, NULL))
        total += n_duplicates;
    }

  return total;
}

static gboolean
write_features (DmDataset *dataset, const DmNdrParams *params, const char *path,
                double ratio, guint32 seed, gsize *n_duplicates, GError **error)
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

  *n_duplicates = count_near_duplicates (dataset, params, features, ratio, seed);
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
  PruneNdrRequest request;
  gint64 start, end;
  double ratio;
  guint32 seed;
  gsize n_duplicates = 0;

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

  ratio = g_ascii_strtod (argv[2], NULL);
  seed = (guint32) g_ascii_strtoull (argv[3], NULL, 10);
  start = g_get_monotonic_time ();
  request = (PruneNdrRequest) { .dataset = dataset, .params = &params, .ratio = ratio, .seed = seed };
  if (!prune_ndr_select (&request, NULL, &kept, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  end = g_get_monotonic_time ();

  if (argc == 5 && !write_features (dataset, &params, argv[4], ratio, seed, &n_duplicates,
                                    &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  g_print ("{\"seconds\": %.4f, \"items\": %u, \"kept\": %u, \"threads\": %u, "
           "\"near_duplicates\": %" G_GSIZE_FORMAT "}\n",
           (end - start) / (double) G_USEC_PER_SEC, dm_dataset_get_n_items (dataset),
           kept->len, g_get_num_processors (), n_duplicates);
  return 0;
}
