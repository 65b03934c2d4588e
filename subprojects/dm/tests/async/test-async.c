/* The asynchronous API from a GLib main loop, without a plugin: a test
 * transform keeps every other item, slowly, reporting progress. Load,
 * apply and save asynchronously give what the synchronous calls give;
 * progress arrives on the main thread while the loop keeps running, with
 * the count of items the transform reports (0 when it reports none); a
 * cancelled apply or save gives G_IO_ERROR_CANCELLED and leaves nothing.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <dm.h>

#include "test-helpers.h"
#include "test-media-helpers.h"

#define N_ITEMS 120
#define TICK_MS 2

/* A transform keeping the items at even positions, one per 0.5 ms; with
 * count_items, it reports them with their count. */
#define TEST_TYPE_HALVE (test_halve_get_type ())
G_DECLARE_FINAL_TYPE (TestHalve, test_halve, TEST, HALVE, DmTransform)

struct _TestHalve
{
  DmTransform parent_instance;
  GThread *worker;      /* the thread apply last ran in */
  gboolean count_items;
};

G_DEFINE_FINAL_TYPE (TestHalve, test_halve, DM_TYPE_TRANSFORM)

static DmDataset *
test_halve_apply (DmTransform   *transform,
                  DmDataset     *input,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(DmDataset) output = dm_dataset_new_like (input);
  guint n = dm_dataset_get_n_items (input);

  TEST_HALVE (transform)->worker = g_thread_self ();
  for (guint i = 0; i < n; i++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      if (i % 2 == 0)
        dm_dataset_append_item (output, dm_dataset_get_item (input, i));
      g_usleep (500);
      if (TEST_HALVE (transform)->count_items)
        dm_transform_report_item_progress (transform, "halving", i + 1, n);
      else
        dm_transform_report_progress (transform, "halving", (double) (i + 1) / n);
    }
  return g_steal_pointer (&output);
}

static void
test_halve_class_init (TestHalveClass *klass)
{
  DM_TRANSFORM_CLASS (klass)->apply = test_halve_apply;
}

static void
test_halve_init (TestHalve *self)
{
}

typedef struct
{
  char *tmp;
  char *source;
  char *dest;
  GMainLoop *loop;
  GCancellable *cancellable;
  TestHalve *transform;
  GThread *main_thread;

  DmDataset *loaded;
  DmDataset *applied;
  GError *error;
  gboolean saved;
  gboolean applying;

  guint n_progress;
  double last_fraction;
  double cancel_at;     /* cancel when progress reaches it; 0: never */
  guint ticks;
  guint ticks_while_applying;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->tmp = make_temp_dir ();
  f->source = g_build_filename (f->tmp, "source", NULL);
  f->dest = g_build_filename (f->tmp, "out", NULL);
  write_keys_dataset (f->source, N_ITEMS, 3, 7);
  f->loop = g_main_loop_new (NULL, FALSE);
  f->cancellable = g_cancellable_new ();
  f->transform = g_object_new (TEST_TYPE_HALVE, NULL);
  f->main_thread = g_thread_self ();
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->loaded);
  g_clear_object (&f->applied);
  g_clear_error (&f->error);
  g_object_unref (f->transform);
  g_object_unref (f->cancellable);
  g_main_loop_unref (f->loop);
  discard_temp_dir (f->tmp, f->source, f->dest, NULL);
}

static void
on_progress (DmTransform *transform,
             const char  *phase,
             double       fraction,
             guint        n_items,
             Fixture     *f)
{
  g_assert_true (g_thread_self () == f->main_thread);
  g_assert_true (f->applying);
  g_assert_cmpstr (phase, ==, "halving");
  g_assert_cmpfloat (fraction, >=, f->last_fraction);
  f->n_progress++;
  f->last_fraction = fraction;
  if (f->cancel_at > 0 && fraction >= f->cancel_at)
    g_cancellable_cancel (f->cancellable);
}

static gboolean
on_tick (gpointer user_data)
{
  Fixture *f = user_data;

  f->ticks++;
  if (f->applying)
    f->ticks_while_applying++;
  return G_SOURCE_CONTINUE;
}

/* The callback of every step, on the main thread: finishes the step the
 * result is tagged with and starts the next (load → apply → save), or
 * stops the loop after a failure or the save. */
static void
on_step_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Fixture *f = user_data;

  g_assert_true (g_thread_self () == f->main_thread);
  if (g_async_result_is_tagged (result, dm_dataset_load_async))
    {
      g_assert_null (source);
      f->loaded = dm_dataset_load_finish (result, &f->error);
      if (f->loaded != NULL)
        {
          f->applying = TRUE;
          dm_transform_apply_async (DM_TRANSFORM (f->transform), f->loaded, f->cancellable, on_step_done, f);
          return;
        }
    }
  else if (g_async_result_is_tagged (result, dm_transform_apply_async))
    {
      f->applying = FALSE;
      f->applied = dm_transform_apply_finish (DM_TRANSFORM (source), result, &f->error);
      if (f->applied != NULL)
        {
          dm_dataset_save_async (f->applied, f->dest, DM_SAVE_NONE, f->cancellable, on_step_done, f);
          return;
        }
    }
  else
    {
      g_assert_true (g_async_result_is_tagged (result, dm_dataset_save_async));
      f->saved = dm_dataset_save_finish (DM_DATASET (source), result, &f->error);
    }
  g_main_loop_quit (f->loop);
}

/* load → apply → save from the loop; returns when the chain stops. */
static void
run_chain (Fixture *f)
{
  guint tick = g_timeout_add (TICK_MS, on_tick, f);
  gulong handler = g_signal_connect (f->transform, "progress", G_CALLBACK (on_progress), f);
  guint n_progress;

  dm_dataset_load_async (f->source, NULL, f->cancellable, on_step_done, f);
  g_main_loop_run (f->loop);

  /* Nothing is delivered after the callback. */
  n_progress = f->n_progress;
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (f->n_progress, ==, n_progress);

  g_signal_handler_disconnect (f->transform, handler);
  g_source_remove (tick);
}

static void
collect_n_items (DmTransform *transform,
                 const char  *phase,
                 double       fraction,
                 guint        n_items,
                 GArray      *counts)
{
  g_array_append_val (counts, n_items);
}

static void
on_applied (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Fixture *f = user_data;

  f->applied = dm_transform_apply_finish (DM_TRANSFORM (source), result, &f->error);
  g_main_loop_quit (f->loop);
}

static void
assert_counts (GArray *counts,
               guint   expected)
{
  g_assert_cmpuint (counts->len, >, 0);
  for (guint i = 0; i < counts->len; i++)
    g_assert_cmpuint (g_array_index (counts, guint, i), ==, expected);
}

/* The signal carries the count the transform reported with
 * dm_transform_report_item_progress(), or 0 after
 * dm_transform_report_progress(): from dm_transform_apply() and, relayed
 * to the main loop, from dm_transform_apply_async(). */
static void
test_item_count (Fixture       *f,
                 gconstpointer  data)
{
  gboolean count_items = GPOINTER_TO_INT (data);
  guint expected = count_items ? N_ITEMS : 0;
  g_autoptr(DmDataset) input = load_dataset_ok (f->source);
  g_autoptr(DmDataset) output = NULL;
  g_autoptr(GArray) sync_counts = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) async_counts = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GError) error = NULL;
  gulong handler;

  f->transform->count_items = count_items;

  handler = g_signal_connect (f->transform, "progress", G_CALLBACK (collect_n_items), sync_counts);
  output = dm_transform_apply (DM_TRANSFORM (f->transform), input, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (output);
  g_signal_handler_disconnect (f->transform, handler);
  assert_counts (sync_counts, expected);

  handler = g_signal_connect (f->transform, "progress", G_CALLBACK (collect_n_items), async_counts);
  dm_transform_apply_async (DM_TRANSFORM (f->transform), input, NULL, on_applied, f);
  g_main_loop_run (f->loop);
  g_assert_no_error (f->error);
  g_assert_nonnull (f->applied);
  g_signal_handler_disconnect (f->transform, handler);
  assert_counts (async_counts, expected);
}

/* "subset/id" of each item of the dataset at @path, in order. */
static char **
item_names (const char *path)
{
  g_autoptr(DmDataset) dataset = load_dataset_ok (path);
  GPtrArray *names = g_ptr_array_new ();

  for (guint i = 0; i < dm_dataset_get_n_items (dataset); i++)
    {
      DmItem *item = dm_dataset_get_item (dataset, i);
      g_ptr_array_add (names, g_strdup_printf ("%s/%s", dm_item_get_subset (item), dm_item_get_id (item)));
    }
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (names, FALSE);
}

static void
test_chain_matches_sync (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DmDataset) input = NULL;
  g_autoptr(DmDataset) output = NULL;
  g_autofree char *sync_dest = g_build_filename (f->tmp, "sync", NULL);
  g_auto(GStrv) async_names = NULL;
  g_auto(GStrv) sync_names = NULL;

  run_chain (f);
  g_assert_no_error (f->error);
  g_assert_true (f->saved);

  /* The work ran in another thread while the loop kept running and
   * delivered its progress, the last update included. */
  g_assert_true (f->transform->worker != f->main_thread);
  g_assert_cmpuint (f->n_progress, >, 0);
  g_assert_cmpfloat (f->last_fraction, ==, 1.0);
  g_assert_cmpuint (f->ticks_while_applying, >, 1);

  input = load_dataset_ok (f->source);
  output = dm_transform_apply (DM_TRANSFORM (f->transform), input, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (dm_dataset_save (output, sync_dest, DM_SAVE_NONE, NULL, &error));
  g_assert_no_error (error);

  async_names = item_names (f->dest);
  sync_names = item_names (sync_dest);
  g_assert_cmpuint (g_strv_length (async_names), ==, N_ITEMS / 2);
  g_assert_cmpstrv (async_names, sync_names);
}

static void
test_cancel_apply (Fixture       *f,
                   gconstpointer  data)
{
  f->cancel_at = 0.25;
  run_chain (f);

  g_assert_error (f->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (f->applied);
  g_assert_cmpfloat (f->last_fraction, <, 1.0);
  g_assert_false (g_file_test (f->dest, G_FILE_TEST_EXISTS));
  g_assert_false (dir_has_entry_containing (f->tmp, "out"));
}

static void
test_cancel_save (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DmDataset) input = dm_dataset_load (f->source, NULL, NULL, &error);

  g_assert_no_error (error);
  dm_dataset_save_async (input, f->dest, DM_SAVE_NONE, f->cancellable, on_step_done, f);
  g_cancellable_cancel (f->cancellable);
  g_main_loop_run (f->loop);

  g_assert_error (f->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (f->saved);
  g_assert_false (g_file_test (f->dest, G_FILE_TEST_EXISTS));
  g_assert_false (dir_has_entry_containing (f->tmp, "out"));
}

static void
test_load_error (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *missing = g_build_filename (f->tmp, "missing", NULL);

  g_free (f->source);
  f->source = g_steal_pointer (&missing);
  run_chain (f);

  g_assert_nonnull (f->error);
  g_assert_false (g_error_matches (f->error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  assert_error_mentions (f->error, f->source);
  g_assert_null (f->loaded);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/async/chain-matches-sync", Fixture, NULL, fixture_set_up, test_chain_matches_sync, fixture_tear_down);
  g_test_add ("/async/cancel-apply", Fixture, NULL, fixture_set_up, test_cancel_apply, fixture_tear_down);
  g_test_add ("/async/cancel-save", Fixture, NULL, fixture_set_up, test_cancel_save, fixture_tear_down);
  g_test_add ("/async/item-count", Fixture, GINT_TO_POINTER (TRUE), fixture_set_up, test_item_count, fixture_tear_down);
  g_test_add ("/async/no-item-count", Fixture, GINT_TO_POINTER (FALSE), fixture_set_up, test_item_count, fixture_tear_down);
  g_test_add ("/async/load-error", Fixture, NULL, fixture_set_up, test_load_error, fixture_tear_down);

  return g_test_run ();
}
