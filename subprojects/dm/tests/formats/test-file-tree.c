/* dm_replace_file: a killed write leaves the old file and no temporary
 * file; the named temporary file (where O_TMPFILE is missing) replaces,
 * fails and names the file as the nameless one; the new file's
 * permissions are 0666 under the umask.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib/gstdio.h>

#include "dm-file-tree-private.h"
#include "test-helpers.h"

#define OLD_CONTENTS "old contents"

/* Its target holds OLD_CONTENTS. */
typedef TempFileFixture Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  temp_file_fixture_init (f, "target.json", OLD_CONTENTS, data);
}

static void
assert_old_target_alone (Fixture *f)
{
  g_autofree char *contents = NULL;

  g_assert_true (g_file_get_contents (f->target, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, OLD_CONTENTS);
  g_assert_false (dir_has_entry_containing (f->tmp, ".tmp-"));
}

/* Writes part of a file, as far as the file. */
static void
write_half (GOutputStream *stream)
{
  g_assert_true (g_output_stream_write_all (stream, "{\"half\": ", 9, NULL, NULL, NULL));
  g_assert_true (g_output_stream_flush (stream, NULL, NULL));
}

static gboolean
write_then_die (GOutputStream  *stream,
                gpointer        user_data,
                GError        **error)
{
  write_half (stream);
  kill_self ();
}

static gboolean
write_then_fail (GOutputStream  *stream,
                 gpointer        user_data,
                 GError        **error)
{
  write_half (stream);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot write %s: no more", (const char *) user_data);
  return FALSE;
}

static gboolean
write_new (GOutputStream  *stream,
           gpointer        user_data,
           GError        **error)
{
  return g_output_stream_write_all (stream, "new", 3, NULL, NULL, error);
}

/* A run killed while writing (the OOM killer, kill -9) leaves the old
 * file and no temporary file. */
static void
test_killed (Fixture *f, gconstpointer data)
{
  if (g_test_subprocess ())
    {
      dm_replace_file (f->target, write_then_die, NULL, NULL);
      g_assert_not_reached ();
    }
  if (!can_write_nameless (f->tmp))
    {
      g_test_skip ("no O_TMPFILE here: the file has a name while it is written");
      return;
    }
  run_killed_child (f->tmp);
  assert_old_target_alone (f);
}

/* The fallback is the one taken when asked: a kill leaves its named
 * temporary file (and the old file). */
static void
test_named_killed (Fixture *f, gconstpointer data)
{
  if (g_test_subprocess ())
    {
      dm_replace_file_full (f->target, DM_TEMP_FILE_NAMED, write_then_die, NULL, NULL);
      g_assert_not_reached ();
    }
  run_killed_child (f->tmp);
  g_assert_true (dir_has_entry_containing (f->tmp, ".target.json.tmp-"));
}

/* Either way a file replaces the old one, or a failure leaves the old one
 * alone; errors name the file. */
static void
test_replace (Fixture *f, gconstpointer data)
{
  g_autofree char *missing = g_build_filename (f->tmp, "missing", "target.json", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (dm_replace_file_full (f->target, f->kind, write_then_fail, f->target, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  assert_old_target_alone (f);
  g_clear_error (&error);

  g_assert_false (dm_replace_file_full (missing, f->kind, write_then_fail, missing, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  assert_error_mentions (error, missing);
  g_clear_error (&error);

  g_assert_true (dm_replace_file_full (f->target, f->kind, write_new, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (f->target, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "new");
  g_assert_false (dir_has_entry_containing (f->tmp, ".tmp-"));
}

static void
replace_target (gpointer user_data)
{
  Fixture *f = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (dm_replace_file_full (f->target, f->kind, write_new, NULL, &error));
  g_assert_no_error (error);
}

/* A new file's permissions are 0666 under the umask, as any new file's. */
static void
test_mode (Fixture *f, gconstpointer data)
{
  assert_new_file_modes (f->target, replace_target, f);
}

/* dm_path_is_below: by whole components, at any depth, the directory
 * itself not below itself, the root above everything. */
static void
test_path_is_below (void)
{
  g_assert_true (dm_path_is_below ("/a/b", "/a"));
  g_assert_true (dm_path_is_below ("/a/b/c", "/a"));
  g_assert_true (dm_path_is_below ("/a/b", "/a/"));
  g_assert_true (dm_path_is_below ("/a", "/"));
  g_assert_false (dm_path_is_below ("/a", "/a"));
  g_assert_false (dm_path_is_below ("/a/", "/a"));
  g_assert_false (dm_path_is_below ("/ab", "/a"));
  g_assert_false (dm_path_is_below ("/a", "/a/b"));
  g_assert_false (dm_path_is_below ("/", "/"));
}

/* dm_topmost_missing_dir: the first folder that making a path creates,
 * or NULL for one that exists; what exists is no file's business. */
static void
test_topmost_missing_dir (void)
{
  g_autofree char *tmp = make_temp_dir ();
  g_autofree char *a = g_build_filename (tmp, "a", NULL);
  g_autofree char *deep = g_build_filename (tmp, "a", "b", "c", NULL);
  g_autofree char *b = g_build_filename (tmp, "a", "b", NULL);
  g_autofree char *missing = NULL;

  g_assert_null (dm_topmost_missing_dir (tmp));
  missing = dm_topmost_missing_dir (deep);
  g_assert_cmpstr (missing, ==, a);
  g_clear_pointer (&missing, g_free);
  g_assert_cmpint (g_mkdir (a, 0700), ==, 0);
  missing = dm_topmost_missing_dir (deep);
  g_assert_cmpstr (missing, ==, b);
  g_assert_null (dm_topmost_missing_dir ("/"));
  g_assert_cmpint (g_rmdir (a), ==, 0);
  g_assert_cmpint (g_rmdir (tmp), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/file-tree/path-is-below", test_path_is_below);
  g_test_add_func ("/file-tree/topmost-missing-dir", test_topmost_missing_dir);
  /* Each kill test chooses its kind of temporary file itself. */
  g_test_add ("/file-tree/replace/killed", Fixture, NULL,
              fixture_set_up, test_killed, temp_file_fixture_tear_down);
  g_test_add ("/file-tree/replace/named/killed", Fixture, NULL,
              fixture_set_up, test_named_killed, temp_file_fixture_tear_down);
  add_test_per_temp_file_kind ("/file-tree/replace", "replace", Fixture,
                               fixture_set_up, test_replace, temp_file_fixture_tear_down);
  add_test_per_temp_file_kind ("/file-tree/replace", "mode", Fixture,
                               fixture_set_up, test_mode, temp_file_fixture_tear_down);

  return g_test_run ();
}
