/* dm's progress display: the bar's pieces as pure functions, the view fed
 * with updates (time given, never waited for), a transform's progress
 * through a job, and dm itself on a pipe, a terminal (a pseudo-terminal)
 * and with --quiet. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "test-helpers.h"
#include "dm-cli-job.h"
#include "dm-cli-progress.h"

#define SECOND G_USEC_PER_SEC

static void
test_duration (void)
{
  struct { double seconds; const char *text; } cases[] = {
    { 0.0, "0:00" }, { -3.0, "0:00" }, { 59.4, "0:59" }, { 59.6, "1:00" },
    { 61.0, "1:01" }, { 600.0, "10:00" }, { 3725.0, "1:02:05" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = dm_cli_progress_format_duration (cases[i].seconds);
      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

/* The bar's '#' and '.' cells, counted. */
static void
count_cells (const char *line,
             guint      *filled,
             guint      *empty)
{
  const char *open = strchr (line, '[');
  const char *close = strchr (line, ']');

  g_assert_nonnull (open);
  g_assert_nonnull (close);
  *filled = *empty = 0;
  for (const char *c = open + 1; c < close; c++)
    {
      g_assert_true (*c == '#' || *c == '.');
      *filled += *c == '#';
      *empty += *c == '.';
    }
}

static void
test_bar_with_counts (void)
{
  /* Half of 200 items in 10 s: 10 items a second, 10 s to go. */
  g_autofree char *line = dm_cli_progress_format_bar (NULL, "hashing", 0.5, 200, 10.0, 0, 80);
  guint filled, empty;

  assert_contains (line, "hashing");
  assert_contains (line, " 50%");
  assert_contains (line, "100/200");
  assert_contains (line, "10/s");
  assert_contains (line, "ETA 0:10");
  g_assert_cmpint (g_utf8_strlen (line, -1), <, 80);
  count_cells (line, &filled, &empty);
  g_assert_cmpuint (filled, >=, 5);
  g_assert_cmpuint (filled, ==, (filled + empty) / 2);
}

static void
test_bar_without_counts (void)
{
  g_autofree char *early = dm_cli_progress_format_bar (NULL, "clustering", 0.0, 0, 0.1, 0, 80);
  g_autofree char *later = dm_cli_progress_format_bar (NULL, "clustering", 0.25, 0, 30.0, 0, 80);
  g_autofree char *full = dm_cli_progress_format_bar (NULL, "clustering", 1.0, 0, 30.0, 0, 80);
  guint filled, empty;

  /* Too early to tell the time left, and no counts it does not know. */
  assert_contains (early, "  0%");
  assert_contains (early, "ETA --:--");
  g_assert_null (strchr (early, '/'));
  count_cells (early, &filled, &empty);
  g_assert_cmpuint (filled, ==, 0);

  assert_contains (later, " 25%");
  assert_contains (later, "ETA 1:30");
  count_cells (later, &filled, &empty);
  g_assert_cmpuint (filled, ==, (filled + empty) / 4);

  assert_contains (full, "100%");
  g_assert_null (strstr (full, "ETA"));
  count_cells (full, &filled, &empty);
  g_assert_cmpuint (empty, ==, 0);
}

static void
test_bar_unknown_fraction (void)
{
  g_autofree char *first = dm_cli_progress_format_bar (NULL, "loading", -1.0, 0, 3.0, 0, 80);
  g_autofree char *next = dm_cli_progress_format_bar (NULL, "loading", -1.0, 0, 3.0, 1, 80);
  g_autofree char *counted = dm_cli_progress_format_bar (NULL, "writing", -1.0, 12, 65.0, 2, 80);

  assert_contains (first, "loading");
  assert_contains (first, "0:03");
  g_assert_null (strchr (first, '%'));
  g_assert_null (strchr (first, '['));
  /* The spinner turns from one step to the next. */
  g_assert_cmpstr (first, !=, next);
  assert_contains (counted, "12 items");
  assert_contains (counted, "1:05");
}

static void
test_bar_fits_narrow_terminal (void)
{
  for (guint width = 20; width <= 120; width += 7)
    {
      g_autofree char *line = dm_cli_progress_format_bar (NULL, "hashing", 0.123, 1234567, 42.0, 0, width);

      /* Never as wide as the terminal, which would wrap the line. */
      g_assert_cmpint (g_utf8_strlen (line, -1), <, width);
      g_assert_true (g_str_has_prefix (line, "hashing"));
    }
}

static void
test_done_and_line (void)
{
  g_autofree char *counted = dm_cli_progress_format_done (NULL, "hashing", 300, 2.0);
  g_autofree char *timed = dm_cli_progress_format_done (NULL, "clustering", 0, 75.0);
  g_autofree char *line = dm_cli_progress_format_line (NULL, "writing", 12);
  g_autofree char *bare = dm_cli_progress_format_line (NULL, "clustering", 0);

  assert_contains (counted, "300 items in 2.0 s");
  assert_contains (counted, "150/s");
  assert_contains (timed, "done in 1:15");
  g_assert_cmpstr (line, ==, "writing 12 items…");
  g_assert_cmpstr (bare, ==, "clustering…");
}

/* What a view wrote to its stream. */
typedef struct
{
  char *text;
  size_t size;
  FILE *stream;
} Capture;

/* A new view in @mode whose output @capture collects. */
static DmCliProgress *
capture_view (Capture           *capture,
              DmCliProgressMode  mode)
{
  capture->stream = open_memstream (&capture->text, &capture->size);
  g_assert_nonnull (capture->stream);
  return dm_cli_progress_new (mode, capture->stream);
}

static void
capture_close (Capture *capture)
{
  fclose (capture->stream);
}

/* A run's progress as dm reports it: phases that start, advance and
 * give way to the next, a tick between updates, and the end. */
static void
play_run (DmCliProgress *view)
{
  dm_cli_progress_update (view, "loading", -1.0, 0, 0);
  dm_cli_progress_update (view, "loading", 1.0, 40, SECOND);
  dm_cli_progress_update (view, "hashing", 0.1, 40, SECOND);
  dm_cli_progress_update (view, "hashing", 0.9, 40, 2 * SECOND);
  dm_cli_progress_tick (view, 3 * SECOND);
  dm_cli_progress_update (view, "clustering", 0.5, 0, 3 * SECOND);
  dm_cli_progress_finish (view, 4 * SECOND);
}

static void
test_view_lines (void)
{
  Capture capture = { 0 };
  g_autoptr(DmCliProgress) view = capture_view (&capture, DM_CLI_PROGRESS_LINES);

  play_run (view);
  capture_close (&capture);

  /* One line as each phase starts, nothing else. */
  g_assert_cmpstr (capture.text, ==, "loading…\nhashing 40 items…\nclustering…\n");
  free (capture.text);
}

/* The run that shows three lines shows nothing quietly, nor does an
 * interruption. */
static void
test_view_quiet (void)
{
  Capture capture = { 0 };
  g_autoptr(DmCliProgress) view = capture_view (&capture, DM_CLI_PROGRESS_QUIET);

  play_run (view);
  dm_cli_progress_interrupt (view);
  capture_close (&capture);

  g_assert_cmpuint (capture.size, ==, 0);
  free (capture.text);
}

static void
test_view_bar (void)
{
  Capture capture = { 0 };
  g_autoptr(DmCliProgress) view = capture_view (&capture, DM_CLI_PROGRESS_BAR);
  g_auto(GStrv) lines = NULL;

  dm_cli_progress_set_width (view, 80);
  dm_cli_progress_update (view, "hashing", 0.0, 100, 0);
  /* Updates closer together than a redraw is worth are not drawn... */
  dm_cli_progress_update (view, "hashing", 0.01, 100, 1000);
  dm_cli_progress_update (view, "hashing", 0.02, 100, 2000);
  fflush (capture.stream);
  g_assert_cmpuint (count_occurrences (capture.text, "\r"), ==, 1);
  /* ...later ones are, and so is the end of a phase. */
  dm_cli_progress_update (view, "hashing", 0.5, 100, SECOND);
  dm_cli_progress_update (view, "hashing", 1.0, 100, SECOND + 1000);
  fflush (capture.stream);
  g_assert_cmpuint (count_occurrences (capture.text, "\r"), ==, 3);
  assert_contains (capture.text, " 50%");
  assert_contains (capture.text, "50/100");

  /* A new phase closes the last one's line with its summary. */
  dm_cli_progress_update (view, "clustering", 0.5, 0, 2 * SECOND);
  dm_cli_progress_tick (view, 2 * SECOND + 200000);
  dm_cli_progress_interrupt (view);
  capture_close (&capture);

  assert_contains (capture.text, "\r\033[Khashing     done: 100 items in 1.0 s (100/s)\n");
  assert_contains (capture.text, "clustering");
  /* Interrupted, the half-drawn bar is cleared for the message to come. */
  g_assert_true (g_str_has_suffix (capture.text, "\r\033[K"));
  lines = g_strsplit (capture.text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  free (capture.text);
}

/* ---- a transform's progress through a job ------------------------------ */

/* A transform that declares no phase: "sorting" goes through its input
 * item by item, "tidying" does not. */
#define TEST_TYPE_SORT (test_sort_get_type ())
G_DECLARE_DERIVABLE_TYPE (TestSort, test_sort, TEST, SORT, DmTransform)

struct _TestSortClass
{
  DmTransformClass parent_class;
};

G_DEFINE_TYPE (TestSort, test_sort, DM_TYPE_TRANSFORM)

static DmDataset *
test_sort_apply (DmTransform   *transform,
                 DmDataset     *input,
                 GCancellable  *cancellable,
                 GError       **error)
{
  guint n = dm_dataset_get_n_items (input);

  for (guint i = 0; i <= n; i++)
    dm_transform_report_item_progress (transform, "sorting", i, n);
  dm_transform_report_progress (transform, "tidying", 0.0);
  dm_transform_report_progress (transform, "tidying", 1.0);
  return dm_dataset_new_like (input);
}

static void
test_sort_class_init (TestSortClass *klass)
{
  DM_TRANSFORM_CLASS (klass)->apply = test_sort_apply;
}

static void
test_sort_init (TestSort *self)
{
}

/* The same transform, declaring its "sorting" (dm_transform_class_add_phase())
 * with a label and counted forms other than the name; "tidying" it leaves
 * undeclared. */
#define TEST_TYPE_DECLARED_SORT (test_declared_sort_get_type ())
G_DECLARE_FINAL_TYPE (TestDeclaredSort, test_declared_sort, TEST, DECLARED_SORT, TestSort)

struct _TestDeclaredSort
{
  TestSort parent_instance;
};

G_DEFINE_FINAL_TYPE (TestDeclaredSort, test_declared_sort, TEST_TYPE_SORT)

static void
test_declared_sort_class_init (TestDeclaredSortClass *klass)
{
  dm_transform_class_add_phase (DM_TRANSFORM_CLASS (klass), "sorting", "ordering",
                                "ordering %u record", "ordering %u records");
}

static void
test_declared_sort_init (TestDeclaredSort *self)
{
}

/* Applies a new transform of the type @user_data points to, followed, to
 * an input of 5 items. */
static gboolean
apply_followed (DmCliJob      *job,
                gpointer       user_data,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(DmTransform) transform = g_object_new (*(GType *) user_data, NULL);
  g_autoptr(DmDataset) input = dm_dataset_new ();
  g_autoptr(DmDataset) output = NULL;

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *id = g_strdup_printf ("item%u", i);
      g_autoptr(DmItem) item = dm_item_new (id, "train");

      dm_dataset_append_item (input, item);
    }
  dm_cli_job_follow_transform (job, transform);
  output = dm_transform_apply (transform, input, cancellable, error);
  return output != NULL;
}

/* What the lines of a job that applies a transform of @type show, the
 * view told of the class of @type. */
static char *
lines_of_followed (GType type)
{
  Capture capture = { 0 };
  g_autoptr(DmCliProgress) view = capture_view (&capture, DM_CLI_PROGRESS_LINES);
  g_autoptr(DmTransformClass) klass = g_type_class_ref (type);
  g_autoptr(GError) error = NULL;
  int stop_signal = 0;
  char *text;

  dm_cli_progress_set_transform_class (view, klass);
  g_assert_true (dm_cli_job_run (view, apply_followed, &type, &stop_signal, &error));
  g_assert_no_error (error);
  g_assert_cmpint (stop_signal, ==, 0);
  capture_close (&capture);

  text = g_strdup (capture.text);
  free (capture.text);
  return text;
}

/* The count of a phase comes from the transform, whatever its name; a
 * phase its class does not declare is shown by its name. */
static void
test_job_transform_counts (void)
{
  g_autofree char *text = lines_of_followed (TEST_TYPE_SORT);

  g_assert_cmpstr (text, ==, "sorting 5 items…\ntidying…\n");
}

/* A phase the class declares is shown by its label and counted form. */
static void
test_job_declared_phases (void)
{
  g_autofree char *text = lines_of_followed (TEST_TYPE_DECLARED_SORT);
  g_autoptr(DmTransformClass) klass = g_type_class_ref (TEST_TYPE_DECLARED_SORT);
  g_autofree char *bar = dm_cli_progress_format_bar (klass, "sorting", 0.5, 200, 10.0, 0, 80);
  g_autofree char *done = dm_cli_progress_format_done (klass, "sorting", 300, 2.0);
  g_autofree char *one = dm_cli_progress_format_line (klass, "sorting", 1);
  g_autofree char *uncounted = dm_cli_progress_format_line (klass, "sorting", 0);

  g_assert_cmpstr (text, ==, "ordering 5 records…\ntidying…\n");
  /* On a terminal, the label heads the bar and the line left after it. */
  g_assert_true (g_str_has_prefix (bar, "ordering "));
  g_assert_true (g_str_has_prefix (done, "ordering "));
  g_assert_cmpstr (one, ==, "ordering 1 record…");
  g_assert_cmpstr (uncounted, ==, "ordering…");
}

/* ---- dm itself -------------------------------------------------------- */

typedef SourceFixture Fixture;

#define N_SAMPLE_ITEMS 16

static void
test_dm_lines (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(DmRun) run = dm_run (NULL, "prune", fixture->source, "-m", "random", "-r", "0.5",
                                 "-o", fixture->dest, NULL);
  const char *loading, *selecting, *writing, *kept;

  g_assert_cmpint (run->status, ==, 0);
  /* Not a terminal: one plain line per phase, in order, with the summary;
   * standard error is left to errors. */
  /* Loading's count, known only at its end, is never in its line. */
  loading = strstr (run->out, "loading…\n");
  selecting = strstr (run->out, "selecting…\n");
  writing = strstr (run->out, "writing 8 items…\n");
  kept = strstr (run->out, "Kept 8 of 16 items");
  g_assert_true (loading == run->out);
  g_assert_true (selecting > loading);
  g_assert_true (writing > selecting);
  g_assert_true (kept > writing);
  g_assert_null (strchr (run->out, '\r'));
  g_assert_cmpstr (run->err, ==, "");
}

static void
test_dm_quiet (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(DmRun) run = dm_run (NULL, "prune", fixture->source, "-m", "random", "-r", "0.5",
                                 "-o", fixture->dest, "--quiet", NULL);

  g_assert_cmpint (run->status, ==, 0);
  g_assert_cmpstr (run->out, ==, "");
  g_assert_cmpstr (run->err, ==, "");
  g_assert_true (g_file_test (fixture->dest, G_FILE_TEST_IS_DIR));
}

/* Everything the other end of a pseudo-terminal got. */
static char *
drain_terminal (int master)
{
  GString *text = g_string_new (NULL);
  char buffer[4096];
  ssize_t n;

  /* Once the child is gone and no one holds the terminal's other end, a
   * read gives what is left, then fails with EIO. */
  while ((n = read (master, buffer, sizeof buffer)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0)
      g_string_append_len (text, buffer, n);

  return g_string_free (text, FALSE);
}

static void
test_dm_terminal (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *terminal = NULL;
  int master, slave;

  master = posix_openpt (O_RDWR | O_NOCTTY);
  if (master < 0)
    {
      g_test_skip_printf ("no pseudo-terminal to run dm on: %s", g_strerror (errno));
      return;
    }
  g_assert_cmpint (grantpt (master), ==, 0);
  g_assert_cmpint (unlockpt (master), ==, 0);
  slave = open (ptsname (master), O_RDWR | O_NOCTTY);
  g_assert_cmpint (slave, >=, 0);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_take_stderr_fd (launcher, slave);
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("DM_CLI"), "prune", fixture->source,
                                         "-m", "random", "-r", "0.25", "-o", fixture->dest, NULL);
  g_assert_no_error (error);
  /* The launcher holds our end of the slave: let it go, so the terminal
   * ends with the child. */
  g_clear_object (&launcher);

  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  terminal = drain_terminal (master);
  close (master);
  if (g_test_verbose ())
    g_test_message ("terminal: %s", terminal);

  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  /* On a terminal: bars redrawn in place, each phase ending in a line
   * that says what it did; the log lines are not printed. */
  assert_contains (terminal, "\r\033[K");
  assert_contains (terminal, "loading     done: 16 items in ");
  assert_contains (terminal, "selecting   done in ");
  assert_contains (terminal, "writing     done: 4 items in ");
  g_assert_null (strstr (out, "loading…"));
  assert_contains (out, "Kept 4 of 16 items");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/progress/duration", test_duration);
  g_test_add_func ("/progress/bar/counts", test_bar_with_counts);
  g_test_add_func ("/progress/bar/no-counts", test_bar_without_counts);
  g_test_add_func ("/progress/bar/unknown-fraction", test_bar_unknown_fraction);
  g_test_add_func ("/progress/bar/narrow", test_bar_fits_narrow_terminal);
  g_test_add_func ("/progress/done-and-line", test_done_and_line);
  g_test_add_func ("/progress/view/lines", test_view_lines);
  g_test_add_func ("/progress/view/quiet", test_view_quiet);
  g_test_add_func ("/progress/view/bar", test_view_bar);
  g_test_add_func ("/progress/job/transform-counts", test_job_transform_counts);
  g_test_add_func ("/progress/job/declared-phases", test_job_declared_phases);
  g_test_add ("/progress/dm/lines", Fixture, GUINT_TO_POINTER (N_SAMPLE_ITEMS), sample_fixture_set_up, test_dm_lines, source_fixture_tear_down);
  g_test_add ("/progress/dm/quiet", Fixture, GUINT_TO_POINTER (N_SAMPLE_ITEMS), sample_fixture_set_up, test_dm_quiet, source_fixture_tear_down);
  g_test_add ("/progress/dm/terminal", Fixture, GUINT_TO_POINTER (N_SAMPLE_ITEMS), sample_fixture_set_up, test_dm_terminal, source_fixture_tear_down);

  return g_test_run ();
}
