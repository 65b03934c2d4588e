/* The host's report member added to what a transform wrote: valid JSON
 * whatever the object's shape, and a value of one length whatever the
 * figures, so the final one can be written over the staged one. */
#include <string.h>

#include <json-glib/json-glib.h>

#include <dm.h>

#include "dm-cli-host-seconds.h"

/* @report with the member added, parsed; @value_offset set. */
static JsonObject *
append_and_parse (JsonParser          *parser,
                  const char          *report,
                  const DmHostSeconds *seconds,
                  goffset             *value_offset,
                  char               **text_out)
{
  g_autoptr(GOutputStream) text = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  g_assert_true (g_output_stream_write_all (text, report, strlen (report), NULL, NULL, NULL));
  g_assert_true (dm_host_seconds_append (G_MEMORY_OUTPUT_STREAM (text), seconds, value_offset));
  g_assert_true (g_output_stream_write_all (text, "", 1, NULL, NULL, NULL));
  g_assert_true (g_output_stream_close (text, NULL, NULL));
  *text_out = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (text));

  json_parser_load_from_data (parser, *text_out, -1, &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  return json_node_get_object (root);
}

static void
assert_figures (JsonObject          *report,
                const DmHostSeconds *expected)
{
  JsonObject *host = json_object_get_object_member (report, DM_TRANSFORM_REPORT_HOST_SECONDS);

  g_assert_nonnull (host);
  g_assert_cmpuint (json_object_get_size (host), ==, 3);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (host, DM_TRANSFORM_REPORT_HOST_LOADING),
                                  expected->loading, 1e-6);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (host, DM_TRANSFORM_REPORT_HOST_WRITING),
                                  expected->writing, 1e-6);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (host, DM_TRANSFORM_REPORT_HOST_TOTAL),
                                  expected->total, 1e-6);
}

static void
test_added_to_any_object (void)
{
  /* As json-glib writes a tree, as the prune plugin streams its per-item
   * members (no space before the brace), and empty objects. */
  const char *reports[] = {
    "{\n  \"items\" : 10,\n  \"seconds\" : 0.5\n}",
    "{\n  \"cluster_of_item\" : [0,1,-1]}\n",
    "{}",
    "{ \n}\n\n",
  };
  const DmHostSeconds seconds = { 0.25, 1.5, 2.0 };

  for (guint r = 0; r < G_N_ELEMENTS (reports); r++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autofree char *text = NULL;
      goffset offset;
      JsonObject *report = append_and_parse (parser, reports[r], &seconds, &offset, &text);

      assert_figures (report, &seconds);
      /* The transform's members are all still there. */
      g_assert_cmpuint (json_object_get_size (report), ==, r == 0 ? 3 : r == 1 ? 2 : 1);
      g_assert_cmpint (text[offset], ==, '{');
    }
}

static void
test_not_an_object (void)
{
  const char *reports[] = { "", "  \n", "[1, 2]", "{\"a\" : 1" };
  const DmHostSeconds seconds = { 0 };

  for (guint r = 0; r < G_N_ELEMENTS (reports); r++)
    {
      g_autoptr(GOutputStream) text = g_memory_output_stream_new_resizable ();
      goffset offset = -1;

      g_output_stream_write_all (text, reports[r], strlen (reports[r]), NULL, NULL, NULL);
      g_assert_false (dm_host_seconds_append (G_MEMORY_OUTPUT_STREAM (text), &seconds, &offset));
      g_assert_cmpuint (g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (text)), ==,
                        strlen (reports[r]));
      g_assert_cmpint (offset, ==, -1);
    }
}

/* The staged value (writing and total not yet known) replaced in place by
 * the final one: same length, valid JSON, the new figures. */
static void
test_final_figures_fit_over_staged (void)
{
  const DmHostSeconds staged = { 0.000001, 0, 0 };
  const DmHostSeconds finals[] = {
    { 0.000001, 0.000001, 0.000002 },
    { 12.5, 3600.25, 9999.999999 },
    { 1e9, 1e12, G_MAXDOUBLE },      /* beyond the width: held at its most */
  };
  g_autoptr(GString) staged_value = dm_host_seconds_format (&staged);

  for (guint f = 0; f < G_N_ELEMENTS (finals); f++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(JsonParser) patched_parser = json_parser_new ();
      g_autoptr(GString) value = dm_host_seconds_format (&finals[f]);
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;
      goffset offset;

      g_assert_cmpuint (value->len, ==, staged_value->len);
      append_and_parse (parser, "{\"a\" : 1}", &staged, &offset, &text);
      memcpy (text + offset, value->str, value->len);
      json_parser_load_from_data (patched_parser, text, -1, &error);
      g_assert_no_error (error);
      if (f < 2)
        assert_figures (json_node_get_object (json_parser_get_root (patched_parser)), &finals[f]);
      else
        {
          JsonObject *host = json_object_get_object_member (json_node_get_object (json_parser_get_root (patched_parser)),
                                                            DM_TRANSFORM_REPORT_HOST_SECONDS);

          g_assert_cmpfloat (json_object_get_double_member (host, DM_TRANSFORM_REPORT_HOST_TOTAL), >=, 9999999.0);
        }
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/host-seconds/added-to-any-object", test_added_to_any_object);
  g_test_add_func ("/host-seconds/not-an-object", test_not_an_object);
  g_test_add_func ("/host-seconds/final-figures-fit-over-staged", test_final_figures_fit_over_staged);

  return g_test_run ();
}
