/* Ctrl-C stops dm: SIGINT in the middle of a long prune ends it soon, with
 * one line and a non-zero status, no output, nothing temporary left, and
 * the input as it was. */
#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "test-helpers.h"

/* Enough keys that centroid at ratio 0.5 (10 000 clusters) clusters for
 * seconds, long after the clustering phase has been announced. */
#define N_ITEMS 20000
#define N_LABELS 4
/* Enough images that hashing them takes a good fraction of a second even
 * on many cores. */
#define N_IMAGES 6000

/* How long dm may take to stop once told: generous, it is a hang guard,
 * not a measure; ten times that under valgrind (tools/run-sanitizers.sh),
 * which runs dm some fifty times slower. */
#define STOP_TIMEOUT_SECONDS 10

static guint
stop_timeout_seconds (void)
{
  const char *preload = g_getenv ("LD_PRELOAD");

  if (preload != NULL && strstr (preload, "vgpreload") != NULL)
    return 10 * STOP_TIMEOUT_SECONDS;
  return STOP_TIMEOUT_SECONDS;
}

typedef SourceFixture Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  source_fixture_init (fixture, "source");
  write_keys_dataset (fixture->source, N_ITEMS, N_LABELS, 7);
  source_fixture_guard (fixture);
}

/* Reads dm's log (standard output, not a terminal) into @log until the
 * line @phase_line, or to its end when @phase_line is NULL; fails if dm
 * ends before @phase_line. */
static void
read_lines (GDataInputStream *lines,
            const char       *phase_line,
            GString          *log)
{
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);

      g_assert_no_error (error);
      if (line == NULL && phase_line != NULL)
        g_error ("dm ended before printing “%s”; it printed: %s", phase_line, log->str);
      if (line == NULL)
        return;
      g_string_append_printf (log, "%s\n", line);
      if (phase_line != NULL && g_str_equal (line, phase_line))
        return;
    }
}

static char *
read_all (GInputStream *stream)
{
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_output_stream_splice (memory, stream, G_OUTPUT_STREAM_SPLICE_NONE, NULL, &error);
  g_assert_no_error (error);
  /* The terminating NUL, so the bytes are a string. */
  g_output_stream_write_all (memory, "", 1, NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (memory, NULL, &error);
  g_assert_no_error (error);
  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (memory));
}

/* Runs dm prune SOURCE -m @method, sends SIGINT as soon as dm announces
 * @phase_line, and checks it stopped cleanly. */
static void
assert_sigint_stops (Fixture    *fixture,
                     const char *method,
                     const char *phase_line)
{
  g_autofree char *dest = path_in (fixture, "pruned");
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GString) log = g_string_new (NULL);
  g_autofree char *err = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                              g_getenv ("DM_CLI"), "prune", fixture->source, "-m", method, "-r", "0.5",
                              "-o", dest, NULL);
  g_assert_no_error (error);

  /* dm says when it starts the phase; from then it works for a while. */
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  read_lines (lines, phase_line, log);
  g_subprocess_send_signal (process, SIGINT);

  if (!wait_for_exit (process, stop_timeout_seconds ()))
    {
      g_subprocess_force_exit (process);
      g_error ("dm did not stop within %u s of SIGINT", stop_timeout_seconds ());
    }

  read_lines (lines, NULL, log);
  err = read_all (g_subprocess_get_stderr_pipe (process));
  if (g_test_verbose ())
    g_test_message ("stdout: %s\nstderr: %s", log->str, err);

  /* It exited, as a shell's Ctrl-C would have it, with one line. */
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 128 + SIGINT);
  g_assert_cmpstr (err, ==, "dm: cancelled\n");
  g_assert_null (strstr (log->str, "Kept"));

  /* No output, nothing half-written beside it, the input untouched. */
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
  g_assert_false (dir_has_entry_containing (fixture->tmp, ".tmp-"));
  g_assert_false (dir_has_entry_containing (fixture->tmp, "pruned"));
  assert_tree_matches (fixture->source_before, fixture->source);
}

static void
test_sigint_while_clustering (Fixture       *fixture,
                              gconstpointer  data)
{
  assert_sigint_stops (fixture, "centroid", "clustering…");
}

static void
test_sigint_while_hashing (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *line = g_strdup_printf ("hashing %u images…", N_IMAGES);

  assert_sigint_stops (fixture, "cluster_random", line);
}

/* The same run, not interrupted, finishes: what the test above stops is
 * real work, not a run that was failing anyway. */
static void
test_uninterrupted_run_completes (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autofree char *dest = path_in (fixture, "pruned");
  g_autofree char *expected = g_strdup_printf ("Kept %u of %u items", N_ITEMS / 2, N_ITEMS);
  g_autoptr(DmRun) run = dm_run (NULL, "prune", fixture->source, "-m", "cluster_random", "-r", "0.5",
                                 "-o", dest, NULL);

  g_assert_cmpint (run->status, ==, 0);
  g_assert_nonnull (strstr (run->out, "clustering…\n"));
  g_assert_nonnull (strstr (run->out, expected));
  g_assert_true (g_file_test (dest, G_FILE_TEST_IS_DIR));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/cancel/sigint-while-clustering", Fixture, NULL,
              fixture_set_up, test_sigint_while_clustering, source_fixture_tear_down);
  /* Images without keys: the prune hashes them first, on every core. */
  g_test_add ("/cancel/sigint-while-hashing", Fixture, GUINT_TO_POINTER (N_IMAGES),
              sample_fixture_set_up, test_sigint_while_hashing, source_fixture_tear_down);
  g_test_add ("/cancel/uninterrupted-completes", Fixture, NULL,
              fixture_set_up, test_uninterrupted_run_completes, source_fixture_tear_down);

  return g_test_run ();
}
