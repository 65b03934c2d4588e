/* Datumaro format: lossless round trips with every annotation type, the
 * hash-key cache, and an error naming the file and what is wrong for each
 * kind of malformed input.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include <dm.h>

#include "test-helpers.h"

#define KEY_SIZE 64
#define KEYS_FILE "hash_key_meta/hash_keys.json"

/* ---- helpers ---- */

/* A small binary PPM whose pixels depend on @seed. */
static void
write_ppm (const char *path,
           int         width,
           int         height,
           guint       seed)
{
  g_autoptr(GString) ppm = g_string_new (NULL);

  g_string_append_printf (ppm, "P6\n%d %d\n255\n", width, height);
  for (int i = 0; i < width * height * 3; i++)
    g_string_append_c (ppm, (char) ((i * 7 + seed * 31) & 0xff));
  write_file (path, ppm->str, ppm->len);
}

static void
assert_same_json_file (const char *a,
                       const char *b)
{
  g_autoptr(JsonNode) na = read_json (a);
  g_autoptr(JsonNode) nb = read_json (b);

  if (!json_node_equal (na, nb))
    {
      g_autofree char *ta = json_to_string (na, TRUE);
      g_autofree char *tb = json_to_string (nb, TRUE);

      g_error ("%s and %s differ:\n%s\n---\n%s", a, b, ta, tb);
    }
}

/* ---- a dataset with every annotation type ---- */

static const char categories_json[] =
  "{\"label\": {\"labels\": ["
  "  {\"name\": \"cat\", \"parent\": \"\", \"attributes\": [\"fluffy\"]},"
  "  {\"name\": \"dog\", \"parent\": \"\", \"attributes\": []},"
  "  {\"name\": \"bird\", \"parent\": \"animal\", \"attributes\": []}],"
  "  \"label_groups\": [{\"name\": \"pets\", \"group_type\": \"exclusive\", \"labels\": [\"cat\", \"dog\"]}],"
  "  \"attributes\": [\"occluded\"]},"
  " \"mask\": {\"colormap\": [{\"label_id\": 0, \"r\": 10, \"g\": 20, \"b\": 30}]},"
  " \"points\": {\"items\": [{\"label_id\": 2, \"labels\": [\"beak\", \"tail\"], \"joints\": [[0, 1]]}]}}";

/* Every annotation type Datumaro writes, on one item. */
static const char all_annotations_item[] =
  "{\"id\": \"all/types\", \"attr\": {\"frame\": 3, \"note\": \"ünïcode \\\"quoted\\\"\\n\\u00e9\"},"
  " \"annotations\": ["
  "  {\"id\": 0, \"type\": \"label\", \"attributes\": {\"fluffy\": true}, \"group\": 0, \"label_id\": 0},"
  "  {\"id\": 1, \"type\": \"bbox\", \"attributes\": {\"occluded\": false}, \"group\": 1,"
  "   \"label_id\": 1, \"z_order\": 0, \"bbox\": [1.5, 2.25, 3e0, 4.125]},"
  "  {\"id\": 2, \"type\": \"polygon\", \"attributes\": {}, \"group\": 1, \"label_id\": 2,"
  "   \"points\": [0.0, 0.0, 4.0, 0.0, 4.0, 3.0], \"z_order\": 1},"
  "  {\"id\": 3, \"type\": \"mask\", \"attributes\": {}, \"group\": 0, \"label_id\": 0,"
  "   \"rle\": {\"counts\": \"61X13mN000`0\", \"size\": [5, 4]}, \"z_order\": 0},"
  "  {\"id\": 4, \"type\": \"caption\", \"attributes\": {}, \"group\": 0, \"caption\": \"a cat, \\u263a\"},"
  "  {\"id\": 5, \"type\": \"points\", \"attributes\": {}, \"group\": 0, \"label_id\": 2,"
  "   \"points\": [1, 1, 2, 2], \"visibility\": [2, 1], \"z_order\": 0},"
  "  {\"id\": 6, \"type\": \"polyline\", \"attributes\": {}, \"group\": 0, \"label_id\": null,"
  "   \"points\": [0, 0, 1, 1], \"z_order\": 0},"
  "  {\"id\": 7, \"type\": \"ellipse\", \"attributes\": {}, \"group\": 0, \"label_id\": 1,"
  "   \"points\": [0, 0, 2, 1], \"z_order\": 0},"
  "  {\"id\": 8, \"type\": \"cuboid_3d\", \"attributes\": {}, \"group\": 0, \"label_id\": 1,"
  "   \"position\": [1, 2, 3], \"rotation\": [0, 0, 0.5], \"scale\": [1, 1, 1]},"
  "  {\"id\": 9, \"type\": \"label\", \"attributes\": {}, \"group\": 0, \"label_id\": 2}],"
  " \"image\": {\"path\": \"nested/dir/all.ppm\", \"size\": [3, 4]}}";

static char *
subset_json (const char *items)
{
  return g_strdup_printf ("{\"dm_format_version\": \"1.0\", \"media_type\": 2,\n"
                          " \"infos\": {\"source\": \"test\", \"n\": [1, 2.5, null, true]},\n"
                          " \"categories\": %s,\n"
                          " \"items\": [%s]}\n",
                          categories_json, items);
}

/* DIR with subsets train (3 items, every annotation type, one without an
 * image, one with "media"), val (1 item) and test (none), real images,
 * and keys for two items. */
static void
write_annotated_dataset (const char *dir)
{
  g_autofree char *train = subset_json (
    "\n  {\"id\": \"t1\", \"annotations\": [{\"id\": 0, \"type\": \"label\", \"attributes\": {},"
    " \"group\": 0, \"label_id\": 1}], \"image\": {\"path\": \"t1.ppm\", \"size\": [2, 3]}},\n  "
    "{\"id\": \"no-image\", \"annotations\": []},\n  "
    "{\"id\": \"m1\", \"annotations\": [], \"media\": {\"path\": \"m1.ppm\"}}\n  ");
  g_autofree char *val = subset_json (all_annotations_item);
  g_autofree char *test = subset_json ("");
  g_autofree char *path = NULL;
  g_autoptr(GString) keys = g_string_new ("{\"dm_hasher\": \"test-hasher 1\", \"hashkey\": {");

  write_subset_annotations (dir, "train", train);
  write_subset_annotations (dir, "val", val);
  write_subset_annotations (dir, "test", test);

  path = g_build_filename (dir, "images", "train", "t1.ppm", NULL);
  write_ppm (path, 3, 2, 1);
  g_free (path);
  path = g_build_filename (dir, "images", "train", "m1.ppm", NULL);
  write_ppm (path, 2, 2, 2);
  g_free (path);
  path = g_build_filename (dir, "images", "val", "nested", "dir", "all.ppm", NULL);
  write_ppm (path, 4, 3, 3);
  g_free (path);

  for (guint k = 0; k < 2; k++)
    {
      g_string_append_printf (keys, "%s\"%s\": [", k > 0 ? ", " : "", k == 0 ? "train/t1" : "val/all/types");
      for (guint b = 0; b < KEY_SIZE; b++)
        g_string_append_printf (keys, "%s%u", b > 0 ? ", " : "", (b * 37 + k * 101) % 256);
      g_string_append (keys, "]");
    }
  g_string_append (keys, "}}");
  path = g_build_filename (dir, "hash_key_meta", "hash_keys.json", NULL);
  write_file (path, keys->str, keys->len);
}

static DmDataset *
load_ok (const char *dir)
{
  g_autoptr(GError) error = NULL;
  DmDataset *dataset = dm_datumaro_load (dir, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (dataset);
  return dataset;
}

/* Asserts that @error is one line naming @file and saying each of the
 * @n_parts @parts (up to the first NULL). */
static void
assert_one_line_error (const GError      *error,
                       const char        *file,
                       const char *const *parts,
                       gsize              n_parts)
{
  g_test_message ("%s", error->message);
  assert_error_mentions (error, file);
  for (gsize p = 0; p < n_parts && parts[p] != NULL; p++)
    assert_error_mentions (error, parts[p]);
  g_assert_null (strchr (error->message, '\n'));
}

/* Writes @dataset into the new directory @dir, asserting it succeeds. */
static void
write_ok (DmDataset  *dataset,
          const char *dir)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
  dm_datumaro_write (dataset, dir, NULL, &error);
  g_assert_no_error (error);
}

/* Loads @dir, asserting that it fails with @code; returns the error. */
static GError *
load_fails (const char *dir,
            int         code)
{
  GError *error = NULL;
  g_autoptr(DmDataset) dataset = dm_datumaro_load (dir, NULL, &error);

  g_assert_null (dataset);
  g_assert_error (error, DM_ERROR, code);
  return error;
}

static void
assert_same_dataset_files (const char *a,
                           const char *b)
{
  const char *files[] = {
    "annotations/train.json", "annotations/val.json", "annotations/test.json",
    "hash_key_meta/hash_keys.json",
  };
  const char *images[] = {
    "images/train/t1.ppm", "images/train/m1.ppm", "images/val/nested/dir/all.ppm",
  };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *fa = g_build_filename (a, files[i], NULL);
      g_autofree char *fb = g_build_filename (b, files[i], NULL);

      assert_same_json_file (fa, fb);
    }
  for (guint i = 0; i < G_N_ELEMENTS (images); i++)
    {
      g_autofree char *fa = g_build_filename (a, images[i], NULL);
      g_autofree char *fb = g_build_filename (b, images[i], NULL);

      assert_same_bytes (fa, fb);
    }
}

/* A set-up: write_annotated_dataset() at "source" in a fresh directory. */
static void
annotated_set_up (SourceFixture *f,
                  gconstpointer  data)
{
  source_fixture_init (f, "source");
  write_annotated_dataset (f->source);
}

/* ---- tests ---- */

static void
test_load_model (SourceFixture *f, gconstpointer data)
{
  g_autoptr(DmDataset) dataset = NULL;
  g_autofree char *expected_image = NULL;
  const char * const *subsets;
  DmItem *item;
  const int *labels;
  guint n_labels;
  int width, height;
  GBytes *key;

  dataset = load_ok (f->source);

  g_assert_cmpstr (dm_dataset_get_format (dataset), ==, "datumaro");
  g_assert_cmpstr (dm_dataset_get_source_path (dataset), ==, f->source);
  g_assert_cmpstr (dm_dataset_get_hash_key_origin (dataset), ==, "test-hasher 1");
  /* Sorted file names. */
  subsets = dm_dataset_get_subsets (dataset);
  g_assert_cmpstr (subsets[0], ==, "test");
  g_assert_cmpstr (subsets[1], ==, "train");
  g_assert_cmpstr (subsets[2], ==, "val");
  g_assert_null (subsets[3]);
  g_assert_cmpuint (dm_dataset_get_n_items (dataset), ==, 4);
  g_assert_cmpuint (dm_dataset_get_n_labels (dataset), ==, 3);
  g_assert_cmpstr (dm_dataset_get_label_name (dataset, 2), ==, "bird");
  g_assert_true (json_object_has_member (dm_dataset_get_subset_header (dataset, "test"), "categories"));
  g_assert_false (json_object_has_member (dm_dataset_get_subset_header (dataset, "test"), "items"));

  item = dm_dataset_get_item (dataset, 0);
  g_assert_cmpstr (dm_item_get_id (item), ==, "t1");
  g_assert_cmpstr (dm_item_get_subset (item), ==, "train");
  expected_image = g_build_filename (f->source, "images", "train", "t1.ppm", NULL);
  g_assert_cmpstr (dm_item_get_image_path (item), ==, expected_image);
  g_assert_cmpstr (dm_item_get_image_relpath (item), ==, "t1.ppm");
  dm_item_get_image_size (item, &width, &height);
  g_assert_cmpint (width, ==, 3);
  g_assert_cmpint (height, ==, 2);
  g_assert_cmpint (dm_item_get_label (item), ==, 1);
  key = dm_item_get_hash_key (item);
  g_assert_nonnull (key);
  g_assert_cmpuint (g_bytes_get_size (key), ==, KEY_SIZE);
  g_assert_cmpuint (((const guint8 *) g_bytes_get_data (key, NULL))[1], ==, 37);

  item = dm_dataset_find_item (dataset, "train", "no-image");
  g_assert_nonnull (item);
  g_assert_null (dm_item_get_image_path (item));
  g_assert_cmpint (dm_item_get_label (item), ==, -1);
  g_assert_null (dm_item_get_hash_key (item));

  item = dm_dataset_find_item (dataset, "train", "m1");
  g_assert_cmpstr (dm_item_get_image_relpath (item), ==, "m1.ppm");

  /* Only the label annotations give labels, in order. */
  item = dm_dataset_find_item (dataset, "val", "all/types");
  labels = dm_item_get_labels (item, &n_labels);
  g_assert_cmpuint (n_labels, ==, 2);
  g_assert_cmpint (labels[0], ==, 0);
  g_assert_cmpint (labels[1], ==, 2);
  g_assert_nonnull (dm_item_get_hash_key (item));

  /* The item's JSON is the file's object, compact. */
  {
    g_autoptr(JsonNode) ours = json_from_string (dm_item_get_json (item), NULL);
    g_autoptr(JsonNode) theirs = json_from_string (all_annotations_item, NULL);

    g_assert_nonnull (ours);
    g_assert_true (json_node_equal (ours, theirs));
    g_assert_null (strchr (dm_item_get_json (item), '\n'));
  }
}

static void
test_round_trip (SourceFixture *f, gconstpointer data)
{
  g_autofree char *first = path_in (f, "first");
  g_autofree char *second = path_in (f, "second");
  g_autoptr(DmDataset) dataset = NULL;
  g_autoptr(DmDataset) again = NULL;

  dataset = load_ok (f->source);

  write_ok (dataset, first);
  assert_same_dataset_files (f->source, first);

  /* And once more from what was written. */
  again = load_ok (first);
  g_assert_cmpuint (dm_dataset_get_n_items (again), ==, dm_dataset_get_n_items (dataset));
  g_assert_cmpstr (dm_dataset_get_hash_key_origin (again), ==, "test-hasher 1");
  write_ok (again, second);
  assert_same_dataset_files (f->source, second);
}

/* The header is written back as json-glib writes it and the items as they
 * were read: a load and a write change no byte of a compact file, be its
 * numbers fractions, exponents or -0.0 and its strings escaped or not. */
static void
test_write_header_text (void)
{
  static const char header[] =
    "{\"dm_format_version\":\"1.0\",\"media_type\":2,"
    "\"infos\":{\"tenth\":0.1,\"one\":1.0,\"big\":1e300,\"small\":-2.5e-07,\"zero\":-0.0,"
    "\"n\":-12,\"yes\":true,\"no\":false,\"none\":null,"
    "\"text\":\"tab\\t nl\\n quote\\\" back\\\\ slash/ \\u0001 caf\u00e9 \\u2028\","
    "\"deep\":[[],{},[{\"a\":[1,2.5,\"x\"]}]]},"
    "\"categories\":{\"label\":{\"labels\":[{\"name\":\"cat\",\"parent\":\"\",\"attributes\":[]}],"
    "\"attributes\":[]}}}";
  static const char item[] = "{\"id\":\"a\",\"annotations\":[{\"id\":0,\"type\":\"label\",\"attributes\":{},"
                             "\"group\":0,\"label_id\":0}],\"attr\":{\"f\":0.30000000000000004}}";
  g_autofree char *tmp = make_temp_dir ();
  g_autofree char *source = g_build_filename (tmp, "source", NULL);
  g_autofree char *out = g_build_filename (tmp, "out", NULL);
  g_autofree char *written = g_build_filename (out, "annotations", "default.json", NULL);
  g_autofree char *text = NULL;
  g_autofree char *header_text = NULL;
  g_autofree char *input = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(JsonNode) header_node = NULL;
  g_autoptr(DmDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;

  /* json-glib's own text of the header, the items appended. */
  header_node = json_from_string (header, &error);
  g_assert_no_error (error);
  header_text = json_to_string (header_node, FALSE);
  input = g_strdup_printf ("%.*s,\"items\":[%s]}", (int) strlen (header_text) - 1, header_text, item);

  write_subset_annotations (source, "default", input);
  dataset = load_ok (source);
  write_ok (dataset, out);

  g_file_get_contents (written, &text, NULL, &error);
  g_assert_no_error (error);
  expected = g_strdup (input);
  g_assert_cmpstr (text, ==, expected);

  remove_tree (tmp);
}

/* A subset left without items keeps its file, with an empty list. */
static void
test_write_subset_without_items (SourceFixture *f, gconstpointer data)
{
  g_autofree char *out = path_in (f, "out");
  g_autofree char *val = NULL;
  g_autoptr(DmDataset) dataset = NULL;
  g_autoptr(DmDataset) kept = NULL;
  g_autoptr(DmDataset) again = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *image = NULL;

  dataset = load_ok (f->source);
  kept = dm_dataset_new_like (dataset);
  dm_dataset_append_item (kept, dm_dataset_find_item (dataset, "train", "t1"));

  write_ok (kept, out);

  val = g_build_filename (out, "annotations", "val.json", NULL);
  root = read_json (val);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (root), "items")), ==, 0);
  g_assert_true (json_object_has_member (json_node_get_object (root), "categories"));
  image = g_build_filename (out, "images", "val", NULL);
  g_assert_false (g_file_test (image, G_FILE_TEST_EXISTS));

  again = load_ok (out);
  g_assert_cmpuint (dm_dataset_get_n_items (again), ==, 1);
  g_assert_cmpuint (g_strv_length ((char **) dm_dataset_get_subsets (again)), ==, 3);
}

/* A dataset without a single item loads; it is the prune that refuses it. */
static void
test_load_no_items (void)
{
  g_autofree char *tmp = make_temp_dir ();
  g_autoptr(DmDataset) dataset = NULL;

  write_subset_annotations (tmp, "default", "{\"items\": []}");
  dataset = load_ok (tmp);
  g_assert_cmpuint (dm_dataset_get_n_items (dataset), ==, 0);
  g_assert_cmpstr (dm_dataset_get_subsets (dataset)[0], ==, "default");
  g_assert_null (dm_dataset_get_hash_key_origin (dataset));

  remove_tree (tmp);
}

/* Datumaro before 1.0 kept images in images/<path> and wrote no version. */
static void
test_load_legacy_layout (void)
{
  g_autofree char *tmp = make_temp_dir ();
  g_autofree char *image = g_build_filename (tmp, "images", "a.ppm", NULL);
  g_autoptr(DmDataset) dataset = NULL;

  write_subset_annotations (tmp, "train", "{\"categories\": {}, \"items\": [{\"id\": \"a\", \"image\": {\"path\": \"a.ppm\"}}]}");
  write_ppm (image, 1, 1, 0);
  dataset = load_ok (tmp);
  g_assert_cmpstr (dm_item_get_image_path (dm_dataset_get_item (dataset, 0)), ==, image);

  remove_tree (tmp);
}

/* Datumaro merges the subsets' categories: a subset without labels (no
 * "categories", or an empty list) takes the others', whichever comes
 * first; two subsets with different labels are refused. */
static void
test_load_subsets_without_labels (void)
{
  g_autofree char *tmp = make_temp_dir ();
  g_autofree char *conflict = make_temp_dir ();
  g_autofree char *file = g_build_filename (conflict, "annotations", "b.json", NULL);
  const char *labelled = "{\"categories\": {\"label\": {\"labels\": [{\"name\": \"x\"}, {\"name\": \"y\"}]}}, "
                         "\"items\": [{\"id\": \"b1\", \"annotations\": [{\"type\": \"label\", \"label_id\": 0}]}]}";
  g_autoptr(DmDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;
  const char *parts[] = { "labels[1]", "“z”", "“y”", NULL };

  write_subset_annotations (tmp, "a", "{\"items\": [{\"id\": \"a1\", \"annotations\": [{\"type\": \"label\", \"label_id\": 1}]}]}");
  write_subset_annotations (tmp, "b", labelled);
  write_subset_annotations (tmp, "c", "{\"categories\": {\"label\": {\"labels\": []}}, \"items\": [{\"id\": \"c1\"}]}");
  dataset = load_ok (tmp);
  g_assert_cmpuint (dm_dataset_get_n_items (dataset), ==, 3);
  g_assert_cmpuint (dm_dataset_get_n_labels (dataset), ==, 2);
  g_assert_cmpstr (dm_dataset_get_label_name (dataset, 0), ==, "x");
  g_assert_cmpstr (dm_dataset_get_label_name (dataset, 1), ==, "y");

  write_subset_annotations (conflict, "a", labelled);
  write_subset_annotations (conflict, "b", "{\"categories\": {\"label\": {\"labels\": [{\"name\": \"x\"}, {\"name\": \"z\"}]}}, "
                                           "\"items\": []}");
  error = load_fails (conflict, DM_ERROR_INVALID_DATA);
  assert_one_line_error (error, file, parts, G_N_ELEMENTS (parts));

  remove_tree (tmp);
  remove_tree (conflict);
}

static void
test_format_versions (void)
{
  const char *accepted[] = { "1.0", "1.1", "1.12" };

  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autofree char *tmp = make_temp_dir ();
      g_autofree char *file = g_build_filename (tmp, "annotations", "train.json", NULL);
      g_autofree char *text = g_strdup_printf ("{\"dm_format_version\": \"%s\", \"items\": []}", accepted[i]);
      g_autoptr(DmDataset) dataset = NULL;

      write_file (file, text, -1);
      dataset = load_ok (tmp);
      remove_tree (tmp);
    }
}

/* ---- the hash-key cache ---- */

static void
test_write_hash_keys (SourceFixture *f, gconstpointer data)
{
  g_autofree char *keys = g_build_filename (f->source, "hash_key_meta", "hash_keys.json", NULL);
  g_autoptr(DmDataset) dataset = load_ok (f->source);
  g_autoptr(DmDataset) again = NULL;
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  guint8 bytes[KEY_SIZE];
  JsonObject *hashkey;

  /* Keys of another origin for every item. */
  for (guint i = 0; i < dm_dataset_get_n_items (dataset); i++)
    {
      g_autoptr(GBytes) item_key = NULL;

      memset (bytes, (int) (i * 50 + 5), sizeof bytes);
      item_key = g_bytes_new (bytes, sizeof bytes);
      dm_item_set_hash_key (dm_dataset_get_item (dataset, i), item_key);
    }
  dm_dataset_set_hash_key_origin (dataset, "dm-image-key 2");

  before = snapshot_tree (f->source);
  dm_datumaro_write_hash_keys (dataset, f->source, &error);
  g_assert_no_error (error);
  after = snapshot_tree (f->source);
  /* Only hash_keys.json changed; no temporary file is left. */
  g_assert_cmpstr (g_hash_table_lookup (before, KEYS_FILE), !=, g_hash_table_lookup (after, KEYS_FILE));
  g_assert_true (g_hash_table_remove (before, KEYS_FILE));
  g_assert_true (g_hash_table_remove (after, KEYS_FILE));
  assert_same_tree (before, after);

  root = read_json (keys);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "dm_hasher"), ==, "dm-image-key 2");
  hashkey = json_object_get_object_member (json_node_get_object (root), "hashkey");
  g_assert_cmpuint (json_object_get_size (hashkey), ==, 4);
  g_assert_cmpint (json_array_get_int_element (json_object_get_array_member (hashkey, "train/no-image"), 63), ==, 55);

  again = load_ok (f->source);
  g_assert_cmpstr (dm_dataset_get_hash_key_origin (again), ==, "dm-image-key 2");
  for (guint i = 0; i < dm_dataset_get_n_items (again); i++)
    g_assert_true (g_bytes_equal (dm_item_get_hash_key (dm_dataset_get_item (again, i)),
                                  dm_item_get_hash_key (dm_dataset_get_item (dataset, i))));

  /* Datumaro's own keys are written without "dm_hasher", and one item
   * without a key is left out. */
  dm_dataset_set_hash_key_origin (dataset, "datumaro-clip");
  dm_item_set_hash_key (dm_dataset_get_item (dataset, 0), NULL);
  dm_datumaro_write_hash_keys (dataset, f->source, &error);
  g_assert_no_error (error);
  g_clear_pointer (&root, json_node_unref);
  root = read_json (keys);
  g_assert_false (json_object_has_member (json_node_get_object (root), "dm_hasher"));
  hashkey = json_object_get_object_member (json_node_get_object (root), "hashkey");
  g_assert_cmpuint (json_object_get_size (hashkey), ==, 3);
  g_assert_false (json_object_has_member (hashkey, "train/t1"));

  g_clear_object (&again);
  again = load_ok (f->source);
  g_assert_cmpstr (dm_dataset_get_hash_key_origin (again), ==, "datumaro-clip");
  g_assert_null (dm_item_get_hash_key (dm_dataset_get_item (again, 0)));
}

/* A key for an item that is not in the dataset: a warning naming it. */
/* The key cache in the shapes it comes in, read the same: as Datumaro
 * writes it (spaces, newlines), compact with string members first (as dm
 * writes it), and shapes only the yajl reader takes (an escaped name, a
 * member after "hashkey", each key a 1 × 64 array, as Datumaro writes a
 * key of that shape: its tests make them, and its reader flattens them).
 * Large enough to be read in several pieces. */
#define SHAPES_N_KEYS 6000

static guint8
shapes_key_byte (guint item,
                 guint b)
{
  return (guint8) ((item * 7 + b * 13) % 256);
}

static void
test_hash_key_shapes (void)
{
  g_autofree char *tmp = make_temp_dir ();
  g_autofree char *annotations = g_build_filename (tmp, "annotations", "train.json", NULL);
  g_autofree char *keys = g_build_filename (tmp, "hash_key_meta", "hash_keys.json", NULL);
  g_autoptr(GString) items = g_string_new ("{\"items\": [");
  const struct {
    const char *head, *separator, *after_name, *between, *close, *tail, *first_name, *origin;
  } shapes[] = {
    { "{\"hashkey\": {", ",\n ", ": [", ", ", "]", "}}\n", "train/i0", "datumaro-clip" },
    { "{\"dm_hasher\":\"h 1\",\"note\":\"n\",\"hashkey\":{", ",", ":[", ",", "]", "}}", "train/i0", "h 1" },
    { " {\"hashkey\" :{ ", " , ", " : [ ", " , ", "]", " } , \"after\": \"x\"}", "train/\\u0069\\u0030", "datumaro-clip" },
    { "{\n  \"hashkey\": {\n    ", ",\n    ", ": [\n      [\n        ", ",\n        ", "\n      ]\n    ]",
      "\n  }\n}", "train/i0", "datumaro-clip" },
  };

  for (guint i = 0; i < SHAPES_N_KEYS; i++)
    g_string_append_printf (items, "%s{\"id\": \"i%u\"}", i > 0 ? ", " : "", i);
  g_string_append (items, "]}");
  write_file (annotations, items->str, -1);

  for (guint shape = 0; shape < G_N_ELEMENTS (shapes); shape++)
    {
      g_autoptr(GString) text = g_string_new (shapes[shape].head);
      g_autoptr(DmDataset) dataset = NULL;

      for (guint i = 0; i < SHAPES_N_KEYS; i++)
        {
          if (i > 0)
            g_string_append_printf (text, "%s\"train/i%u\"", shapes[shape].separator, i);
          else
            g_string_append_printf (text, "\"%s\"", shapes[shape].first_name);
          g_string_append (text, shapes[shape].after_name);
          for (guint b = 0; b < KEY_SIZE; b++)
            g_string_append_printf (text, "%s%u", b > 0 ? shapes[shape].between : "", shapes_key_byte (i, b));
          g_string_append (text, shapes[shape].close);
        }
      g_string_append (text, shapes[shape].tail);
      g_assert_cmpuint (text->len, >, 1024 * 1024);
      write_file (keys, text->str, -1);

      dataset = load_ok (tmp);
      g_assert_cmpstr (dm_dataset_get_hash_key_origin (dataset), ==, shapes[shape].origin);
      for (guint i = 0; i < SHAPES_N_KEYS; i++)
        {
          GBytes *key = dm_item_get_hash_key (dm_dataset_get_item (dataset, i));
          const guint8 *bytes;
          gsize size;

          g_assert_nonnull (key);
          bytes = g_bytes_get_data (key, &size);
          g_assert_cmpuint (size, ==, KEY_SIZE);
          for (guint b = 0; b < KEY_SIZE; b++)
            g_assert_cmpuint (bytes[b], ==, shapes_key_byte (i, b));
        }
    }

  remove_tree (tmp);
}

static void
test_hash_key_for_unknown_item (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *tmp = make_temp_dir ();
      g_autofree char *keys = g_build_filename (tmp, "hash_key_meta", "hash_keys.json", NULL);
      g_autoptr(GString) text = g_string_new ("{\"hashkey\": {\"train/ghost\": [");
      g_autoptr(DmDataset) dataset = NULL;

      /* Only errors abort here: the warning is what the parent checks. */
      g_log_set_always_fatal (G_LOG_FATAL_MASK);
      write_subset_annotations (tmp, "train", "{\"items\": [{\"id\": \"real\"}]}");
      for (guint b = 0; b < KEY_SIZE; b++)
        g_string_append_printf (text, "%s%u", b > 0 ? "," : "", b);
      g_string_append (text, "]}}");
      write_file (keys, text->str, text->len);

      dataset = load_ok (tmp);
      g_assert_cmpuint (dm_dataset_get_n_items (dataset), ==, 1);
      g_assert_null (dm_item_get_hash_key (dm_dataset_get_item (dataset, 0)));
      g_assert_cmpstr (dm_dataset_get_hash_key_origin (dataset), ==, "datumaro-clip");
      remove_tree (tmp);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*train/ghost*");
}

/* A "\u0000" in an item is kept where it is: written back as it was read,
 * as Datumaro (orjson) and Python's json read and write it. A surrogate
 * pair is the character it stands for in the item's id; the item's text
 * keeps the file's escapes, as it keeps all of its text. */
static void
test_nul_round_trip (void)
{
  g_autofree char *tmp = make_temp_dir ();
  g_autofree char *copy = g_build_filename (tmp, "copy", NULL);
  g_autofree char *written = g_build_filename (copy, "annotations", "train.json", NULL);
  g_autofree char *text = NULL;
  g_autoptr(DmDataset) dataset = NULL;
  g_autoptr(DmDataset) again = NULL;
  const char *item_json = "{\"id\":\"a\\ud83d\\ude00\",\"attributes\":{\"n\":\"p\\u0000q\",\"k\\u0000\":[\"\\u0000\"]}}";
  g_autofree char *train = g_strdup_printf ("{\"items\": [%s]}", item_json);

  write_subset_annotations (tmp, "train", train);
  dataset = load_ok (tmp);
  g_assert_cmpstr (dm_item_get_id (dm_dataset_get_item (dataset, 0)), ==, "a\U0001F600");
  g_assert_cmpstr (dm_item_get_json (dm_dataset_get_item (dataset, 0)), ==, item_json);
  write_ok (dataset, copy);
  g_assert_true (g_file_get_contents (written, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "\"n\":\"p\\u0000q\",\"k\\u0000\":[\"\\u0000\"]"));
  again = load_ok (copy);
  g_assert_cmpstr (dm_item_get_json (dm_dataset_get_item (again, 0)), ==,
                   dm_item_get_json (dm_dataset_get_item (dataset, 0)));

  remove_tree (tmp);
}

/* Item @i as the file has it, with spaces and line breaks between its
 * tokens (each "~" of the template) when @pretty, else compact; its
 * strings hold spaces, escapes and characters beyond ASCII, which stay as
 * they are. */
static char *
item_source (guint i, gboolean pretty)
{
  static const char template[] =
    "{~\"id\"~:~\"item %u\"~,~\"attributes\"~:~{~\"note\"~:~\"a \\\" b\\\\ \\u00e9 \\/ \\t \u00e9\"~,"
    "~\"list\"~:~[~1~,~-2.5e3~,~true~,~null~,~{~}~]~}~,~\"annotations\"~:~[~]~}";
  g_autofree char *text = g_strdup_printf (template, i);
  GString *out = g_string_new (NULL);

  for (const char *c = text; *c != '\0'; c++)
    if (*c != '~')
      g_string_append_c (out, *c);
    else if (pretty)
      g_string_append (out, (c - text) % 3 == 0 ? "\n   " : (c - text) % 3 == 1 ? " " : "\r\n\t");
  return g_string_free (out, FALSE);
}

/* An item's text is its file's, but for the whitespace between tokens,
 * wherever the parser's reads (64 KiB) cut it, and is written back as it
 * is. */
static void
test_item_text_as_written (void)
{
  g_autofree char *tmp = make_temp_dir ();
  g_autofree char *copy = g_build_filename (tmp, "copy", NULL);
  g_autoptr(GString) train = g_string_new ("{\n  \"items\" : [\n");
  g_autoptr(DmDataset) dataset = NULL;
  g_autoptr(DmDataset) again = NULL;
  const guint n = 2500;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *item = item_source (i, TRUE);

      g_string_append_printf (train, "%s  %s", i > 0 ? " ,\n" : "", item);
    }
  g_string_append (train, "\n  ]\n}\n");
  g_assert_cmpuint (train->len, >, 3 * 64 * 1024);
  write_subset_annotations (tmp, "train", train->str);

  dataset = load_ok (tmp);
  g_assert_cmpuint (dm_dataset_get_n_items (dataset), ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *compact = item_source (i, FALSE);

      g_assert_cmpstr (dm_item_get_json (dm_dataset_get_item (dataset, i)), ==, compact);
    }
  write_ok (dataset, copy);
  again = load_ok (copy);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (dm_item_get_json (dm_dataset_get_item (again, i)), ==,
                     dm_item_get_json (dm_dataset_get_item (dataset, i)));

  remove_tree (tmp);
}

/* An escape cut in two by the parser's read (64 KiB, dm-json-stream.c) is
 * read as one: a pair is its character, a lone half is refused at its
 * line and column. */
static void
test_escape_across_reads (void)
{
  const gsize read_size = 64 * 1024;
  const char *head = "{\"items\": [{\"id\": \"";

  for (gsize shift = 0; shift <= 12; shift++)
    for (guint lone = 0; lone < 2; lone++)
      {
        g_autofree char *tmp = make_temp_dir ();
        g_autofree char *file = g_build_filename (tmp, "annotations", "train.json", NULL);
        g_autoptr(GString) text = g_string_new (NULL);
        gsize escape_at = read_size - shift;
        g_autofree char *where = g_strdup_printf ("train.json:2:%" G_GSIZE_FORMAT ":", escape_at);

        /* The escape starts @shift bytes before the read's end, on line 2
         * (at column escape_at: line 1 is one byte). */
        g_string_append_c (text, '\n');
        g_string_append (text, head);
        g_string_append_printf (text, "%*s", (int) (escape_at - text->len), "");
        g_string_append (text, lone ? "\\ud83d\\u0041\"}]}" : "\\ud83d\\ude00\"}]}");
        write_file (file, text->str, text->len);
        if (lone)
          {
            g_autoptr(GError) error = load_fails (tmp, DM_ERROR_INVALID_DATA);
            const char *parts[] = { where, "“\\ud83d”" };

            assert_one_line_error (error, file, parts, G_N_ELEMENTS (parts));
          }
        else
          {
            g_autoptr(DmDataset) dataset = load_ok (tmp);

            g_assert_true (g_str_has_suffix (dm_item_get_id (dm_dataset_get_item (dataset, 0)), " \U0001F600"));
          }
        remove_tree (tmp);
      }
}

/* ---- malformed input ---- */

typedef struct
{
  const char *name;
  const char *train;       /* annotations/train.json */
  const char *parts[3];    /* in the message, besides the file */
} BadAnnotations;

static const BadAnnotations bad_annotations[] = {
  { "not-json", "this is not JSON", { "not valid JSON", "1:" } },
  { "truncated", "{\"items\": [{\"id\": \"a\"}, {\"id\":", { "not valid JSON", "premature EOF" } },
  { "empty", "", { "empty" } },
  { "trailing-garbage", "{\"items\": []} {}", { "not valid JSON" } },
  { "top-array", "[1, 2]", { "array", "not a JSON object" } },
  { "items-missing", "{\"categories\": {}}", { "“items”", "missing" } },
  { "items-object", "{\"items\": {}}", { "“items”", "not an array" } },
  { "item-not-object", "{\"items\": [{\"id\": \"a\"}, 3]}", { "items[1]", "not an object" } },
  { "id-number", "{\"items\": [{\"id\": 5}]}", { "items[0]", "“id”", "not a string" } },
  { "id-missing", "{\"items\": [{\"annotations\": []}]}", { "items[0]", "no “id”" } },
  { "duplicate-id", "{\"items\": [{\"id\": \"a\"}, {\"id\": \"b\"}, {\"id\": \"a\"}]}",
    { "items[2]", "“a”", "twice" } },
  { "label-id-string",
    "{\"items\": [{\"id\": \"a\", \"annotations\": [{\"type\": \"label\", \"label_id\": \"1\"}]}]}",
    { "items[0] (id “a”)", "label_id", "not an integer" } },
  { "label-id-float",
    "{\"items\": [{\"id\": \"a\", \"annotations\": [{\"type\": \"label\", \"label_id\": 1.5}]}]}",
    { "label_id", "1.5", "not an integer" } },
  { "label-id-negative",
    "{\"items\": [{\"id\": \"a\", \"annotations\": [{\"type\": \"label\", \"label_id\": -1}]}]}",
    { "items[0] (id “a”)", "label_id -1", "negative" } },
  { "label-without-id",
    "{\"items\": [{\"id\": \"a\", \"annotations\": [{\"type\": \"label\"}]}]}",
    { "items[0] (id “a”)", "label", "“label_id”" } },
  { "annotations-object", "{\"items\": [{\"id\": \"a\", \"annotations\": {}}]}",
    { "items[0] (id “a”)", "“annotations”", "not an array" } },
  { "version-unknown", "{\"dm_format_version\": \"99.0\", \"items\": []}",
    { "dm_format_version", "99.0", "not supported" } },
  { "version-2", "{\"dm_format_version\": \"2.0\", \"items\": []}", { "dm_format_version", "2.0" } },
  { "version-number", "{\"dm_format_version\": 1.0, \"items\": []}", { "dm_format_version", "not a string" } },
  { "labels-malformed", "{\"categories\": {\"label\": {\"labels\": [{\"parent\": \"\"}]}}, \"items\": []}",
    { "categories.label.labels[0]", "name" } },
  { "deep-nesting", NULL, { "nested too deeply" } },
  /* Escapes that are no character, refused where they stand (as Datumaro's
   * orjson does), not decoded into "?" or cut short. */
  { "lone-high", "{\"items\": [{\"id\": \"a\\ud800b\"}]}", { "train.json:1:21:", "“\\ud800”", "first half" } },
  { "lone-high-before-escape", "{\"items\": [{\"id\": \"a\\uD800\\n\"}]}",
    { "train.json:1:21:", "“\\ud800”", "first half" } },
  { "lone-high-before-other", "{\"items\": [{\"id\": \"a\\ud800\\u0041\"}]}",
    { "train.json:1:21:", "“\\ud800”", "first half" } },
  { "lone-high-before-pair", "{\"items\": [{\"id\": \"a\",\n \"b\": \"\\udbff\\ud83d\\ude00\"}]}",
    { "train.json:2:8:", "“\\udbff”", "first half" } },
  { "lone-low", "{\"items\": [{\"id\": \"a\", \"n\": [\"\\u00e9\\udc00\"]}]}",
    { "train.json:1:37:", "“\\udc00”", "second half" } },
  { "lone-low-in-name", "{\"items\": [{\"\\udfff\": 1}]}", { "train.json:1:14:", "“\\udfff”", "second half" } },
  { "syntax-error-first", "{\"info\": [1 2], \"items\": [\"\\ud800\"]}", { "not valid JSON", "1:" } },
  { "nul-in-id", "{\"items\": [{\"id\": \"a\\u0000b\"}]}", { "items[0]", "“id”", "“\\u0000” (a NUL character)" } },
  { "nul-in-path", "{\"items\": [{\"id\": \"a\", \"image\": {\"path\": \"a\\u0000.jpg\"}}]}",
    { "items[0] (id “a”)", "“image.path”", "“\\u0000”" } },
  { "nul-in-header", "{\"info\": {\"x\": [\"\\u0000\"]}, \"items\": []}", { "outside “items”", "“\\u0000”" } },
  { "nul-in-header-name", "{\"info\": {\"\\u0000\": 1}, \"items\": []}", { "outside “items”", "“\\u0000”" } },
  { "nul-beside-absolute-path",
    "{\"items\": [{\"id\": \"a\", \"n\": \"\\u0000\", \"image\": {\"path\": \"/abs/a.jpg\"}}]}",
    { "items[0] (id “a”)", "“\\u0000”", "relative paths" } },
  { "nul-beside-point-cloud",
    "{\"items\": [{\"id\": \"a\", \"point_cloud\": {\"path\": \"a.pcd\"}, \"n\": {\"\\u0000\": 1}}]}",
    { "items[0] (id “a”)", "“\\u0000”", "relative paths" } },
};

static void
test_bad_annotations (gconstpointer data)
{
  const BadAnnotations *bad = data;
  g_autofree char *tmp = make_temp_dir ();
  g_autofree char *file = g_build_filename (tmp, "annotations", "train.json", NULL);
  g_autoptr(GError) error = NULL;

  if (bad->train != NULL)
    write_file (file, bad->train, -1);
  else
    {
      g_autoptr(GString) deep = g_string_new ("{\"items\": [{\"id\": \"a\", \"attr\": ");

      for (guint i = 0; i < 1000; i++)
        g_string_append_c (deep, '[');
      for (guint i = 0; i < 1000; i++)
        g_string_append_c (deep, ']');
      g_string_append (deep, "}]}");
      write_file (file, deep->str, deep->len);
    }

  error = load_fails (tmp, DM_ERROR_INVALID_DATA);
  assert_one_line_error (error, file, bad->parts, G_N_ELEMENTS (bad->parts));

  remove_tree (tmp);
}

/* The subsets must agree on the label categories. */
static void
test_labels_differ_between_subsets (void)
{
  g_autofree char *tmp = make_temp_dir ();
  g_autofree char *train = g_build_filename (tmp, "annotations", "train.json", NULL);
  g_autofree char *val = g_build_filename (tmp, "annotations", "val.json", NULL);
  g_autoptr(GError) error = NULL;

  write_file (train, "{\"categories\": {\"label\": {\"labels\": [{\"name\": \"a\"}, {\"name\": \"b\"}]}}, \"items\": []}", -1);
  write_file (val, "{\"categories\": {\"label\": {\"labels\": [{\"name\": \"a\"}, {\"name\": \"c\"}]}}, \"items\": []}", -1);
  error = load_fails (tmp, DM_ERROR_INVALID_DATA);
  assert_error_mentions (error, val);
  assert_error_mentions (error, "labels[1]");
  assert_error_mentions (error, "“c”");

  remove_tree (tmp);
}

static void
test_no_annotation_files (void)
{
  g_autofree char *tmp = make_temp_dir ();
  g_autofree char *annotations = g_build_filename (tmp, "annotations", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir (annotations, 0755), ==, 0);
  error = load_fails (tmp, DM_ERROR_NOT_FOUND);
  assert_error_mentions (error, annotations);

  remove_tree (tmp);
}

typedef struct
{
  const char *name;
  const char *keys;        /* hash_keys.json; @KEY@ stands for 63 valid values */
  const char *parts[3];
} BadKeys;

static const BadKeys bad_keys[] = {
  { "not-json", "{\"hashkey\": {\"train/a\": [", { "not valid JSON" } },
  { "short", "{\"hashkey\": {\"train/a\": [1, 2, 3]}}", { "train/a", "3 values", "64" } },
  { "short-after-valid", "{\"hashkey\": {\"train/a\": [@KEY@, 1], \"train/b\": [1, 2]}}",
    { "train/b", "2 values", "64" } },
  { "long", "{\"hashkey\": {\"train/a\": [@KEY@, 1, 2]}}", { "train/a", "65 values" } },
  { "value-256", "{\"hashkey\": {\"train/a\": [256, @KEY@]}}", { "train/a", "256", "0..255" } },
  { "value-negative", "{\"hashkey\": {\"train/a\": [-1, @KEY@]}}", { "train/a", "-1", "0..255" } },
  { "value-float", "{\"hashkey\": {\"train/a\": [1.5, @KEY@]}}", { "train/a", "1.5", "not an integer" } },
  { "value-string", "{\"hashkey\": {\"train/a\": [\"1\", @KEY@]}}", { "train/a", "string" } },
  { "key-object", "{\"hashkey\": {\"train/a\": {}}}", { "train/a", "not an array" } },
  /* A key may be one row of 64 values, [[…]], no more. */
  { "two-rows", "{\"hashkey\": {\"train/a\": [[@KEY@, 1], [@KEY@, 1]]}}", { "train/a", "follows its row" } },
  { "value-after-row", "{\"hashkey\": {\"train/a\": [[@KEY@, 1], 1]}}", { "train/a", "follows its row" } },
  { "row-in-row", "{\"hashkey\": {\"train/a\": [[[@KEY@, 1]]]}}", { "train/a", "value 0 is an array" } },
  { "row-after-value", "{\"hashkey\": {\"train/a\": [1, [@KEY@]]}}", { "train/a", "value 1 is an array" } },
  { "short-row", "{\"hashkey\": {\"train/a\": [[1, 2]]}}", { "train/a", "2 values", "64" } },
  { "hashkey-array", "{\"hashkey\": []}", { "“hashkey”", "not an object" } },
  { "hasher-number", "{\"dm_hasher\": 3, \"hashkey\": {}}", { "“dm_hasher”", "not a string" } },
  /* Its strings are C text: no NUL, as no lone surrogate. */
  { "nul", "{\"dm_hasher\": \"x\\u0000y\", \"hashkey\": {}}", { "hash_keys.json:1:17:", "“\\u0000”" } },
  { "lone-low", "{\"hashkey\": {\"train/\\udc00\": [@KEY@, 1]}}", { "hash_keys.json:1:21:", "“\\udc00”" } },
};

static void
test_bad_hash_keys (gconstpointer data)
{
  const BadKeys *bad = data;
  g_autofree char *tmp = make_temp_dir ();
  g_autofree char *keys = g_build_filename (tmp, "hash_key_meta", "hash_keys.json", NULL);
  g_autoptr(GString) valid = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = NULL;

  /* 63 values: with one more, a key of the right length. */
  for (guint b = 0; b < KEY_SIZE - 1; b++)
    g_string_append_printf (valid, "%s%u", b > 0 ? "," : "", b);
  write_subset_annotations (tmp, "train", "{\"items\": [{\"id\": \"a\"}]}");
  text = g_string_new (bad->keys);
  g_string_replace (text, "@KEY@", valid->str, 0);
  write_file (keys, text->str, text->len);

  error = load_fails (tmp, DM_ERROR_INVALID_DATA);
  assert_one_line_error (error, keys, bad->parts, G_N_ELEMENTS (bad->parts));

  remove_tree (tmp);
}

/* Both files broken: the annotations' error is the one reported (the key
 * cache is read alongside them). */
static void
test_annotation_error_first (void)
{
  g_autofree char *tmp = make_temp_dir ();
  g_autofree char *file = g_build_filename (tmp, "annotations", "train.json", NULL);
  g_autofree char *keys = g_build_filename (tmp, "hash_key_meta", "hash_keys.json", NULL);
  g_autoptr(GString) text = g_string_new ("{\"hashkey\": {");
  g_autoptr(GError) error = NULL;

  write_file (file, "{\"items\": [{\"id\": 1}]}", -1);
  for (guint k = 0; k < 20000; k++)
    g_string_append_printf (text, "\"train/%u\": [%u, 2, 3],", k, k % 256);
  g_string_append (text, "\"train/a\": []}}");
  write_file (keys, text->str, text->len);

  error = load_fails (tmp, DM_ERROR_INVALID_DATA);
  assert_error_mentions (error, file);
  assert_error_mentions (error, "“id”");

  remove_tree (tmp);
}

static void
test_cancelled (SourceFixture *f, gconstpointer data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(DmDataset) dataset = NULL;

  g_cancellable_cancel (cancellable);
  dataset = dm_datumaro_load (f->source, cancellable, &error);
  g_assert_null (dataset);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* A label id outside the categories loads, as in Datumaro: the item
 * keeps it and writes it back, and a warning names the file and item. */
static void
test_label_id_out_of_range (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *tmp = make_temp_dir ();
      g_autofree char *out = g_build_filename (tmp, "out", NULL);
      g_autofree char *file = g_build_filename (tmp, "annotations", "train.json", NULL);
      g_autoptr(DmDataset) dataset = NULL;
      g_autoptr(DmDataset) again = NULL;

      /* Only errors abort here: the warning is what the parent checks. */
      g_log_set_always_fatal (G_LOG_FATAL_MASK);
      write_file (file,
                  "{\"categories\": {\"label\": {\"labels\": [{\"name\": \"x\"}]}},\n"
                  " \"items\": [{\"id\": \"a\", \"annotations\": [{\"type\": \"label\", \"label_id\": 0}]},\n"
                  "  {\"id\": \"b\", \"annotations\": [{\"type\": \"label\", \"label_id\": 7}]}]}", -1);

      dataset = load_ok (tmp);
      g_assert_cmpuint (dm_dataset_get_n_items (dataset), ==, 2);
      g_assert_cmpuint (dm_dataset_get_n_labels (dataset), ==, 1);
      g_assert_cmpint (dm_item_get_label (dm_dataset_get_item (dataset, 1)), ==, 7);

      write_ok (dataset, out);
      again = load_ok (out);
      g_assert_cmpint (dm_item_get_label (dm_dataset_get_item (again, 1)), ==, 7);
      remove_tree (tmp);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*train.json: items[1] (id ?b?): label_id 7 is outside*");
}

/* A Datumaro project given where a dataset is (with no dataset in it,
 * one, or two), and a file that is no shard's keys: the errors speak to
 * any caller, with no flag of dm's and none of its names for arguments
 * (the export command of Datumaro's own tool, quoted, is the remedy). */
static void
test_messages_name_no_flag (void)
{
  g_autofree char *tmp = make_temp_dir ();
  const char *projects[][3] = { { "none", NULL, NULL }, { "one", "dataset", NULL }, { "two", "a", "b" } };
  g_autofree char *not_shard = g_build_filename (tmp, "keys.json", NULL);
  char *paths[] = { not_shard, NULL };
  g_autoptr(DmDataset) dataset = NULL;
  g_autoptr(GError) shard_error = NULL;

  for (guint p = 0; p < G_N_ELEMENTS (projects); p++)
    {
      g_autofree char *project = g_build_filename (tmp, projects[p][0], NULL);
      g_autofree char *meta = g_build_filename (project, ".datumaro", NULL);
      g_autofree char *detected = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (g_mkdir_with_parents (meta, 0755), ==, 0);
      for (guint d = 1; d < G_N_ELEMENTS (projects[p]) && projects[p][d] != NULL; d++)
        {
          g_autofree char *inner = g_build_filename (project, projects[p][d], NULL);

          write_subset_annotations (inner, "default", "{\"items\": []}");
        }
      detected = dm_dataset_detect_format (project, &error);
      g_assert_null (detected);
      g_assert_error (error, DM_ERROR, DM_ERROR_UNKNOWN_FORMAT);
      assert_error_mentions (error, "Datumaro project");
      assert_error_names_no_flag (error);
    }

  {
    g_autofree char *inner = g_build_filename (tmp, "one", "dataset", NULL);

    dataset = load_ok (inner);
  }
  write_file (not_shard, "{}", -1);
  g_assert_false (dm_hash_shard_merge (dataset, paths, NULL, &shard_error));
  g_assert_error (shard_error, DM_ERROR, DM_ERROR_INVALID_DATA);
  assert_error_mentions (shard_error, not_shard);
  assert_error_names_no_flag (shard_error);

  remove_tree (tmp);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD_ANNOTATED(path, func) \
  g_test_add (path, SourceFixture, NULL, annotated_set_up, func, source_fixture_tear_down)
  ADD_ANNOTATED ("/datumaro/load/model", test_load_model);
  g_test_add_func ("/datumaro/load/no-items", test_load_no_items);
  g_test_add_func ("/datumaro/load/legacy-layout", test_load_legacy_layout);
  g_test_add_func ("/datumaro/load/subsets-without-labels", test_load_subsets_without_labels);
  g_test_add_func ("/datumaro/load/format-versions", test_format_versions);
  ADD_ANNOTATED ("/datumaro/load/cancelled", test_cancelled);
  ADD_ANNOTATED ("/datumaro/write/round-trip", test_round_trip);
  ADD_ANNOTATED ("/datumaro/write/subset-without-items", test_write_subset_without_items);
  g_test_add_func ("/datumaro/write/header-text", test_write_header_text);
  g_test_add_func ("/datumaro/write/nul-round-trip", test_nul_round_trip);
  g_test_add_func ("/datumaro/load/escape-across-reads", test_escape_across_reads);
  g_test_add_func ("/datumaro/load/item-text-as-written", test_item_text_as_written);
  ADD_ANNOTATED ("/datumaro/hash-keys/write", test_write_hash_keys);
  g_test_add_func ("/datumaro/hash-keys/unknown-item", test_hash_key_for_unknown_item);
  g_test_add_func ("/datumaro/hash-keys/shapes", test_hash_key_shapes);
  g_test_add_func ("/datumaro/load/label-id-out-of-range", test_label_id_out_of_range);
  g_test_add_func ("/datumaro/messages-name-no-flag", test_messages_name_no_flag);
  for (guint i = 0; i < G_N_ELEMENTS (bad_annotations); i++)
    {
      g_autofree char *path = g_strconcat ("/datumaro/bad-annotations/", bad_annotations[i].name, NULL);

      g_test_add_data_func (path, &bad_annotations[i], test_bad_annotations);
    }
  g_test_add_func ("/datumaro/bad-annotations/labels-differ", test_labels_differ_between_subsets);
  g_test_add_func ("/datumaro/bad-annotations/no-files", test_no_annotation_files);
  g_test_add_func ("/datumaro/bad-annotations/before-bad-keys", test_annotation_error_first);
  for (guint i = 0; i < G_N_ELEMENTS (bad_keys); i++)
    {
      g_autofree char *path = g_strconcat ("/datumaro/bad-hash-keys/", bad_keys[i].name, NULL);

      g_test_add_data_func (path, &bad_keys[i], test_bad_hash_keys);
    }

  return g_test_run ();
}
