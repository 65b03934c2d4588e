/* Every media kind of the Datumaro format, carried: loaded as Datumaro
 * resolves it, saved to DEST with every file where the written JSON says
 * (copies, not links, unless asked), and saved in place changing only the
 * annotations and the files of dropped items.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include <dm.h>

#include "test-helpers.h"
#include "test-media-helpers.h"

/* The item's media files as "folder|written|source" lines. */
static char *
describe_media (DmItem *item)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < dm_item_get_n_media_files (item); i++)
    g_string_append_printf (text, "%s|%s|%s\n", dm_item_get_media_file_folder (item, i),
                            dm_item_get_media_file_written (item, i),
                            dm_item_get_media_file_source (item, i));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
assert_media (DmDataset  *dataset,
              const char *root,
              const char *subset,
              const char *id,
              const char *expected_format)
{
  DmItem *item = dm_dataset_find_item (dataset, subset, id);
  g_autofree char *described = NULL;
  g_autofree char *expected = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) built = g_string_new (NULL);

  g_assert_nonnull (item);
  described = describe_media (item);
  /* expected_format lists "folder|written|relative source" lines. */
  lines = g_strsplit (expected_format, "\n", -1);
  for (guint i = 0; lines[i] != NULL && *lines[i] != '\0'; i++)
    {
      g_auto(GStrv) parts = g_strsplit (lines[i], "|", 3);
      g_autofree char *source = g_path_is_absolute (parts[2]) ? g_strdup (parts[2])
                                                              : g_build_filename (root, parts[2], NULL);

      g_string_append_printf (built, "%s|%s|%s\n", parts[0], parts[1], source);
    }
  expected = g_string_free (g_steal_pointer (&built), FALSE);
  g_assert_cmpstr (described, ==, expected);
}

static void
test_load_resolves_like_datumaro (MediaFixture *f, gconstpointer data)
{
  g_autoptr(DmDataset) dataset = load_dataset_ok (f->source);
  g_autofree char *abs_image = g_build_filename (f->outside, "abs.jpg", NULL);
  g_autofree char *abs_line = g_strdup_printf ("images/train|%s|%s\n", abs_image, abs_image);
  DmItem *nopath;

  g_assert_cmpuint (dm_dataset_get_n_items (dataset), ==, 11);
  assert_media (dataset, f->source, "pcd", "pc1",
                "point_clouds/pcd|pc1.pcd|point_clouds/pcd/pc1.pcd\n"
                "images/pcd|pc1/cam0.jpg|images/pcd/pc1/cam0.jpg\n"
                "images/pcd|pc1/cam1.jpg|images/pcd/pc1/cam1.jpg\n");
  assert_media (dataset, f->source, "pcd", "pc2",
                "point_clouds/pcd|pc2.pcd|point_clouds/pcd/pc2.pcd\n"
                "images/pcd|shared.jpg|images/pcd/shared.jpg\n");
  assert_media (dataset, f->source, "video", "vf1", "videos/video|clip.avi|videos/video/clip.avi\n");
  assert_media (dataset, f->source, "video", "vid", "videos/video|whole.mp4|videos/video/whole.mp4\n");
  assert_media (dataset, f->source, "train", "nopath", "images/train|nopath.jpg|images/train/nopath.jpg\n");
  assert_media (dataset, f->source, "train", "abs", abs_line);
  assert_media (dataset, f->source, "train", "legacy", "images|old.jpg|images/old.jpg\n");
  assert_media (dataset, f->source, "train", "plain", "images/train|sub/plain.jpg|images/train/sub/plain.jpg\n");

  /* The image API shows the image; a point cloud has none. */
  nopath = dm_dataset_find_item (dataset, "train", "nopath");
  g_assert_true (g_str_has_suffix (dm_item_get_image_path (nopath), "images/train/nopath.jpg"));
  g_assert_null (dm_item_get_image_path (dm_dataset_find_item (dataset, "pcd", "pc1")));
  g_assert_cmpstr (dm_item_get_image_path (dm_dataset_find_item (dataset, "train", "abs")), ==, abs_image);
}

/* "image": {} is no image in Datumaro (an empty dict is false). */
static void
test_empty_image_object_is_no_image (MediaFixture *f, gconstpointer data)
{
  g_autofree char *file = g_build_filename (f->source, "annotations", "train.json", NULL);
  g_autoptr(DmDataset) dataset = NULL;

  write_file (file, "{\"categories\": {\"label\": {\"labels\": [{\"name\": \"x\"}]}}, \"items\": [{\"id\": \"e\", \"image\": {}}]}", -1);
  dataset = load_dataset_ok (f->source);
  g_assert_cmpuint (dm_item_get_n_media_files (dm_dataset_find_item (dataset, "train", "e")), ==, 0);
  g_assert_null (dm_item_get_image_path (dm_dataset_find_item (dataset, "train", "e")));
}

static gboolean
save_items (MediaFixture       *f,
            const char * const *ids,
            const char         *dest,
            DmSaveFlags         flags,
            GError            **error)
{
  g_autoptr(DmDataset) input = load_dataset_ok (f->source);
  g_autoptr(DmDataset) output = dm_dataset_new_like (input);

  for (guint i = 0; i < dm_dataset_get_n_items (input); i++)
    {
      DmItem *item = dm_dataset_get_item (input, i);

      if (ids == NULL || g_strv_contains (ids, dm_item_get_id (item)))
        dm_dataset_append_item (output, item);
    }
  return dm_dataset_save (output, dest, flags, NULL, error);
}

static void
test_dest_carries_every_file (MediaFixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DmDataset) original = load_dataset_ok (f->source);
  g_autoptr(DmDataset) written = NULL;
  g_autoptr(GHashTable) before = snapshot_tree (f->source);
  g_autofree char *copied = g_build_filename (f->dest, "images", "train", "abs.jpg", NULL);
  DmItem *abs_item, *sh1;

  save_items (f, NULL, f->dest, DM_SAVE_NONE, &error);
  g_assert_no_error (error);
  written = load_dataset_ok (f->dest);
  g_assert_cmpuint (dm_dataset_get_n_items (written), ==, 11);
  assert_media_carried (original, written, FALSE);

  /* The outside image is copied in and named relatively; other items'
   * JSON is written as it was read. */
  abs_item = dm_dataset_find_item (written, "train", "abs");
  g_assert_cmpstr (dm_item_get_media_file_written (abs_item, 0), ==, "abs.jpg");
  g_assert_cmpstr (dm_item_get_media_file_source (abs_item, 0), ==, copied);
  g_assert_nonnull (strstr (dm_item_get_json (abs_item), "\"path\":\"abs.jpg\""));
  sh1 = dm_dataset_find_item (written, "train", "sh1");
  g_assert_cmpstr (dm_item_get_json (sh1), ==,
                   dm_item_get_json (dm_dataset_find_item (original, "train", "sh1")));

  /* Only referenced files: nothing unreferenced, the source untouched. */
  {
    g_autofree char *unreferenced = g_build_filename (f->dest, "images", "train", "unreferenced.jpg", NULL);
    g_autofree char *readme = g_build_filename (f->dest, "README", NULL);

    g_assert_false (g_file_test (unreferenced, G_FILE_TEST_EXISTS));
    g_assert_false (g_file_test (readme, G_FILE_TEST_EXISTS));
  }
  assert_tree_matches (before, f->source);
}

static void
test_dest_links_when_asked (MediaFixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DmDataset) original = load_dataset_ok (f->source);
  g_autoptr(DmDataset) written = NULL;
  const char * const kept[] = { "pc1", "vf0", "sh1", "sh2", NULL };

  save_items (f, kept, f->dest, DM_SAVE_LINK_MEDIA, &error);
  g_assert_no_error (error);
  written = load_dataset_ok (f->dest);
  g_assert_cmpuint (dm_dataset_get_n_items (written), ==, 4);
  assert_media_carried (original, written, TRUE);
}

/* Two absolute paths with one base name get two files. */
static void
test_dest_outside_files_do_not_collide (MediaFixture *f, gconstpointer data)
{
  g_autofree char *other_dir = g_build_filename (f->tmp, "elsewhere", NULL);
  g_autofree char *other = g_build_filename (other_dir, "abs.jpg", NULL);
  g_autofree char *file = g_build_filename (f->source, "annotations", "train.json", NULL);
  g_autofree char *json = NULL;
  g_autofree char *mine = g_build_filename (f->outside, "abs.jpg", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(DmDataset) original = NULL;
  g_autoptr(DmDataset) written = NULL;

  write_file (other, "another outside image", -1);
  json = g_strdup_printf ("{\"categories\": {\"label\": {\"labels\": [{\"name\": \"x\"}]}}, \"items\": [{\"id\": \"a\", \"image\": {\"path\": \"%s\"}},"
                          " {\"id\": \"b\", \"image\": {\"path\": \"%s\"}}, {\"id\": \"c\", \"image\": {\"path\": \"%s\"}}]}",
                          mine, other, mine);
  write_file (file, json, -1);
  original = load_dataset_ok (f->source);
  save_items (f, NULL, f->dest, DM_SAVE_NONE, &error);
  g_assert_no_error (error);
  written = load_dataset_ok (f->dest);
  assert_media_carried (original, written, FALSE);
  g_assert_cmpstr (dm_item_get_media_file_written (dm_dataset_find_item (written, "train", "a"), 0), ==, "abs.jpg");
  g_assert_cmpstr (dm_item_get_media_file_written (dm_dataset_find_item (written, "train", "b"), 0), ==, "abs-1.jpg");
  /* One file, written once, for the two items that share it. */
  g_assert_cmpstr (dm_item_get_media_file_written (dm_dataset_find_item (written, "train", "c"), 0), ==, "abs.jpg");
}

/* media.path counts only without other media; an absolute path anywhere
 * (here a point cloud's related image) is copied in and made relative. */
static void
test_media_path_and_outside_related_image (MediaFixture *f, gconstpointer data)
{
  g_autofree char *train = g_build_filename (f->source, "annotations", "train.json", NULL);
  g_autofree char *pcd = g_build_filename (f->source, "annotations", "pcd.json", NULL);
  g_autofree char *outside_image = g_build_filename (f->outside, "abs.jpg", NULL);
  g_autofree char *pcd_json = NULL;
  g_autoptr(DmDataset) original = NULL;
  g_autoptr(DmDataset) written = NULL;
  g_autoptr(GError) error = NULL;
  DmItem *item;

  write_file (train, "{\"categories\": {\"label\": {\"labels\": [{\"name\": \"x\"}]}}, \"items\": ["
              "{\"id\": \"m\", \"media\": {\"path\": \"sub/plain.jpg\"}},"
              " {\"id\": \"both\", \"image\": {\"path\": \"shared.jpg\"}, \"media\": {\"path\": \"nopath.jpg\"}}]}", -1);
  pcd_json = g_strdup_printf ("{\"categories\": {\"label\": {\"labels\": [{\"name\": \"x\"}]}}, \"items\": ["
                              "{\"id\": \"pc\", \"point_cloud\": {\"path\": \"pc1.pcd\"},"
                              " \"related_images\": [{\"path\": \"pc1/cam0.jpg\"}, {\"path\": \"%s\"}]}]}",
                              outside_image);
  write_file (pcd, pcd_json, -1);

  original = load_dataset_ok (f->source);
  item = dm_dataset_find_item (original, "train", "m");
  g_assert_cmpuint (dm_item_get_n_media_files (item), ==, 1);
  g_assert_cmpstr (dm_item_get_media_file_member (item, 0), ==, "media.path");
  item = dm_dataset_find_item (original, "train", "both");
  g_assert_cmpuint (dm_item_get_n_media_files (item), ==, 1);
  g_assert_cmpstr (dm_item_get_media_file_written (item, 0), ==, "shared.jpg");
  item = dm_dataset_find_item (original, "pcd", "pc");
  g_assert_cmpstr (dm_item_get_media_file_source (item, 2), ==, outside_image);

  save_items (f, NULL, f->dest, DM_SAVE_NONE, &error);
  g_assert_no_error (error);
  written = load_dataset_ok (f->dest);
  assert_media_carried (original, written, FALSE);
  item = dm_dataset_find_item (written, "pcd", "pc");
  g_assert_cmpstr (dm_item_get_media_file_written (item, 2), ==, "abs.jpg");
  g_assert_cmpstr (dm_item_get_media_file_folder (item, 2), ==, "images/pcd");
}

static void
test_in_place_changes_only_what_pruning_means (MediaFixture *f, gconstpointer data)
{
  const char * const kept[] = { "pc1", "vf0", "sh1", "nopath", NULL };
  const char * const deleted[] = {
    "point_clouds/pcd/pc2.pcd", "images/pcd/shared.jpg", "videos/video/whole.mp4",
    "images/old.jpg", "images/train/sub/plain.jpg",
    /* emptied by those deletions; videos/video/ keeps clip.avi */
    "images/train/sub", NULL
  };
  g_autoptr(GHashTable) before = snapshot_tree (f->source);
  g_autoptr(GHashTable) outside_before = snapshot_tree (f->outside);
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DmDataset) original = load_dataset_ok (f->source);
  g_autoptr(DmDataset) pruned = NULL;
  g_autofree char *kept_image = g_build_filename (f->source, "images", "train", "shared.jpg", NULL);
  GStatBuf kept_before, kept_after;
  GHashTableIter iter;
  gpointer key, value;

  g_assert_cmpint (g_stat (kept_image, &kept_before), ==, 0);
  save_items (f, kept, f->source, DM_SAVE_OVERWRITE, &error);
  g_assert_no_error (error);

  pruned = load_dataset_ok (f->source);
  g_assert_cmpuint (dm_dataset_get_n_items (pruned), ==, 4);
  assert_media_carried (original, pruned, TRUE);

  after = snapshot_tree (f->source);
  g_hash_table_iter_init (&iter, before);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *now = g_hash_table_lookup (after, key);

      if (g_strv_contains (deleted, key))
        g_assert_null (now);
      else if (g_str_has_prefix (key, "annotations/") && g_str_has_suffix (key, ".json"))
        g_assert_nonnull (now);
      else if (now == NULL || !g_str_equal (now, value))
        g_error ("%s changed or disappeared", (char *) key);
    }
  g_hash_table_iter_init (&iter, after);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (before, key))
      g_error ("%s appeared", (char *) key);

  /* Kept media are untouched, the same file; the outside image of the
   * dropped item "abs" is not the dataset's to delete. */
  g_assert_cmpint (g_stat (kept_image, &kept_after), ==, 0);
  g_assert_true (kept_before.st_ino == kept_after.st_ino);
  assert_tree_matches (outside_before, f->outside);
  g_assert_false (dir_has_entry_containing (f->tmp, ".inplace-"));
}

/* A run killed after the exchange: the next load finishes it. */
static void
test_in_place_journal_is_completed (MediaFixture *f, gconstpointer data)
{
  const char * const kept[] = { "sh1", NULL };
  g_autofree char *work = g_strconcat (f->source, ".inplace-ABCDEF", NULL);
  g_autofree char *journal = g_build_filename (work, "journal", NULL);
  g_autofree char *annotations = g_build_filename (f->source, "annotations", NULL);
  g_autofree char *doomed = g_build_filename (f->source, "images", "old.jpg", NULL);
  g_autoptr(GString) text = g_string_new ("dm-in-place-1");
  g_autoptr(GError) error = NULL;
  g_autoptr(DmDataset) reloaded = NULL;
  GStatBuf info;

  /* A finished run, then the journal a killed one would have left for the
   * same state, naming one more file. */
  save_items (f, kept, f->source, DM_SAVE_OVERWRITE, &error);
  g_assert_no_error (error);
  write_file (doomed, "again", -1);
  g_assert_cmpint (g_stat (annotations, &info), ==, 0);
  g_string_append_c (text, '\0');
  g_string_append_printf (text, "%" G_GUINT64_FORMAT, (guint64) info.st_dev);
  g_string_append_c (text, '\0');
  g_string_append_printf (text, "%" G_GUINT64_FORMAT, (guint64) info.st_ino);
  g_string_append_c (text, '\0');
  g_string_append (text, "images/old.jpg");
  g_string_append_c (text, '\0');
  write_file (journal, text->str, text->len);

  reloaded = load_dataset_ok (f->source);
  g_assert_cmpuint (dm_dataset_get_n_items (reloaded), ==, 1);
  g_assert_false (g_file_test (doomed, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (work, G_FILE_TEST_EXISTS));
}

/* A work directory of a run killed before the exchange is removed and
 * the dataset left as it is. */
static void
test_in_place_uncommitted_work_is_dropped (MediaFixture *f, gconstpointer data)
{
  g_autofree char *work = g_strconcat (f->source, ".inplace-ZYXWVU", NULL);
  g_autofree char *journal = g_build_filename (work, "journal", NULL);
  g_autofree char *stray = g_build_filename (work, "annotations", "train.json", NULL);
  g_autoptr(GHashTable) before = snapshot_tree (f->source);
  g_autoptr(DmDataset) reloaded = NULL;
  const char text[] = "dm-in-place-1\0" "1\0" "2\0" "images/old.jpg";

  write_file (stray, "{}", -1);
  write_file (journal, text, sizeof text);
  reloaded = load_dataset_ok (f->source);
  g_assert_cmpuint (dm_dataset_get_n_items (reloaded), ==, 11);
  assert_tree_matches (before, f->source);
  g_assert_false (g_file_test (work, G_FILE_TEST_EXISTS));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, MediaFixture, NULL, media_fixture_set_up, fn, media_fixture_tear_down)
  ADD ("/media/load-resolves-like-datumaro", test_load_resolves_like_datumaro);
  ADD ("/media/empty-image-object-is-no-image", test_empty_image_object_is_no_image);
  ADD ("/media/dest-carries-every-file", test_dest_carries_every_file);
  ADD ("/media/dest-links-when-asked", test_dest_links_when_asked);
  ADD ("/media/dest-outside-files-do-not-collide", test_dest_outside_files_do_not_collide);
  ADD ("/media/media-path-and-outside-related-image", test_media_path_and_outside_related_image);
  ADD ("/media/in-place-changes-only-what-pruning-means", test_in_place_changes_only_what_pruning_means);
  ADD ("/media/in-place-journal-is-completed", test_in_place_journal_is_completed);
  ADD ("/media/in-place-uncommitted-work-is-dropped", test_in_place_uncommitted_work_is_dropped);
#undef ADD

  return g_test_run ();
}
