/* ImageNet folder trees (both layouts), format detection, forced formats,
 * and ImageNet saved as Datumaro.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include <dm.h>

#include "test-helpers.h"
#include <dm-dataset-io.h>

/* Writes ROOT/<relative> with a small PPM (any contents for non-images). */
static char *
put_file (const char *root,
          const char *relative)
{
  g_autofree char *path = g_build_filename (root, relative, NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *contents = g_strdup_printf ("P6\n1 1\n255\n%c%c%c", relative[0], relative[1], relative[2]);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static void
put_dir (const char *root,
         const char *relative)
{
  g_autofree char *path = g_build_filename (root, relative, NULL);

  g_assert_cmpint (g_mkdir_with_parents (path, 0755), ==, 0);
}

static void
test_flat_layout (void)
{
  g_autofree char *root = make_temp_dir ();
  g_autofree char *first = NULL;
  g_autoptr(DmDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *format = NULL;
  DmItem *item;

  g_free (put_file (root, "dog/d1.jpeg"));
  first = put_file (root, "cat/b.PNG");
  g_free (put_file (root, "cat/a.jpg"));
  g_free (put_file (root, "cat/readme.txt"));
  g_free (put_file (root, "cat/.hidden.jpg"));
  g_free (put_file (root, "dog/photo.final.TIFF"));
  g_free (put_file (root, "notes.md"));
  put_dir (root, "empty");
  put_dir (root, "dog/nested");

  format = dm_dataset_detect_format (root, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (format, ==, "imagenet");

  dataset = dm_dataset_load (root, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dm_dataset_get_format (dataset), ==, "imagenet");

  /* Sorted label folders, the empty one too. */
  g_assert_cmpuint (dm_dataset_get_n_labels (dataset), ==, 3);
  g_assert_cmpstr (dm_dataset_get_label_name (dataset, 0), ==, "cat");
  g_assert_cmpstr (dm_dataset_get_label_name (dataset, 1), ==, "dog");
  g_assert_cmpstr (dm_dataset_get_label_name (dataset, 2), ==, "empty");
  g_assert_cmpstr (dm_dataset_get_subsets (dataset)[0], ==, "default");
  g_assert_null (dm_dataset_get_subsets (dataset)[1]);

  /* Images only, sorted, ids <label>/<stem>. */
  g_assert_cmpuint (dm_dataset_get_n_items (dataset), ==, 4);
  item = dm_dataset_get_item (dataset, 0);
  g_assert_cmpstr (dm_item_get_id (item), ==, "cat/a");
  item = dm_dataset_get_item (dataset, 1);
  g_assert_cmpstr (dm_item_get_id (item), ==, "cat/b");
  g_assert_cmpstr (dm_item_get_subset (item), ==, "default");
  g_assert_cmpstr (dm_item_get_image_path (item), ==, first);
  g_assert_cmpstr (dm_item_get_image_relpath (item), ==, "cat/b.PNG");
  g_assert_cmpint (dm_item_get_label (item), ==, 0);
  g_assert_null (dm_item_get_json (item));
  item = dm_dataset_get_item (dataset, 2);
  g_assert_cmpstr (dm_item_get_id (item), ==, "dog/d1");
  g_assert_cmpint (dm_item_get_label (item), ==, 1);
  item = dm_dataset_get_item (dataset, 3);
  g_assert_cmpstr (dm_item_get_id (item), ==, "dog/photo.final");

  remove_tree (root);
}

static void
test_subset_layout (void)
{
  g_autofree char *root = make_temp_dir ();
  g_autoptr(DmDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *format = NULL;
  const char * const *subsets;
  DmItem *item;

  g_free (put_file (root, "val/dog/v1.bmp"));
  g_free (put_file (root, "train/cat/t1.jpg"));
  g_free (put_file (root, "train/cat/t2.gif"));
  g_free (put_file (root, "train/bird/t3.webp"));
  put_dir (root, "val/fish");

  format = dm_dataset_detect_format (root, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (format, ==, "imagenet");

  dataset = dm_dataset_load (root, "imagenet", NULL, &error);
  g_assert_no_error (error);
  subsets = dm_dataset_get_subsets (dataset);
  g_assert_cmpstr (subsets[0], ==, "train");
  g_assert_cmpstr (subsets[1], ==, "val");
  g_assert_null (subsets[2]);
  /* The label folders of every subset, sorted. */
  g_assert_cmpuint (dm_dataset_get_n_labels (dataset), ==, 4);
  g_assert_cmpstr (dm_dataset_get_label_name (dataset, 0), ==, "bird");
  g_assert_cmpstr (dm_dataset_get_label_name (dataset, 1), ==, "cat");
  g_assert_cmpstr (dm_dataset_get_label_name (dataset, 2), ==, "dog");
  g_assert_cmpstr (dm_dataset_get_label_name (dataset, 3), ==, "fish");

  g_assert_cmpuint (dm_dataset_get_n_items (dataset), ==, 4);
  item = dm_dataset_find_item (dataset, "train", "bird/t3");
  g_assert_nonnull (item);
  g_assert_cmpint (dm_item_get_label (item), ==, 0);
  g_assert_cmpstr (dm_item_get_image_relpath (item), ==, "bird/t3.webp");
  item = dm_dataset_find_item (dataset, "val", "dog/v1");
  g_assert_nonnull (item);
  g_assert_cmpint (dm_item_get_label (item), ==, 2);
  g_assert_null (dm_dataset_find_item (dataset, "train", "dog/v1"));

  remove_tree (root);
}

/* Links to folders are not followed, so loops end; links to images count. */
static void
test_symlink_loops (void)
{
  g_autofree char *root = make_temp_dir ();
  g_autofree char *outside = make_temp_dir ();
  g_autofree char *target = put_file (outside, "x.jpg");
  g_autoptr(DmDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;
  const char *links[][2] = {
    { "cat/up", ".." },
    { "cat/self", "." },
    { "cat/a", "b" },
    { "cat/b", "a" },
    { "linked-label", "cat" },
  };

  g_free (put_file (root, "cat/c1.jpg"));
  for (guint l = 0; l < G_N_ELEMENTS (links); l++)
    {
      g_autofree char *path = g_build_filename (root, links[l][0], NULL);

      g_assert_cmpint (symlink (links[l][1], path), ==, 0);
    }
  {
    g_autofree char *path = g_build_filename (root, "cat", "linked.jpg", NULL);

    g_assert_cmpint (symlink (target, path), ==, 0);
  }

  dataset = dm_dataset_load (root, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dm_dataset_get_n_labels (dataset), ==, 1);
  g_assert_cmpuint (dm_dataset_get_n_items (dataset), ==, 2);
  g_assert_cmpstr (dm_item_get_id (dm_dataset_get_item (dataset, 0)), ==, "cat/c1");
  g_assert_cmpstr (dm_item_get_id (dm_dataset_get_item (dataset, 1)), ==, "cat/linked");

  remove_tree (root);
  remove_tree (outside);
}

static void
test_duplicate_stems (void)
{
  g_autofree char *root = make_temp_dir ();
  g_autofree char *jpg = put_file (root, "cat/a.jpg");
  g_autofree char *png = put_file (root, "cat/a.png");
  g_autoptr(DmDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;

  dataset = dm_imagenet_load (root, NULL, &error);
  g_assert_null (dataset);
  g_assert_error (error, DM_ERROR, DM_ERROR_INVALID_DATA);
  assert_error_mentions (error, jpg);
  assert_error_mentions (error, png);
  assert_error_mentions (error, "cat/a");

  remove_tree (root);
}

static void
test_detection (void)
{
  g_autofree char *root = make_temp_dir ();
  g_autofree char *datumaro = g_build_filename (root, "datumaro", NULL);
  g_autofree char *nothing = g_build_filename (root, "nothing", NULL);
  g_autofree char *too_deep = g_build_filename (root, "too-deep", NULL);
  g_autofree char *missing = g_build_filename (root, "missing", NULL);
  g_autofree char *file = NULL;
  g_autofree char *format = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DmDataset) dataset = NULL;
  g_autofree char *annotations = g_build_filename (datumaro, "annotations", "default.json", NULL);

  /* Datumaro wins over images in label-like folders. */
  put_dir (datumaro, "annotations");
  g_file_set_contents (annotations, "{\"items\": []}", -1, &error);
  g_assert_no_error (error);
  g_free (put_file (datumaro, "images/default/a.jpg"));
  format = dm_dataset_detect_format (datumaro, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (format, ==, "datumaro");
  g_clear_pointer (&format, g_free);

  /* No images anywhere, or too deep: unknown. */
  put_dir (nothing, "cat");
  g_free (put_file (nothing, "cat/readme.txt"));
  format = dm_dataset_detect_format (nothing, &error);
  g_assert_null (format);
  g_assert_error (error, DM_ERROR, DM_ERROR_UNKNOWN_FORMAT);
  assert_error_mentions (error, nothing);
  g_clear_error (&error);
  g_free (put_file (too_deep, "a/b/c/d.jpg"));
  format = dm_dataset_detect_format (too_deep, &error);
  g_assert_error (error, DM_ERROR, DM_ERROR_UNKNOWN_FORMAT);
  g_clear_error (&error);

  /* Forced: ImageNet without images still gives the labels. */
  dataset = dm_dataset_load (nothing, "imagenet", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dm_dataset_get_n_items (dataset), ==, 0);
  g_assert_cmpuint (dm_dataset_get_n_labels (dataset), ==, 1);
  g_clear_object (&dataset);

  /* An unknown format name, a missing path, a file. */
  dataset = dm_dataset_load (datumaro, "coco", NULL, &error);
  g_assert_null (dataset);
  g_assert_error (error, DM_ERROR, DM_ERROR_UNKNOWN_FORMAT);
  assert_error_mentions (error, "coco");
  g_clear_error (&error);

  dataset = dm_dataset_load (missing, NULL, NULL, &error);
  g_assert_null (dataset);
  g_assert_error (error, DM_ERROR, DM_ERROR_NOT_FOUND);
  assert_error_mentions (error, missing);
  g_clear_error (&error);
  format = dm_dataset_detect_format (missing, &error);
  g_assert_error (error, DM_ERROR, DM_ERROR_NOT_FOUND);
  g_clear_error (&error);

  file = put_file (root, "plain.jpg");
  dataset = dm_dataset_load (file, "imagenet", NULL, &error);
  g_assert_null (dataset);
  g_assert_error (error, DM_ERROR, DM_ERROR_INVALID_ARGUMENT);
  assert_error_mentions (error, file);
  g_clear_error (&error);

  remove_tree (root);
}

/* Saved as Datumaro: the item objects and header Datumaro would write. */
static void
test_save_as_datumaro (void)
{
  g_autofree char *root = make_temp_dir ();
  g_autofree char *source = g_build_filename (root, "in", NULL);
  g_autofree char *dest = g_build_filename (root, "out", NULL);
  g_autofree char *image = g_build_filename (dest, "images", "default", "dog", "d1.jpg", NULL);
  g_autofree char *annotations = g_build_filename (dest, "annotations", "default.json", NULL);
  g_autofree char *original = NULL;
  g_autoptr(DmDataset) dataset = NULL;
  g_autoptr(DmDataset) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) written = NULL;
  g_autoptr(JsonNode) expected = NULL;
  g_autofree char *text = NULL;
  g_autofree char *contents_a = NULL;
  g_autofree char *contents_b = NULL;

  g_free (put_file (source, "cat/c1.jpg"));
  original = put_file (source, "dog/d1.jpg");
  dataset = dm_dataset_load (source, NULL, NULL, &error);
  g_assert_no_error (error);
  dm_item_set_image_size (dm_dataset_get_item (dataset, 1), 1, 1);

  dm_dataset_save (dataset, dest, DM_SAVE_NONE, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (g_file_get_contents (image, &contents_a, NULL, NULL));
  g_assert_true (g_file_get_contents (original, &contents_b, NULL, NULL));
  g_assert_cmpstr (contents_a, ==, contents_b);

  g_assert_true (g_file_get_contents (annotations, &text, NULL, NULL));
  written = json_from_string (text, &error);
  g_assert_no_error (error);
  expected = json_from_string (
    "{\"dm_format_version\": \"1.0\", \"media_type\": 2, \"infos\": {},"
    " \"categories\": {\"label\": {\"labels\": ["
    "   {\"name\": \"cat\", \"parent\": \"\", \"attributes\": []},"
    "   {\"name\": \"dog\", \"parent\": \"\", \"attributes\": []}],"
    "  \"label_groups\": [], \"attributes\": []}},"
    " \"items\": ["
    "  {\"id\": \"cat/c1\", \"annotations\": [{\"id\": 0, \"type\": \"label\", \"attributes\": {},"
    "   \"group\": 0, \"label_id\": 0}], \"image\": {\"path\": \"cat/c1.jpg\"}},"
    "  {\"id\": \"dog/d1\", \"annotations\": [{\"id\": 0, \"type\": \"label\", \"attributes\": {},"
    "   \"group\": 0, \"label_id\": 1}], \"image\": {\"path\": \"dog/d1.jpg\", \"size\": [1, 1]}}]}", &error);
  g_assert_no_error (error);
  if (!json_node_equal (written, expected))
    g_error ("unexpected annotations: %s", text);

  again = dm_dataset_load (dest, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dm_dataset_get_format (again), ==, "datumaro");
  g_assert_cmpuint (dm_dataset_get_n_items (again), ==, 2);
  g_assert_cmpint (dm_item_get_label (dm_dataset_find_item (again, "default", "dog/d1")), ==, 1);
  g_assert_cmpstr (dm_item_get_image_path (dm_dataset_find_item (again, "default", "dog/d1")), ==, image);

  remove_tree (root);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/imagenet/flat-layout", test_flat_layout);
  g_test_add_func ("/imagenet/subset-layout", test_subset_layout);
  g_test_add_func ("/imagenet/symlink-loops", test_symlink_loops);
  g_test_add_func ("/imagenet/duplicate-stems", test_duplicate_stems);
  g_test_add_func ("/imagenet/detection", test_detection);
  g_test_add_func ("/imagenet/save-as-datumaro", test_save_as_datumaro);

  return g_test_run ();
}
