/* fuzz-common.c: scratch directories and checks shared by the fuzz targets. */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "fuzz-common.h"

/* Criticals (a failed g_return_if_fail) and errors are bugs: abort so the
 * fuzzer keeps the input. Everything else the readers log (warnings about
 * ignored keys, notes about skipped files) is dropped, to keep runs fast. */
static GLogWriterOutput
fuzz_log_writer (GLogLevelFlags   level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  if (level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR))
    {
      g_log_writer_standard_streams (level, fields, n_fields, user_data);
      abort ();
    }
  return G_LOG_WRITER_HANDLED;
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_writer_func (fuzz_log_writer, NULL, NULL);
  return 0;
}

char *
fuzz_make_root (void)
{
  g_autoptr(GError) error = NULL;
  char *root = g_dir_make_tmp ("dm-fuzz-XXXXXX", &error);

  g_assert_no_error (error);
  return root;
}

void
fuzz_write_file (const char *root,
                 const char *relative,
                 const void *data,
                 gsize       size)
{
  g_autofree char *path = g_build_filename (root, relative, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_file_set_contents (path, (const char *) data, (gssize) size, &error);
  g_assert_no_error (error);
}

static int
remove_entry (const char        *path,
              const struct stat *st,
              int                type,
              struct FTW        *ftw)
{
  /* Directories the fuzzer made unreadable or unsearchable still go. */
  if (type == FTW_DNR)
    g_chmod (path, 0700);
  remove (path);
  return 0;
}

void
fuzz_remove_tree (const char *path)
{
  nftw (path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK));
}

void
fuzz_check_result (gpointer      dataset,
                   const GError *error,
                   const char   *root)
{
  g_assert_true ((dataset == NULL) != (error == NULL));
  if (error != NULL)
    {
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      if (strstr (error->message, root) == NULL)
        g_error ("the error does not name the dataset or one of its files: %s", error->message);
    }
}
