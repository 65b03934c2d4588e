/* The dm command's staged outputs (dm_staged_file): a run killed between
 * staging and commit leaves the old report and no temporary file; staged,
 * patched and committed, or given up, with the nameless temporary file
 * and with the named one (where O_TMPFILE is missing); the report's
 * permissions are 0666 under the umask.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib/gstdio.h>

#include "dm-cli-staged.h"
#include "test-helpers.h"

#define OLD_REPORT "{\"old\": 1}"

typedef struct
{
  TempFileFixture  file;        /* its target is the report, holding OLD_REPORT */
  char            *new_dir;     /* missing */
  char            *new_report;  /* in new_dir/sub */
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  temp_file_fixture_init (&f->file, "report.json", OLD_REPORT, data);
  f->new_dir = g_build_filename (f->file.tmp, "new", NULL);
  f->new_report = g_build_filename (f->new_dir, "sub", "report.json", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_free (f->new_dir);
  g_free (f->new_report);
  temp_file_fixture_tear_down (&f->file, data);
}

static void
assert_contents (const char *path,
                 const char *expected)
{
  g_autofree char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, expected);
}

/* A run killed during the save, after staging its report (the OOM killer,
 * kill -9, a CI timeout), leaves the old report and no temporary file. */
static void
test_killed (Fixture *f, gconstpointer data)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      DmStagedFile *staged = dm_staged_file_new (f->file.target, "{\"new\": 0}", &error);

      g_assert_no_error (error);
      g_assert_true (dm_staged_file_patch (staged, 8, "2", 1, &error));
      kill_self ();
    }
  if (!can_write_nameless (f->file.tmp))
    {
      g_test_skip ("no O_TMPFILE here: the report has a name while it is staged");
      return;
    }
  run_killed_child (f->file.tmp);
  assert_contents (f->file.target, OLD_REPORT);
  g_assert_false (dir_has_entry_containing (f->file.tmp, ".tmp-"));
}

/* The fallback is the one taken when asked: a kill leaves its named
 * temporary file (and the old report). */
static void
test_named_killed (Fixture *f, gconstpointer data)
{
  if (g_test_subprocess ())
    {
      dm_staged_file_new_full (f->file.target, "{\"new\": 0}", DM_TEMP_FILE_NAMED, NULL);
      kill_self ();
    }
  run_killed_child (f->file.tmp);
  assert_contents (f->file.target, OLD_REPORT);
  g_assert_true (dir_has_entry_containing (f->file.tmp, "report.json.tmp-"));
}

/* Staged (making its folders), patched, committed: the patched report in
 * place, nothing else. */
static void
test_commit (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DmStagedFile) replacing = dm_staged_file_new_full (f->file.target, "{\"new\": 0}", f->file.kind, &error);
  g_autoptr(DmStagedFile) made = dm_staged_file_new_full (f->new_report, "{\"new\": 0}", f->file.kind, &error);

  g_assert_no_error (error);
  /* Nothing in place before the commit. */
  assert_contents (f->file.target, OLD_REPORT);
  g_assert_false (g_file_test (f->new_report, G_FILE_TEST_EXISTS));

  g_assert_true (dm_staged_file_patch (replacing, 8, "2", 1, &error));
  g_assert_true (dm_staged_file_commit (replacing, &error));
  g_assert_true (dm_staged_file_commit (made, &error));
  g_assert_no_error (error);
  assert_contents (f->file.target, "{\"new\": 2}");
  assert_contents (f->new_report, "{\"new\": 0}");
  g_assert_false (dir_has_entry_containing (f->file.tmp, ".tmp-"));
  g_clear_pointer (&made, dm_staged_file_free);
  /* A committed file's folders stay. */
  g_assert_true (g_file_test (f->new_report, G_FILE_TEST_EXISTS));
}

/* Given up (a failed run): the old report, no temporary file, no folder
 * made for it. */
static void
test_abort (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  DmStagedFile *replacing = dm_staged_file_new_full (f->file.target, "{\"new\": 0}", f->file.kind, &error);
  DmStagedFile *made = dm_staged_file_new_full (f->new_report, "{\"new\": 0}", f->file.kind, &error);

  g_assert_no_error (error);
  g_assert_true (dm_staged_file_patch (replacing, 8, "2", 1, &error));
  dm_staged_file_free (replacing);
  dm_staged_file_free (made);
  assert_contents (f->file.target, OLD_REPORT);
  g_assert_false (dir_has_entry_containing (f->file.tmp, ".tmp-"));
  g_assert_false (g_file_test (f->new_dir, G_FILE_TEST_EXISTS));
}

/* A report that cannot be written is refused by name, before anything
 * is staged. */
static void
test_unwritable (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *below_file = g_build_filename (f->file.target, "report.json", NULL);
  g_autoptr(DmStagedFile) staged = dm_staged_file_new_full (below_file, "{}", f->file.kind, &error);

  g_assert_null (staged);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY);
  assert_error_mentions (error, below_file);
  assert_contents (f->file.target, OLD_REPORT);
  g_assert_false (dir_has_entry_containing (f->file.tmp, ".tmp-"));
}

static void
stage_and_commit (gpointer user_data)
{
  Fixture *f = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(DmStagedFile) staged = dm_staged_file_new_full (f->file.target, "{}", f->file.kind, &error);

  g_assert_no_error (error);
  g_assert_true (dm_staged_file_commit (staged, &error));
}

/* The report's permissions are 0666 under the umask, as any new file's. */
static void
test_mode (Fixture *f, gconstpointer data)
{
  assert_new_file_modes (f->file.target, stage_and_commit, f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  /* Each kill test chooses its kind of temporary file itself. */
  g_test_add ("/staged/killed", Fixture, NULL, fixture_set_up, test_killed, fixture_tear_down);
  g_test_add ("/staged/named/killed", Fixture, NULL, fixture_set_up, test_named_killed, fixture_tear_down);
#define ADD(name, func) \
  add_test_per_temp_file_kind ("/staged", name, Fixture, fixture_set_up, func, fixture_tear_down)
  ADD ("commit", test_commit);
  ADD ("abort", test_abort);
  ADD ("unwritable", test_unwritable);
  ADD ("mode", test_mode);
#undef ADD

  return g_test_run ();
}
