/* Load: many dm runs at once on one source, and runs killed while they
 * write. Concurrent runs must all succeed with the same result; a killed run
 * must leave DEST absent or as it was, and the next run must succeed. */
#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>

#include <dm.h>

#include "test-helpers.h"

#define N_CONCURRENT 20
#define N_ITEMS_CONCURRENT 40

/* Big enough that writing takes a while (copying the images). */
#define N_ITEMS_KILLED 400
#define KILL_ATTEMPTS 8

static GSubprocess *
spawn_dm (const char *const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_ptr_array_add (argv, (gpointer) g_getenv ("DM_CLI"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char *const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  return process;
}

/* Waits for @process; fails the test with its stderr unless it exited 0. */
static void
assert_succeeds (GSubprocess *process)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;

  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
    g_error ("dm failed: %s", err);
}

static void
test_concurrent_runs (void)
{
  g_autofree char *tmp = make_temp_dir ();
  g_autofree char *source = g_build_filename (tmp, "source", NULL);
  g_autoptr(GHashTable) source_before = NULL;
  g_autoptr(GHashTable) first = NULL;
  g_autoptr(GPtrArray) processes = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) dests = g_ptr_array_new_with_free_func (g_free);

  make_sample (source, N_ITEMS_CONCURRENT);
  write_sample_hash_keys (source);
  source_before = snapshot_tree (source);

  /* All started before any is waited for. */
  for (guint r = 0; r < N_CONCURRENT; r++)
    {
      g_autofree char *name = g_strdup_printf ("out-%02u", r);
      char *dest = g_build_filename (tmp, name, NULL);

      g_ptr_array_add (dests, dest);
      g_ptr_array_add (processes, spawn_dm ((const char *const []) {
        "prune", source, "-q", "-m", "cluster_random", "-r", "0.5", "--seed", "3", "-o", dest, NULL }));
    }
  for (guint r = 0; r < N_CONCURRENT; r++)
    assert_succeeds (g_ptr_array_index (processes, r));

  /* Identical outputs, so identical kept sets; the source as it was. */
  first = snapshot_tree (g_ptr_array_index (dests, 0));
  g_assert_cmpuint (g_hash_table_size (first), >, N_ITEMS_CONCURRENT / 2);
  for (guint r = 1; r < N_CONCURRENT; r++)
    {
      g_autoptr(GHashTable) other = snapshot_tree (g_ptr_array_index (dests, r));

      assert_same_tree (first, other);
    }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(DmDataset) output = dm_dataset_load (g_ptr_array_index (dests, 0), NULL, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (dm_dataset_get_n_items (output), ==, N_ITEMS_CONCURRENT / 2);
  }
  assert_tree_matches (source_before, source);
  g_assert_false (dir_has_entry_containing (tmp, ".tmp-"));

  remove_tree (tmp);
}

/* Starts dm with @args and SIGKILLs it as soon as a temporary output shows
 * up in @parent. Returns whether it was killed while writing, rather than
 * having finished first. */
static gboolean
kill_while_writing (const char        *parent,
                    const char *const *args)
{
  g_autoptr(GSubprocess) process = spawn_dm (args);
  gboolean exited = FALSE;
  gboolean killed = FALSE;

  /* No timing: polls until the temporary directory appears or dm is done. */
  g_subprocess_wait_async (process, NULL, note_subprocess_exit, &exited);
  while (!exited)
    {
      if (!killed && dir_has_entry_containing (parent, ".tmp-"))
        {
          g_subprocess_force_exit (process);
          killed = TRUE;
        }
      while (g_main_context_iteration (NULL, FALSE))
        ;
      if (!exited)
        g_usleep (100);
    }
  return killed && g_subprocess_get_if_signaled (process) &&
         g_subprocess_get_term_sig (process) == SIGKILL;
}

static guint
n_items_in (const char *dest)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DmDataset) output = dm_dataset_load (dest, NULL, NULL, &error);

  g_assert_no_error (error);
  return dm_dataset_get_n_items (output);
}

/* A run killed while writing DEST (new, or replacing an earlier result with
 * --overwrite) leaves DEST as it was, or complete if it got as far as
 * putting it in place; the next run then succeeds. */
static void
test_killed_run (gconstpointer data)
{
  gboolean overwrite = GPOINTER_TO_INT (data);
  g_autofree char *tmp = make_temp_dir ();
  g_autofree char *source = g_build_filename (tmp, "source", NULL);
  g_autoptr(GHashTable) source_before = NULL;
  guint caught = 0, stale_after_kill = 0, stale_after_next = 0;

  make_sample (source, N_ITEMS_KILLED);
  source_before = snapshot_tree (source);

  for (guint attempt = 0; attempt < KILL_ATTEMPTS && caught < 3; attempt++)
    {
      g_autofree char *name = g_strdup_printf ("attempt-%u", attempt);
      g_autofree char *parent = g_build_filename (tmp, name, NULL);
      g_autofree char *dest = g_build_filename (parent, "out", NULL);
      const char *const args[] = { "prune", source, "-q", "-m", "random", "-r", "1", "-o", dest,
                                   overwrite ? "--overwrite" : NULL, NULL };
      g_autoptr(GHashTable) earlier = NULL;
      g_autoptr(GSubprocess) next = NULL;

      g_assert_cmpint (g_mkdir (parent, 0755), ==, 0);
      if (overwrite)
        {
          g_autoptr(GSubprocess) first = spawn_dm ((const char *const []) {
            "prune", source, "-q", "-m", "random", "-r", "0.1", "-o", dest, NULL });

          assert_succeeds (first);
          earlier = snapshot_tree (dest);
        }

      if (!kill_while_writing (parent, args))
        continue;
      caught++;

      if (g_file_test (dest, G_FILE_TEST_EXISTS))
        {
          g_autoptr(GHashTable) now = snapshot_tree (dest);

          /* As before, or complete. */
          if (earlier == NULL || g_hash_table_size (now) != g_hash_table_size (earlier))
            g_assert_cmpuint (n_items_in (dest), ==, N_ITEMS_KILLED);
          else
            assert_same_tree (earlier, now);
        }
      else
        g_assert_null (earlier);
      if (dir_has_entry_containing (parent, ".tmp-"))
        stale_after_kill++;

      next = spawn_dm (args);
      assert_succeeds (next);
      g_assert_cmpuint (n_items_in (dest), ==, N_ITEMS_KILLED);
      if (dir_has_entry_containing (parent, ".tmp-"))
        stale_after_next++;
    }

  /* 400 images take long enough to write that some runs are caught. A
   * killed run leaves its temporary directory; the next save into the same
   * place removes it (no live process holds its lock). */
  g_test_message ("%u runs killed while writing: %u left a temporary directory, "
                  "%u still there after the next run", caught, stale_after_kill, stale_after_next);
  g_assert_cmpuint (caught, >, 0);
  g_assert_cmpuint (stale_after_next, ==, 0);

  assert_tree_matches (source_before, source);
  remove_tree (tmp);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/load/concurrent-runs", test_concurrent_runs);
  g_test_add_data_func ("/load/killed-run/new-dest", GINT_TO_POINTER (FALSE), test_killed_run);
  g_test_add_data_func ("/load/killed-run/overwrite", GINT_TO_POINTER (TRUE), test_killed_run);
  return g_test_run ();
}
