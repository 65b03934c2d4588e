/* test-media-helpers.c: what the tests of media files share. */
#include <sys/stat.h>

#include <glib/gstdio.h>

#include <dm.h>

#include "test-helpers.h"
#include "test-media-helpers.h"

void
media_fixture_set_up (MediaFixture  *f,
                      gconstpointer  data)
{
  f->tmp = make_temp_dir ();
  f->source = g_build_filename (f->tmp, "source", NULL);
  f->outside = g_build_filename (f->tmp, "outside", NULL);
  f->dest = g_build_filename (f->tmp, "dest", NULL);
  write_media_dataset (f->source, f->outside);
}

void
media_fixture_tear_down (MediaFixture  *f,
                         gconstpointer  data)
{
  discard_temp_dir (f->tmp, f->source, f->outside, f->dest, NULL);
}

DmDataset *
load_dataset_ok (const char *path)
{
  g_autoptr(GError) error = NULL;
  DmDataset *dataset = dm_dataset_load (path, NULL, NULL, &error);

  g_assert_no_error (error);
  return dataset;
}

DmTransform *
create_transform (const char *name)
{
  DmPluginRegistry *registry = dm_plugin_registry_get_default ();
  g_autoptr(GError) error = NULL;
  DmTransform *transform;

  dm_plugin_registry_add_default_directories (registry);
  dm_plugin_registry_load (registry);
  transform = dm_plugin_registry_create_transform (registry, name, &error);
  g_assert_no_error (error);
  return transform;
}

void
write_imagenet_from_sample (const char *sample,
                            const char *root)
{
  g_autoptr(DmDataset) dataset = load_dataset_ok (sample);
  g_autofree char *label_dir = g_build_filename (root, "cat", NULL);
  g_autofree char *image = g_build_filename (label_dir, "a.jpg", NULL);
  g_autofree char *jpeg = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (dm_item_get_image_path (dm_dataset_get_item (dataset, 0)),
                                      &jpeg, &length, NULL));
  g_assert_cmpint (g_mkdir_with_parents (label_dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (image, jpeg, length, NULL));
}

void
assert_media_carried (DmDataset *original,
                      DmDataset *written,
                      gboolean   linked)
{
  for (guint i = 0; i < dm_dataset_get_n_items (written); i++)
    {
      DmItem *item = dm_dataset_get_item (written, i);
      DmItem *was = dm_dataset_find_item (original, dm_item_get_subset (item), dm_item_get_id (item));

      g_assert_nonnull (was);
      g_assert_cmpuint (dm_item_get_n_media_files (item), ==, dm_item_get_n_media_files (was));
      for (guint m = 0; m < dm_item_get_n_media_files (item); m++)
        {
          const char *now_path = dm_item_get_media_file_source (item, m);
          const char *was_path = dm_item_get_media_file_source (was, m);
          g_autofree char *now = NULL;
          g_autofree char *before = NULL;
          GStatBuf a, b;

          if (!g_file_get_contents (now_path, &now, NULL, NULL))
            g_error ("%s/%s: %s is lost", dm_item_get_subset (item), dm_item_get_id (item), now_path);
          g_assert_true (g_file_get_contents (was_path, &before, NULL, NULL));
          g_assert_cmpstr (now, ==, before);
          g_assert_cmpint (g_stat (now_path, &a), ==, 0);
          g_assert_cmpint (g_stat (was_path, &b), ==, 0);
          g_assert_true ((a.st_ino == b.st_ino && a.st_dev == b.st_dev) == linked);
          g_assert_false (g_path_is_absolute (dm_item_get_media_file_written (item, m)));
        }
    }
}
