/* Every phase the plugin's transforms report progress in is one their
 * class declares (dm_transform_class_add_phase()), so that a host, which
 * knows none of them, shows each by a label, and a phase that counts its
 * items by a counted form: prune with each of its methods, and the hash
 * transform, on a sample dataset whose keys are computed from its images.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <dm.h>

#include "test-helpers.h"
#include "test-media-helpers.h"

#define N_SAMPLE_ITEMS 16

typedef struct
{
  char *tmp;
  DmDataset *sample;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *source = NULL;
  g_autoptr(GError) error = NULL;

  fixture->tmp = make_temp_dir ();
  source = g_build_filename (fixture->tmp, "source", NULL);
  make_sample (source, N_SAMPLE_ITEMS);
  fixture->sample = dm_dataset_load (source, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->sample);
  discard_temp_dir (fixture->tmp, NULL);
}

/* Per phase reported, the largest count of items it came with. */
static void
record_phase (DmTransform *transform,
              const char  *phase,
              double       fraction,
              guint        n_items,
              GHashTable  *phases)
{
  guint seen = GPOINTER_TO_UINT (g_hash_table_lookup (phases, phase));

  g_hash_table_insert (phases, g_strdup (phase), GUINT_TO_POINTER (MAX (seen, n_items)));
}

/* Applies @transform to @input and asserts that its class declares each
 * phase it reported, with counted forms for one it counted. Adds the
 * phases to @all. */
static void
assert_phases_declared (DmTransform *transform,
                        DmDataset   *input,
                        GHashTable  *all)
{
  g_autoptr(GHashTable) phases = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(DmDataset) output = NULL;
  g_autoptr(GError) error = NULL;
  DmTransformClass *klass = DM_TRANSFORM_GET_CLASS (transform);
  GHashTableIter iter;
  gpointer phase, n_items;

  g_signal_connect (transform, "progress", G_CALLBACK (record_phase), phases);
  output = dm_transform_apply (transform, input, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (output);
  g_assert_cmpuint (g_hash_table_size (phases), >, 0);

  g_hash_table_iter_init (&iter, phases);
  while (g_hash_table_iter_next (&iter, &phase, &n_items))
    {
      g_autofree char *counted = NULL;

      if (g_test_verbose ())
        g_test_message ("%s: phase %s, %u items", dm_transform_get_name (transform), (char *) phase,
                        GPOINTER_TO_UINT (n_items));
      g_assert_nonnull (dm_transform_class_get_phase_label (klass, phase));
      if (GPOINTER_TO_UINT (n_items) > 0)
        {
          counted = dm_transform_class_format_phase_count (klass, phase, GPOINTER_TO_UINT (n_items));
          g_assert_nonnull (counted);
        }
      g_hash_table_add (all, g_strdup (phase));
    }
}

static void
test_prune_methods (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(DmTransform) probe = create_transform ("prune");
  GParamSpec *method = g_object_class_find_property (G_OBJECT_GET_CLASS (probe), "method");
  GEnumClass *methods = G_PARAM_SPEC_ENUM (method)->enum_class;
  g_autoptr(GHashTable) all = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint m = 0; m < methods->n_values; m++)
    {
      g_autoptr(DmTransform) prune = create_transform ("prune");
      g_autoptr(GError) error = NULL;

      g_assert_true (dm_transform_set_parameter_from_string (prune, "method", methods->values[m].value_nick,
                                                             &error));
      g_assert_no_error (error);
      assert_phases_declared (prune, fixture->sample, all);
    }
  /* The methods went through every kind of work: keys from the images,
   * clustering, selecting, near-duplicate removal. */
  g_assert_cmpuint (g_hash_table_size (all), >=, 4);
}

static void
test_hash (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(DmTransform) hash = create_transform ("hash");
  g_autoptr(GHashTable) all = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  assert_phases_declared (hash, fixture->sample, all);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/phases/prune-methods", Fixture, NULL, fixture_set_up, test_prune_methods, fixture_tear_down);
  g_test_add ("/phases/hash", Fixture, NULL, fixture_set_up, test_hash, fixture_tear_down);

  return g_test_run ();
}
