/* Every prune method end to end through dm: on a keys-only dataset (the
 * keys in Datumaro's cache, as Datumaro leaves them), kept counts per
 * cluster against the report; and on images, the key cache sparing a
 * second run every decoding. */
#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include <dm.h>

#include "dm-image-key.h"
#include "test-helpers.h"
#include "test-media-helpers.h"

#define N_ITEMS 600
#define N_LABELS 6

typedef KeysFixture Fixture;

static const KeysDataset keys = { N_ITEMS, N_LABELS, 11 };

static void
check_method (Fixture    *fixture,
              const char *method,
              const char *ratio_text,
              guint       expected_clusters)
{
  g_autofree char *dest = g_build_filename (fixture->tmp, method, NULL);
  g_autofree char *report_path = g_strconcat (dest, ".json", NULL);
  g_autoptr(DmRun) run = dm_run (NULL, "prune", fixture->source, "-m", method, "-r", ratio_text,
                                 "--seed", "3", "-o", dest, "--report", report_path, "-q", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(DmDataset) output = NULL;
  g_autofree guint *kept_per_cluster = NULL;
  JsonObject *report;
  JsonArray *clusters, *kept_items;
  guint expected_kept = (guint) ceil (N_ITEMS * g_ascii_strtod (ratio_text, NULL));
  guint quota_sum = 0, size_sum = 0;

  if (run->status != 0)
    g_error ("dm prune -m %s failed: %s", method, run->err);

  output = load_dataset_ok (dest);
  g_assert_cmpuint (dm_dataset_get_n_items (output), ==, expected_kept);

  report = load_json_object (parser, report_path);
  g_assert_cmpstr (json_object_get_string_member (report, "method"), ==, method);
  g_assert_cmpint (json_object_get_int_member (report, "seed"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (report, "kept"), ==, expected_kept);
  g_assert_cmpint (json_object_get_int_member (report, "images_decoded"), ==, 0);
  g_assert_cmpfloat (json_object_get_double_member (report, "inertia"), >, 0.0);
  g_assert_cmpint (json_object_get_int_member (report, "iterations"), >=, 1);
  g_assert_true (json_object_has_member (json_object_get_object_member (report, "seconds"), "lloyd"));

  /* Each cluster keeps its quota, the quotas add up to the kept count,
   * and no cluster gives more than it holds. */
  clusters = json_object_get_array_member (report, "clusters");
  g_assert_cmpuint (json_array_get_length (clusters), ==, expected_clusters);
  kept_per_cluster = g_new0 (guint, expected_clusters);
  kept_items = json_object_get_array_member (report, "kept_items");
  g_assert_cmpuint (json_array_get_length (kept_items), ==, expected_kept);
  for (guint i = 0; i < json_array_get_length (kept_items); i++)
    {
      JsonObject *item = json_array_get_object_element (kept_items, i);
      gint64 cluster = json_object_get_int_member (item, "cluster");

      g_assert_cmpint (cluster, >=, 0);
      g_assert_cmpint (cluster, <, expected_clusters);
      kept_per_cluster[cluster]++;
      g_assert_nonnull (dm_dataset_find_item (output, json_object_get_string_member (item, "subset"),
                                              json_object_get_string_member (item, "id")));
      g_assert_cmpfloat (json_object_get_double_member (item, "distance"), >=, 0.0);
    }
  for (guint c = 0; c < expected_clusters; c++)
    {
      JsonObject *cluster = json_array_get_object_element (clusters, c);
      gint64 size = json_object_get_int_member (cluster, "size");
      gint64 quota = json_object_get_int_member (cluster, "quota");

      g_assert_cmpint (kept_per_cluster[c], ==, quota);
      g_assert_cmpint (quota, <=, size);
      quota_sum += quota;
      size_sum += size;
    }
  g_assert_cmpuint (quota_sum, ==, expected_kept);
  g_assert_cmpuint (size_sum, ==, N_ITEMS);

  /* The kept items' keys travel into the output's cache. */
  for (guint i = 0; i < dm_dataset_get_n_items (output); i++)
    g_assert_nonnull (dm_item_get_hash_key (dm_dataset_get_item (output, i)));
}

static void
test_cluster_random (Fixture *fixture, gconstpointer data)
{
  check_method (fixture, "cluster_random", "0.3", N_LABELS);
}

static void
test_centroid (Fixture *fixture, gconstpointer data)
{
  /* One cluster per kept item. */
  check_method (fixture, "centroid", "0.05", 30);
}

static void
test_query_clust (Fixture *fixture, gconstpointer data)
{
  check_method (fixture, "query_clust", "0.25", N_LABELS);
}

static void
test_entropy (Fixture *fixture, gconstpointer data)
{
  check_method (fixture, "entropy", "0.5", N_LABELS);
}

static void
test_clusters_parameter (Fixture *fixture, gconstpointer data)
{
  g_autofree char *dest = path_in (fixture, "k4");
  g_autofree char *report_path = path_in (fixture, "k4.json");
  g_autoptr(DmRun) run = dm_run (NULL, "prune", fixture->source, "-m", "cluster_random",
                                 "--clusters", "4", "-o", dest, "--report", report_path, "-q", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_cmpint (run->status, ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (load_json_object (parser, report_path),
                                                                         "clusters")), ==, 4);
}

static void
test_same_seed_same_choice (Fixture *fixture, gconstpointer data)
{
  const char *seeds[] = { "5", "5", "6" };
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func (g_free);

  for (guint s = 0; s < G_N_ELEMENTS (seeds); s++)
    {
      g_autofree char *dest = g_strdup_printf ("%s/seed-%u", fixture->tmp, s);
      g_autoptr(DmRun) run = dm_run (NULL, "prune", fixture->source, "-m", "entropy", "--seed", seeds[s],
                                     "-o", dest, "-q", NULL);
      g_autoptr(DmDataset) output = NULL;
      g_autoptr(GString) ids = g_string_new (NULL);

      g_assert_cmpint (run->status, ==, 0);
      output = dm_dataset_load (dest, NULL, NULL, NULL);
      for (guint i = 0; i < dm_dataset_get_n_items (output); i++)
        g_string_append_printf (ids, "%s ", dm_item_get_id (dm_dataset_get_item (output, i)));
      g_ptr_array_add (kept, g_string_free (g_steal_pointer (&ids), FALSE));
    }

  g_assert_cmpstr (g_ptr_array_index (kept, 0), ==, g_ptr_array_index (kept, 1));
  g_assert_cmpstr (g_ptr_array_index (kept, 0), !=, g_ptr_array_index (kept, 2));
}

/* dm hash stores every key; a later prune then decodes no image, which
 * the test makes sure of by making every image undecodable. */
static void
test_hashed_dataset_decodes_nothing (Fixture *fixture, gconstpointer data)
{
  g_autofree char *sample = path_in (fixture, "sample");
  g_autofree char *report_path = path_in (fixture, "pruned.json");
  g_autofree char *cache_file = g_build_filename (sample, "hash_key_meta", "hash_keys.json", NULL);
  g_autoptr(DmRun) prune = NULL;
  g_autoptr(DmRun) unhashed = NULL;
  g_autoptr(DmDataset) dataset = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  make_hashed_sample (sample, 20);

  dataset = load_dataset_ok (sample);
  g_assert_cmpstr (dm_dataset_get_hash_key_origin (dataset), ==, DM_IMAGE_KEY_VERSION);
  for (guint i = 0; i < dm_dataset_get_n_items (dataset); i++)
    {
      DmItem *item = dm_dataset_get_item (dataset, i);

      g_assert_nonnull (dm_item_get_hash_key (item));
      g_assert_true (g_file_set_contents (dm_item_get_image_path (item), "no longer an image", -1, NULL));
    }

  prune = dm_run (NULL, "prune", sample, "-m", "cluster_random", "-o", fixture->dest, "--report", report_path,
                  "-q", NULL);
  g_assert_cmpint (prune->status, ==, 0);
  g_assert_cmpint (json_object_get_int_member (load_json_object (parser, report_path), "images_decoded"), ==, 0);

  /* Without the cache, the same images stop the run. */
  g_assert_cmpint (g_unlink (cache_file), ==, 0);
  remove_tree (fixture->dest);
  unhashed = dm_run (NULL, "prune", sample, "-m", "cluster_random", "-o", fixture->dest, "-q", NULL);
  g_assert_cmpint (unhashed->status, !=, 0);
}

/* Replaces the hasher named in @cache_file by @origin. */
static void
relabel_cache (const char *cache_file,
               const char *origin)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) parts = NULL;
  g_autofree char *joined = NULL;

  g_assert_true (g_file_get_contents (cache_file, &text, NULL, NULL));
  parts = g_strsplit (text, DM_IMAGE_KEY_VERSION, -1);
  g_assert_cmpuint (g_strv_length (parts), ==, 2);
  joined = g_strjoinv (origin, parts);
  write_file (cache_file, joined, -1);
}

/* Keys an older version of our key left in a cache are never used: dm
 * prune and dm hash recompute every one from the images, and an item
 * with such a key but no readable image stops the run, saying why. */
static void
test_older_key_version_is_recomputed (Fixture *fixture, gconstpointer data)
{
  g_autofree char *sample = path_in (fixture, "sample");
  g_autofree char *report_path = path_in (fixture, "pruned.json");
  g_autofree char *cache_file = g_build_filename (sample, "hash_key_meta", "hash_keys.json", NULL);
  g_autofree char *cache_text = NULL;
  g_autoptr(DmRun) prune = NULL;
  g_autoptr(DmRun) rehash = NULL;
  g_autoptr(DmRun) refused = NULL;
  g_autoptr(DmDataset) dataset = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  make_hashed_sample (sample, 12);
  relabel_cache (cache_file, "dm-image-key-1");

  prune = dm_run (NULL, "prune", sample, "-m", "centroid", "-o", fixture->dest, "--report", report_path, "-q", NULL);
  g_assert_cmpint (prune->status, ==, 0);
  g_assert_cmpint (json_object_get_int_member (load_json_object (parser, report_path), "images_decoded"), ==, 12);
  dataset = dm_dataset_load (fixture->dest, NULL, NULL, NULL);
  g_assert_cmpstr (dm_dataset_get_hash_key_origin (dataset), ==, DM_IMAGE_KEY_VERSION);

  rehash = dm_run (NULL, "hash", sample, "-q", NULL);
  g_assert_cmpint (rehash->status, ==, 0);
  g_assert_true (g_file_get_contents (cache_file, &cache_text, NULL, NULL));
  g_assert_nonnull (strstr (cache_text, DM_IMAGE_KEY_VERSION));
  g_assert_null (strstr (cache_text, "dm-image-key-1"));

  /* Old keys and an unreadable image: refused, saying why it was read. */
  relabel_cache (cache_file, "dm-image-key-1");
  {
    g_autoptr(DmDataset) source = dm_dataset_load (sample, NULL, NULL, NULL);
    g_assert_cmpint (g_unlink (dm_item_get_image_path (dm_dataset_get_item (source, 3))), ==, 0);
  }
  remove_tree (fixture->dest);
  refused = dm_run (NULL, "prune", sample, "-m", "centroid", "-o", fixture->dest, "-q", NULL);
  g_assert_cmpint (refused->status, ==, 1);
  g_assert_nonnull (strstr (refused->err, "dm-image-key-1"));
  g_assert_false (g_file_test (fixture->dest, G_FILE_TEST_EXISTS));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/methods/" path, Fixture, &keys, keys_fixture_set_up, func, source_fixture_tear_down)

  ADD ("cluster-random", test_cluster_random);
  ADD ("centroid", test_centroid);
  ADD ("query-clust", test_query_clust);
  ADD ("entropy", test_entropy);
  ADD ("clusters-parameter", test_clusters_parameter);
  ADD ("same-seed-same-choice", test_same_seed_same_choice);
  ADD ("hashed-dataset-decodes-nothing", test_hashed_dataset_decodes_nothing);
  ADD ("older-key-version-is-recomputed", test_older_key_version_is_recomputed);

#undef ADD

  return g_test_run ();
}
