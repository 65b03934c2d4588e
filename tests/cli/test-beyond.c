/* The methods beyond Datumaro's and keys from embeddings, end to end
 * through dm: prototype, dedup, herding and stratify on a keys-only dataset; `dm
 * hash --embeddings --ids` storing keys every clustering method then runs
 * on, and refusing bad files without changing anything. */
#include <math.h>
#include <string.h>

#include <dm.h>

#include "dm-embedding-key.h"
#include "dm-quota.h"
#include "test-helpers.h"
#include "test-media-helpers.h"

#define N_ITEMS 600
#define N_LABELS 6

typedef KeysFixture Fixture;

static const KeysDataset keys = { N_ITEMS, N_LABELS, 17 };

/* Runs dm prune on @source; returns the output and the report. */
static DmDataset *
prune_ok (Fixture *fixture, const char *source, const char *name, const char *method,
          const char *parameter, JsonParser *parser, JsonObject **report)
{
  g_autofree char *dest = g_build_filename (fixture->tmp, name, NULL);
  g_autofree char *report_path = g_strconcat (dest, ".json", NULL);
  g_autoptr(DmRun) run = dm_run (NULL, "prune", source, "-m", method, "-r", "0.1", "--seed", "2",
                                 "-o", dest, "--report", report_path, "-q",
                                 parameter != NULL ? "--param" : NULL, parameter, NULL);

  if (run->status != 0)
    g_error ("dm prune -m %s %s failed: %s", method, parameter ? parameter : "", run->err);
  *report = load_json_object (parser, report_path);
  g_assert_cmpint (json_object_get_int_member (*report, "images_decoded"), ==, 0);
  return load_dataset_ok (dest);
}

static void
test_prototype_and_dedup (Fixture *fixture, gconstpointer data)
{
  const char *methods[] = { "prototype", "dedup" };

  for (guint m = 0; m < G_N_ELEMENTS (methods); m++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *report;
      g_autoptr(DmDataset) output = prune_ok (fixture, fixture->source, methods[m], methods[m], NULL,
                                              parser, &report);
      JsonArray *clusters = json_object_get_array_member (report, "clusters");
      guint quota_sum = 0;

      g_assert_cmpuint (dm_dataset_get_n_items (output), ==, N_ITEMS / 10);
      g_assert_cmpstr (json_object_get_string_member (report, "method"), ==, methods[m]);
      g_assert_cmpuint (json_array_get_length (clusters), ==, N_LABELS);
      for (guint c = 0; c < N_LABELS; c++)
        quota_sum += json_object_get_int_member (json_array_get_object_element (clusters, c), "quota");
      g_assert_cmpuint (quota_sum, ==, N_ITEMS / 10);
      g_assert_true (json_object_has_member (report, "duplicates") == (m == 1));
      /* prototype's default, auto, keeps the easiest at -r 0.1, and says so. */
      g_assert_cmpstr (json_object_get_string_member_with_default (json_object_get_object_member (report, "parameters"),
                                                                   "prototype-keep", NULL), ==,
                       m == 0 ? "auto" : NULL);
      g_assert_cmpstr (json_object_get_string_member_with_default (report, "prototype_side", NULL), ==,
                       m == 0 ? "easy" : NULL);
    }
}

/* Prototype's choice is a parameter: easy and hard keep different items. */
static void
test_prototype_keep (Fixture *fixture, gconstpointer data)
{
  g_autoptr(JsonParser) easy_parser = json_parser_new ();
  g_autoptr(JsonParser) hard_parser = json_parser_new ();
  JsonObject *easy_report, *hard_report;
  JsonArray *easy_items, *hard_items;
  double easy_sum = 0, hard_sum = 0;

  /* The reports (held by the parsers) are what is compared. */
  g_object_unref (prune_ok (fixture, fixture->source, "easy", "prototype",
                            "prototype-keep=easy", easy_parser, &easy_report));
  g_object_unref (prune_ok (fixture, fixture->source, "hard", "prototype",
                            "prototype-keep=hard", hard_parser, &hard_report));
  g_assert_cmpstr (json_object_get_string_member (easy_report, "prototype_side"), ==, "easy");
  g_assert_cmpstr (json_object_get_string_member (hard_report, "prototype_side"), ==, "hard");
  easy_items = json_object_get_array_member (easy_report, "kept_items");
  hard_items = json_object_get_array_member (hard_report, "kept_items");

  for (guint i = 0; i < json_array_get_length (easy_items); i++)
    {
      easy_sum += json_object_get_double_member (json_array_get_object_element (easy_items, i), "distance");
      hard_sum += json_object_get_double_member (json_array_get_object_element (hard_items, i), "distance");
    }
  g_assert_cmpfloat (easy_sum, <, hard_sum);
}

/* The ids of @dataset's items, in order, one string. */
static char *
item_ids (DmDataset *dataset)
{
  GString *ids = g_string_new (NULL);

  for (guint i = 0; i < dm_dataset_get_n_items (dataset); i++)
    g_string_append_printf (ids, "%s/%s ", dm_item_get_subset (dm_dataset_get_item (dataset, i)),
                            dm_item_get_id (dm_dataset_get_item (dataset, i)));
  return g_string_free (ids, FALSE);
}

/* Herding: one cluster per label by default, its bandwidth a parameter
 * in the report; stratified (one cluster per label, no k-means choice
 * left), the seed changes nothing, while it does change cluster_random's
 * choice. */
static void
test_herding (Fixture *fixture, gconstpointer data)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonParser) narrow_parser = json_parser_new ();
  JsonObject *report, *narrow_report;
  g_autoptr(DmDataset) output = prune_ok (fixture, fixture->source, "herding", "herding", NULL, parser, &report);
  g_autoptr(DmDataset) narrow = prune_ok (fixture, fixture->source, "narrow", "herding",
                                          "herding-bandwidth=0.05", narrow_parser, &narrow_report);
  const char *methods[] = { "herding", "cluster_random" };

  g_assert_cmpuint (dm_dataset_get_n_items (output), ==, N_ITEMS / 10);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (report, "clusters")), ==, N_LABELS);
  g_assert_cmpfloat (json_object_get_double_member (json_object_get_object_member (report, "parameters"),
                                                    "herding-bandwidth"), ==, 0.25);
  g_assert_cmpfloat (json_object_get_double_member (json_object_get_object_member (narrow_report, "parameters"),
                                                    "herding-bandwidth"), ==, 0.05);
  g_assert_cmpuint (dm_dataset_get_n_items (narrow), ==, N_ITEMS / 10);
  /* Without the label filter (its default), the report says it left out
   * nothing. */
  g_assert_cmpint (json_object_get_int_member (report, "filtered_out"), ==, 0);
  g_assert_cmpfloat (json_object_get_double_member (json_object_get_object_member (report, "parameters"),
                                                    "herding-max-disagreement"), ==, 1.0);

  for (guint m = 0; m < G_N_ELEMENTS (methods); m++)
    {
      char *ids[2] = { NULL, NULL };

      for (guint s = 0; s < 2; s++)
        {
          g_autofree char *dest = g_strdup_printf ("%s/%s-seed%u", fixture->tmp, methods[m], s);
          g_autoptr(DmRun) run = dm_run (NULL, "prune", fixture->source, "-m", methods[m], "-r", "0.1",
                                         "--seed", s == 0 ? "0" : "9", "--param", "stratify=true",
                                         "-o", dest, "-q", NULL);
          g_autoptr(DmDataset) kept = NULL;

          if (run->status != 0)
            g_error ("dm prune -m %s failed: %s", methods[m], run->err);
          kept = load_dataset_ok (dest);
          ids[s] = item_ids (kept);
        }
      g_assert_true (g_str_equal (ids[0], ids[1]) == (m == 0));
      g_free (ids[0]);
      g_free (ids[1]);
    }
}

/* Gives the first @n train items the next label instead of theirs: label
 * noise, items whose keys lie amid another label's. */
static void
mislabel (const char *source, guint n)
{
  g_autofree char *path = g_build_filename (source, "annotations", "train.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *items = json_object_get_array_member (load_json_object (parser, path), "items");

  for (guint i = 0; i < n; i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);
      JsonObject *label = json_array_get_object_element (json_object_get_array_member (item, "annotations"), 0);

      json_object_set_int_member (label, "label_id", (json_object_get_int_member (label, "label_id") + 1) % N_LABELS);
    }
  json_generator_set_root (generator, json_parser_get_root (parser));
  g_assert_true (json_generator_to_file (generator, path, &error));
  g_assert_no_error (error);
}

/* Herding's label filter: the 5 mislabelled items (all 20 of their
 * nearest carry their old label) are left out, no other (at most 5 of
 * theirs are mislabelled: 0.25 of 20, below 0.3), and the report says so
 * with the filter's parameters; at 1 herding keeps what it keeps without
 * the filter. */
static void
test_herding_filter (Fixture *fixture, gconstpointer data)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonParser) off_parser = json_parser_new ();
  g_autoptr(JsonParser) plain_parser = json_parser_new ();
  JsonObject *report, *off_report, *plain_report, *parameters;
  g_autoptr(DmDataset) filtered = NULL;
  g_autoptr(DmDataset) off = NULL;
  g_autoptr(DmDataset) plain = NULL;
  g_autofree char *off_ids = NULL, *plain_ids = NULL, *filtered_ids = NULL;

  mislabel (fixture->source, 5);
  filtered = prune_ok (fixture, fixture->source, "filtered", "herding", "herding-max-disagreement=0.3",
                       parser, &report);
  off = prune_ok (fixture, fixture->source, "off", "herding", "herding-max-disagreement=1", off_parser,
                  &off_report);
  plain = prune_ok (fixture, fixture->source, "plain", "herding", NULL, plain_parser, &plain_report);
  off_ids = item_ids (off);
  plain_ids = item_ids (plain);
  filtered_ids = item_ids (filtered);

  parameters = json_object_get_object_member (report, "parameters");
  g_assert_cmpfloat (json_object_get_double_member (parameters, "herding-max-disagreement"), ==, 0.3);
  g_assert_cmpint (json_object_get_int_member (parameters, "herding-neighbours"), ==, 20);
  g_assert_cmpint (json_object_get_int_member (report, "filtered_out"), ==, 5);
  g_assert_cmpint (json_object_get_int_member (off_report, "filtered_out"), ==, 0);
  /* The filter's time is a phase of its own, there only when it ran. */
  g_assert_cmpfloat (json_object_get_double_member (json_object_get_object_member (report, "seconds"),
                                                    "filtering"), >, 0);
  g_assert_false (json_object_has_member (json_object_get_object_member (off_report, "seconds"),
                                          "filtering"));
  g_assert_cmpuint (dm_dataset_get_n_items (filtered), ==, N_ITEMS / 10);
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *id = g_strdup_printf ("train/item_%07u ", i);
      g_assert_null (strstr (filtered_ids, id));
    }
  g_assert_cmpstr (off_ids, ==, plain_ids);
}

/* Each label keeps its largest-remainder share of the kept items. */
static void
test_stratify (Fixture *fixture, gconstpointer data)
{
  const char *methods[] = { "cluster_random", "centroid", "query_clust", "entropy", "prototype", "dedup",
                            "herding" };
  g_autoptr(DmDataset) input = load_dataset_ok (fixture->source);
  guint sizes[N_LABELS] = { 0 }, expected[N_LABELS];

  for (guint i = 0; i < N_ITEMS; i++)
    sizes[dm_item_get_label (dm_dataset_get_item (input, i))]++;
  g_assert_true (dm_quota_compute (sizes, N_LABELS, N_ITEMS / 10, expected, NULL));

  for (guint m = 0; m < G_N_ELEMENTS (methods); m++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *report;
      g_autofree char *name = g_strconcat (methods[m], "-stratified", NULL);
      g_autoptr(DmDataset) output = prune_ok (fixture, fixture->source, name, methods[m], "stratify=true",
                                              parser, &report);
      guint got[N_LABELS] = { 0 };

      for (guint i = 0; i < dm_dataset_get_n_items (output); i++)
        got[dm_item_get_label (dm_dataset_get_item (output, i))]++;
      for (guint l = 0; l < N_LABELS; l++)
        g_assert_cmpuint (got[l], ==, expected[l]);
    }
}

static void
test_stratify_random_refused (Fixture *fixture, gconstpointer data)
{
  g_autoptr(DmRun) run = dm_run (NULL, "prune", fixture->source, "-m", "random", "-o", fixture->dest,
                                 "--param", "stratify=true", NULL);

  /* A parameter that does not fit the method is a usage error. */
  g_assert_cmpint (run->status, ==, 2);
  g_assert_nonnull (strstr (run->err, "“random” does not use the parameter “stratify”"));
  g_assert_false (g_file_test (fixture->dest, G_FILE_TEST_EXISTS));
}

/* Embeddings: per label a direction, plus noise; the ids in another order
 * than the dataset's. */
static void
write_embeddings (Fixture *fixture, guint dim, const char *npy_name, char **npy, char **ids)
{
  g_autoptr(DmDataset) input = load_dataset_ok (fixture->source);
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  g_autofree float *directions = g_new (float, N_LABELS * dim);
  g_autofree float *rows = g_new (float, N_ITEMS * dim);
  g_autoptr(GString) lines = g_string_new (NULL);
  g_autofree char *dict = g_strdup_printf ("{'descr': '<f4', 'fortran_order': False, 'shape': (%u, %u), }",
                                           N_ITEMS, dim);

  for (guint f = 0; f < N_LABELS * dim; f++)
    directions[f] = (float) g_rand_double_range (rand, -1, 1);
  for (guint r = 0; r < N_ITEMS; r++)
    {
      DmItem *item = dm_dataset_get_item (input, N_ITEMS - 1 - r);   /* reversed */
      int label = dm_item_get_label (item);

      for (guint d = 0; d < dim; d++)
        rows[r * dim + d] = directions[label * dim + d] + (float) g_rand_double_range (rand, -0.3, 0.3);
      g_string_append_printf (lines, "%s/%s\n", dm_item_get_subset (item), dm_item_get_id (item));
    }
  *npy = write_npy (fixture->tmp, npy_name, 1, dict, rows, (gsize) N_ITEMS * dim * sizeof (float));
  *ids = path_in (fixture, "ids.txt");
  write_file (*ids, lines->str, -1);
}

static void
test_hash_embeddings (Fixture *fixture, gconstpointer data)
{
  g_autofree char *npy = NULL, *ids = NULL;
  g_autofree char *cache = g_build_filename (fixture->source, "hash_key_meta", "hash_keys.json", NULL);
  g_autofree char *cache_text = NULL;
  g_autoptr(DmDataset) before = load_dataset_ok (fixture->source);
  g_autoptr(DmDataset) after = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *report;
  g_autoptr(DmDataset) output = NULL;
  g_autoptr(DmRun) run = NULL;
  guint changed = 0;

  write_embeddings (fixture, 40, "clip.npy", &npy, &ids);
  run = dm_run (NULL, "hash", fixture->source, "--embeddings", npy, "--ids", ids, "-q", NULL);
  if (run->status != 0)
    g_error ("dm hash --embeddings failed: %s", run->err);

  g_assert_true (g_file_get_contents (cache, &cache_text, NULL, NULL));
  g_assert_nonnull (strstr (cache_text, "\"dm_hasher\""));
  g_assert_nonnull (strstr (cache_text, DM_EMBEDDING_KEY_VERSION ":clip.npy"));
  after = load_dataset_ok (fixture->source);
  g_assert_cmpstr (dm_dataset_get_hash_key_origin (after), ==, DM_EMBEDDING_KEY_VERSION ":clip.npy");
  for (guint i = 0; i < N_ITEMS; i++)
    changed += !g_bytes_equal (dm_item_get_hash_key (dm_dataset_get_item (before, i)),
                               dm_item_get_hash_key (dm_dataset_get_item (after, i)));
  g_assert_cmpuint (changed, >, N_ITEMS * 9 / 10);

  /* The labels' directions are far apart: k-means on the imported keys
   * finds them, so cluster_random's clusters are the labels. */
  output = prune_ok (fixture, fixture->source, "from-embeddings", "cluster_random", NULL, parser, &report);
  {
    JsonArray *of_item = json_object_get_array_member (report, "cluster_of_item");
    gint64 cluster_of_label[N_LABELS];

    for (guint l = 0; l < N_LABELS; l++)
      cluster_of_label[l] = -1;
    for (guint i = 0; i < N_ITEMS; i++)
      {
        int label = dm_item_get_label (dm_dataset_get_item (after, i));
        gint64 cluster = json_array_get_int_element (of_item, i);

        if (cluster_of_label[label] < 0)
          cluster_of_label[label] = cluster;
        g_assert_cmpint (cluster, ==, cluster_of_label[label]);
      }
  }
  g_assert_cmpuint (dm_dataset_get_n_items (output), ==, N_ITEMS / 10);
}

/* A bad .npy or ids file: exit 1, one line naming the file, the cache as
 * it was. */
static void
check_refused (Fixture *fixture, const char *npy, const char *ids, const char *mentions)
{
  g_autoptr(GHashTable) before = snapshot_tree (fixture->source);
  g_autoptr(DmRun) run = dm_run (NULL, "hash", fixture->source, "--embeddings", npy, "--ids", ids, "-q", NULL);

  g_assert_cmpint (run->status, ==, 1);
  g_assert_nonnull (strstr (run->err, mentions));
  g_assert_cmpstr (strchr (run->err, '\n'), ==, run->err + strlen (run->err) - 1);
  assert_tree_matches (before, fixture->source);
}

static void
test_hash_embeddings_refused (Fixture *fixture, gconstpointer data)
{
  g_autofree char *npy = NULL, *ids = NULL;
  g_autofree char *bad_ids = path_in (fixture, "bad-ids.txt");
  g_autofree char *contents = NULL;
  g_autofree char *wrong_shape = NULL;
  g_auto(GStrv) lines = NULL;
  float zeros[8] = { 0 };

  write_embeddings (fixture, 8, "e.npy", &npy, &ids);
  g_assert_true (g_file_get_contents (ids, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);

  /* Count mismatch: one id fewer. */
  {
    g_autofree char *shorter = g_strjoinv ("\n", lines + 1);
    write_file (bad_ids, shorter, -1);
    check_refused (fixture, npy, bad_ids, bad_ids);
    check_refused (fixture, npy, bad_ids, "lists 599 ids, but");
  }
  /* An unknown id. */
  {
    g_autofree char *joined = NULL;

    g_free (lines[0]);
    lines[0] = g_strdup ("train/no_such_item");
    joined = g_strjoinv ("\n", lines);
    write_file (bad_ids, joined, -1);
    check_refused (fixture, npy, bad_ids, "line 1: the dataset has no item “train/no_such_item”");
    g_free (lines[0]);
    lines[0] = g_strdup (lines[1]);
    g_clear_pointer (&joined, g_free);
    joined = g_strjoinv ("\n", lines);
    write_file (bad_ids, joined, -1);
    check_refused (fixture, npy, bad_ids, "line 2: ");
    check_refused (fixture, npy, bad_ids, "is listed already, on line 1");
  }
  /* A wrong shape. */
  wrong_shape = write_npy (fixture->tmp, "flat.npy", 1,
                           "{'descr': '<f4', 'fortran_order': False, 'shape': (8,), }", zeros, sizeof zeros);
  check_refused (fixture, wrong_shape, ids, wrong_shape);
  check_refused (fixture, wrong_shape, ids, "not 2 (N × D)");
}

static void
test_hash_embeddings_needs_ids (Fixture *fixture, gconstpointer data)
{
  g_autofree char *npy = NULL, *ids = NULL;
  g_autoptr(DmRun) run = NULL;

  write_embeddings (fixture, 8, "e.npy", &npy, &ids);
  run = dm_run (NULL, "hash", fixture->source, "--embeddings", npy, "-q", NULL);
  /* --embeddings without --ids is a usage error. */
  g_assert_cmpint (run->status, ==, 2);
  g_assert_nonnull (strstr (run->err, "ids"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, &keys, keys_fixture_set_up, func, source_fixture_tear_down)
  ADD ("/beyond/prototype-and-dedup", test_prototype_and_dedup);
  ADD ("/beyond/prototype-keep", test_prototype_keep);
  ADD ("/beyond/herding", test_herding);
  ADD ("/beyond/herding-filter", test_herding_filter);
  ADD ("/beyond/stratify", test_stratify);
  ADD ("/beyond/stratify-random-refused", test_stratify_random_refused);
  ADD ("/beyond/hash-embeddings", test_hash_embeddings);
  ADD ("/beyond/hash-embeddings-refused", test_hash_embeddings_refused);
  ADD ("/beyond/hash-embeddings-needs-ids", test_hash_embeddings_needs_ids);
#undef ADD

  return g_test_run ();
}
