/* Every media kind of the Datumaro format, carried: loaded as Datumaro
 * resolves it, saved to DEST with every file where the written JSON says
 * (copies, not links, unless asked), and saved in place changing only the
 * annotations and the files of dropped items.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* Writes the source's subset @subset with one label, x, and the items
 * @items (a JSON array's elements). */
static void
write_source_items (MediaFixture *f,
                    const char   *subset,
                    const char   *items)
{
  g_autofree char *json = g_strdup_printf ("{\"categories\": {\"label\": {\"labels\": [{\"name\": \"x\"}]}}, \"items\": [%s]}", items);

  write_subset_annotations (f->source, subset, json);
}

/* Asserts that in @written the item @subset/@id wrote its media file
 * @index as @name. */
static void
assert_written_as (DmDataset  *written,
                   const char *subset,
                   const char *id,
                   guint       index,
                   const char *name)
{
  g_assert_cmpstr (dm_item_get_media_file_written (dm_dataset_find_item (written, subset, id), index), ==, name);
}

/* "image": {} is no image in Datumaro (an empty dict is false). */
static void
test_empty_image_object_is_no_image (MediaFixture *f, gconstpointer data)
{
  g_autoptr(DmDataset) dataset = NULL;

  write_source_items (f, "train", "{\"id\": \"e\", \"image\": {}}");
  dataset = load_dataset_ok (f->source);
  g_assert_cmpuint (dm_item_get_n_media_files (dm_dataset_find_item (dataset, "train", "e")), ==, 0);
  g_assert_null (dm_item_get_image_path (dm_dataset_find_item (dataset, "train", "e")));
}

/* The items of @input whose id is in @ids (all with %NULL), in a dataset
 * derived from it, as a transform makes its output. */
static DmDataset *
keep_items (DmDataset          *input,
            const char * const *ids)
{
  DmDataset *output = dm_dataset_new_like (input);

  for (guint i = 0; i < dm_dataset_get_n_items (input); i++)
    {
      DmItem *item = dm_dataset_get_item (input, i);

      if (ids == NULL || g_strv_contains (ids, dm_item_get_id (item)))
        dm_dataset_append_item (output, item);
    }
  return output;
}

static gboolean
save_items (MediaFixture       *f,
            const char * const *ids,
            const char         *dest,
            DmSaveFlags         flags,
            GError            **error)
{
  g_autoptr(DmDataset) input = load_dataset_ok (f->source);
  g_autoptr(DmDataset) output = keep_items (input, ids);

  return dm_dataset_save (output, dest, flags, NULL, error);
}

/* Saves every item of the source to DEST and returns DEST read back,
 * after checking each item's media files came along. */
static DmDataset *
save_all_carried (MediaFixture *f)
{
  g_autoptr(DmDataset) original = load_dataset_ok (f->source);
  g_autoptr(GError) error = NULL;
  DmDataset *written;

  save_items (f, NULL, f->dest, DM_SAVE_NONE, &error);
  g_assert_no_error (error);
  written = load_dataset_ok (f->dest);
  assert_media_carried (original, written, FALSE);
  return written;
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
  g_autofree char *items = NULL;
  g_autofree char *mine = g_build_filename (f->outside, "abs.jpg", NULL);
  g_autoptr(DmDataset) written = NULL;

  write_file (other, "another outside image", -1);
  items = g_strdup_printf ("{\"id\": \"a\", \"image\": {\"path\": \"%s\"}},"
                           " {\"id\": \"b\", \"image\": {\"path\": \"%s\"}}, {\"id\": \"c\", \"image\": {\"path\": \"%s\"}}",
                           mine, other, mine);
  write_source_items (f, "train", items);
  written = save_all_carried (f);
  assert_written_as (written, "train", "a", 0, "abs.jpg");
  assert_written_as (written, "train", "b", 0, "abs-1.jpg");
  /* One file, written once, for the two items that share it. */
  assert_written_as (written, "train", "c", 0, "abs.jpg");
}

/* An outside file is named so that no file the JSON names relatively
 * loses its name, nor a folder it needs, whichever item comes first; and
 * one outside file that
 * items of two folders name (an image of train, a related image of pcd)
 * is copied into each folder, each JSON naming its own copy. */
static void
test_dest_outside_file_in_two_folders (MediaFixture *f, gconstpointer data)
{
  g_autofree char *inside = g_build_filename (f->source, "images", "train", "abs.jpg", NULL);
  g_autofree char *outside_image = g_build_filename (f->outside, "abs.jpg", NULL);
  g_autofree char *outside_cam = g_build_filename (f->outside, "cam.jpg", NULL);
  g_autofree char *inside_cam = g_build_filename (f->source, "images", "train", "cam.jpg", "x.jpg", NULL);
  g_autofree char *train_items = NULL;
  g_autofree char *pcd_items = NULL;
  g_autoptr(DmDataset) written = NULL;

  /* images/train/abs.jpg, another image than the outside abs.jpg. */
  write_file (inside, "the image inside, named abs.jpg too", -1);
  /* An outside cam.jpg, and images/train/cam.jpg/, a folder. */
  write_file (outside_cam, "an outside image named cam.jpg", -1);
  write_file (inside_cam, "an image in the folder cam.jpg", -1);
  train_items = g_strdup_printf ("{\"id\": \"out\", \"image\": {\"path\": \"%s\"}},"
                                 " {\"id\": \"in\", \"image\": {\"path\": \"abs.jpg\"}},"
                                 " {\"id\": \"cam\", \"image\": {\"path\": \"%s\"}},"
                                 " {\"id\": \"in-cam\", \"image\": {\"path\": \"cam.jpg/x.jpg\"}}",
                                 outside_image, outside_cam);
  write_source_items (f, "train", train_items);
  pcd_items = g_strdup_printf ("{\"id\": \"pc\", \"point_cloud\": {\"path\": \"pc1.pcd\"},"
                               " \"related_images\": [{\"path\": \"%s\"}]}",
                               outside_image);
  write_source_items (f, "pcd", pcd_items);

  written = save_all_carried (f);
  assert_written_as (written, "train", "in", 0, "abs.jpg");
  assert_written_as (written, "train", "out", 0, "abs-1.jpg");
  assert_written_as (written, "train", "cam", 0, "cam-1.jpg");
  assert_written_as (written, "pcd", "pc", 1, "abs.jpg");
  g_assert_cmpstr (dm_item_get_media_file_folder (dm_dataset_find_item (written, "pcd", "pc"), 1), ==, "images/pcd");
}

/* media.path counts only without other media; an absolute path anywhere
 * (here a point cloud's related image) is copied in and made relative. */
static void
test_media_path_and_outside_related_image (MediaFixture *f, gconstpointer data)
{
  g_autofree char *outside_image = g_build_filename (f->outside, "abs.jpg", NULL);
  g_autofree char *pcd_items = NULL;
  g_autoptr(DmDataset) original = NULL;
  g_autoptr(DmDataset) written = NULL;
  g_autoptr(GError) error = NULL;
  DmItem *item;

  write_source_items (f, "train",
                      "{\"id\": \"m\", \"media\": {\"path\": \"sub/plain.jpg\"}},"
                      " {\"id\": \"both\", \"image\": {\"path\": \"shared.jpg\"}, \"media\": {\"path\": \"nopath.jpg\"}}");
  pcd_items = g_strdup_printf ("{\"id\": \"pc\", \"point_cloud\": {\"path\": \"pc1.pcd\"},"
                               " \"related_images\": [{\"path\": \"pc1/cam0.jpg\"}, {\"path\": \"%s\"}]}",
                               outside_image);
  write_source_items (f, "pcd", pcd_items);

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

/* Writes in @work the journal of a run on @source killed after its
 * commit, which made the present annotations/, listing @files. */
static void
write_committed_journal (const char         *source,
                         const char         *work,
                         const char * const *files)
{
  g_autofree char *journal = g_build_filename (work, "journal", NULL);
  g_autofree char *annotations = g_build_filename (source, "annotations", NULL);
  g_autoptr(GString) text = g_string_new ("dm-in-place-1");
  GStatBuf info;

  g_assert_cmpint (g_stat (annotations, &info), ==, 0);
  g_string_append_c (text, '\0');
  g_string_append_printf (text, "%" G_GUINT64_FORMAT, (guint64) info.st_dev);
  g_string_append_c (text, '\0');
  g_string_append_printf (text, "%" G_GUINT64_FORMAT, (guint64) info.st_ino);
  g_string_append_c (text, '\0');
  for (guint i = 0; files[i] != NULL; i++)
    g_string_append_len (text, files[i], strlen (files[i]) + 1);
  write_file (journal, text->str, text->len);
}

/* A run killed after the exchange: the next load finishes it. */
static void
test_in_place_journal_is_completed (MediaFixture *f, gconstpointer data)
{
  const char * const kept[] = { "sh1", NULL };
  g_autofree char *work = g_strconcat (f->source, ".inplace-ABCDEF", NULL);
  const char * const listed[] = { "images/old.jpg", NULL };
  g_autofree char *doomed = g_build_filename (f->source, "images", "old.jpg", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(DmDataset) reloaded = NULL;

  /* A finished run, then the journal a killed one would have left for the
   * same state, naming one more file. */
  save_items (f, kept, f->source, DM_SAVE_OVERWRITE, &error);
  g_assert_no_error (error);
  write_file (doomed, "again", -1);
  write_committed_journal (f->source, work, listed);

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

/* Two runs that loaded the same dataset: the second to save finds it
 * changed by the first and changes nothing; its choice of items to drop
 * was made from annotations that are no more. */
static void
test_in_place_refuses_a_changed_source (MediaFixture *f, gconstpointer data)
{
  const char * const first_kept[] = { "sh1", "plain", NULL };
  const char * const second_kept[] = { "legacy", "pc1", NULL };
  g_autoptr(DmDataset) first_input = load_dataset_ok (f->source);
  g_autoptr(DmDataset) second_input = load_dataset_ok (f->source);
  g_autoptr(DmDataset) first = keep_items (first_input, first_kept);
  g_autoptr(DmDataset) second = keep_items (second_input, second_kept);
  g_autoptr(DmDataset) reloaded = NULL;
  g_autoptr(GHashTable) after_first = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (dm_dataset_save (first, f->source, DM_SAVE_OVERWRITE, NULL, &error));
  g_assert_no_error (error);
  after_first = snapshot_tree (f->source);

  g_assert_false (dm_dataset_save (second, f->source, DM_SAVE_OVERWRITE, NULL, &error));
  g_assert_error (error, DM_ERROR, DM_ERROR_OUTPUT);
  assert_error_mentions (error, "changed since it was loaded");
  assert_tree_matches (after_first, f->source);
  g_assert_false (dir_has_entry_containing (f->tmp, ".inplace-"));
  reloaded = load_dataset_ok (f->source);
  g_assert_cmpuint (dm_dataset_get_n_items (reloaded), ==, 2);
}

/* Symbolic links among media files: what a kept item's path goes through
 * (links and the file at the end) stays; a dropped link is deleted as a
 * link, never what it points to. */
static void
test_in_place_follows_kept_links (MediaFixture *f, gconstpointer data)
{
  const char * const kept[] = { "c", "e", "h", NULL };
  g_autofree char *images = g_build_filename (f->dest, "images", "train", NULL);
  g_autofree char *outside_target = g_build_filename (f->outside, "target.jpg", NULL);
  g_autoptr(DmDataset) input = NULL;
  g_autoptr(DmDataset) output = NULL;
  g_autoptr(GError) error = NULL;
  struct { const char *name; const char *link_to; gboolean stays; } files[] = {
    { "a.jpg", NULL, TRUE },        /* dropped, but kept c.jpg leads to it */
    { "c.jpg", "a.jpg", TRUE },
    { "e.jpg", NULL, TRUE },        /* kept */
    { "f.jpg", "e.jpg", FALSE },    /* dropped link to a kept file */
    { "g.jpg", outside_target, FALSE },  /* dropped link to outside */
    { "h.jpg", "i.jpg", TRUE },     /* kept: h -> i -> j, i and j dropped */
    { "i.jpg", "j.jpg", TRUE },
    { "j.jpg", NULL, TRUE },
    { "b.jpg", NULL, FALSE },       /* dropped */
  };

  write_file (outside_target, "outside", -1);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (images, files[i].name, NULL);

      if (files[i].link_to == NULL)
        write_file (path, files[i].name, -1);
      else
        g_assert_cmpint (symlink (files[i].link_to, path), ==, 0);
    }
  write_subset_annotations (f->dest, "train",
                            "{\"categories\": {}, \"items\": ["
                            "{\"id\": \"a\", \"annotations\": [], \"image\": {\"path\": \"a.jpg\"}}, "
                            "{\"id\": \"b\", \"annotations\": [], \"image\": {\"path\": \"b.jpg\"}}, "
                            "{\"id\": \"c\", \"annotations\": [], \"image\": {\"path\": \"c.jpg\"}}, "
                            "{\"id\": \"e\", \"annotations\": [], \"image\": {\"path\": \"e.jpg\"}}, "
                            "{\"id\": \"f\", \"annotations\": [], \"image\": {\"path\": \"f.jpg\"}}, "
                            "{\"id\": \"g\", \"annotations\": [], \"image\": {\"path\": \"g.jpg\"}}, "
                            "{\"id\": \"h\", \"annotations\": [], \"image\": {\"path\": \"h.jpg\"}}, "
                            "{\"id\": \"i\", \"annotations\": [], \"image\": {\"path\": \"i.jpg\"}}, "
                            "{\"id\": \"j\", \"annotations\": [], \"image\": {\"path\": \"j.jpg\"}}]}");
  input = load_dataset_ok (f->dest);
  output = keep_items (input, kept);
  g_assert_true (dm_dataset_save (output, f->dest, DM_SAVE_OVERWRITE, NULL, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (images, files[i].name, NULL);
      GStatBuf info;

      if ((g_lstat (path, &info) == 0) != files[i].stays)
        g_error ("%s %s", files[i].name, files[i].stays ? "was deleted" : "stayed");
    }
  g_assert_true (g_file_test (outside_target, G_FILE_TEST_IS_REGULAR));
  for (guint i = 0; kept[i] != NULL; i++)
    {
      g_autofree char *name = g_strconcat (kept[i], ".jpg", NULL);
      g_autofree char *path = g_build_filename (images, name, NULL);

      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));   /* resolves */
    }
}

/* The messages of libdm, counted, the last kept: what a load says. */
static guint n_messages;
static char *last_message;

static GLogWriterOutput
count_messages (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  for (gsize i = 0; i < n_fields && (level & G_LOG_LEVEL_MESSAGE) != 0; i++)
    if (g_str_equal (fields[i].key, "MESSAGE"))
      {
        n_messages++;
        g_free (last_message);
        last_message = g_strdup (fields[i].value);
      }
  return g_log_writer_default (level, fields, n_fields, user_data);
}

/* A killed run's journal naming a file that cannot be deleted (a folder
 * stands in for it) before one that can: the load deletes what it can,
 * says once what it cannot, and keeps the journal for the next run. */
static void
test_in_place_recovery_tries_every_file (MediaFixture *f, gconstpointer data)
{
  const char * const kept[] = { "sh1", NULL };
  g_autofree char *work = g_strconcat (f->source, ".inplace-QWERTY", NULL);
  const char * const listed[] = { "images/blocker", "images/old.jpg", NULL };
  g_autofree char *journal = g_build_filename (work, "journal", NULL);
  g_autofree char *blocker = g_build_filename (f->source, "images", "blocker", NULL);
  g_autofree char *in_blocker = g_build_filename (blocker, "inside.jpg", NULL);
  g_autofree char *doomed = g_build_filename (f->source, "images", "old.jpg", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(DmDataset) reloaded = NULL;
  g_autoptr(DmDataset) again = NULL;

  save_items (f, kept, f->source, DM_SAVE_OVERWRITE, &error);
  g_assert_no_error (error);
  write_file (doomed, "again", -1);
  write_file (in_blocker, "a file in the way", -1);
  write_committed_journal (f->source, work, listed);

  g_clear_pointer (&last_message, g_free);
  n_messages = 0;
  reloaded = load_dataset_ok (f->source);
  g_assert_cmpuint (n_messages, ==, 1);
  g_assert_true (g_pattern_match_simple ("*is pruned; cleaning up failed*1 file of dropped items could not be deleted*blocker*",
                                         last_message));
  g_assert_cmpuint (dm_dataset_get_n_items (reloaded), ==, 1);
  g_assert_false (g_file_test (doomed, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (in_blocker, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (journal, G_FILE_TEST_EXISTS));

  /* Once it can be deleted, the next load does. */
  remove_tree (blocker);
  write_file (blocker, "now a file", -1);
  again = load_dataset_ok (f->source);
  g_assert_false (g_file_test (blocker, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (work, G_FILE_TEST_EXISTS));
}

/* Sets or clears the immutable flag of @path, which even root cannot
 * delete; FALSE where the file system or the user cannot. */
static gboolean
set_immutable (const char *path,
               gboolean    immutable)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  int flags = 0;
  gboolean ok;

  if (fd < 0)
    return FALSE;
  ok = ioctl (fd, FS_IOC_GETFLAGS, &flags) == 0;
  flags = immutable ? flags | FS_IMMUTABLE_FL : flags & ~FS_IMMUTABLE_FL;
  ok = ok && ioctl (fd, FS_IOC_SETFLAGS, &flags) == 0;
  g_close (fd, NULL);
  return ok;
}

/* A dropped file that cannot be deleted after the commit: the others are
 * deleted, the save says DM_ERROR_INCOMPLETE (the dataset is pruned), and
 * the next load deletes it once it can. */
static void
test_in_place_failed_deletion_is_incomplete (MediaFixture *f, gconstpointer data)
{
  const char * const kept[] = { "sh1", "pc1", "vf0", "nopath", NULL };
  g_autofree char *stuck = g_build_filename (f->source, "images", "old.jpg", NULL);
  g_autofree char *other = g_build_filename (f->source, "images", "train", "sub", "plain.jpg", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(DmDataset) reloaded = NULL;
  g_autoptr(DmDataset) again = NULL;

  if (!set_immutable (stuck, TRUE))
    {
      g_test_skip ("cannot make a file immutable here (needs root and ext4 or the like)");
      return;
    }
  save_items (f, kept, f->source, DM_SAVE_OVERWRITE, &error);
  set_immutable (stuck, FALSE);
  g_assert_error (error, DM_ERROR, DM_ERROR_INCOMPLETE);
  assert_error_mentions (error, "old.jpg");
  g_assert_true (g_file_test (stuck, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (other, G_FILE_TEST_EXISTS));

  reloaded = load_dataset_ok (f->source);
  g_assert_cmpuint (dm_dataset_get_n_items (reloaded), ==, 4);
  g_assert_false (g_file_test (stuck, G_FILE_TEST_EXISTS));
  g_assert_false (dir_has_entry_containing (f->tmp, ".inplace-"));
  again = load_dataset_ok (f->source);
  g_assert_cmpuint (dm_dataset_get_n_items (again), ==, 4);
}

/* The new annotations/ and each rewritten file in it have the mode and
 * owner of the old; a folder in it keeps its mode, owner and times, its
 * files the same files. */
static void
test_in_place_keeps_annotations_attributes (MediaFixture *f, gconstpointer data)
{
  const char * const kept[] = { "sh1", "pc1", NULL };
  g_autofree char *annotations = g_build_filename (f->source, "annotations", NULL);
  g_autofree char *train = g_build_filename (annotations, "train.json", NULL);
  g_autofree char *extra = g_build_filename (annotations, "extra", NULL);
  g_autofree char *note = g_build_filename (extra, "note.txt", NULL);
  const uid_t nobody = 65534;
  struct timespec old_times[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
  g_autoptr(GError) error = NULL;
  GStatBuf note_before, info;

  if (geteuid () != 0)
    {
      g_test_skip ("needs root to give files another owner");
      return;
    }
  write_file (note, "a note", -1);
  g_assert_cmpint (g_stat (note, &note_before), ==, 0);
  g_assert_cmpint (chown (extra, nobody, nobody), ==, 0);
  g_assert_cmpint (g_chmod (extra, 0750), ==, 0);
  g_assert_cmpint (utimensat (AT_FDCWD, extra, old_times, 0), ==, 0);
  g_assert_cmpint (chown (train, nobody, nobody), ==, 0);
  g_assert_cmpint (g_chmod (train, 0444), ==, 0);
  g_assert_cmpint (chown (annotations, nobody, nobody), ==, 0);
  g_assert_cmpint (g_chmod (annotations, 0555), ==, 0);

  save_items (f, kept, f->source, DM_SAVE_OVERWRITE, &error);
  g_assert_no_error (error);

  g_assert_cmpint (g_stat (annotations, &info), ==, 0);
  g_assert_cmphex (info.st_mode & 07777, ==, 0555);
  g_assert_cmpuint (info.st_uid, ==, nobody);
  g_assert_cmpuint (info.st_gid, ==, nobody);
  g_assert_cmpint (g_stat (train, &info), ==, 0);
  g_assert_cmphex (info.st_mode & 07777, ==, 0444);
  g_assert_cmpuint (info.st_uid, ==, nobody);
  g_assert_cmpint (g_stat (extra, &info), ==, 0);
  g_assert_cmphex (info.st_mode & 07777, ==, 0750);
  g_assert_cmpuint (info.st_uid, ==, nobody);
  g_assert_cmpint (info.st_mtim.tv_sec, ==, 1000000000);
  g_assert_cmpint (g_stat (note, &info), ==, 0);
  g_assert_true (info.st_ino == note_before.st_ino);
  g_assert_cmpint (g_chmod (annotations, 0755), ==, 0);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_log_set_writer_func (count_messages, NULL, NULL);

#define ADD(path, fn) g_test_add (path, MediaFixture, NULL, media_fixture_set_up, fn, media_fixture_tear_down)
  ADD ("/media/load-resolves-like-datumaro", test_load_resolves_like_datumaro);
  ADD ("/media/empty-image-object-is-no-image", test_empty_image_object_is_no_image);
  ADD ("/media/dest-carries-every-file", test_dest_carries_every_file);
  ADD ("/media/dest-links-when-asked", test_dest_links_when_asked);
  ADD ("/media/dest-outside-files-do-not-collide", test_dest_outside_files_do_not_collide);
  ADD ("/media/media-path-and-outside-related-image", test_media_path_and_outside_related_image);
  ADD ("/media/dest-outside-file-in-two-folders", test_dest_outside_file_in_two_folders);
  ADD ("/media/in-place-changes-only-what-pruning-means", test_in_place_changes_only_what_pruning_means);
  ADD ("/media/in-place-journal-is-completed", test_in_place_journal_is_completed);
  ADD ("/media/in-place-uncommitted-work-is-dropped", test_in_place_uncommitted_work_is_dropped);
  ADD ("/media/in-place-refuses-a-changed-source", test_in_place_refuses_a_changed_source);
  ADD ("/media/in-place-follows-kept-links", test_in_place_follows_kept_links);
  ADD ("/media/in-place-recovery-tries-every-file", test_in_place_recovery_tries_every_file);
  ADD ("/media/in-place-failed-deletion-is-incomplete", test_in_place_failed_deletion_is_incomplete);
  ADD ("/media/in-place-keeps-annotations-attributes", test_in_place_keeps_annotations_attributes);
#undef ADD

  return g_test_run ();
}
