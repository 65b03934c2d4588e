/* dm_dataset_save: the destinations it refuses, overwriting (also in
 * place), files written into the destination during the run, and failures
 * and cancellation that leave the destination as it was, no temporary
 * directory, and the input unchanged.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <dm.h>

#include "test-helpers.h"
#include "test-media-helpers.h"

#define N_ITEMS 6

typedef SourceFixture Fixture;

/* The moment of the move. dm_dataset_save() puts its output in place with
 * rename(2), or renameat2(2) to exchange it: this program's own rename()
 * and renameat2() take the C library's place for libdm too (the
 * executable's definitions come first in the dynamic linker's lookup, as
 * with LD_PRELOAD), and run the armed hook once, just before the call
 * whose new name is its destination. */
typedef void (*MoveHookFunc) (const char *destination,
                              gpointer    data);

static struct
{
  char *destination;
  MoveHookFunc func;
  gpointer data;
} before_move;

static void
arm_move_hook (const char   *destination,
               MoveHookFunc  func,
               gpointer      data)
{
  g_autofree char *parent = g_path_get_dirname (destination);
  g_autofree char *base = g_path_get_basename (destination);
  char *real_parent = realpath (parent, NULL);

  /* The path libdm moves to: the destination's real one. */
  g_assert_nonnull (real_parent);
  g_free (before_move.destination);
  before_move.destination = g_build_filename (real_parent, base, NULL);
  free (real_parent);
  before_move.func = func;
  before_move.data = data;
}

static gboolean
move_hook_ran (void)
{
  return before_move.func == NULL;
}

static void
run_move_hook (const char *newpath)
{
  MoveHookFunc func = before_move.func;

  if (func == NULL || !g_str_equal (newpath, before_move.destination))
    return;
  /* Disarmed first: the hook may save (and rename) too. */
  before_move.func = NULL;
  func (before_move.destination, before_move.data);
}

int
rename (const char *oldpath,
        const char *newpath)
{
  run_move_hook (newpath);
  return syscall (SYS_renameat2, AT_FDCWD, oldpath, AT_FDCWD, newpath, 0);
}

int
renameat2 (int           olddirfd,
           const char   *oldpath,
           int           newdirfd,
           const char   *newpath,
           unsigned int  flags)
{
  run_move_hook (newpath);
  return syscall (SYS_renameat2, olddirfd, oldpath, newdirfd, newpath, flags);
}

/* A Datumaro dataset: subsets train and val, a PPM image per item, and a
 * key for each. */
static void
write_annotated_dataset (const char *dir)
{
  const char *subsets[] = { "train", "val" };

  for (guint s = 0; s < G_N_ELEMENTS (subsets); s++)
    {
      g_autoptr(GString) json = g_string_new ("{\"dm_format_version\": \"1.0\", \"media_type\": 2, \"infos\": {},"
                                              " \"categories\": {\"label\": {\"labels\": [{\"name\": \"a\"},"
                                              " {\"name\": \"b\"}]}}, \"items\": [");
      g_autofree char *file = NULL;

      for (guint i = s; i < N_ITEMS; i += 2)
        {
          g_autofree char *image = g_strdup_printf ("%s/images/%s/img%u.ppm", dir, subsets[s], i);
          g_autofree char *pixels = g_strdup_printf ("P6\n1 1\n255\n%c%c%c", 'a' + i, 'b', 'c');

          g_string_append_printf (json, "%s{\"id\": \"item%u\", \"annotations\": [{\"id\": 0, \"type\": \"label\","
                                  " \"attributes\": {}, \"group\": 0, \"label_id\": %u}],"
                                  " \"image\": {\"path\": \"img%u.ppm\", \"size\": [1, 1]}}",
                                  i > 1 ? ", " : "", i, i % 2, i);
          write_file (image, pixels, -1);
        }
      g_string_append (json, "]}");
      file = g_strdup_printf ("%s/annotations/%s.json", dir, subsets[s]);
      write_file (file, json->str, json->len);
    }

  {
    g_autoptr(GString) keys = g_string_new ("{\"hashkey\": {");
    g_autofree char *file = g_build_filename (dir, "hash_key_meta", "hash_keys.json", NULL);

    for (guint i = 0; i < N_ITEMS; i++)
      {
        g_string_append_printf (keys, "%s\"%s/item%u\": [", i > 0 ? ", " : "", subsets[i % 2], i);
        for (guint b = 0; b < 64; b++)
          g_string_append_printf (keys, "%s%u", b > 0 ? "," : "", (i + b) % 256);
        g_string_append (keys, "]");
      }
    g_string_append (keys, "}}");
    write_file (file, keys->str, keys->len);
  }
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  source_fixture_init (f, "source");
  write_annotated_dataset (f->source);
  /* No save may touch its input: the tear-down checks every test's. */
  source_fixture_guard (f);
}

/* Saves the first @n_kept items of the source to @dest. */
static gboolean
save_some (Fixture     *f,
           guint        n_kept,
           const char  *dest,
           DmSaveFlags  flags,
           GError     **error)
{
  g_autoptr(DmDataset) input = load_dataset_ok (f->source);
  g_autoptr(DmDataset) output = dm_dataset_new_like (input);

  for (guint i = 0; i < n_kept; i++)
    dm_dataset_append_item (output, dm_dataset_get_item (input, i));
  return dm_dataset_save (output, dest, flags, NULL, error);
}

/* libdm's warnings while a test expects one: caught here, where any
 * other would fail the test (g_test_expect_message() sees no structured
 * message, and libdm logs structured ones). */
static gboolean catching_warnings;
static GPtrArray *caught_warnings;

static GLogWriterOutput
catch_warnings (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  if (catching_warnings && (level & G_LOG_LEVEL_WARNING) != 0)
    for (gsize i = 0; i < n_fields; i++)
      if (g_str_equal (fields[i].key, "MESSAGE"))
        {
          g_ptr_array_add (caught_warnings, g_strdup (fields[i].value));
          return G_LOG_WRITER_HANDLED;
        }
  return g_log_writer_default (level, fields, n_fields, user_data);
}

/* save_some() that must succeed with exactly one warning, @expected. */
static gboolean
save_some_warned (Fixture     *f,
                  guint        n_kept,
                  const char  *dest,
                  DmSaveFlags  flags,
                  const char  *expected)
{
  g_autoptr(GError) error = NULL;
  gboolean saved;

  caught_warnings = g_ptr_array_new_with_free_func (g_free);
  catching_warnings = TRUE;
  saved = save_some (f, n_kept, dest, flags, &error);
  catching_warnings = FALSE;
  g_assert_no_error (error);
  g_assert_cmpuint (caught_warnings->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (caught_warnings, 0), ==, expected);
  g_clear_pointer (&caught_warnings, g_ptr_array_unref);
  return saved;
}

/* Asserts that a save to @dest with @flags fails with @code of DM_ERROR,
 * naming @dest and @part, and touches nothing. */
static void
assert_save_refused (Fixture     *f,
                     DmSaveFlags  flags,
                     int          code,
                     const char  *part)
{
  g_autoptr(GHashTable) before = snapshot_tree (f->dest);
  g_autoptr(GError) error = NULL;

  g_assert_false (save_some (f, 2, f->dest, flags, &error));
  g_assert_error (error, DM_ERROR, code);
  assert_error_mentions (error, f->dest);
  assert_error_mentions (error, part);
  assert_error_names_no_flag (error);
  assert_tree_matches (before, f->dest);
  g_assert_false (dir_has_entry_containing (f->tmp, ".tmp-"));
}

static void
test_new_destination (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DmDataset) output = NULL;
  g_autofree char *nested = g_build_filename (f->tmp, "new", "parent", "dest", NULL);

  save_some (f, 4, f->dest, DM_SAVE_NONE, &error);
  g_assert_no_error (error);
  output = load_dataset_ok (f->dest);
  g_assert_cmpuint (dm_dataset_get_n_items (output), ==, 4);
  g_assert_nonnull (dm_item_get_hash_key (dm_dataset_get_item (output, 0)));
  g_assert_false (dir_has_entry_containing (f->tmp, ".tmp-"));

  /* Missing parents are made. */
  save_some (f, 1, nested, DM_SAVE_NONE, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_test (nested, G_FILE_TEST_IS_DIR));
}

static void
test_empty_directory (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DmDataset) output = NULL;

  g_assert_cmpint (g_mkdir (f->dest, 0755), ==, 0);
  save_some (f, 2, f->dest, DM_SAVE_NONE, &error);
  g_assert_no_error (error);
  output = load_dataset_ok (f->dest);
  g_assert_cmpuint (dm_dataset_get_n_items (output), ==, 2);
}

static void
test_refuses_non_empty (Fixture *f, gconstpointer data)
{
  g_autofree char *keep = g_build_filename (f->dest, "keep.txt", NULL);

  write_file (keep, "mine", -1);
  assert_save_refused (f, DM_SAVE_NONE, DM_ERROR_EXISTS, "not empty");
}

static void
test_refuses_file (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;

  write_file (f->dest, "precious", -1);
  g_assert_false (save_some (f, 2, f->dest, DM_SAVE_OVERWRITE, &error));
  g_assert_error (error, DM_ERROR, DM_ERROR_OUTPUT);
  assert_error_mentions (error, f->dest);
  g_assert_true (g_file_get_contents (f->dest, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "precious");
}

static void
test_refuses_inside_source (Fixture *f, gconstpointer data)
{
  g_autofree char *inside = g_build_filename (f->source, "images", "pruned", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (save_some (f, 2, inside, DM_SAVE_OVERWRITE, &error));
  g_assert_error (error, DM_ERROR, DM_ERROR_OUTPUT);
  assert_error_mentions (error, inside);
  g_clear_error (&error);
  /* The source itself needs DM_SAVE_OVERWRITE. */
  g_assert_false (save_some (f, 2, f->source, DM_SAVE_NONE, &error));
  g_assert_error (error, DM_ERROR, DM_ERROR_EXISTS);
  g_assert_null (strstr (error->message, "--"));
}

/* --overwrite replaces a previous dataset, and refuses a directory with
 * anything else in it, touching nothing. */
static void
test_overwrite (Fixture *f, gconstpointer data)
{
  g_autofree char *stale = g_build_filename (f->dest, "stale.txt", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(DmDataset) output = NULL;
  g_autoptr(GHashTable) before = NULL;

  save_some (f, 2, f->dest, DM_SAVE_NONE, &error);
  g_assert_no_error (error);
  save_some (f, 3, f->dest, DM_SAVE_OVERWRITE, &error);
  g_assert_no_error (error);
  output = load_dataset_ok (f->dest);
  g_assert_cmpuint (dm_dataset_get_n_items (output), ==, 3);
  g_assert_false (dir_has_entry_containing (f->tmp, ".tmp-"));

  write_file (stale, "old", -1);
  before = snapshot_tree (f->dest);
  g_assert_false (save_some (f, 4, f->dest, DM_SAVE_OVERWRITE, &error));
  g_assert_error (error, DM_ERROR, DM_ERROR_OUTPUT);
  assert_error_mentions (error, "stale.txt");
  assert_tree_matches (before, f->dest);
}

/* In place: the kept images survive the removal of the old tree. */
static void
test_overwrite_source (Fixture *f, gconstpointer data)
{
  /* The test replaces the source: it takes over the fixture's snapshot. */
  g_autoptr(GHashTable) before = g_steal_pointer (&f->source_before);
  g_autoptr(GError) error = NULL;
  g_autoptr(DmDataset) output = NULL;
  g_autofree char *kept_image = g_build_filename (f->source, "images", "train", "img0.ppm", NULL);
  g_autofree char *dropped_image = g_build_filename (f->source, "images", "val", "img5.ppm", NULL);
  g_autofree char *expected = NULL;
  g_autofree char *contents = NULL;

  save_some (f, 2, f->source, DM_SAVE_OVERWRITE, &error);
  g_assert_no_error (error);
  g_assert_false (dir_has_entry_containing (f->tmp, ".tmp-"));

  output = load_dataset_ok (f->source);
  g_assert_cmpuint (dm_dataset_get_n_items (output), ==, 2);
  g_assert_true (g_file_get_contents (kept_image, &contents, NULL, NULL));
  expected = g_strdup_printf ("P6\n1 1\n255\n%c%c%c", 'a', 'b', 'c');
  g_assert_cmpstr (contents, ==, expected);
  g_assert_false (g_file_test (dropped_image, G_FILE_TEST_EXISTS));
  g_assert_cmpstr (g_hash_table_lookup (before, "images/train/img0.ppm"), !=, NULL);

  /* The key cache holds the kept items' keys and no other. */
  for (guint i = 0; i < dm_dataset_get_n_items (output); i++)
    g_assert_nonnull (dm_item_get_hash_key (dm_dataset_get_item (output, i)));
  {
    g_autofree char *cache = g_build_filename (f->source, "hash_key_meta", "hash_keys.json", NULL);
    g_autofree char *text = NULL;

    g_assert_true (g_file_get_contents (cache, &text, NULL, NULL));
    g_assert_nonnull (strstr (text, "train/item0"));
    g_assert_null (strstr (text, "val/item5"));
  }
  /* Nothing else changed: the kept images are the same files. */
  {
    g_autoptr(GHashTable) after = snapshot_tree (f->source);

    g_assert_cmpstr (g_hash_table_lookup (after, "images/train/img0.ppm"), ==,
                     g_hash_table_lookup (before, "images/train/img0.ppm"));
    g_assert_false (dir_has_entry_containing (f->tmp, ".inplace-"));
  }
}

/* A missing image fails the save, found before anything is written: the
 * error names the file and its item and says it is missing; no DEST (or
 * DEST as it was), no temporary directory, the input unchanged. In place,
 * where no file is copied, the same words in a warning, and the item kept;
 * the missing image of an item not kept is no concern of a save. */
static void
test_failure_leaves_nothing (Fixture *f, gconstpointer data)
{
  g_autofree char *image = g_build_filename (f->source, "images", "val", "img3.ppm", NULL);
  g_autoptr(GHashTable) dest_before = NULL;
  g_autoptr(GError) to_dest = NULL;
  g_autoptr(GError) error = NULL;

  /* The input without the image is the one the tear-down compares. */
  g_assert_cmpint (g_unlink (image), ==, 0);
  g_clear_pointer (&f->source_before, g_hash_table_unref);
  source_fixture_guard (f);

  g_assert_false (save_some (f, N_ITEMS, f->dest, DM_SAVE_NONE, &to_dest));
  g_assert_error (to_dest, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  assert_error_mentions (to_dest, image);
  assert_error_mentions (to_dest, "the image of item val/item3 is missing");
  g_assert_false (g_file_test (f->dest, G_FILE_TEST_EXISTS));
  g_assert_false (dir_has_entry_containing (f->tmp, ".tmp-"));

  /* An earlier output stays whole when the overwrite fails. */
  save_some (f, 2, f->dest, DM_SAVE_NONE, &error);
  g_assert_no_error (error);
  dest_before = snapshot_tree (f->dest);
  g_assert_false (save_some (f, N_ITEMS, f->dest, DM_SAVE_OVERWRITE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  assert_tree_matches (dest_before, f->dest);
  g_assert_false (dir_has_entry_containing (f->tmp, ".tmp-"));
  g_clear_error (&error);

  /* In place: kept, with DEST's words in a warning. */
  {
    g_autofree char *expected = g_strdup_printf ("%s; kept: in place, no media file is copied",
                                                 to_dest->message);
    g_autoptr(DmDataset) written = NULL;

    g_assert_true (save_some_warned (f, N_ITEMS, f->source, DM_SAVE_OVERWRITE, expected));
    g_clear_pointer (&f->source_before, g_hash_table_unref);
    written = load_dataset_ok (f->source);
    g_assert_cmpuint (dm_dataset_get_n_items (written), ==, N_ITEMS);
  }

  /* The first three items, train's, leave val/item3 out: no warning (a
   * test fails on an unexpected one). */
  g_assert_true (save_some (f, 3, f->source, DM_SAVE_OVERWRITE, &error));
  g_assert_no_error (error);
}

static void
test_cancelled (Fixture *f, gconstpointer data)
{
  g_autoptr(DmDataset) input = load_dataset_ok (f->source);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  g_assert_false (dm_dataset_save (input, f->dest, DM_SAVE_NONE, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (g_file_test (f->dest, G_FILE_TEST_EXISTS));
  g_assert_false (dir_has_entry_containing (f->tmp, ".tmp-"));
}

/* An image path that climbs out of the output is refused. */
static void
test_image_path_escaping (Fixture *f, gconstpointer data)
{
  g_autoptr(DmDataset) input = load_dataset_ok (f->source);
  g_autoptr(GError) error = NULL;
  g_autofree char *escaped = path_in (f, "escaped.ppm");

  dm_item_set_image_relpath (dm_dataset_get_item (input, 0), "../../../escaped.ppm");
  g_assert_false (dm_dataset_save (input, f->dest, DM_SAVE_NONE, NULL, &error));
  g_assert_error (error, DM_ERROR, DM_ERROR_INVALID_DATA);
  assert_error_mentions (error, "../../../escaped.ppm");
  g_assert_false (g_file_test (escaped, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (f->dest, G_FILE_TEST_EXISTS));
  g_assert_false (dir_has_entry_containing (f->tmp, ".tmp-"));
}

/* Makes @path a directory with a file in it, as a killed run leaves it. */
static void
make_partial_output (const char *path)
{
  write_subset_annotations (path, "train", "{\"items\": [");
}

/* Temporary outputs of killed runs are removed by the next save beside
 * them; one a live process holds the lock of is not. */
static void
test_stale_temps_removed (Fixture *f, gconstpointer data)
{
  g_autofree char *stale = g_strconcat (f->dest, ".tmp-AbC123", NULL);
  g_autofree char *locked = g_strconcat (f->dest, ".tmp-LoCk3d", NULL);
  g_autofree char *recent = g_strconcat (f->dest, ".tmp-n3wOne", NULL);
  g_autofree char *file = g_strconcat (f->dest, ".tmp-f1le00", NULL);
  g_autofree char *other = path_in (f, "other.tmp-AbC123");
  g_autoptr(GError) error = NULL;
  int fd;

  make_partial_output (stale);
  make_partial_output (locked);
  make_partial_output (other);
  g_assert_cmpint (g_mkdir (recent, 0755), ==, 0);
  write_file (file, "not ours", -1);
  fd = g_open (locked, O_RDONLY | O_DIRECTORY, 0);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (flock (fd, LOCK_EX), ==, 0);

  save_some (f, 2, f->dest, DM_SAVE_NONE, &error);
  g_assert_no_error (error);
  g_assert_false (g_file_test (stale, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (locked, G_FILE_TEST_IS_DIR));
  g_assert_false (g_file_test (recent, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (other, G_FILE_TEST_IS_DIR));
  g_assert_true (g_file_test (file, G_FILE_TEST_IS_REGULAR));

  g_close (fd, NULL);
}

/* What a user writes into the destination during a run, and the
 * destination's snapshot then. */
typedef struct
{
  const char *name;
  GHashTable *at_move;
} UserFile;

static void
user_file_clear (UserFile *file)
{
  g_clear_pointer (&file->at_move, g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (UserFile, user_file_clear)

/* A hook: the user writes the UserFile @data into the destination (making
 * the destination when it is missing). */
static void
write_user_file (const char *destination,
                 gpointer    data)
{
  UserFile *file = data;
  g_autofree char *path = g_build_filename (destination, file->name, NULL);

  write_file (path, "mine", -1);
  file->at_move = snapshot_tree (destination);
}

/* Without DM_SAVE_OVERWRITE, a file written into a new or empty destination
 * during the run stays, and the save fails naming the destination. */
static void
test_written_during_run (Fixture *f, gconstpointer data)
{
  for (guint exists = 0; exists < 2; exists++)
    {
      g_auto(UserFile) precious = { "precious.txt", NULL };
      g_autoptr(GError) error = NULL;

      if (exists)
        g_assert_cmpint (g_mkdir (f->dest, 0755), ==, 0);
      arm_move_hook (f->dest, write_user_file, &precious);
      g_assert_false (save_some (f, 2, f->dest, DM_SAVE_NONE, &error));
      g_assert_true (move_hook_ran ());
      g_assert_error (error, DM_ERROR, DM_ERROR_EXISTS);
      assert_error_mentions (error, f->dest);
      assert_error_mentions (error, "no longer empty");
      g_assert_null (strchr (error->message, '\n'));
      assert_tree_matches (precious.at_move, f->dest);
      g_assert_false (dir_has_entry_containing (f->tmp, ".tmp-"));
      remove_tree (f->dest);
    }
}

/* A hook: another run saves one item to the destination first. */
static void
save_other_run (const char *destination,
                gpointer    data)
{
  Fixture *f = data;
  g_autoptr(GError) error = NULL;

  save_some (f, 1, destination, DM_SAVE_NONE, &error);
  g_assert_no_error (error);
}

/* Two runs to one new destination: the second to finish fails, and the
 * first's output stays. */
static void
test_concurrent_runs (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DmDataset) output = NULL;

  arm_move_hook (f->dest, save_other_run, f);
  g_assert_false (save_some (f, 3, f->dest, DM_SAVE_NONE, &error));
  g_assert_true (move_hook_ran ());
  g_assert_error (error, DM_ERROR, DM_ERROR_EXISTS);
  assert_error_mentions (error, f->dest);
  output = load_dataset_ok (f->dest);
  g_assert_cmpuint (dm_dataset_get_n_items (output), ==, 1);
  g_assert_false (dir_has_entry_containing (f->tmp, ".tmp-"));
}

/* With DM_SAVE_OVERWRITE, the destination is checked again right before it
 * is replaced: a file written into it during the run refuses the save. */
static void
test_overwrite_rechecked (Fixture *f, gconstpointer data)
{
  g_auto(UserFile) notes = { "notes.txt", NULL };
  g_autoptr(GError) error = NULL;

  save_some (f, 2, f->dest, DM_SAVE_NONE, &error);
  g_assert_no_error (error);
  arm_move_hook (f->dest, write_user_file, &notes);
  g_assert_false (save_some (f, 3, f->dest, DM_SAVE_OVERWRITE, &error));
  g_assert_true (move_hook_ran ());
  g_assert_error (error, DM_ERROR, DM_ERROR_OUTPUT);
  assert_error_mentions (error, "notes.txt");
  assert_tree_matches (notes.at_move, f->dest);
  g_assert_false (dir_has_entry_containing (f->tmp, ".tmp-"));
}

/* --overwrite replaces only a dataset below its top level too: a file in
 * images/ no item refers to, anything in annotations/ but the subsets'
 * files, anything in hash_key_meta/ but the key cache is refused, named,
 * touching nothing; so is a dataset that cannot be read. */
static void
test_overwrite_checks_below (Fixture *f, gconstpointer data)
{
  const char *foreign[] = {
    "images/precious.txt", "images/train/orphan.ppm", "annotations/extra/keep.txt",
    "annotations/notes.txt", "hash_key_meta/other.json",
  };
  g_autofree char *train = g_build_filename (f->dest, "annotations", "train.json", NULL);
  g_autoptr(GError) error = NULL;

  save_some (f, 4, f->dest, DM_SAVE_NONE, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (foreign); i++)
    {
      g_autofree char *path = g_build_filename (f->dest, foreign[i], NULL);

      write_file (path, "mine", -1);
      /* Before the work (as dm checks it), and when the output is ready. */
      g_assert_false (dm_dataset_check_destination (f->dest, f->source, DM_SAVE_OVERWRITE, &error));
      assert_error_mentions (error, foreign[i]);
      g_clear_error (&error);
      assert_save_refused (f, DM_SAVE_OVERWRITE, DM_ERROR_OUTPUT, foreign[i]);
      g_assert_cmpint (g_unlink (path), ==, 0);
    }

  /* The dataset's own files, and nothing else: replaced. */
  save_some (f, 3, f->dest, DM_SAVE_OVERWRITE, &error);
  g_assert_no_error (error);

  write_file (train, "{\"items\": [", -1);
  assert_save_refused (f, DM_SAVE_OVERWRITE, DM_ERROR_OUTPUT, train);
}

/* A destination that is a symbolic link to a directory is written
 * through: the directory is replaced, the link stays. */
static void
test_symlink_destination (Fixture *f, gconstpointer data)
{
  g_autofree char *real = path_in (f, "real");
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir (real, 0755), ==, 0);
  g_assert_cmpint (symlink ("real", f->dest), ==, 0);
  for (guint n_kept = 2; n_kept <= 3; n_kept++)
    {
      g_autoptr(DmDataset) output = NULL;

      save_some (f, n_kept, f->dest, n_kept == 2 ? DM_SAVE_NONE : DM_SAVE_OVERWRITE, &error);
      g_assert_no_error (error);
      g_assert_true (g_file_test (f->dest, G_FILE_TEST_IS_SYMLINK));
      output = load_dataset_ok (real);
      g_assert_cmpuint (dm_dataset_get_n_items (output), ==, n_kept);
      g_assert_false (dir_has_entry_containing (f->tmp, ".tmp-"));
    }
}

/* For the tests that mount on DEST or on the fixture's folder itself:
 * whichever was mounted is unmounted (the other call fails, harmlessly). */
static void
mount_fixture_tear_down (Fixture       *f,
                         gconstpointer  data)
{
  umount2 (f->dest, MNT_DETACH);
  umount2 (f->tmp, MNT_DETACH);
  source_fixture_tear_down (f, data);
}

/* A mount point is refused before any work: the output replaces the
 * destination directory as a whole, which rename(2) cannot do to a mount
 * point. Mounting needs root. */
static void
test_refuses_mount_point (Fixture *f, gconstpointer data)
{
  const DmSaveFlags flags[] = { DM_SAVE_NONE, DM_SAVE_OVERWRITE };

  g_assert_cmpint (g_mkdir (f->dest, 0755), ==, 0);
  if (geteuid () != 0 || mount ("tmpfs", f->dest, "tmpfs", 0, "size=1m") != 0)
    {
      g_test_skip ("mounting a file system needs root");
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (flags); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (save_some (f, 2, f->dest, flags[i], &error));
      g_assert_error (error, DM_ERROR, DM_ERROR_OUTPUT);
      assert_error_mentions (error, f->dest);
      assert_error_mentions (error, "mount point");
      g_assert_false (dir_has_entry_containing (f->tmp, ".tmp-"));
      g_assert_false (dir_has_entry_containing (f->dest, ""));
    }
}

/* In place, the work goes beside SOURCE: a parent folder that cannot be
 * written to is said by the check before the work. A read-only bind mount
 * makes it so even for root (mounting needs root). */
static void
test_in_place_parent_read_only (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  if (geteuid () != 0 ||
      mount (f->tmp, f->tmp, "none", MS_BIND, NULL) != 0 ||
      mount ("none", f->tmp, "none", MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) != 0)
    {
      g_test_skip ("a read-only bind mount needs root");
      return;
    }
  g_assert_false (dm_dataset_check_destination (f->source, f->source, DM_SAVE_OVERWRITE, &error));
  g_assert_error (error, DM_ERROR, DM_ERROR_IN_PLACE);
  assert_error_mentions (error, f->source);
  assert_error_mentions (error, f->tmp);
  /* The way out in the library's words; dm names its flag (tests/cli). */
  assert_error_mentions (error, "save the result elsewhere");
  assert_error_names_no_flag (error);
}

/* Any destination: the output is made in a folder beside it, so a parent
 * folder (or the nearest one that exists) that cannot be written to is
 * said by the check before the work, for a new DEST and for one below
 * folders yet to be made. */
static void
test_destination_parent_read_only (Fixture *f, gconstpointer data)
{
  g_autofree char *deep = g_build_filename (f->tmp, "new", "dest", NULL);
  const char *destinations[] = { f->dest, deep };

  if (geteuid () != 0 ||
      mount (f->tmp, f->tmp, "none", MS_BIND, NULL) != 0 ||
      mount ("none", f->tmp, "none", MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) != 0)
    {
      g_test_skip ("a read-only bind mount needs root");
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (destinations); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (dm_dataset_check_destination (destinations[i], f->source, DM_SAVE_NONE, &error));
      g_assert_error (error, DM_ERROR, DM_ERROR_OUTPUT);
      assert_error_mentions (error, destinations[i]);
      assert_error_mentions (error, f->tmp);
      g_assert_null (strchr (error->message, '\n'));
    }
}

/* Asserts that @error is the in-place refusal of @root in @format, and
 * speaks to any caller: no command-line flag in it. */
static void
assert_in_place_refusal (const GError *error,
                         const char   *root,
                         const char   *format)
{
  g_assert_error (error, DM_ERROR, DM_ERROR_IN_PLACE);
  assert_error_mentions (error, root);
  assert_error_mentions (error, format);
  assert_error_names_no_flag (error);
}

/* dm_dataset_check_in_place() refuses a source in another format than
 * Datumaro's as its own destination (also through a link, and whatever
 * the flags: dm_dataset_save() says the same for both), passes any other
 * destination and a Datumaro source; dm_dataset_save() refuses by it with
 * the same error, having written nothing, before the destination's own
 * checks. */
static void
test_in_place_needs_datumaro (Fixture *f, gconstpointer data)
{
  g_autofree char *root = path_in (f, "imagenet");
  g_autofree char *cat = g_build_filename (root, "cat", "a.ppm", NULL);
  g_autofree char *dog = g_build_filename (root, "dog", "b.ppm", NULL);
  g_autofree char *link = path_in (f, "link");
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DmDataset) input = NULL;
  g_autoptr(DmDataset) output = NULL;
  const DmSaveFlags flags[] = { DM_SAVE_OVERWRITE, DM_SAVE_NONE };

  write_file (cat, "P6\n1 1\n255\nabc", -1);
  write_file (dog, "P6\n1 1\n255\ndef", -1);
  g_assert_cmpint (symlink (root, link), ==, 0);
  before = snapshot_tree (root);

  g_assert_false (dm_dataset_check_in_place (root, root, "imagenet", &error));
  assert_in_place_refusal (error, root, "imagenet");
  g_clear_error (&error);
  g_assert_false (dm_dataset_check_in_place (link, root, "imagenet_txt", &error));
  assert_in_place_refusal (error, link, "imagenet_txt");
  g_clear_error (&error);
  g_assert_false (dm_dataset_check_in_place (root, root, NULL, &error));
  g_assert_error (error, DM_ERROR, DM_ERROR_IN_PLACE);
  assert_error_names_no_flag (error);
  g_clear_error (&error);
  g_assert_true (dm_dataset_check_in_place (f->dest, root, "imagenet", &error));
  g_assert_true (dm_dataset_check_in_place (root, NULL, "imagenet", &error));
  g_assert_true (dm_dataset_check_in_place (f->source, f->source, "datumaro", &error));
  g_assert_no_error (error);

  /* The save: a transform's output of the loaded folder, over it. */
  input = load_dataset_ok (root);
  g_assert_cmpstr (dm_dataset_get_format (input), ==, "imagenet");
  output = dm_dataset_new_like (input);
  dm_dataset_append_item (output, dm_dataset_get_item (input, 0));
  for (guint i = 0; i < G_N_ELEMENTS (flags); i++)
    {
      g_autoptr(GError) check_error = NULL;

      g_assert_false (dm_dataset_check_in_place (root, dm_dataset_get_source_path (output),
                                                 dm_dataset_get_format (output), &check_error));
      g_assert_false (dm_dataset_save (output, root, flags[i], NULL, &error));
      assert_in_place_refusal (error, root, "imagenet");
      g_assert_cmpstr (error->message, ==, check_error->message);
      g_clear_error (&error);
    }
  assert_tree_matches (before, root);
  g_assert_false (dir_has_entry_containing (f->tmp, ".inplace-"));
  g_assert_false (dir_has_entry_containing (f->tmp, ".tmp-"));
}

/* Every refusal of a destination a caller can provoke, asked before the
 * work and by the save, speaks to any caller (Python, a graphical host):
 * what is wrong, in the library's terms, and no flag of dm's; the code
 * says which way out applies (DmError). */
static void
test_messages_name_no_flag (Fixture *f, gconstpointer data)
{
  g_autofree char *foreign = g_build_filename (f->dest, "notes.txt", NULL);
  g_autofree char *train = g_build_filename (f->dest, "annotations", "train.json", NULL);
  struct
  {
    const char *destination;
    DmSaveFlags flags;
    int code;
  } cases[] = {
    { f->source, DM_SAVE_NONE, DM_ERROR_EXISTS },     /* the source, not allowed in place */
    { f->dest, DM_SAVE_NONE, DM_ERROR_EXISTS },       /* a dataset there */
    { f->dest, DM_SAVE_OVERWRITE, DM_ERROR_OUTPUT },  /* a file beside it */
    { f->dest, DM_SAVE_OVERWRITE, DM_ERROR_OUTPUT },  /* one it cannot read */
  };
  g_autoptr(GError) error = NULL;

  g_assert_true (save_some (f, 2, f->dest, DM_SAVE_NONE, &error));
  g_assert_no_error (error);
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(GError) check_error = NULL;
      g_autoptr(GError) save_error = NULL;

      if (c == 2)
        write_file (foreign, "mine", -1);
      if (c == 3)
        {
          g_assert_cmpint (g_unlink (foreign), ==, 0);
          write_file (train, "{\"items\": [", -1);
        }
      g_assert_false (dm_dataset_check_destination (cases[c].destination, f->source, cases[c].flags,
                                                    &check_error));
      g_assert_error (check_error, DM_ERROR, cases[c].code);
      assert_error_names_no_flag (check_error);
      g_assert_false (save_some (f, 1, cases[c].destination, cases[c].flags, &save_error));
      g_assert_error (save_error, DM_ERROR, cases[c].code);
      assert_error_names_no_flag (save_error);
    }
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_log_set_writer_func (catch_warnings, NULL, NULL);

#define ADD(path, func) \
  g_test_add ("/save/" path, Fixture, NULL, fixture_set_up, func, source_fixture_tear_down)

  ADD ("new-destination", test_new_destination);
  ADD ("empty-directory", test_empty_directory);
  ADD ("refuses-non-empty", test_refuses_non_empty);
  ADD ("refuses-file", test_refuses_file);
  ADD ("refuses-inside-source", test_refuses_inside_source);
  ADD ("overwrite", test_overwrite);
  ADD ("overwrite-source", test_overwrite_source);
  ADD ("failure-leaves-nothing", test_failure_leaves_nothing);
  ADD ("cancelled", test_cancelled);
  ADD ("image-path-escaping", test_image_path_escaping);
  ADD ("stale-temps-removed", test_stale_temps_removed);
  ADD ("written-during-run", test_written_during_run);
  ADD ("concurrent-runs", test_concurrent_runs);
  ADD ("overwrite-rechecked", test_overwrite_rechecked);
  ADD ("overwrite-checks-below", test_overwrite_checks_below);
  ADD ("symlink-destination", test_symlink_destination);
  ADD ("in-place-needs-datumaro", test_in_place_needs_datumaro);
  ADD ("messages-name-no-flag", test_messages_name_no_flag);
  g_test_add ("/save/refuses-mount-point", Fixture, NULL, fixture_set_up, test_refuses_mount_point,
              mount_fixture_tear_down);
  g_test_add ("/save/in-place-parent-read-only", Fixture, NULL, fixture_set_up,
              test_in_place_parent_read_only, mount_fixture_tear_down);
  g_test_add ("/save/destination-parent-read-only", Fixture, NULL, fixture_set_up,
              test_destination_parent_read_only, mount_fixture_tear_down);

#undef ADD

  status = g_test_run ();
  g_free (before_move.destination);
  return status;
}
