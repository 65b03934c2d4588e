/* cli-helpers.c: running dm and checking what it did to the file system. */
#include <string.h>

#include "cli-helpers.h"

void
dm_run_free (DmRun *run)
{
  g_free (run->out);
  g_free (run->err);
  g_free (run);
}

DmRun *
dm_run (const char *unset_env,
        const char *first_arg,
        ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  const char *cli = g_getenv ("DM_CLI");
  DmRun *run = g_new0 (DmRun, 1);
  va_list args;

  g_assert_nonnull (cli);
  g_ptr_array_add (argv, (gpointer) cli);
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  if (unset_env != NULL)
    g_subprocess_launcher_unsetenv (launcher, unset_env);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);

  run->status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
  if (g_test_verbose ())
    g_test_message ("dm %s → %d\nstdout: %s\nstderr: %s", first_arg, run->status, run->out, run->err);

  return run;
}

char *
make_temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("dm-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
make_sample (const char *dir,
             guint       n_items)
{
  const char *generator = g_getenv ("DM_MAKE_SAMPLE");
  g_autofree char *count = g_strdup_printf ("%u", n_items);
  const char *argv[] = { generator, "--items", count, dir, NULL };
  g_autoptr(GError) error = NULL;
  int status;

  g_assert_nonnull (generator);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_spawn_check_wait_status (status, &error);
  g_assert_no_error (error);
}

static void
snapshot_into (GHashTable *table,
               const char *root,
               const char *relative)
{
  g_autofree char *path = relative ? g_build_filename (root, relative, NULL) : g_strdup (root);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child_rel = relative ? g_build_filename (relative, name, NULL) : g_strdup (name);
      g_autofree char *child = g_build_filename (root, child_rel, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        {
          g_hash_table_insert (table, g_strdup (child_rel), g_strdup ("dir"));
          snapshot_into (table, root, child_rel);
        }
      else
        {
          g_autofree char *contents = NULL;
          gsize length;

          g_assert_true (g_file_get_contents (child, &contents, &length, NULL));
          g_hash_table_insert (table, g_strdup (child_rel),
                               g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guchar *) contents, length));
        }
    }
}

GHashTable *
snapshot_tree (const char *dir)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  snapshot_into (table, dir, NULL);
  return table;
}

void
assert_same_tree (GHashTable *before,
                  GHashTable *after)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, before);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *now = g_hash_table_lookup (after, key);

      if (now == NULL)
        g_error ("%s disappeared", (char *) key);
      if (!g_str_equal (now, value))
        g_error ("%s changed", (char *) key);
    }
  g_hash_table_iter_init (&iter, after);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (before, key))
      g_error ("%s appeared", (char *) key);
}

gboolean
dir_has_entry_containing (const char *dir,
                          const char *part)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    if (strstr (name, part) != NULL)
      return TRUE;

  return FALSE;
}

void
remove_tree (const char *path)
{
  const char *argv[] = { "rm", "-rf", path, NULL };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
}
