/* The prune plugin through the host's contract only: discovery, the menu
 * metadata from its GParamSpecs, parameters from text, and the random
 * method on in-memory datasets. */
#include <math.h>

#include <dm.h>

#include "dm-pyrandom.h"
#include "test-helpers.h"
#include "test-media-helpers.h"

/* Items in subsets of the given sizes, in order, each with a label. */
static DmDataset *
make_dataset (const guint *subset_sizes,
              guint        n_subsets)
{
  DmDataset *dataset = dm_dataset_new ();

  dm_dataset_add_label (dataset, "cat");
  dm_dataset_add_label (dataset, "dog");
  for (guint s = 0; s < n_subsets; s++)
    {
      g_autofree char *subset = g_strdup_printf ("subset%u", s);

      for (guint i = 0; i < subset_sizes[s]; i++)
        {
          g_autofree char *id = g_strdup_printf ("item%u", i);
          g_autoptr(DmItem) item = dm_item_new (id, subset);

          dm_item_add_label (item, (int) (i % 2));
          dm_dataset_append_item (dataset, item);
        }
    }

  return dataset;
}

static void
test_discovery (void)
{
  DmPluginRegistry *registry = dm_plugin_registry_get_default ();
  g_auto(GStrv) names = dm_plugin_registry_list_transforms (registry);
  g_autoptr(DmTransform) prune = NULL;

  g_assert_true (g_strv_contains ((const char * const *) names, "prune"));
  g_assert_cmpuint (dm_plugin_registry_lookup_transform (registry, "prune"), !=, G_TYPE_INVALID);
  g_assert_cmpuint (dm_plugin_registry_lookup_transform (registry, "no-such"), ==, G_TYPE_INVALID);

  prune = create_transform ("prune");
  g_assert_cmpstr (dm_transform_get_name (prune), ==, "prune");
  g_assert_cmpstr (dm_transform_get_label (prune), ==, "Prune");
  g_assert_nonnull (strstr (dm_transform_get_description (prune), "representative"));
}

static void
test_unknown_transform (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DmTransform) transform = NULL;

  transform = dm_plugin_registry_create_transform (dm_plugin_registry_get_default (), "sharpen", &error);
  g_assert_null (transform);
  g_assert_error (error, DM_ERROR, DM_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "sharpen"));
  g_assert_nonnull (strstr (error->message, "prune"));
}

static void
test_menu_parameters (void)
{
  g_autoptr(DmTransform) prune = create_transform ("prune");
  GObjectClass *klass = G_OBJECT_GET_CLASS (prune);
  GParamSpec *method = g_object_class_find_property (klass, "method");
  GParamSpec *ratio = g_object_class_find_property (klass, "ratio");
  GParamSpec *hash_type = g_object_class_find_property (klass, "hash-type");
  GParamSpec *seed = g_object_class_find_property (klass, "seed");
  const char *expected_methods[] = { "random", "cluster_random", "centroid", "query_clust", "entropy", "ndr",
                                     "prototype", "dedup", "herding" };
  GParamSpec *herding_bandwidth = g_object_class_find_property (klass, "herding-bandwidth");
  GParamSpec *max_disagreement = g_object_class_find_property (klass, "herding-max-disagreement");
  GParamSpec *neighbours = g_object_class_find_property (klass, "herding-neighbours");
  GParamSpec *prototype_keep = g_object_class_find_property (klass, "prototype-keep");
  GParamSpec *dedup_threshold = g_object_class_find_property (klass, "dedup-threshold");
  GParamSpec *stratify = g_object_class_find_property (klass, "stratify");
  GEnumClass *methods;

  g_assert_true (G_IS_PARAM_SPEC_ENUM (method));
  methods = G_PARAM_SPEC_ENUM (method)->enum_class;
  g_assert_cmpuint (methods->n_values, ==, G_N_ELEMENTS (expected_methods));
  for (guint i = 0; i < G_N_ELEMENTS (expected_methods); i++)
    g_assert_nonnull (g_enum_get_value_by_nick (methods, expected_methods[i]));
  g_assert_cmpstr (g_enum_get_value (methods, G_PARAM_SPEC_ENUM (method)->default_value)->value_nick, ==, "random");
  g_assert_nonnull (g_param_spec_get_nick (method));
  g_assert_nonnull (g_param_spec_get_blurb (method));

  g_assert_true (G_IS_PARAM_SPEC_DOUBLE (ratio));
  g_assert_cmpfloat (G_PARAM_SPEC_DOUBLE (ratio)->default_value, ==, 0.5);
  g_assert_cmpfloat (G_PARAM_SPEC_DOUBLE (ratio)->maximum, ==, 1.0);

  g_assert_true (G_IS_PARAM_SPEC_ENUM (hash_type));
  g_assert_nonnull (g_enum_get_value_by_nick (G_PARAM_SPEC_ENUM (hash_type)->enum_class, "img"));
  g_assert_nonnull (g_enum_get_value_by_nick (G_PARAM_SPEC_ENUM (hash_type)->enum_class, "txt"));

  g_assert_true (G_IS_PARAM_SPEC_UINT (seed));
  g_assert_cmpuint (G_PARAM_SPEC_UINT (seed)->default_value, ==, 0);

  g_assert_true (G_IS_PARAM_SPEC_ENUM (prototype_keep));
  g_assert_cmpstr (g_enum_get_value (G_PARAM_SPEC_ENUM (prototype_keep)->enum_class,
                                     G_PARAM_SPEC_ENUM (prototype_keep)->default_value)->value_nick, ==, "auto");
  g_assert_nonnull (g_enum_get_value_by_nick (G_PARAM_SPEC_ENUM (prototype_keep)->enum_class, "easy"));
  g_assert_nonnull (g_enum_get_value_by_nick (G_PARAM_SPEC_ENUM (prototype_keep)->enum_class, "hard"));
  g_assert_true (G_IS_PARAM_SPEC_DOUBLE (dedup_threshold));
  g_assert_cmpfloat (G_PARAM_SPEC_DOUBLE (dedup_threshold)->minimum, ==, 0.0);
  g_assert_cmpfloat (G_PARAM_SPEC_DOUBLE (dedup_threshold)->maximum, ==, 1.0);
  g_assert_true (G_IS_PARAM_SPEC_DOUBLE (herding_bandwidth));
  g_assert_cmpfloat (G_PARAM_SPEC_DOUBLE (herding_bandwidth)->minimum, >, 0.0);
  g_assert_cmpfloat (G_PARAM_SPEC_DOUBLE (herding_bandwidth)->default_value, ==, 0.25);
  /* Herding's label filter: off at its default. */
  g_assert_true (G_IS_PARAM_SPEC_DOUBLE (max_disagreement));
  g_assert_cmpfloat (G_PARAM_SPEC_DOUBLE (max_disagreement)->minimum, ==, 0.0);
  g_assert_cmpfloat (G_PARAM_SPEC_DOUBLE (max_disagreement)->maximum, ==, 1.0);
  g_assert_cmpfloat (G_PARAM_SPEC_DOUBLE (max_disagreement)->default_value, ==, 1.0);
  g_assert_true (G_IS_PARAM_SPEC_UINT (neighbours));
  g_assert_cmpuint (G_PARAM_SPEC_UINT (neighbours)->minimum, ==, 1);
  g_assert_cmpuint (G_PARAM_SPEC_UINT (neighbours)->maximum, ==, 1000);
  g_assert_cmpuint (G_PARAM_SPEC_UINT (neighbours)->default_value, ==, 20);
  g_assert_true (G_IS_PARAM_SPEC_BOOLEAN (stratify));
  g_assert_false (G_PARAM_SPEC_BOOLEAN (stratify)->default_value);
}

static void
test_parameters_from_text (void)
{
  g_autoptr(DmTransform) prune = create_transform ("prune");
  struct { const char *name, *value, *message_part; } bad[] = {
    { "ratio", "abc", "expected a number" },
    { "ratio", "nan", "expected a number" },
    { "ratio", "1.5", "out of range" },
    { "ratio", "-0.1", "out of range" },
    { "method", "kmeans", "cluster_random" },
    { "hash_type", "audio", "img" },
    /* Whole numbers the type cannot hold are out of the pspec's range,
     * which the message gives, as for those it can. */
    { "seed", "-1", "“seed”: out of range 0…4294967295" },
    { "seed", "4294967296", "“seed”: out of range 0…4294967295" },
    { "seed", "1.5", "expected a whole number" },
    { "clusters", "-3", "“clusters”: out of range 0…2147483647" },
    { "clusters", "2147483648", "“clusters”: out of range 0…2147483647" },
    { "ndr-sim-threshold", "0", "“ndr-sim-threshold”: out of range >0…1" },
    { "colour", "red", "no parameter" },
  };
  g_autoptr(GError) error = NULL;
  double ratio;
  guint seed;
  int method;

  g_assert_true (dm_transform_set_parameter_from_string (prune, "ratio", "0.25", &error));
  g_assert_no_error (error);
  g_assert_true (dm_transform_set_parameter_from_string (prune, "method", "centroid", &error));
  g_assert_true (dm_transform_set_parameter_from_string (prune, "seed", "4294967295", &error));
  g_object_get (prune, "ratio", &ratio, "seed", &seed, "method", &method, NULL);
  g_assert_cmpfloat (ratio, ==, 0.25);
  g_assert_cmpuint (seed, ==, 4294967295u);
  g_assert_cmpint (method, ==, 2);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) bad_error = NULL;

      g_assert_false (dm_transform_set_parameter_from_string (prune, bad[i].name, bad[i].value, &bad_error));
      g_assert_error (bad_error, DM_ERROR, DM_ERROR_INVALID_ARGUMENT);
      /* The message names what was wrong: the value, or an unknown name. */
      g_assert_true (strstr (bad_error->message, bad[i].value) != NULL ||
                     strstr (bad_error->message, bad[i].name) != NULL);
      if (strstr (bad_error->message, bad[i].message_part) == NULL)
        g_error ("message for %s=%s lacks “%s”: %s", bad[i].name, bad[i].value,
                 bad[i].message_part, bad_error->message);
    }

  /* A rejected value leaves the parameter as it was. */
  g_object_get (prune, "ratio", &ratio, NULL);
  g_assert_cmpfloat (ratio, ==, 0.25);
}

static void
test_random_matches_python (void)
{
  const guint sizes[][3] = { { 10, 0, 0 }, { 7, 5, 1 }, { 1, 1, 1 }, { 300, 33, 0 }, { 2000, 700, 9 } };
  const double ratios[] = { 0.01, 0.1, 0.33, 0.5, 0.7, 0.999, 1.0 };
  const guint seeds[] = { 0, 1, 42 };

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (guint r = 0; r < G_N_ELEMENTS (ratios); r++)
      for (guint e = 0; e < G_N_ELEMENTS (seeds); e++)
        {
          g_autoptr(DmDataset) input = make_dataset (sizes[s], 3);
          g_autoptr(DmTransform) prune = create_transform ("prune");
          g_autoptr(DmDataset) output = NULL;
          g_autoptr(GError) error = NULL;
          guint n = dm_dataset_get_n_items (input);
          guint k = (guint) ceil (n * ratios[r]);
          g_autofree guint *expected = g_new (guint, k);
          g_autofree guint8 *is_expected = g_new0 (guint8, n);
          guint next = 0;

          g_object_set (prune, "ratio", ratios[r], "seed", seeds[e], NULL);
          output = dm_transform_apply (prune, input, NULL, &error);
          g_assert_no_error (error);

          /* Exactly ceil(n × ratio), and the very items Python's
           * random.sample picks, in dataset order. */
          g_assert_cmpuint (dm_dataset_get_n_items (output), ==, k);
          dm_pyrandom_sample (seeds[e], n, k, expected);
          for (guint i = 0; i < k; i++)
            is_expected[expected[i]] = 1;
          for (guint i = 0; i < n; i++)
            if (is_expected[i])
              g_assert_true (dm_dataset_get_item (output, next++) == dm_dataset_get_item (input, i));
          g_assert_cmpuint (next, ==, k);

          /* The input is untouched. */
          g_assert_cmpuint (dm_dataset_get_n_items (input), ==, sizes[s][0] + sizes[s][1] + sizes[s][2]);
        }
}

static void
test_random_seeds_differ (void)
{
  const guint sizes[] = { 200 };
  g_autoptr(DmDataset) input = make_dataset (sizes, 1);
  g_autoptr(DmTransform) a = create_transform ("prune");
  g_autoptr(DmTransform) b = create_transform ("prune");
  g_autoptr(DmDataset) out_a = NULL;
  g_autoptr(DmDataset) out_b = NULL;
  gboolean differ = FALSE;

  g_object_set (b, "seed", 7, NULL);
  out_a = dm_transform_apply (a, input, NULL, NULL);
  out_b = dm_transform_apply (b, input, NULL, NULL);
  for (guint i = 0; i < dm_dataset_get_n_items (out_a); i++)
    differ |= dm_dataset_get_item (out_a, i) != dm_dataset_get_item (out_b, i);
  g_assert_true (differ);
}

/* Applies @prune to @input, asserting that it fails with @domain and
 * @code and, unless @part is NULL, says @part. */
static void
assert_apply_fails (DmTransform  *prune,
                    DmDataset    *input,
                    GCancellable *cancellable,
                    GQuark        domain,
                    int           code,
                    const char   *part)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DmDataset) output = dm_transform_apply (prune, input, cancellable, &error);

  g_assert_null (output);
  g_assert_error (error, domain, code);
  if (part != NULL && strstr (error->message, part) == NULL)
    g_error ("the message lacks “%s”: %s", part, error->message);
}

static void
test_empty_dataset_and_zero_ratio (void)
{
  g_autoptr(DmDataset) empty = dm_dataset_new ();
  g_autoptr(DmTransform) prune = create_transform ("prune");
  g_autoptr(GError) error = NULL;

  assert_apply_fails (prune, empty, NULL, DM_ERROR, DM_ERROR_INVALID_DATA, "no items");
  /* The ratio's range (greater than 0) refuses 0 before any apply. */
  g_assert_false (dm_transform_set_parameter_from_string (prune, "ratio", "0", &error));
  g_assert_error (error, DM_ERROR, DM_ERROR_INVALID_ARGUMENT);
}

static void
test_cancelled_before_start (void)
{
  const guint sizes[] = { 5 };
  g_autoptr(DmDataset) input = make_dataset (sizes, 1);
  g_autoptr(DmTransform) prune = create_transform ("prune");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  g_cancellable_cancel (cancellable);
  assert_apply_fails (prune, input, cancellable, G_IO_ERROR, G_IO_ERROR_CANCELLED, NULL);
}

/* An item with neither a key nor an image stops each transform that
 * needs one (a clustering method, ndr, hash) with a message for any host:
 * it names the plugin's remedy by its parameter (a host shows that
 * parameter under its own name: dm as --skip-broken, a GUI as a check
 * box), never as a flag of dm's. */
static void
test_messages_name_parameters_not_flags (void)
{
  const guint sizes[] = { 6 };
  g_autoptr(DmDataset) input = make_dataset (sizes, 1);
  const struct
  {
    const char *transform, *method, *remedy;
  } cases[] = {
    { "prune", "cluster_random", "the parameter skip-broken" },
    { "prune", "ndr", "the parameter skip-broken" },
    { "hash", NULL, "the parameters embeddings and ids" },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(DmTransform) transform = create_transform (cases[c].transform);
      g_autoptr(DmDataset) output = NULL;
      g_autoptr(GError) error = NULL;

      if (cases[c].method != NULL)
        g_assert_true (dm_transform_set_parameter_from_string (transform, "method", cases[c].method, &error));
      g_assert_no_error (error);
      output = dm_transform_apply (transform, input, NULL, &error);
      g_assert_null (output);
      g_assert_error (error, DM_ERROR, DM_ERROR_INVALID_DATA);
      assert_error_mentions (error, "item0");
      assert_error_mentions (error, cases[c].remedy);
      assert_error_names_no_flag (error);
    }
}

static void
count_progress (DmTransform *transform,
                const char  *phase,
                double       fraction,
                guint        n_items,
                guint       *calls)
{
  g_assert_true (fraction >= 0.0 && fraction <= 1.0);
  g_assert_nonnull (phase);
  (*calls)++;
}

static void
test_progress_and_report (void)
{
  const guint sizes[] = { 9, 3 };
  g_autoptr(DmDataset) input = make_dataset (sizes, 2);
  g_autoptr(DmTransform) prune = create_transform ("prune");
  g_autoptr(DmDataset) output = NULL;
  JsonObject *report;
  guint calls = 0;

  g_signal_connect (prune, "progress", G_CALLBACK (count_progress), &calls);
  output = dm_transform_apply (prune, input, NULL, NULL);
  g_assert_nonnull (output);
  g_assert_cmpuint (calls, >=, 2);

  report = json_node_get_object (dm_transform_get_report (prune));
  g_assert_cmpstr (json_object_get_string_member (report, "method"), ==, "random");
  g_assert_cmpint (json_object_get_int_member (report, "items"), ==, 12);
  g_assert_cmpint (json_object_get_int_member (report, "kept"), ==, 6);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (
                     json_object_get_object_member (report, "subsets"), "subset0"), "items"), ==, 9);
}

/* The report as dm_transform_write_report() writes it, parsed, without
 * its timings (which differ from run to run). */
static JsonNode *
written_report (DmTransform *prune)
{
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  JsonNode *written;

  g_assert_true (dm_transform_write_report (prune, stream, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (stream, NULL, NULL));
  text = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (stream)),
                    g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (stream)));
  written = json_from_string (text, &error);
  g_assert_no_error (error);
  json_object_remove_member (json_node_get_object (written), "seconds");
  return written;
}

/* cluster_random, skipping broken items, on @input with a fresh
 * transform, per-item members asked for or not. */
static DmDataset *
cluster_random (DmDataset  *input,
                gboolean    per_item,
                JsonNode  **report,
                JsonNode  **written)
{
  g_autoptr(DmTransform) prune = create_transform ("prune");
  g_autoptr(GError) error = NULL;
  DmDataset *output;

  g_assert_true (dm_transform_get_report_per_item (prune));
  g_assert_true (dm_transform_set_parameter_from_string (prune, "method", "cluster_random", &error));
  g_assert_true (dm_transform_set_parameter_from_string (prune, "skip-broken", "true", &error));
  g_assert_no_error (error);
  dm_transform_set_report_per_item (prune, per_item);
  g_assert_cmpint (dm_transform_get_report_per_item (prune), ==, per_item);
  output = dm_transform_apply (prune, input, NULL, &error);
  g_assert_no_error (error);
  *report = json_node_ref (dm_transform_get_report (prune));
  *written = written_report (prune);
  return output;
}

static void
test_report_per_item (void)
{
  const guint sizes[] = { 40, 20 };
  g_autoptr(DmDataset) input = make_dataset (sizes, 2);
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);
  g_autoptr(DmDataset) full_output = NULL, terse_output = NULL;
  g_autoptr(JsonNode) full = NULL, terse = NULL, full_written = NULL, terse_written = NULL;
  JsonObject *full_object, *terse_object;
  const char *per_item_members[] = { "kept_items", DM_TRANSFORM_REPORT_CLUSTER_OF_ITEM };
  const char *total_members[] = { "items", "kept", "inertia", "iterations", DM_TRANSFORM_REPORT_CLUSTERS };

  /* Items 3 and 17 have no key and no image: skipped, cluster -1. */
  for (guint i = 0; i < dm_dataset_get_n_items (input); i++)
    {
      guint8 key[64];
      g_autoptr(GBytes) bytes = NULL;

      if (i == 3 || i == 17)
        continue;
      for (guint b = 0; b < sizeof key; b++)
        key[b] = (guint8) g_rand_int_range (rand, 0, 256);
      bytes = g_bytes_new (key, sizeof key);
      dm_item_set_hash_key (dm_dataset_get_item (input, i), bytes);
    }

  full_output = cluster_random (input, TRUE, &full, &full_written);
  terse_output = cluster_random (input, FALSE, &terse, &terse_written);
  full_object = json_node_get_object (full);
  terse_object = json_node_get_object (terse);

  /* Only what is reported changes, never what is kept. */
  g_assert_cmpuint (dm_dataset_get_n_items (terse_output), ==, dm_dataset_get_n_items (full_output));
  for (guint i = 0; i < dm_dataset_get_n_items (full_output); i++)
    g_assert_true (dm_dataset_get_item (terse_output, i) == dm_dataset_get_item (full_output, i));

  for (guint m = 0; m < G_N_ELEMENTS (per_item_members); m++)
    {
      g_assert_true (json_object_has_member (full_object, per_item_members[m]));
      g_assert_false (json_object_has_member (terse_object, per_item_members[m]));
    }
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (full_object, DM_TRANSFORM_REPORT_CLUSTER_OF_ITEM)),
                    ==, 60);
  for (guint m = 0; m < G_N_ELEMENTS (total_members); m++)
    g_assert_true (json_node_equal (json_object_get_member (full_object, total_members[m]),
                                    json_object_get_member (terse_object, total_members[m])));
  g_assert_cmpint (json_array_get_int_element (json_object_get_array_member (full_object,
                                                                             DM_TRANSFORM_REPORT_CLUSTER_OF_ITEM), 17),
                   ==, -1);

  /* Written, the report has every member either way: from the tree, or
   * the per-item ones from the transform's own data. */
  json_object_remove_member (full_object, "seconds");
  g_assert_true (json_node_equal (full_written, full));
  g_assert_true (json_node_equal (terse_written, full));
}

int
main (int argc, char **argv)
{
  DmPluginRegistry *registry;

  g_test_init (&argc, &argv, NULL);

  registry = dm_plugin_registry_get_default ();
  dm_plugin_registry_add_default_directories (registry);
  dm_plugin_registry_load (registry);

  g_test_add_func ("/prune-plugin/discovery", test_discovery);
  g_test_add_func ("/prune-plugin/unknown-transform", test_unknown_transform);
  g_test_add_func ("/prune-plugin/menu-parameters", test_menu_parameters);
  g_test_add_func ("/prune-plugin/parameters-from-text", test_parameters_from_text);
  g_test_add_func ("/prune-plugin/random-matches-python", test_random_matches_python);
  g_test_add_func ("/prune-plugin/random-seeds-differ", test_random_seeds_differ);
  g_test_add_func ("/prune-plugin/empty-dataset-and-zero-ratio", test_empty_dataset_and_zero_ratio);
  g_test_add_func ("/prune-plugin/cancelled-before-start", test_cancelled_before_start);
  g_test_add_func ("/prune-plugin/messages-name-parameters-not-flags", test_messages_name_parameters_not_flags);
  g_test_add_func ("/prune-plugin/progress-and-report", test_progress_and_report);
  g_test_add_func ("/prune-plugin/report-per-item", test_report_per_item);

  return g_test_run ();
}
