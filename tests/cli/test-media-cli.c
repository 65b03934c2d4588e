/* dm end to end on datasets with every media kind: nothing lost, to DEST
 * and in place; --skip-broken with random; methods that need an image say
 * which item has none; a failed, refused or killed run leaves the source
 * (and DEST) as they were; Datumaro's own test assets when ../shared is
 * there.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include <dm.h>

#include "test-helpers.h"
#include "test-media-helpers.h"

static gboolean
same_tree (GHashTable *a,
           GHashTable *b)
{
  GHashTableIter iter;
  gpointer key, value;

  if (g_hash_table_size (a) != g_hash_table_size (b))
    return FALSE;
  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (g_strcmp0 (g_hash_table_lookup (b, key), value) != 0)
      return FALSE;
  return TRUE;
}

static void
test_random_carries_every_media_kind (MediaFixture *f, gconstpointer data)
{
  g_autoptr(DmDataset) original = load_dataset_ok (f->source);
  g_autoptr(DmDataset) written = NULL;
  g_autoptr(DmRun) run = NULL;
  g_autoptr(DmRun) linked = NULL;
  g_autofree char *linked_dest = g_build_filename (f->tmp, "linked", NULL);
  g_autoptr(DmDataset) linked_written = NULL;

  run = dm_run (NULL, "prune", f->source, "-m", "random", "-r", "1.0", "-o", f->dest, "-q", NULL);
  g_assert_cmpint (run->status, ==, 0);
  written = load_dataset_ok (f->dest);
  g_assert_cmpuint (dm_dataset_get_n_items (written), ==, 11);
  assert_media_carried (original, written, FALSE);

  linked = dm_run (NULL, "prune", f->source, "-m", "random", "-r", "0.5", "-o", linked_dest,
                   "--link-media", "-q", NULL);
  g_assert_cmpint (linked->status, ==, 0);
  linked_written = load_dataset_ok (linked_dest);
  g_assert_cmpuint (dm_dataset_get_n_items (linked_written), ==, 6);
  for (guint i = 0; i < dm_dataset_get_n_items (linked_written); i++)
    {
      DmItem *item = dm_dataset_get_item (linked_written, i);

      /* An outside file is copied in either way. */
      if (!g_str_equal (dm_item_get_id (item), "abs"))
        {
          g_autoptr(DmDataset) one = dm_dataset_new_like (linked_written);

          dm_dataset_append_item (one, item);
          assert_media_carried (original, one, TRUE);
        }
    }
}

static void
test_random_skip_broken (MediaFixture *f, gconstpointer data)
{
  g_autofree char *plain = g_build_filename (f->source, "images", "train", "sub", "plain.jpg", NULL);
  g_autofree char *cloud = g_build_filename (f->source, "point_clouds", "pcd", "pc2.pcd", NULL);
  g_autofree char *report = g_build_filename (f->tmp, "report.json", NULL);
  g_autofree char *text = NULL;
  g_autoptr(DmRun) failed = NULL;
  g_autoptr(DmRun) run = NULL;
  g_autoptr(DmDataset) written = NULL;

  g_assert_cmpint (g_unlink (plain), ==, 0);
  g_assert_cmpint (g_unlink (cloud), ==, 0);

  failed = dm_run (NULL, "prune", f->source, "-m", "random", "-r", "1.0", "-o", f->dest, NULL);
  g_assert_cmpint (failed->status, ==, 1);
  g_assert_nonnull (strstr (failed->err, "pc2.pcd"));
  g_assert_false (g_file_test (f->dest, G_FILE_TEST_EXISTS));

  run = dm_run (NULL, "prune", f->source, "-m", "random", "-r", "1.0", "-o", f->dest,
                "--skip-broken", "--report", report, NULL);
  g_assert_cmpint (run->status, ==, 0);
  g_assert_nonnull (strstr (run->err, "Skipped 2 broken items"));
  g_assert_nonnull (strstr (run->err, "pcd/pc2"));
  g_assert_nonnull (strstr (run->err, "train/plain"));
  written = load_dataset_ok (f->dest);
  g_assert_cmpuint (dm_dataset_get_n_items (written), ==, 9);
  g_assert_null (dm_dataset_find_item (written, "train", "plain"));
  g_assert_true (g_file_get_contents (report, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "\"skipped\""));
  g_assert_nonnull (strstr (text, "plain.jpg is missing"));
}

/* In place, a kept item whose media file (of any kind) is missing is kept,
 * as the dataset names it (no file is copied), with to DEST's words in a
 * warning; to DEST the run fails. With --skip-broken both list and leave
 * out the same items. */
static void
test_in_place_missing_media_warns (MediaFixture *f, gconstpointer data)
{
  const char *files[] = { "images/train/sub/plain.jpg", "point_clouds/pcd/pc2.pcd",
                          "images/pcd/pc1/cam1.jpg", "videos/video/clip.avi", "videos/video/whole.mp4" };
  g_autofree char *plain = g_build_filename (f->source, files[0], NULL);
  g_autofree char *cloud = g_build_filename (f->source, files[1], NULL);
  g_autoptr(DmRun) to_dest = NULL;
  g_autoptr(DmRun) in_place = NULL;
  g_autoptr(DmDataset) written = NULL;
  guint n_items;

  written = load_dataset_ok (f->source);
  n_items = dm_dataset_get_n_items (written);
  g_clear_object (&written);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (f->source, files[i], NULL);
      g_autofree char *contents = NULL;
      g_autofree char *expected = NULL;
      gsize length;
      g_autoptr(DmRun) dest_run = NULL;
      g_autoptr(DmRun) place_run = NULL;
      g_autoptr(DmDataset) kept = NULL;

      g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
      g_assert_cmpint (g_unlink (path), ==, 0);

      dest_run = dm_run (NULL, "prune", f->source, "-m", "random", "-r", "1.0", "-o", f->dest, "-q", NULL);
      g_assert_cmpint (dest_run->status, ==, 1);
      assert_one_line (dest_run->err, path);
      g_assert_true (g_str_has_prefix (dest_run->err, "dm: "));
      expected = g_strdup_printf ("dm: warning: %.*s; kept: in place, no media file is copied\n",
                                  (int) strlen (dest_run->err) - 5, dest_run->err + 4);

      place_run = dm_run (NULL, "prune", f->source, "-m", "random", "-r", "1.0", "--overwrite", "-q", NULL);
      g_assert_cmpint (place_run->status, ==, 0);
      /* One line per item that names the file (two frames share a
       * video), the first DEST's. */
      g_assert_true (g_str_has_prefix (place_run->err, expected));
      {
        g_auto(GStrv) lines = g_strsplit (place_run->err, "\n", -1);
        for (guint l = 0; lines[l + 1] != NULL; l++)
          {
            g_autofree char *start = g_strdup_printf ("dm: warning: %s: ", path);
            g_assert_true (g_str_has_prefix (lines[l], start));
            g_assert_true (g_str_has_suffix (lines[l], "; kept: in place, no media file is copied"));
          }
      }
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
      kept = load_dataset_ok (f->source);
      g_assert_cmpuint (dm_dataset_get_n_items (kept), ==, n_items);
      g_assert_false (dir_has_entry_containing (f->tmp, ".inplace-"));
      write_file (path, contents, length);
    }

  g_assert_cmpint (g_unlink (plain), ==, 0);
  g_assert_cmpint (g_unlink (cloud), ==, 0);
  to_dest = dm_run (NULL, "prune", f->source, "-m", "random", "-r", "1.0", "-o", f->dest, "--skip-broken", NULL);
  in_place = dm_run (NULL, "prune", f->source, "-m", "random", "-r", "1.0", "--overwrite", "--skip-broken", NULL);
  g_assert_cmpint (to_dest->status, ==, 0);
  g_assert_cmpint (in_place->status, ==, 0);
  g_assert_cmpstr (strstr (in_place->err, "Skipped 2 broken items"), ==, strstr (to_dest->err, "Skipped 2 broken items"));
  g_assert_nonnull (strstr (in_place->out, "left 2 broken items as they are"));
  written = load_dataset_ok (f->source);
  g_assert_cmpuint (dm_dataset_get_n_items (written), ==, 11);
}

/* Methods that need an image name the item without one and what to do:
 * the plugin's parameter, as the plugin says it (dm knows no plugin's
 * parameters to turn into its option). */
static void
test_methods_needing_an_image_say_so (MediaFixture *f, gconstpointer data)
{
  const char *methods[] = { "centroid", "ndr" };

  for (guint m = 0; m < G_N_ELEMENTS (methods); m++)
    {
      g_autoptr(DmRun) run = dm_run (NULL, "prune", f->source, "-m", methods[m], "-o", f->dest, NULL);

      g_autofree char *dest = g_strdup_printf ("%s-%s", f->dest, methods[m]);
      g_autoptr(DmRun) skipping = NULL;

      g_assert_cmpint (run->status, ==, 1);
      g_assert_nonnull (strstr (run->err, "“pc1”"));
      g_assert_nonnull (strstr (run->err, "the parameter skip-broken"));
      g_assert_false (g_file_test (f->dest, G_FILE_TEST_EXISTS));

      /* Skipped, an item's reason says what is wrong, not the remedy the
       * user has just taken: here in the error that every item is broken
       * (none of these images decodes). */
      skipping = dm_run (NULL, "prune", f->source, "-m", methods[m], "-o", dest, "--skip-broken", NULL);
      g_assert_cmpint (skipping->status, ==, 1);
      g_assert_nonnull (strstr (skipping->err, "is broken; the first: "));
      g_assert_nonnull (strstr (skipping->err, "“pc1”"));
      g_assert_nonnull (strstr (skipping->err, "image"));
      g_assert_null (strstr (skipping->err, "skip-broken"));
      g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
    }
}

/* A report that cannot be written fails the run before DEST or SOURCE is
 * touched: every output is written, or none. */
static void
test_failed_report_writes_nothing (MediaFixture *f, gconstpointer data)
{
  g_autofree char *blocker = g_build_filename (f->tmp, "a-file", NULL);
  g_autofree char *report = g_build_filename (blocker, "report.json", NULL);
  g_autofree char *html = g_build_filename (f->tmp, "html", "deeper", NULL);
  g_autofree char *html_parent = g_build_filename (f->tmp, "html", NULL);
  g_autoptr(GHashTable) source_before = NULL;
  g_autoptr(GHashTable) dest_before = NULL;
  g_autoptr(DmRun) first = NULL;
  g_autoptr(DmRun) to_new = NULL;
  g_autoptr(DmRun) to_old = NULL;
  g_autoptr(DmRun) in_place = NULL;
  g_autofree char *fresh = g_build_filename (f->tmp, "fresh", NULL);

  write_file (blocker, "not a folder", -1);
  source_before = snapshot_tree (f->source);

  to_new = dm_run (NULL, "prune", f->source, "-m", "random", "-o", fresh, "--report", report,
                   "--report-html", html, NULL);
  g_assert_cmpint (to_new->status, ==, 1);
  g_assert_nonnull (strstr (to_new->err, "report.json"));
  g_assert_false (g_file_test (fresh, G_FILE_TEST_EXISTS));
  /* The HTML report staged before the failure is gone, with its folders. */
  g_assert_false (g_file_test (html_parent, G_FILE_TEST_EXISTS));
  g_assert_false (dir_has_entry_containing (f->tmp, ".tmp-"));

  first = dm_run (NULL, "prune", f->source, "-m", "random", "-o", f->dest, "-q", NULL);
  g_assert_cmpint (first->status, ==, 0);
  dest_before = snapshot_tree (f->dest);
  to_old = dm_run (NULL, "prune", f->source, "-m", "random", "-r", "0.2", "-o", f->dest,
                   "--overwrite", "--report", report, NULL);
  g_assert_cmpint (to_old->status, ==, 1);
  assert_tree_matches (dest_before, f->dest);

  in_place = dm_run (NULL, "prune", f->source, "-m", "random", "-r", "0.2", "--overwrite",
                     "--report", report, NULL);
  g_assert_cmpint (in_place->status, ==, 1);
  assert_tree_matches (source_before, f->source);
  g_assert_false (dir_has_entry_containing (f->tmp, ".inplace-"));
}

/* A refused run (DEST holds a user's file) touches nothing. */
static void
test_refused_run_touches_nothing (MediaFixture *f, gconstpointer data)
{
  g_autofree char *documents = g_build_filename (f->tmp, "documents", NULL);
  g_autofree char *letter = g_build_filename (documents, "letter.txt", NULL);
  g_autoptr(GHashTable) source_before = snapshot_tree (f->source);
  g_autoptr(GHashTable) documents_before = NULL;
  g_autoptr(DmRun) run = NULL;

  write_file (letter, "Dear …", -1);
  documents_before = snapshot_tree (documents);
  run = dm_run (NULL, "prune", f->source, "-m", "random", "-o", documents, "--overwrite", NULL);
  g_assert_cmpint (run->status, ==, 1);
  g_assert_nonnull (strstr (run->err, "letter.txt"));
  assert_tree_matches (documents_before, documents);
  assert_tree_matches (source_before, f->source);
}

/* An ImageNet folder cannot become Datumaro in place: refused as a usage
 * error, untouched. */
static void
test_in_place_imagenet_refused (MediaFixture *f, gconstpointer data)
{
  g_autofree char *root = g_build_filename (f->tmp, "imagenet", NULL);
  g_autofree char *cat = g_build_filename (root, "cat", "a.jpg", NULL);
  g_autofree char *dog = g_build_filename (root, "dog", "b.jpg", NULL);
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(DmRun) run = NULL;

  write_file (cat, "a cat", -1);
  write_file (dog, "a dog", -1);
  before = snapshot_tree (root);
  run = dm_run (NULL, "prune", root, "-m", "random", "--overwrite", NULL);
  g_assert_cmpint (run->status, ==, 2);
  g_assert_nonnull (strstr (run->err, "-o DEST"));
  assert_tree_matches (before, root);
  g_assert_false (dir_has_entry_containing (f->tmp, ".inplace-"));
}

/* Runs chattr with @flag ("+i" or "-i") on @dir and all below it; FALSE
 * where it cannot (not root, or a file system without the flag). */
static gboolean
chattr_tree (const char *flag,
             const char *dir)
{
  const char *argv[] = { "chattr", "-R", flag, dir, NULL };
  int status = -1;

  return g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                       NULL, NULL, NULL, NULL, &status, NULL) &&
         g_spawn_check_wait_status (status, NULL);
}

/* Dropped files that cannot be deleted after the commit: dm fails with
 * one line saying the dataset is pruned; once they can be, the next run
 * deletes them. */
static void
test_in_place_undeletable_files (MediaFixture *f, gconstpointer data)
{
  g_autofree char *images = g_build_filename (f->source, "images", NULL);
  g_autoptr(DmRun) run = NULL;
  g_autoptr(DmRun) next = NULL;

  if (!chattr_tree ("+i", images))
    {
      g_test_skip ("cannot make files immutable here (needs root and chattr)");
      return;
    }
  run = dm_run (NULL, "prune", f->source, "-m", "random", "-r", "0.3", "--overwrite", "-q", NULL);
  g_assert_true (chattr_tree ("-i", images));
  g_assert_cmpint (run->status, ==, 1);
  g_assert_true (g_str_has_prefix (run->err, "dm: "));
  g_assert_cmpuint (count_occurrences (run->err, "\n"), ==, 1);
  assert_contains (run->err, "is pruned");
  assert_contains (run->err, "could not be deleted");
  g_assert_true (dir_has_entry_containing (f->tmp, ".inplace-"));   /* its journal */

  next = dm_run (NULL, "prune", f->source, "-m", "random", "-r", "1.0", "--overwrite", "-q", NULL);
  g_assert_cmpint (next->status, ==, 0);
  g_assert_cmpstr (next->err, ==, "");
  g_assert_false (dir_has_entry_containing (f->tmp, ".inplace-"));
}

/* A dataset of @n items whose images are small files, so an in-place run
 * has many to delete. */
static void
write_many_items (const char *dir,
                  guint       n)
{
  g_autoptr(GString) json = g_string_new ("{\"categories\": {\"label\": {\"labels\": [{\"name\": \"a\"}]}}, \"items\": [");
  g_autofree char *file = g_build_filename (dir, "annotations", "default.json", NULL);
  g_autofree char *readme = g_build_filename (dir, "README", NULL);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *image = g_strdup_printf ("%s/images/default/%05u.jpg", dir, i);
      g_autofree char *contents = g_strdup_printf ("image %u", i);

      write_file (image, contents, -1);
      g_string_append_printf (json, "%s{\"id\": \"%05u\", \"annotations\": [{\"id\": 0, \"type\": \"label\", "
                              "\"label_id\": 0}], \"image\": {\"path\": \"%05u.jpg\"}}", i > 0 ? ", " : "", i, i);
    }
  g_string_append (json, "]}");
  write_file (file, json->str, json->len);
  write_file (readme, "not a media file", -1);
}

#define N_KILL_ITEMS 2000

/* SIGKILL at several moments of an in-place run: the dataset is as it was,
 * or, once loaded (which finishes a committed run), as the finished run
 * leaves it. */
static void
test_killed_in_place (MediaFixture *f, gconstpointer data)
{
  const guint delays_ms[] = { 0, 20, 60, 120, 200, 300, 450, 700 };
  g_autofree char *reference = g_build_filename (f->tmp, "reference", NULL);
  g_autoptr(GHashTable) original = NULL;
  g_autoptr(GHashTable) finished = NULL;
  g_autoptr(DmRun) run = NULL;
  g_autoptr(DmDataset) loaded = NULL;
  guint n_before = 0, n_after = 0;

  write_many_items (reference, N_KILL_ITEMS);
  original = snapshot_tree (reference);
  run = dm_run (NULL, "prune", reference, "-m", "random", "-r", "0.3", "--overwrite", "-q", NULL);
  g_assert_cmpint (run->status, ==, 0);
  finished = snapshot_tree (reference);
  g_assert_false (same_tree (original, finished));

  for (guint d = 0; d < G_N_ELEMENTS (delays_ms); d++)
    {
      g_autofree char *name = g_strdup_printf ("killed-%u", d);
      g_autofree char *source = g_build_filename (f->tmp, name, NULL);
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GHashTable) now = NULL;
      g_autoptr(DmDataset) dataset = NULL;

      write_many_items (source, N_KILL_ITEMS);
      process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                                  g_getenv ("DM_CLI"), "prune", source, "-m", "random", "-r", "0.3",
                                  "--overwrite", "-q", NULL);
      g_assert_no_error (error);
      g_usleep (delays_ms[d] * 1000);
      g_subprocess_force_exit (process);
      g_subprocess_wait (process, NULL, &error);
      g_assert_no_error (error);

      now = snapshot_tree (source);
      if (same_tree (now, original))
        n_before++;
      else
        {
          g_autoptr(GHashTable) recovered = NULL;

          dataset = load_dataset_ok (source);
          recovered = snapshot_tree (source);
          if (!same_tree (recovered, finished))
            g_error ("killed after %u ms: the dataset is neither as it was nor as a finished run leaves it",
                     delays_ms[d]);
          n_after++;
        }
      g_clear_object (&dataset);
      dataset = load_dataset_ok (source);
      g_assert_false (dir_has_entry_containing (f->tmp, ".inplace-"));
    }
  g_test_message ("killed before the commit %u times, after it %u times", n_before, n_after);
  loaded = load_dataset_ok (reference);
  g_assert_cmpuint (dm_dataset_get_n_items (loaded), ==, (N_KILL_ITEMS * 3 + 9) / 10);
}

/* Datumaro's own test assets (../shared/datumaro/assets), when present. */
static char *
shared_assets (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "..", "..", "shared",
                                            "datumaro", "assets", NULL);
  char *canonical = g_canonicalize_filename (path, NULL);

  if (!g_file_test (canonical, G_FILE_TEST_IS_DIR))
    {
      g_free (canonical);
      return NULL;
    }
  return canonical;
}

static void
copy_tree (const char *from,
           const char *to)
{
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "cp", "-a", from, to, NULL };
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

static void
test_datumaro_assets (MediaFixture *f, gconstpointer data)
{
  const struct { const char *path; guint n_items; const char *missing; } assets[] = {
    { "datumaro_dataset/legacy", 4, NULL },
    { "algorithms/noisy_label_detection_cls", 6, NULL },
    { "algorithms/noisy_label_detection_det", 0, "/home/vinnamki/" },
    { "compat/v0.1/project/dataset", 0, NULL },
  };
  g_autofree char *root = shared_assets ();

  if (root == NULL)
    {
      g_test_skip ("../shared/datumaro/assets is absent");
      return;
    }

  for (guint a = 0; a < G_N_ELEMENTS (assets); a++)
    {
      g_autofree char *asset = g_build_filename (root, assets[a].path, NULL);
      g_autofree char *name = g_strdup_printf ("asset-%u", a);
      g_autofree char *copy = g_build_filename (f->tmp, name, NULL);
      g_autofree char *dest_name = g_strdup_printf ("asset-%u-dest", a);
      g_autofree char *dest = g_build_filename (f->tmp, dest_name, NULL);
      g_autoptr(DmDataset) original = NULL;
      g_autoptr(DmDataset) pruned = NULL;
      g_autoptr(GHashTable) asset_before = snapshot_tree (asset);
      g_autoptr(GHashTable) copy_before = NULL;
      g_autoptr(GHashTable) copy_after = NULL;
      g_autoptr(DmRun) to_dest = NULL;
      g_autoptr(DmRun) in_place = NULL;
      GHashTableIter iter;
      gpointer key, value;

      copy_tree (asset, copy);
      original = load_dataset_ok (copy);
      if (assets[a].n_items > 0)
        g_assert_cmpuint (dm_dataset_get_n_items (original), ==, assets[a].n_items);

      to_dest = dm_run (NULL, "prune", copy, "-m", "random", "-r", "1.0", "-o", dest, "-q", NULL);
      if (assets[a].missing != NULL)
        {
          /* The files of the machine that wrote it are missing: named by
           * their real, absolute path. */
          g_assert_cmpint (to_dest->status, ==, 1);
          g_assert_nonnull (strstr (to_dest->err, assets[a].missing));
          g_assert_null (strstr (to_dest->err, "images/train//home"));
        }
      else
        {
          g_assert_cmpint (to_dest->status, ==, 0);
          pruned = load_dataset_ok (dest);
          g_assert_cmpuint (dm_dataset_get_n_items (pruned), ==, dm_dataset_get_n_items (original));
          assert_media_carried (original, pruned, FALSE);
          g_clear_object (&pruned);
        }

      copy_before = snapshot_tree (copy);
      in_place = dm_run (NULL, "prune", copy, "-m", "random", "-r", "1.0", "--overwrite", "-q", NULL);
      g_assert_cmpint (in_place->status, ==, 0);
      pruned = load_dataset_ok (copy);
      g_assert_cmpuint (dm_dataset_get_n_items (pruned), ==, dm_dataset_get_n_items (original));
      copy_after = snapshot_tree (copy);
      g_hash_table_iter_init (&iter, copy_before);
      while (g_hash_table_iter_next (&iter, &key, &value))
        if (!g_str_has_prefix (key, "annotations/") &&
            g_strcmp0 (g_hash_table_lookup (copy_after, key), value) != 0)
          g_error ("%s: %s changed or was lost in place", assets[a].path, (char *) key);

      assert_tree_matches (asset_before, asset);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, MediaFixture, NULL, media_fixture_set_up, fn, media_fixture_tear_down)
  ADD ("/media-cli/random-carries-every-media-kind", test_random_carries_every_media_kind);
  ADD ("/media-cli/random-skip-broken", test_random_skip_broken);
  ADD ("/media-cli/in-place-missing-media-warns", test_in_place_missing_media_warns);
  ADD ("/media-cli/methods-needing-an-image-say-so", test_methods_needing_an_image_say_so);
  ADD ("/media-cli/failed-report-writes-nothing", test_failed_report_writes_nothing);
  ADD ("/media-cli/refused-run-touches-nothing", test_refused_run_touches_nothing);
  ADD ("/media-cli/in-place-imagenet-refused", test_in_place_imagenet_refused);
  ADD ("/media-cli/killed-in-place", test_killed_in_place);
  ADD ("/media-cli/in-place-undeletable-files", test_in_place_undeletable_files);
  ADD ("/media-cli/datumaro-assets", test_datumaro_assets);
#undef ADD

  return g_test_run ();
}
