/* Parameters checked together before any data is read
 * (dm_transform_check_parameters(), by dm and by every apply), range
 * errors from the GParamSpecs, and the report's members common to every
 * prune method. */
#include <string.h>

#include <dm.h>

#include "test-helpers.h"
#include "test-media-helpers.h"

#define N_SAMPLE_ITEMS 24

typedef SourceFixture Fixture;

/* A dataset directory whose annotations are not JSON: whatever reads it
 * fails, naming the file. */
static char *
make_unreadable_source (const char *tmp)
{
  g_autofree char *annotations = g_build_filename (tmp, "unreadable", "annotations", NULL);
  g_autofree char *file = g_build_filename (annotations, "default.json", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (annotations, 0755), ==, 0);
  g_file_set_contents (file, "{{{ not json", -1, &error);
  g_assert_no_error (error);
  return g_build_filename (tmp, "unreadable", NULL);
}

/* dm refuses parameters that cannot go together as soon as they are set:
 * the error is theirs, though SOURCE cannot even be loaded, and nothing
 * is loaded (no "loading" line). With parameters that go together, the
 * same SOURCE fails on loading, so the order is what is tested. */
static void
test_refused_before_loading (void)
{
  g_autofree char *tmp = make_temp_dir ();
  g_autofree char *source = make_unreadable_source (tmp);
  g_autofree char *dest = g_build_filename (tmp, "dest", NULL);
  struct { const char *args[8]; const char *message_part; } cases[] = {
    { { "prune", "-m", "random", "--clusters", "3" },
      "The method “random” does not use the parameter “clusters”" },
    { { "prune", "-m", "centroid", "--param", "clusters=2" },
      "The method “centroid” does not use the parameter “clusters”" },
    { { "prune", "-m", "random", "--threads", "2" },
      "The method “random” does not use the parameter “threads”" },
    { { "prune", "-m", "ndr", "--ndr-block-rows", "1", "--ndr-block-columns", "1" },
      "“ndr-hash-dim” (32) must be at most the number of features of the "
      "ndr-block-rows × ndr-block-columns grid (1 × 1 blocks, 12 features)" },
    { { "transform", "hash", "--embeddings", "keys.npy" },
      "Keys from embeddings need both the embeddings (.npy) and the ids file" },
    { { "hash", "--ids", "ids.txt" },
      "Keys from embeddings need both the embeddings (.npy) and the ids file" },
  };
  g_autoptr(DmRun) loads = dm_run (NULL, "prune", source, "-m", "random", "-o", dest, NULL);

  g_assert_cmpint (loads->status, ==, 1);
  assert_contains (loads->err, "default.json");

  /* An unused parameter at its default is as good as not given: these go
   * on to loading. */
  {
    const char *at_default[][2] = { { "centroid", "clusters=0" }, { "random", "threads=0" },
                                    { "ndr", "hash-type=img" } };

    for (guint c = 0; c < G_N_ELEMENTS (at_default); c++)
      {
        g_autoptr(DmRun) run = dm_run (NULL, "prune", source, "-m", at_default[c][0], "--param", at_default[c][1],
                                       "-o", dest, NULL);

        if (run->status != 1 || strstr (run->err, "default.json") == NULL)
          g_error ("-m %s --param %s: status %d, %s", at_default[c][0], at_default[c][1], run->status, run->err);
      }
  }

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL, *err = NULL;

      g_ptr_array_add (argv, (gpointer) g_getenv ("DM_CLI"));
      for (guint a = 0; a < G_N_ELEMENTS (cases[c].args) && cases[c].args[a] != NULL; a++)
        {
          g_ptr_array_add (argv, (gpointer) cases[c].args[a]);
          /* SOURCE after the command (and the transform's name). */
          if (a == 0 && !g_str_equal (cases[c].args[0], "transform"))
            g_ptr_array_add (argv, source);
          if (a == 1 && g_str_equal (cases[c].args[0], "transform"))
            g_ptr_array_add (argv, source);
        }
      if (!g_str_equal (cases[c].args[0], "hash"))
        {
          g_ptr_array_add (argv, "-o");
          g_ptr_array_add (argv, dest);
        }
      g_ptr_array_add (argv, NULL);

      process = g_subprocess_newv ((const char * const *) argv->pdata,
                                   G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
      g_assert_no_error (error);
      g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
      g_assert_no_error (error);

      g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 2);
      assert_one_line (err, cases[c].message_part);
      g_assert_null (strstr (err, "default.json"));
      g_assert_cmpstr (out, ==, "");
      g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
    }

  discard_temp_dir (g_steal_pointer (&tmp), NULL);
}

/* A value out of a parameter's range is refused by the one message of
 * the GParamSpec's range, naming the parameter, whatever its type can
 * hold: -3 is out of an unsigned parameter's range like any other. */
static void
test_range_errors_name_the_range (Fixture *fixture, gconstpointer data)
{
  struct { const char *option, *value, *message; } cases[] = {
    { "--clusters", "-3", "Invalid value “-3” for parameter “clusters”: out of range 0…2147483647" },
    { "--clusters", "2147483648", "Invalid value “2147483648” for parameter “clusters”: out of range 0…2147483647" },
    { "--ndr-sim-threshold", "0", "Invalid value “0” for parameter “ndr-sim-threshold”: out of range >0…1" },
    { "--ndr-sim-threshold", "1.5", "Invalid value “1.5” for parameter “ndr-sim-threshold”: out of range >0…1" },
    { "--dedup-threshold", "-0.5", "Invalid value “-0.5” for parameter “dedup-threshold”: out of range 0…1" },
    { "--herding-bandwidth", "0", "Invalid value “0” for parameter “herding-bandwidth”: out of range >0…1000" },
    { "--herding-max-disagreement", "1.5",
      "Invalid value “1.5” for parameter “herding-max-disagreement”: out of range 0…1" },
    { "--herding-max-disagreement", "-0.1",
      "Invalid value “-0.1” for parameter “herding-max-disagreement”: out of range 0…1" },
    { "--herding-neighbours", "0", "Invalid value “0” for parameter “herding-neighbours”: out of range 1…1000" },
    { "--herding-neighbours", "1001", "Invalid value “1001” for parameter “herding-neighbours”: out of range 1…1000" },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(DmRun) run = dm_run (NULL, "prune", fixture->source, "-m", "ndr", cases[c].option, cases[c].value,
                                     "-o", fixture->dest, NULL);
      g_autofree char *expected = g_strdup_printf ("dm: %s\n", cases[c].message);

      g_assert_cmpint (run->status, ==, 2);
      g_assert_cmpstr (run->err, ==, expected);
      g_assert_false (g_file_test (fixture->dest, G_FILE_TEST_EXISTS));
    }
}

/* NDR's similarity threshold takes any value above 0, as its range says:
 * the smallest one runs. */
static void
test_ndr_takes_any_threshold_above_zero (Fixture *fixture, gconstpointer data)
{
  g_autoptr(DmRun) run = dm_run (NULL, "prune", fixture->source, "-m", "ndr", "--ndr-sim-threshold", "1e-300",
                                 "-o", fixture->dest, "-q", NULL);

  if (run->status != 0)
    g_error ("dm prune -m ndr --ndr-sim-threshold 1e-300 failed: %s", run->err);
}

/* Whether @method uses @parameter, written out here as the README says
 * it, apart from the plugin's own table. */
static gboolean
method_uses (const char *method,
             const char *parameter)
{
  gboolean clustering = !g_str_equal (method, "random") && !g_str_equal (method, "ndr");

  if (g_str_has_prefix (parameter, "ndr-"))
    return g_str_equal (method, "ndr");
  if (g_str_equal (parameter, "hash-type") || g_str_equal (parameter, "stratify"))
    return clustering;
  if (g_str_equal (parameter, "clusters"))
    return clustering && !g_str_equal (method, "centroid") && !g_str_equal (method, "query_clust");
  if (g_str_equal (parameter, "threads"))
    return !g_str_equal (method, "random");
  if (g_str_equal (parameter, "prototype-keep") || g_str_equal (parameter, "dedup-threshold")
      || g_str_has_prefix (parameter, "herding-"))
    return g_str_has_prefix (parameter, method);
  return TRUE;
}

/* @parameters lists every parameter of @prune that @method uses, and no
 * other, in the order of the property table (method first). */
static void
assert_parameters (DmTransform *prune,
                   const char  *method,
                   JsonObject  *parameters)
{
  guint n_pspecs;
  g_autofree GParamSpec **pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (prune), &n_pspecs);
  g_autoptr(GList) names = json_object_get_members (parameters);
  guint n_used = 0;

  for (guint p = 0; p < n_pspecs; p++)
    {
      const char *name = g_param_spec_get_name (pspecs[p]);

      if (json_object_has_member (parameters, name) != method_uses (method, name))
        g_error ("the report of %s %s “%s”", method, method_uses (method, name) ? "lacks" : "has", name);
      n_used += method_uses (method, name);
    }
  g_assert_cmpuint (g_list_length (names), ==, n_used);
  g_assert_cmpstr (names->data, ==, "method");
  g_assert_cmpstr (json_object_get_string_member (parameters, "method"), ==, method);
  g_assert_cmpfloat (json_object_get_double_member (parameters, "ratio"), ==, 0.1);
  g_assert_false (json_object_get_boolean_member (parameters, "skip-broken"));
}

/* Every method's --report has the members prune-report.h lists for every
 * method, kept_items one per kept item, and the ratio as the user wrote
 * it, not 0.10000000000000001. */
static void
test_report_common_members (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GEnumClass) methods = NULL;
  GType method_type;
  const char *common[] = { "method", "ratio", "seed", "parameters", "items", "kept", "subsets",
                           "seconds", "kept_items", DM_TRANSFORM_REPORT_HOST_SECONDS };
  g_autoptr(DmTransform) prune = create_transform ("prune");

  method_type = G_PARAM_SPEC_VALUE_TYPE (g_object_class_find_property (G_OBJECT_GET_CLASS (prune), "method"));
  methods = g_type_class_ref (method_type);
  g_assert_cmpuint (methods->n_values, >=, 8);

  for (guint m = 0; m < methods->n_values; m++)
    {
      const char *method = methods->values[m].value_nick;
      g_autofree char *dest = g_build_filename (fixture->tmp, method, NULL);
      g_autofree char *report_path = g_strconcat (dest, ".json", NULL);
      g_autoptr(DmRun) run = dm_run (NULL, "prune", fixture->source, "-m", method, "-r", "0.1",
                                     "-o", dest, "--report", report_path, "-q", NULL);
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autofree char *text = NULL;
      JsonObject *report, *seconds;
      JsonArray *kept_items;

      if (run->status != 0)
        g_error ("dm prune -m %s failed: %s", method, run->err);
      report = load_json_object (parser, report_path);
      for (guint c = 0; c < G_N_ELEMENTS (common); c++)
        if (!json_object_has_member (report, common[c]))
          g_error ("the report of %s lacks “%s”", method, common[c]);

      seconds = json_object_get_object_member (report, "seconds");
      g_assert_true (json_object_has_member (seconds, "total"));
      g_assert_true (json_object_has_member (seconds, "selecting"));
      g_assert_cmpfloat (json_object_get_double_member (seconds, "total"), >=,
                         json_object_get_double_member (seconds, "selecting"));

      kept_items = json_object_get_array_member (report, "kept_items");
      g_assert_cmpint (json_array_get_length (kept_items), ==, json_object_get_int_member (report, "kept"));
      for (guint k = 0; k < json_array_get_length (kept_items); k++)
        {
          JsonObject *entry = json_array_get_object_element (kept_items, k);

          g_assert_nonnull (json_object_get_string_member (entry, "subset"));
          g_assert_nonnull (json_object_get_string_member (entry, "id"));
        }

      assert_parameters (prune, method, json_object_get_object_member (report, "parameters"));

      g_assert_true (g_file_get_contents (report_path, &text, NULL, NULL));
      assert_contains (text, "\"ratio\" : 0.1,");
    }
}

/* The parameters given are in the report as given: --clusters and both
 * --param values of dedup's (none was there before), and ndr's own. */
static void
test_report_parameters_as_set (Fixture *fixture, gconstpointer data)
{
  g_autofree char *dedup_dest = path_in (fixture, "dedup");
  g_autofree char *dedup_path = path_in (fixture, "dedup.json");
  g_autofree char *ndr_dest = path_in (fixture, "ndr");
  g_autofree char *ndr_path = path_in (fixture, "ndr.json");
  g_autoptr(DmRun) dedup = dm_run (NULL, "prune", fixture->source, "-m", "dedup", "--clusters", "3",
                                   "--param", "stratify=true", "--param", "dedup-threshold=0.2",
                                   "-o", dedup_dest, "--report", dedup_path, "-q", NULL);
  g_autoptr(DmRun) ndr = dm_run (NULL, "prune", fixture->source, "-m", "ndr", "--param", "ndr-hash-dim=16",
                                 "--param", "ndr-undersample=inverse",
                                 "-o", ndr_dest, "--report", ndr_path, "-q", NULL);
  g_autoptr(JsonParser) dedup_parser = json_parser_new ();
  g_autoptr(JsonParser) ndr_parser = json_parser_new ();
  g_autofree char *text = NULL;
  JsonObject *parameters;

  if (dedup->status != 0 || ndr->status != 0)
    g_error ("dedup: %s; ndr: %s", dedup->err, ndr->err);

  parameters = json_object_get_object_member (load_json_object (dedup_parser, dedup_path), "parameters");
  g_assert_cmpstr (json_object_get_string_member (parameters, "method"), ==, "dedup");
  g_assert_cmpint (json_object_get_int_member (parameters, "clusters"), ==, 3);
  g_assert_true (json_object_get_boolean_member (parameters, "stratify"));
  g_assert_cmpfloat (json_object_get_double_member (parameters, "dedup-threshold"), ==, 0.2);
  g_assert_cmpstr (json_object_get_string_member (parameters, "hash-type"), ==, "img");
  g_assert_true (g_file_get_contents (dedup_path, &text, NULL, NULL));
  assert_contains (text, "\"dedup-threshold\" : 0.2,");

  parameters = json_object_get_object_member (load_json_object (ndr_parser, ndr_path), "parameters");
  g_assert_cmpint (json_object_get_int_member (parameters, "ndr-hash-dim"), ==, 16);
  g_assert_cmpint (json_object_get_int_member (parameters, "ndr-block-rows"), ==, 8);
  g_assert_cmpstr (json_object_get_string_member (parameters, "ndr-undersample"), ==, "inverse");
  g_assert_cmpstr (json_object_get_string_member (parameters, "ndr-oversample"), ==, "random");
  g_assert_cmpfloat (json_object_get_double_member (parameters, "ndr-sim-threshold"), ==, 0.5);
  g_assert_false (json_object_has_member (parameters, "hash-type"));
}

/* A transform without a check_parameters: every combination goes. Its
 * one parameter is a signed int of the range -2…5. */
typedef struct { DmTransform parent_instance; int offset; } TestPlain;
typedef struct { DmTransformClass parent_class; } TestPlainClass;

static GType test_plain_get_type (void);
G_DEFINE_TYPE (TestPlain, test_plain, DM_TYPE_TRANSFORM)

static DmDataset *
test_plain_apply (DmTransform   *transform,
                  DmDataset     *input,
                  GCancellable  *cancellable,
                  GError       **error)
{
  return dm_dataset_new_like (input);
}

static void
test_plain_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  g_value_set_int (value, ((TestPlain *) object)->offset);
}

static void
test_plain_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  ((TestPlain *) object)->offset = g_value_get_int (value);
}

static void
test_plain_class_init (TestPlainClass *klass)
{
  G_OBJECT_CLASS (klass)->get_property = test_plain_get_property;
  G_OBJECT_CLASS (klass)->set_property = test_plain_set_property;
  g_object_class_install_property (G_OBJECT_CLASS (klass), 1,
                                   g_param_spec_int ("offset", "Offset", "Offset", -2, 5, 0, G_PARAM_READWRITE));
  DM_TRANSFORM_CLASS (klass)->apply = test_plain_apply;
}

/* A signed parameter: its range's both ends, and numbers no int holds,
 * refused by the range, as the unsigned ones of prune are. */
static void
test_signed_parameter_range (void)
{
  g_autoptr(DmTransform) plain = g_object_new (test_plain_get_type (), NULL);
  const char *out_of_range[] = { "-3", "6", "1099511627776", "-1099511627776", "99999999999999999999" };
  g_autoptr(GError) error = NULL;
  int offset;

  g_assert_true (dm_transform_set_parameter_from_string (plain, "offset", "-2", &error));
  g_assert_no_error (error);
  g_object_get (plain, "offset", &offset, NULL);
  g_assert_cmpint (offset, ==, -2);
  g_assert_true (dm_transform_set_parameter_from_string (plain, "offset", "5", &error));
  g_object_get (plain, "offset", &offset, NULL);
  g_assert_cmpint (offset, ==, 5);

  for (guint i = 0; i < G_N_ELEMENTS (out_of_range); i++)
    {
      g_autofree char *expected = g_strdup_printf ("Invalid value “%s” for parameter “offset”: out of range -2…5",
                                                   out_of_range[i]);

      g_assert_false (dm_transform_set_parameter_from_string (plain, "offset", out_of_range[i], &error));
      g_assert_error (error, DM_ERROR, DM_ERROR_INVALID_ARGUMENT);
      g_assert_cmpstr (error->message, ==, expected);
      g_clear_error (&error);
    }
  g_object_get (plain, "offset", &offset, NULL);
  g_assert_cmpint (offset, ==, 5);
}

static void
test_plain_init (TestPlain *self)
{
}

static void
note_result (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* dm_transform_check_parameters() is the class's check, TRUE without
 * one; dm_transform_apply() and dm_transform_apply_async() run it before
 * anything else: an empty dataset's own error is never reached. */
static void
test_check_parameters_api (void)
{
  g_autoptr(DmTransform) plain = g_object_new (test_plain_get_type (), NULL);
  g_autoptr(DmTransform) prune = create_transform ("prune");
  g_autoptr(DmDataset) empty = dm_dataset_new ();
  g_autoptr(DmDataset) output = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (dm_transform_check_parameters (plain, &error));
  g_assert_no_error (error);

  g_assert_true (dm_transform_set_parameter_from_string (prune, "method", "query_clust", &error));
  g_assert_true (dm_transform_check_parameters (prune, &error));
  g_assert_no_error (error);

  g_object_set (prune, "clusters", 5u, NULL);
  g_assert_false (dm_transform_check_parameters (prune, &error));
  g_assert_error (error, DM_ERROR, DM_ERROR_INVALID_ARGUMENT);
  assert_contains (error->message, "“query_clust” does not use the parameter “clusters”");
  g_clear_error (&error);

  /* Set back to its default, it is taken back. */
  g_object_set (prune, "clusters", 0u, NULL);
  g_assert_true (dm_transform_check_parameters (prune, &error));
  g_assert_no_error (error);
  g_object_set (prune, "clusters", 5u, NULL);

  output = dm_transform_apply (prune, empty, NULL, &error);
  g_assert_null (output);
  g_assert_error (error, DM_ERROR, DM_ERROR_INVALID_ARGUMENT);
  assert_contains (error->message, "“clusters”");
  g_clear_error (&error);

  dm_transform_apply_async (prune, empty, NULL, note_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  output = dm_transform_apply_finish (prune, result, &error);
  g_assert_null (output);
  g_assert_error (error, DM_ERROR, DM_ERROR_INVALID_ARGUMENT);
  assert_contains (error->message, "“clusters”");
  g_clear_error (&error);
  g_clear_object (&result);

  /* Switching methods: ndr takes neither clusters nor hash-type, but
   * those it leaves at their defaults (hash-type never set, clusters set
   * back) are no matter; a value set for another method is. */
  g_assert_true (dm_transform_set_parameter_from_string (prune, "method", "ndr", &error));
  g_assert_false (dm_transform_check_parameters (prune, &error));
  assert_contains (error->message, "“clusters”");
  g_clear_error (&error);
  g_assert_true (dm_transform_set_parameter_from_string (prune, "clusters", "0", &error));
  g_assert_true (dm_transform_set_parameter_from_string (prune, "hash-type", "img", &error));
  g_assert_true (dm_transform_check_parameters (prune, &error));
  g_assert_no_error (error);
  g_assert_true (dm_transform_set_parameter_from_string (prune, "clusters", "5", &error));

  /* Set right, the empty dataset is what is wrong. */
  g_assert_true (dm_transform_set_parameter_from_string (prune, "method", "entropy", &error));
  output = dm_transform_apply (prune, empty, NULL, &error);
  g_assert_null (output);
  g_assert_error (error, DM_ERROR, DM_ERROR_INVALID_DATA);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/parameters/refused-before-loading", test_refused_before_loading);
  g_test_add_func ("/parameters/check-parameters-api", test_check_parameters_api);
  g_test_add_func ("/parameters/signed-parameter-range", test_signed_parameter_range);
  g_test_add ("/parameters/range-errors-name-the-range", Fixture, GUINT_TO_POINTER (N_SAMPLE_ITEMS),
              sample_fixture_set_up, test_range_errors_name_the_range, source_fixture_tear_down);
  g_test_add ("/parameters/ndr-takes-any-threshold-above-zero", Fixture, GUINT_TO_POINTER (N_SAMPLE_ITEMS),
              sample_fixture_set_up, test_ndr_takes_any_threshold_above_zero, source_fixture_tear_down);
  g_test_add ("/parameters/report-common-members", Fixture, GUINT_TO_POINTER (N_SAMPLE_ITEMS),
              sample_fixture_set_up, test_report_common_members, source_fixture_tear_down);
  g_test_add ("/parameters/report-parameters-as-set", Fixture, GUINT_TO_POINTER (N_SAMPLE_ITEMS),
              sample_fixture_set_up, test_report_parameters_as_set, source_fixture_tear_down);

  return g_test_run ();
}
