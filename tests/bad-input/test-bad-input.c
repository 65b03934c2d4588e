/* Bad input, end to end through the real dm: every malformed dataset,
 * parameter and destination gets a one-line error naming the file (and the
 * JSON path or item where there is one) and what is wrong, a non-zero exit,
 * the input byte-identical afterwards and no output or temporary directory
 * left behind. The few inputs that must work (a key for an unknown item, a
 * 1×1 image, odd ImageNet folders) are checked to work. */
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>

#include <dm.h>

#include "test-helpers.h"
#include "test-media-helpers.h"

/* make_sample puts 3 of 4 items in train, the rest in val. */
#define N_ITEMS 8
#define KEY_SIZE 64

typedef struct
{
  char *tmp;
  char *source;
  char *dest;        /* tmp/out: absent unless a test makes it */
  char *first_id;    /* the first item of train.json */
  char *first_image; /* its image */
} Fixture;

#define ARGS(...) ((const char *const []) { __VA_ARGS__, NULL })

/* Message parts: each must occur in the error; "a|b" accepts either. */
#define PARTS(...) ((const char *const []) { __VA_ARGS__, NULL })

static char *
source_path (Fixture    *f,
             const char *relative)
{
  return g_build_filename (f->source, relative, NULL);
}

static JsonObject *
first_item (JsonNode *annotations)
{
  JsonArray *items = json_object_get_array_member (json_node_get_object (annotations), "items");

  return json_array_get_object_element (items, 0);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *train = NULL;
  g_autoptr(JsonNode) annotations = NULL;
  JsonObject *item;

  f->tmp = make_temp_dir ();
  f->source = g_build_filename (f->tmp, "source", NULL);
  f->dest = g_build_filename (f->tmp, "out", NULL);
  make_sample (f->source, N_ITEMS);

  train = source_path (f, "annotations/train.json");
  annotations = read_json (train);
  item = first_item (annotations);
  f->first_id = g_strdup (json_object_get_string_member (item, "id"));
  f->first_image = g_build_filename (f->source, "images", "train",
                                     json_object_get_string_member (json_object_get_object_member (item, "image"), "path"),
                                     NULL);
  g_assert_true (g_file_test (f->first_image, G_FILE_TEST_IS_REGULAR));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  discard_temp_dir (f->tmp, f->source, f->dest, f->first_image, NULL);
  g_free (f->first_id);
}

/* Running dm, with an optional limit on the size of any file it writes
 * (a full disk: writes past it fail with EFBIG instead of killing it). */

static void
limit_file_size (gpointer data)
{
  struct rlimit limit;

  limit.rlim_cur = limit.rlim_max = *(rlim_t *) data;
  signal (SIGXFSZ, SIG_IGN);
  setrlimit (RLIMIT_FSIZE, &limit);
}

static DmRun *
run_dm (const char *const *args,
        rlim_t             file_size_limit)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  DmRun *run = g_new0 (DmRun, 1);

  g_assert_nonnull (g_getenv ("DM_CLI"));
  g_ptr_array_add (argv, (gpointer) g_getenv ("DM_CLI"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  if (file_size_limit > 0)
    g_subprocess_launcher_set_child_setup (launcher, limit_file_size, &file_size_limit, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  run->status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
  g_test_message ("dm %s %s → %d; stderr: %s", args[0], args[1] ? args[1] : "", run->status, run->err);
  return run;
}

static void
assert_message_has (const char        *message,
                    const char *const *parts)
{
  for (guint p = 0; parts[p] != NULL; p++)
    {
      g_auto(GStrv) alternatives = g_strsplit (parts[p], "|", -1);
      gboolean found = FALSE;

      for (guint a = 0; alternatives[a] != NULL && !found; a++)
        found = strstr (message, alternatives[a]) != NULL;
      if (!found)
        g_error ("the message lacks “%s”: %s", parts[p], message);
    }
}

/* Runs dm with @args, which must fail cleanly with an error holding @parts:
 * exit status 1 or 2 (not a crash), one line on stderr starting with "dm",
 * SOURCE and DEST (if there is one) exactly as before, no temporary output. */
static void
expect_failure_limited (Fixture           *f,
                        const char *const *args,
                        const char *const *parts,
                        rlim_t             file_size_limit)
{
  g_autoptr(GHashTable) source_before = snapshot_tree (f->source);
  g_autoptr(GHashTable) dest_before = NULL;
  g_autoptr(DmRun) run = NULL;
  gboolean dest_existed = g_file_test (f->dest, G_FILE_TEST_EXISTS);
  g_autofree char *dest_parent = g_path_get_dirname (f->dest);

  if (g_file_test (f->dest, G_FILE_TEST_IS_DIR))
    dest_before = snapshot_tree (f->dest);

  run = run_dm (args, file_size_limit);

  g_assert_cmpint (run->status, >=, 1);
  g_assert_cmpint (run->status, <=, 2);
  assert_one_line (run->err, NULL);
  assert_message_has (run->err, parts);

  assert_tree_matches (source_before, f->source);
  g_assert_cmpint (g_file_test (f->dest, G_FILE_TEST_EXISTS), ==, dest_existed);
  if (dest_before != NULL)
    {
      g_autoptr(GHashTable) dest_after = snapshot_tree (f->dest);

      assert_same_tree (dest_before, dest_after);
    }
  if (dir_has_entry_containing (f->tmp, ".tmp-") || dir_has_entry_containing (dest_parent, ".tmp-"))
    g_error ("a temporary directory was left beside %s", f->dest);
}

static void
expect_failure (Fixture           *f,
                const char *const *args,
                const char *const *parts)
{
  expect_failure_limited (f, args, parts, 0);
}

/* Runs dm with @args, which must succeed; returns the output dataset. */
static DmDataset *
expect_success (Fixture           *f,
                const char *const *args,
                DmRun            **run_out)
{
  g_autoptr(GHashTable) source_before = snapshot_tree (f->source);
  g_autoptr(DmRun) run = run_dm (args, 0);
  DmDataset *output;

  if (run->status != 0)
    g_error ("dm failed (%d): %s", run->status, run->err);
  assert_tree_matches (source_before, f->source);
  g_assert_false (dir_has_entry_containing (f->tmp, ".tmp-"));

  output = load_dataset_ok (f->dest);
  if (run_out != NULL)
    *run_out = g_steal_pointer (&run);
  return output;
}

/* ---- annotations/<subset>.json ---- */

static void
test_annotations_not_json (Fixture *f, gconstpointer data)
{
  g_autofree char *train = source_path (f, "annotations/train.json");

  write_file (train, "this is not JSON\n", -1);
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-o", f->dest),
                  PARTS (train));
}

static void
test_annotations_truncated (Fixture *f, gconstpointer data)
{
  g_autofree char *train = source_path (f, "annotations/train.json");
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (train, &contents, &length, NULL));
  write_file (train, contents, (gssize) length / 2);
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-o", f->dest),
                  PARTS (train));
}

static void
test_annotations_empty_file (Fixture *f, gconstpointer data)
{
  g_autofree char *train = source_path (f, "annotations/train.json");

  write_file (train, "", 0);
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-o", f->dest),
                  PARTS (train));
}

typedef void (*EditJson) (Fixture *f, JsonObject *root);

/* Edits annotations/train.json with @edit, then expects a failure naming
 * the file and @parts. */
static void
expect_annotations_failure (Fixture           *f,
                            EditJson           edit,
                            const char *const *parts)
{
  g_autofree char *train = source_path (f, "annotations/train.json");
  g_autoptr(JsonNode) root = read_json (train);

  g_autoptr(GPtrArray) all_parts = g_ptr_array_new ();

  edit (f, json_node_get_object (root));
  write_json (train, root);
  g_ptr_array_add (all_parts, train);
  for (guint p = 0; parts[p] != NULL; p++)
    g_ptr_array_add (all_parts, (gpointer) parts[p]);
  g_ptr_array_add (all_parts, NULL);
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-o", f->dest),
                  (const char *const *) all_parts->pdata);
}

static void
make_items_an_object (Fixture *f, JsonObject *root)
{
  json_object_set_object_member (root, "items", json_object_new ());
}

static void
test_items_not_array (Fixture *f, gconstpointer data)
{
  expect_annotations_failure (f, make_items_an_object, PARTS ("items", "array"));
}

static void
remove_items (Fixture *f, JsonObject *root)
{
  json_object_remove_member (root, "items");
}

static void
test_items_missing (Fixture *f, gconstpointer data)
{
  expect_annotations_failure (f, remove_items, PARTS ("items"));
}

static JsonObject *
item_at (JsonObject *root,
         guint       index)
{
  return json_array_get_object_element (json_object_get_array_member (root, "items"), index);
}

static void
make_id_a_number (Fixture *f, JsonObject *root)
{
  json_object_set_int_member (item_at (root, 0), "id", 5);
}

static void
test_id_a_number (Fixture *f, gconstpointer data)
{
  expect_annotations_failure (f, make_id_a_number, PARTS ("items[0]", "id"));
}

static JsonObject *
first_annotation (JsonObject *root)
{
  return json_array_get_object_element (json_object_get_array_member (item_at (root, 0), "annotations"), 0);
}

static void
make_label_id_a_string (Fixture *f, JsonObject *root)
{
  json_object_set_string_member (first_annotation (root), "label_id", "1");
}

static void
test_label_id_a_string (Fixture *f, gconstpointer data)
{
  g_autofree char *where = g_strdup_printf ("items[0]|%s", f->first_id);

  expect_annotations_failure (f, make_label_id_a_string, PARTS (where, "label_id"));
}

static void
make_label_id_out_of_range (Fixture *f, JsonObject *root)
{
  json_object_set_int_member (first_annotation (root), "label_id", 99);
}

/* Datumaro loads a label id outside the categories, and so does dm: the
 * run goes on with a warning naming the file and item, and the item keeps
 * its label. */
static void
test_label_id_out_of_range (Fixture *f, gconstpointer data)
{
  g_autofree char *train = source_path (f, "annotations/train.json");
  g_autofree char *where = g_strdup_printf ("items[0] (id “%s”): label_id 99", f->first_id);
  g_autoptr(JsonNode) root = read_json (train);
  g_autoptr(DmRun) run = NULL;
  g_autoptr(DmDataset) output = NULL;
  /* Loading the output warns too: not fatal here. */
  GLogLevelFlags fatal = g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);

  make_label_id_out_of_range (f, json_node_get_object (root));
  write_json (train, root);
  output = expect_success (f, ARGS ("prune", f->source, "-q", "-m", "random", "-r", "1", "-o", f->dest), &run);
  g_assert_nonnull (strstr (run->err, train));
  g_assert_nonnull (strstr (run->err, where));
  g_assert_cmpint (dm_item_get_label (dm_dataset_find_item (output, "train", f->first_id)), ==, 99);
  g_log_set_always_fatal (fatal);
}

static void
make_negative_label_id (Fixture *f, JsonObject *root)
{
  json_object_set_int_member (first_annotation (root), "label_id", -1);
}

static void
test_label_id_negative (Fixture *f, gconstpointer data)
{
  g_autofree char *where = g_strdup_printf ("items[0]|%s", f->first_id);

  expect_annotations_failure (f, make_negative_label_id, PARTS (where, "label_id", "-1"));
}

static void
duplicate_first_id (Fixture *f, JsonObject *root)
{
  json_object_set_string_member (item_at (root, 1), "id", f->first_id);
}

static void
test_duplicate_ids (Fixture *f, gconstpointer data)
{
  expect_annotations_failure (f, duplicate_first_id, PARTS (f->first_id));
}

static void
set_unknown_version (Fixture *f, JsonObject *root)
{
  json_object_set_string_member (root, "dm_format_version", "99.0");
}

static void
test_unknown_format_version (Fixture *f, gconstpointer data)
{
  expect_annotations_failure (f, set_unknown_version, PARTS ("dm_format_version", "99.0"));
}

/* Replaces the first @text in the file at @path with @replacement,
 * asserting there is one. */
static void
replace_in_file (const char *path,
                 const char *text,
                 const char *replacement)
{
  g_autofree char *contents = NULL;
  g_autoptr(GString) edited = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  edited = g_string_new (contents);
  g_assert_cmpuint (g_string_replace (edited, text, replacement, 1), ==, 1);
  write_file (path, edited->str, (gssize) edited->len);
}

/* "\udc00" alone, half a surrogate pair, is no character: refused at its
 * line and column. */
static void
test_annotations_invalid_utf8 (Fixture *f, gconstpointer data)
{
  g_autofree char *train = source_path (f, "annotations/train.json");
  g_autofree char *quoted_id = g_strdup_printf ("\"%s\"", f->first_id);
  g_autofree char *broken_id = g_strdup_printf ("\"\\udc00%s\"", f->first_id);

  replace_in_file (train, quoted_id, broken_id);
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-o", f->dest),
                  PARTS (train, "“\\udc00”", "surrogate pair"));
}

/* A subset's annotation file that is a link to nothing, or a named pipe:
 * an error naming it, not a dataset without that subset (nor a wait for
 * a writer). */
static void
test_annotations_not_a_file (Fixture *f, gconstpointer data)
{
  g_autofree char *val = source_path (f, "annotations/val.json");

  g_assert_cmpint (g_unlink (val), ==, 0);
  g_assert_cmpint (symlink ("../moved/val.json", val), ==, 0);
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-o", f->dest),
                  PARTS (val, "../moved/val.json", "does not exist"));
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "--overwrite"),
                  PARTS (val, "does not exist"));

  g_assert_cmpint (g_unlink (val), ==, 0);
  g_assert_cmpint (mkfifo (val, 0644), ==, 0);
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-o", f->dest),
                  PARTS (val, "not a regular file"));
}

/* A directory where the dataset has a file (@relative): an error naming
 * it and saying what it is. */
static void
expect_directory_refused (Fixture    *f,
                          const char *relative)
{
  g_autofree char *path = source_path (f, relative);

  g_assert_cmpint (g_mkdir_with_parents (path, 0755), ==, 0);
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-o", f->dest),
                  PARTS (path, "is a directory, not a file"));
}

/* A directory named like a subset's file: an error naming it, as
 * Datumaro fails on it, not a subset left out in silence. */
static void
test_annotations_directory (Fixture *f, gconstpointer data)
{
  expect_directory_refused (f, "annotations/extra.json");
}

/* A subset file whose name is not UTF-8 (Latin-1 "é"): an error naming
 * it, not a report whose JSON no reader takes. */
static void
test_annotations_name_not_utf8 (Fixture *f, gconstpointer data)
{
  g_autofree char *val = source_path (f, "annotations/val.json");
  g_autofree char *renamed = source_path (f, "annotations/v\xe9l.json");
  g_autofree char *report = g_build_filename (f->tmp, "report.json", NULL);

  g_assert_cmpint (g_rename (val, renamed), ==, 0);
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-o", f->dest, "--report", report),
                  PARTS ("v\xef\xbf\xbdl.json", "not UTF-8"));
  g_assert_false (g_file_test (report, G_FILE_TEST_EXISTS));
}

static void
test_no_items (Fixture *f, gconstpointer data)
{
  const char *subsets[] = { "annotations/train.json", "annotations/val.json" };

  for (guint s = 0; s < G_N_ELEMENTS (subsets); s++)
    {
      g_autofree char *path = source_path (f, subsets[s]);
      g_autoptr(JsonNode) root = read_json (path);

      json_object_set_array_member (json_node_get_object (root), "items", json_array_new ());
      write_json (path, root);
    }
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-o", f->dest),
                  PARTS (f->source, "no items"));
}

/* ---- hash_key_meta/hash_keys.json ---- */

/* "subset/id" of every item, in dataset order. */
static GPtrArray *
item_keys (Fixture *f)
{
  const char *subsets[] = { "train", "val" };
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);

  for (guint s = 0; s < G_N_ELEMENTS (subsets); s++)
    {
      g_autofree char *file = g_strconcat ("annotations/", subsets[s], ".json", NULL);
      g_autofree char *path = source_path (f, file);
      g_autoptr(JsonNode) root = read_json (path);
      JsonArray *items = json_object_get_array_member (json_node_get_object (root), "items");

      for (guint i = 0; i < json_array_get_length (items); i++)
        g_ptr_array_add (names, g_strconcat (subsets[s], "/",
                                             json_object_get_string_member (json_array_get_object_element (items, i), "id"),
                                             NULL));
    }
  return names;
}

/* The cache with a key for every item (its bytes from a fixed seed); @skip
 * items at the end get none. */
static JsonObject *
make_hash_keys (Fixture *f,
                guint    skip)
{
  g_autoptr(GPtrArray) names = item_keys (f);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  JsonObject *keys = json_object_new ();

  g_assert_cmpuint (skip, <, names->len);
  for (guint i = 0; i < names->len - skip; i++)
    {
      JsonArray *key = json_array_new ();

      for (guint b = 0; b < KEY_SIZE; b++)
        json_array_add_int_element (key, g_rand_int_range (rand, 0, 256));
      json_object_set_array_member (keys, g_ptr_array_index (names, i), key);
    }
  return keys;
}

static char *
write_hash_keys (Fixture    *f,
                 JsonObject *keys)
{
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonObject) cache = json_object_new ();
  g_autofree char *dir = source_path (f, "hash_key_meta");
  char *path = g_build_filename (dir, "hash_keys.json", NULL);

  json_object_set_object_member (cache, "hashkey", keys);
  json_node_set_object (root, cache);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  write_json (path, root);
  return path;
}

static void
test_hash_keys_not_json (Fixture *f, gconstpointer data)
{
  g_autofree char *path = write_hash_keys (f, make_hash_keys (f, 0));

  write_file (path, "{\"hashkey\": {\"train/", -1);
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "cluster_random", "-o", f->dest),
                  PARTS (path));
}

static void
test_hash_key_wrong_length (Fixture *f, gconstpointer data)
{
  JsonObject *keys = make_hash_keys (f, 0);
  g_autofree char *name = g_strconcat ("train/", f->first_id, NULL);
  JsonArray *key = json_object_get_array_member (keys, name);
  g_autofree char *path = NULL;

  json_array_remove_element (key, 0);
  path = write_hash_keys (f, keys);
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "cluster_random", "-o", f->dest),
                  PARTS ("hash_keys.json", f->first_id, "63"));
}

static void
test_hash_key_values_out_of_range (Fixture *f, gconstpointer data)
{
  const gint64 bad_values[] = { 256, -1 };

  for (guint v = 0; v < G_N_ELEMENTS (bad_values); v++)
    {
      JsonObject *keys = make_hash_keys (f, 0);
      g_autofree char *name = g_strconcat ("train/", f->first_id, NULL);
      JsonArray *key = json_object_get_array_member (keys, name);
      g_autofree char *value = g_strdup_printf ("%" G_GINT64_FORMAT, bad_values[v]);
      g_autofree char *path = NULL;

      json_array_remove_element (key, 3);
      json_array_add_int_element (key, bad_values[v]);
      path = write_hash_keys (f, keys);
      expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "cluster_random", "-o", f->dest),
                      PARTS ("hash_keys.json", f->first_id, value));
    }
}

static void
test_hash_keys_invalid_utf8 (Fixture *f, gconstpointer data)
{
  g_autofree char *path = write_hash_keys (f, make_hash_keys (f, 0));

  replace_in_file (path, "\"train/", "\"train/\\udc00");
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "cluster_random", "-o", f->dest),
                  PARTS (path, "“\\udc00”", "surrogate pair"));
}

/* A cache that is a named pipe: an error naming it, not a wait for a
 * writer that no Ctrl-C ends. */
static void
test_hash_keys_named_pipe (Fixture *f, gconstpointer data)
{
  g_autofree char *folder = source_path (f, "hash_key_meta");
  g_autofree char *cache = source_path (f, "hash_key_meta/hash_keys.json");

  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  g_assert_cmpint (mkfifo (cache, 0644), ==, 0);
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-o", f->dest),
                  PARTS (cache, "not a regular file"));
}

static void
test_hash_key_for_unknown_item (Fixture *f, gconstpointer data)
{
  JsonObject *keys = make_hash_keys (f, 0);
  JsonArray *extra = json_array_new ();
  g_autoptr(DmDataset) output = NULL;
  g_autoptr(DmRun) run = NULL;
  g_autofree char *path = NULL;

  for (guint b = 0; b < KEY_SIZE; b++)
    json_array_add_int_element (extra, b);
  json_object_set_array_member (keys, "train/no_such_item", extra);
  path = write_hash_keys (f, keys);

  /* Ignored, with a warning naming it. */
  output = expect_success (f, ARGS ("prune", f->source, "-q", "-m", "cluster_random", "-r", "0.5",
                                    "-o", f->dest), &run);
  g_assert_cmpuint (dm_dataset_get_n_items (output), ==, N_ITEMS / 2);
  assert_message_has (run->err, PARTS ("no_such_item"));
}

/* Items missing from a cache of this plugin's own keys are hashed from
 * their images; the output carries every key, and pruning it again works. */
static void
test_hash_keys_missing_for_some_items (Fixture *f, gconstpointer data)
{
  g_autofree char *path = source_path (f, "hash_key_meta/hash_keys.json");
  g_autofree char *second = g_build_filename (f->tmp, "second", NULL);
  g_autofree char *third = g_build_filename (f->tmp, "third", NULL);
  g_autoptr(DmRun) hash = run_dm (ARGS ("hash", f->source, "-q"), 0);
  g_autoptr(JsonNode) cache = NULL;
  g_autoptr(DmDataset) output = NULL;
  g_autoptr(DmDataset) again = NULL;
  g_autoptr(GPtrArray) names = item_keys (f);
  JsonObject *keys;

  g_assert_cmpint (hash->status, ==, 0);
  cache = read_json (path);
  keys = json_object_get_object_member (json_node_get_object (cache), "hashkey");
  g_assert_cmpuint (json_object_get_size (keys), ==, N_ITEMS);
  json_object_remove_member (keys, g_ptr_array_index (names, 0));
  json_object_remove_member (keys, g_ptr_array_index (names, N_ITEMS - 1));
  write_json (path, cache);

  output = expect_success (f, ARGS ("prune", f->source, "-q", "-m", "cluster_random", "-r", "0.5",
                                    "-o", f->dest), NULL);
  g_assert_cmpuint (dm_dataset_get_n_items (output), ==, N_ITEMS / 2);
  for (guint i = 0; i < dm_dataset_get_n_items (output); i++)
    g_assert_nonnull (dm_item_get_hash_key (dm_dataset_get_item (output, i)));

  /* The same run again gives the same output; pruning the output works. */
  {
    g_autoptr(DmRun) run = run_dm (ARGS ("prune", f->source, "-q", "-m", "cluster_random", "-r", "0.5",
                                         "-o", second), 0);
    g_autoptr(GHashTable) first_tree = snapshot_tree (f->dest);

    g_assert_cmpint (run->status, ==, 0);
    assert_tree_matches (first_tree, second);
  }
  {
    g_autoptr(DmRun) run = run_dm (ARGS ("prune", f->dest, "-q", "-m", "cluster_random", "-r", "0.5",
                                         "-o", third), 0);

    g_assert_cmpint (run->status, ==, 0);
    again = load_dataset_ok (third);
    g_assert_cmpuint (dm_dataset_get_n_items (again), ==, N_ITEMS / 4);
  }
}

/* Datumaro's own (CLIP) keys cannot be completed with this plugin's keys:
 * a cache from Datumaro missing some items is refused, saying so. */
static void
test_datumaro_hash_keys_missing_for_some_items (Fixture *f, gconstpointer data)
{
  g_free (write_hash_keys (f, make_hash_keys (f, 2)));
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "cluster_random", "-o", f->dest),
                  PARTS (f->source, "2 have none"));
}

/* ---- images ---- */

/* The methods that decode images: ndr, and the cluster methods when there
 * are no cached keys (the keys are then computed from the images). */
static const char *const decoding_methods[] = { "ndr", "cluster_random" };

/* Every decoding method must fail on the broken first image, naming it. */
static void
expect_image_failure (Fixture           *f,
                      const char *const *parts)
{
  for (guint m = 0; m < G_N_ELEMENTS (decoding_methods); m++)
    {
      expect_failure (f, ARGS ("prune", f->source, "-q", "-m", decoding_methods[m], "-r", "1", "-o", f->dest),
                      parts);
    }
}

static void
test_image_missing (Fixture *f, gconstpointer data)
{
  g_assert_cmpint (g_unlink (f->first_image), ==, 0);
  expect_image_failure (f, PARTS (f->first_image));
  /* Even a method that never decodes must copy the image. */
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-r", "1", "-o", f->dest),
                  PARTS (f->first_image));
}

/* A kept item's missing image is the input's fault: the error names the
 * file and the item and says it is missing (not that DEST cannot be
 * written), and it is found before anything is made, not even DEST's
 * parent folder. */
static void
test_image_missing_named (Fixture *f, gconstpointer data)
{
  g_autofree char *parent = g_build_filename (f->tmp, "new", NULL);
  g_autofree char *dest = g_build_filename (parent, "out", NULL);
  g_autofree char *item = g_strdup_printf ("train/%s", f->first_id);
  g_autofree char *message = NULL;
  g_autoptr(DmRun) run = NULL;

  g_assert_cmpint (g_unlink (f->first_image), ==, 0);
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-r", "1", "-o", f->dest),
                  PARTS (f->first_image, item, "missing"));

  run = run_dm (ARGS ("prune", f->source, "-q", "-m", "random", "-r", "1", "-o", dest), 0);
  message = g_strdup_printf ("dm: %s: the image of item %s is missing\n", f->first_image, item);
  g_assert_cmpint (run->status, ==, 1);
  g_assert_cmpstr (run->err, ==, message);
  g_assert_false (g_file_test (parent, G_FILE_TEST_EXISTS));
}

/* Datumaro's layout before 1.0 kept every subset's images below images/,
 * the annotation naming "train/x.jpg": a missing one is named where it
 * was looked for, images/train/x.jpg, not images/train/train/x.jpg. */
static void
test_image_missing_legacy_layout (Fixture *f, gconstpointer data)
{
  g_autofree char *train = source_path (f, "annotations/train.json");
  g_autoptr(JsonNode) root = read_json (train);
  JsonArray *items = json_object_get_array_member (json_node_get_object (root), "items");
  g_autofree char *doubled = source_path (f, "images/train/train");

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *image = json_object_get_object_member (json_array_get_object_element (items, i), "image");
      g_autofree char *legacy = g_strconcat ("train/", json_object_get_string_member (image, "path"), NULL);

      json_object_set_string_member (image, "path", legacy);
    }
  write_json (train, root);
  g_assert_cmpint (g_unlink (f->first_image), ==, 0);

  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-r", "1", "-o", f->dest),
                  PARTS (f->first_image, "missing"));
  expect_image_failure (f, PARTS (f->first_image));
  g_assert_false (g_file_test (doubled, G_FILE_TEST_EXISTS));
}

static void
test_image_truncated_jpeg (Fixture *f, gconstpointer data)
{
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (f->first_image, &contents, &length, NULL));
  write_file (f->first_image, contents, (gssize) length / 3);
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "cluster_random", "-r", "1", "-o", f->dest),
                  PARTS (f->first_image, "truncated"));

  /* GdkPixbuf's JPEG loader pads a truncated file with grey and reports no
   * error: ndr must catch it as hashing does. */
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "ndr", "-r", "1", "-o", f->dest),
                  PARTS (f->first_image, "truncated"));
}

static void
test_image_truncated_png (Fixture *f, gconstpointer data)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new_from_file (f->first_image, NULL);
  g_autofree char *png = NULL;
  gsize length;

  /* A PNG under the .jpg name: readers go by the contents. */
  g_assert_nonnull (pixbuf);
  g_assert_true (gdk_pixbuf_save_to_buffer (pixbuf, &png, &length, "png", NULL, NULL));
  write_file (f->first_image, png, (gssize) length / 2);
  expect_image_failure (f, PARTS (f->first_image));
}

static void
test_image_not_an_image (Fixture *f, gconstpointer data)
{
  write_file (f->first_image, "I am a text file with an image's name.\n", -1);
  expect_image_failure (f, PARTS (f->first_image));
}

static void
test_image_empty_file (Fixture *f, gconstpointer data)
{
  write_file (f->first_image, "", 0);
  expect_image_failure (f, PARTS (f->first_image));
}

/* A named pipe where an image should be: opening it would wait for a
 * writer for ever, past any Ctrl-C. Refused, naming the file. */
static void
test_image_named_pipe (Fixture *f, gconstpointer data)
{
  g_assert_cmpint (g_unlink (f->first_image), ==, 0);
  g_assert_cmpint (mkfifo (f->first_image, 0644), ==, 0);
  expect_image_failure (f, PARTS (f->first_image, "not a regular file|special file"));
}

/* The HTML report's thumbnails do not open it either: `random` decodes
 * nothing, and the copy names the file. */
static void
test_image_named_pipe_html_report (Fixture *f, gconstpointer data)
{
  g_autofree char *html = g_build_filename (f->tmp, "html", NULL);

  g_assert_cmpint (g_unlink (f->first_image), ==, 0);
  g_assert_cmpint (mkfifo (f->first_image, 0644), ==, 0);
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-r", "1", "-o", f->dest,
                           "--report-html", html),
                  PARTS (f->first_image, "special file"));
  g_assert_false (g_file_test (html, G_FILE_TEST_EXISTS));
}

static void
test_image_one_pixel (Fixture *f, gconstpointer data)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 1, 1);

  gdk_pixbuf_fill (pixbuf, 0x336699ff);
  g_assert_true (gdk_pixbuf_save (pixbuf, f->first_image, "jpeg", NULL, NULL));
  for (guint m = 0; m < G_N_ELEMENTS (decoding_methods); m++)
    {
      g_autoptr(DmDataset) output = NULL;

      output = expect_success (f, ARGS ("prune", f->source, "-q", "-m", decoding_methods[m], "-r", "1",
                                        "-o", f->dest), NULL);
      g_assert_nonnull (dm_dataset_find_item (output, "train", f->first_id));
      remove_tree (f->dest);
    }
}

static void
test_image_decompression_bomb (Fixture *f, gconstpointer data)
{
  /* 100000×100000 RGB pixels (30 GB decoded): it must be refused from
   * its header. */
  write_png_declaring (f->first_image, 100000, 100000);
  expect_image_failure (f, PARTS (f->first_image, "100000"));
}

/* --skip-broken: the items whose image cannot be read are left out and
 * listed, for each kind of broken image; the others are pruned. */
static void
test_skip_broken (Fixture *f, gconstpointer data)
{
  g_autoptr(DmRun) help = run_dm (ARGS ("prune", "--help"), 0);
  g_autofree char *second_image = g_build_filename (f->source, "images", "val", NULL);
  g_autoptr(DmDataset) output = NULL;
  g_autoptr(DmRun) run = NULL;
  g_autoptr(DmRun) ndr = NULL;
  g_autoptr(GDir) val = NULL;
  g_autofree char *either = NULL;
  const char *name;

  if (strstr (help->out, "--skip-broken") == NULL)
    {
      g_test_incomplete ("dm prune has no --skip-broken yet");
      return;
    }

  /* One empty image in train, one that is not an image in val. */
  write_file (f->first_image, "", 0);
  val = g_dir_open (second_image, 0, NULL);
  g_assert_nonnull (val);
  name = g_dir_read_name (val);
  g_assert_nonnull (name);
  g_free (second_image);
  second_image = g_build_filename (f->source, "images", "val", name, NULL);
  write_file (second_image, "text, not pixels\n", -1);

  output = expect_success (f, ARGS ("prune", f->source, "-m", "cluster_random", "-r", "1", "--skip-broken",
                                    "-o", f->dest), &run);
  g_assert_cmpuint (dm_dataset_get_n_items (output), ==, N_ITEMS - 2);
  g_assert_null (dm_dataset_find_item (output, "train", f->first_id));
  assert_message_has (run->err, PARTS ("2 broken items", f->first_id, f->first_image, second_image));
  /* To DEST the broken items stay out, and SOURCE is not changed. */
  g_assert_null (strstr (run->out, "left 2 broken items"));

  /* Without it, the same dataset fails on a broken image, naming it. */
  remove_tree (f->dest);
  either = g_strconcat (f->first_image, "|", second_image, NULL);
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "cluster_random", "-r", "1", "-o", f->dest),
                  PARTS (either));

  /* ndr skips the same items, and keeps every other one at ratio 1. */
  g_clear_object (&output);
  output = expect_success (f, ARGS ("prune", f->source, "-m", "ndr", "-r", "1", "--skip-broken",
                                    "-o", f->dest), &ndr);
  g_assert_cmpuint (dm_dataset_get_n_items (output), ==, N_ITEMS - 2);
  g_assert_null (dm_dataset_find_item (output, "train", f->first_id));
  assert_message_has (ndr->err, PARTS ("2 broken items", f->first_image, second_image));
  remove_tree (f->dest);
}

/* The image files of a snapshot_tree(): those below images/SUBSET/. */
static guint
count_image_files (GHashTable *snapshot)
{
  GHashTableIter iter;
  gpointer path;
  guint n = 0;

  g_hash_table_iter_init (&iter, snapshot);
  while (g_hash_table_iter_next (&iter, &path, NULL))
    n += g_str_has_prefix (path, "images/") && strchr ((const char *) path + strlen ("images/"), '/') != NULL;
  return n;
}

/* The JSON text of each item of the annotation file @path. */
static GPtrArray *
item_entries (const char *path)
{
  g_autoptr(JsonNode) root = read_json (path);
  JsonArray *items = json_object_get_array_member (json_node_get_object (root), "items");
  GPtrArray *entries = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < json_array_get_length (items); i++)
    g_ptr_array_add (entries, json_to_string (json_array_get_element (items, i), FALSE));
  return entries;
}

/* Empties the first item's image, the one broken item of the tests that
 * skip it in place, and returns a snapshot_tree() of the source then. */
static GHashTable *
break_first_image (Fixture *f)
{
  write_file (f->first_image, "", 0);
  return snapshot_tree (f->source);
}

/* Asserts that the snapshot @after holds the image break_first_image()
 * emptied as @before did: saved in place, a skipped item is left as it
 * is. */
static void
assert_first_image_left (Fixture    *f,
                         GHashTable *before,
                         GHashTable *after)
{
  const char *relative = f->first_image + strlen (f->source) + 1;

  g_assert_nonnull (g_hash_table_lookup (after, relative));
  g_assert_cmpstr (g_hash_table_lookup (after, relative), ==, g_hash_table_lookup (before, relative));
}

/* In place, the items skipped as broken are left as they are: their
 * annotation entries and files stay, untouched, the dropped items' files
 * go, and the summary says how many were left. (To -o DEST they stay out
 * of DEST: test_skip_broken.) */
static void
test_skip_broken_in_place (Fixture *f, gconstpointer data)
{
  g_autofree char *train = source_path (f, "annotations/train.json");
  g_autoptr(GHashTable) before = break_first_image (f);
  g_autoptr(GPtrArray) entries_before = item_entries (train);
  g_autoptr(GPtrArray) entries_after = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(DmRun) run = NULL;

  run = run_dm (ARGS ("prune", f->source, "-m", "cluster_random", "-r", "0.5", "--skip-broken", "--overwrite"), 0);
  if (run->status != 0)
    g_error ("dm failed (%d): %s", run->status, run->err);
  assert_message_has (run->out, PARTS ("Kept 4 of 8 items", "; left 1 broken item as it is\n"));
  assert_message_has (run->err, PARTS ("1 broken item", f->first_id));

  /* The broken item: its file and its annotation entry as they were. */
  after = snapshot_tree (f->source);
  assert_first_image_left (f, before, after);
  entries_after = item_entries (train);
  g_assert_true (g_ptr_array_find_with_equal_func (entries_after, g_ptr_array_index (entries_before, 0),
                                                   g_str_equal, NULL));
  /* The dropped items' images are gone; the kept ones and the broken one stay. */
  g_assert_cmpuint (count_image_files (before), ==, N_ITEMS);
  g_assert_cmpuint (count_image_files (after), ==, 4 + 1);
}

/* Datumaro's importer looks every item of a dataset up in its hash-key
 * cache and fails on one without a key. Pruned in place by a clustering
 * method, a SOURCE with no cache keeps its broken item, which has no key:
 * a cache of the kept items' keys alone would make SOURCE unreadable to
 * Datumaro, so none is made. */
static void
test_skip_broken_in_place_makes_no_partial_cache (Fixture *f, gconstpointer data)
{
  g_autofree char *cache = source_path (f, "hash_key_meta/hash_keys.json");
  g_autoptr(DmRun) run = NULL;

  g_hash_table_unref (break_first_image (f));
  g_assert_false (g_file_test (cache, G_FILE_TEST_EXISTS));
  run = run_dm (ARGS ("prune", f->source, "-m", "centroid", "-r", "0.5", "--skip-broken", "--overwrite", "-q"), 0);
  if (run->status != 0)
    g_error ("dm failed (%d): %s", run->status, run->err);
  g_assert_false (g_file_test (cache, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (f->first_image, G_FILE_TEST_IS_REGULAR));

  /* To a DEST the broken item stays out, and every item there has a key. */
  g_clear_pointer (&run, dm_run_free);
  run = run_dm (ARGS ("prune", f->source, "-m", "centroid", "-r", "0.5", "--skip-broken", "-o", f->dest, "-q"), 0);
  if (run->status != 0)
    g_error ("dm failed (%d): %s", run->status, run->err);
  {
    g_autofree char *dest_cache = g_build_filename (f->dest, "hash_key_meta", "hash_keys.json", NULL);
    g_autoptr(DmDataset) output = load_dataset_ok (f->dest);

    g_assert_true (g_file_test (dest_cache, G_FILE_TEST_IS_REGULAR));
    for (guint i = 0; i < dm_dataset_get_n_items (output); i++)
      g_assert_nonnull (dm_item_get_hash_key (dm_dataset_get_item (output, i)));
  }
}

/* The same through the library, as a Python or GUI host does it: the
 * output of a transform that skipped an item, saved over its source,
 * leaves that item as it is (libdm does it, not the CLI); saved
 * elsewhere, it leaves it out. */
static void
test_skip_broken_in_place_library (Fixture *f, gconstpointer data)
{
  g_autoptr(DmTransform) prune = create_transform ("prune");
  g_autoptr(GHashTable) before = break_first_image (f);
  g_autoptr(DmDataset) input = NULL;
  g_autoptr(DmDataset) output = NULL;
  g_autoptr(DmDataset) elsewhere = NULL;
  g_autoptr(DmDataset) reloaded = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (dm_transform_set_parameter_from_string (prune, "method", "cluster_random", &error));
  g_assert_true (dm_transform_set_parameter_from_string (prune, "ratio", "0.5", &error));
  g_assert_true (dm_transform_set_parameter_from_string (prune, "skip-broken", "true", &error));
  g_assert_no_error (error);

  input = load_dataset_ok (f->source);
  output = dm_transform_apply (prune, input, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dm_dataset_get_n_items (output), ==, N_ITEMS / 2);
  g_assert_null (dm_dataset_find_item (output, "train", f->first_id));

  /* Elsewhere: the kept items only. */
  g_assert_true (dm_dataset_save (output, f->dest, DM_SAVE_NONE, NULL, &error));
  g_assert_no_error (error);
  elsewhere = load_dataset_ok (f->dest);
  g_assert_cmpuint (dm_dataset_get_n_items (elsewhere), ==, N_ITEMS / 2);
  g_assert_null (dm_dataset_find_item (elsewhere, "train", f->first_id));

  /* In place: the kept items and the skipped one, its file as it was. */
  g_assert_true (dm_dataset_save (output, f->source, DM_SAVE_OVERWRITE, NULL, &error));
  g_assert_no_error (error);
  reloaded = load_dataset_ok (f->source);
  g_assert_cmpuint (dm_dataset_get_n_items (reloaded), ==, N_ITEMS / 2 + 1);
  g_assert_nonnull (dm_dataset_find_item (reloaded, "train", f->first_id));
  after = snapshot_tree (f->source);
  assert_first_image_left (f, before, after);
  /* The output itself is as the transform made it. */
  g_assert_cmpuint (dm_dataset_get_n_items (output), ==, N_ITEMS / 2);
}

/* An item with no image (a point cloud, a video, no media) and no cached
 * key is broken for the clustering methods too: --skip-broken leaves it
 * out, and says so, instead of taking it for a key of another hasher. */
static void
test_skip_broken_item_without_image (Fixture *f, gconstpointer data)
{
  g_autofree char *train = source_path (f, "annotations/train.json");
  g_autoptr(JsonNode) root = read_json (train);
  g_autoptr(JsonObject) bare = json_object_new ();
  g_autoptr(DmDataset) output = NULL;
  g_autoptr(DmRun) run = NULL;

  json_object_set_string_member (bare, "id", "no-image");
  json_array_add_object_element (json_object_get_array_member (json_node_get_object (root), "items"),
                                 g_steal_pointer (&bare));
  write_json (train, root);

  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "centroid", "-o", f->dest),
                  PARTS ("no-image", "the parameter skip-broken"));
  output = expect_success (f, ARGS ("prune", f->source, "-m", "centroid", "--skip-broken", "-o", f->dest), &run);
  g_assert_null (dm_dataset_find_item (output, "train", "no-image"));
  assert_message_has (run->err, PARTS ("1 broken item", "no-image"));
  remove_tree (f->dest);
}

/* ---- parameters ---- */

static void
test_bad_parameters (Fixture *f, gconstpointer data)
{
  struct { const char *flag, *value, *part; } cases[] = {
    { "-r", "0", "ratio" },
    { "-r", "-0.5", "-0.5" },
    { "-r", "1.0001", "1.0001" },
    { "-r", "nan", "nan" },
    { "-r", "inf", "inf" },
    { "-r", "half", "half" },
    { "-r", "", "ratio" },
    { "-m", "kmeans", "kmeans" },
    { "--hash-type", "audio", "audio" },
    { "--seed", "-1", "-1" },
    { "--seed", "x1", "x1" },
    { "--clusters", "-3", "-3" },
  };

  g_free (write_hash_keys (f, make_hash_keys (f, 0)));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      if (g_str_equal (cases[i].flag, "-m"))
        expect_failure (f, ARGS ("prune", f->source, "-q", "-m", cases[i].value, "-o", f->dest),
                        PARTS (cases[i].part));
      else
        expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "cluster_random",
                                 cases[i].flag, cases[i].value, "-o", f->dest),
                        PARTS (cases[i].part));
    }
}

/* A parameter the chosen method does not use is a usage error naming the
 * method and the parameter, not ignored: centroid makes a cluster per kept
 * item and query_clust one per class, random and ndr cluster no keys (at
 * its default, a parameter is as good as not given: test-parameters). */
static void
test_parameter_unused_by_method (Fixture *f, gconstpointer data)
{
  struct { const char *method, *flag, *value, *parameter; } cases[] = {
    { "centroid", "--clusters", "3", "clusters" },
    { "query_clust", "--clusters", "3", "clusters" },
    { "ndr", "--hash-type", "txt", "hash-type" },
    { "random", "--hash-type", "txt", "hash-type" },
    { "random", "--stratify", NULL, "stratify" },
    { "cluster_random", "--ndr-hash-dim", "8", "ndr-hash-dim" },
    { "centroid", "--dedup-threshold", "0.2", "dedup-threshold" },
    { "random", "--threads", "2", "threads" },
  };

  g_free (write_hash_keys (f, make_hash_keys (f, 0)));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *method = g_strdup_printf ("“%s”", cases[i].method);
      g_autofree char *parameter = g_strdup_printf ("“%s”", cases[i].parameter);
      g_autoptr(DmRun) run = NULL;

      if (cases[i].value != NULL)
        expect_failure (f, ARGS ("prune", f->source, "-q", "-m", cases[i].method,
                                 cases[i].flag, cases[i].value, "-o", f->dest),
                        PARTS (method, parameter, "does not use"));
      else
        expect_failure (f, ARGS ("prune", f->source, "-q", "-m", cases[i].method,
                                 cases[i].flag, "-o", f->dest),
                        PARTS (method, parameter, "does not use"));
      run = run_dm (ARGS ("prune", f->source, "-q", "-m", cases[i].method, cases[i].flag,
                          cases[i].value != NULL ? cases[i].value : "-q", "-o", f->dest), 0);
      g_assert_cmpint (run->status, ==, 2);
    }
}

static void
test_more_clusters_than_items (Fixture *f, gconstpointer data)
{
  g_free (write_hash_keys (f, make_hash_keys (f, 0)));
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "cluster_random", "--clusters", "100",
                           "-o", f->dest),
                  PARTS ("100", "clusters"));
}

static void
remove_annotations (Fixture    *f,
                    const char *subset)
{
  g_autofree char *file = g_strconcat ("annotations/", subset, ".json", NULL);
  g_autofree char *path = source_path (f, file);
  g_autoptr(JsonNode) root = read_json (path);
  JsonArray *items = json_object_get_array_member (json_node_get_object (root), "items");

  for (guint i = 0; i < json_array_get_length (items); i++)
    json_object_set_array_member (json_array_get_object_element (items, i), "annotations", json_array_new ());
  write_json (path, root);
}

static void
test_label_method_without_labels (Fixture *f, gconstpointer data)
{
  const char *methods[] = { "query_clust", "entropy" };

  g_free (write_hash_keys (f, make_hash_keys (f, 0)));
  remove_annotations (f, "train");
  remove_annotations (f, "val");
  for (guint m = 0; m < G_N_ELEMENTS (methods); m++)
    expect_failure (f, ARGS ("prune", f->source, "-q", "-m", methods[m], "-o", f->dest),
                    PARTS (methods[m], "no item has a label"));
  /* Herding needs them for its label filter only. */
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "herding", "--herding-max-disagreement", "0.3",
                           "-o", f->dest),
                  PARTS ("herding", "label filter needs item labels, and no item has one"));
}

/* ---- output ---- */

static void
test_dest_is_source (Fixture *f, gconstpointer data)
{
  g_autofree char *dotted = g_build_filename (f->source, ".", NULL);

  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-o", f->source),
                  PARTS (f->source, "source"));
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-o", dotted),
                  PARTS ("source"));
}

static void
test_dest_inside_source (Fixture *f, gconstpointer data)
{
  g_autofree char *inside = g_build_filename (f->source, "images", "pruned", NULL);

  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-o", inside),
                  PARTS (inside, "inside"));
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-o", inside, "--overwrite"),
                  PARTS (inside, "inside"));
}

static void
test_dest_is_file (Fixture *f, gconstpointer data)
{
  g_autofree char *contents = NULL;

  write_file (f->dest, "precious", -1);
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-o", f->dest),
                  PARTS (f->dest, "file"));
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-o", f->dest, "--overwrite"),
                  PARTS (f->dest, "file"));
  g_assert_true (g_file_get_contents (f->dest, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "precious");
}

/* A DEST that is a symbolic link to nothing: refused before any work,
 * not once the output is to be moved into place. */
static void
test_dest_dangling_link (Fixture *f, gconstpointer data)
{
  g_autofree char *target = g_build_filename (f->tmp, "moved-away", NULL);

  g_assert_cmpint (symlink (target, f->dest), ==, 0);
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-o", f->dest),
                  PARTS (f->dest, target, "does not exist"));
  g_assert_true (g_file_test (f->dest, G_FILE_TEST_IS_SYMLINK));
  g_assert_false (g_file_test (target, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_unlink (f->dest), ==, 0);
}

static void
test_dest_not_empty (Fixture *f, gconstpointer data)
{
  g_autofree char *keep = g_build_filename (f->dest, "keep.txt", NULL);

  g_assert_cmpint (g_mkdir (f->dest, 0755), ==, 0);
  write_file (keep, "mine", -1);
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-o", f->dest),
                  PARTS (f->dest, "not empty"));
}

static void
test_dest_parent_is_file (Fixture *f, gconstpointer data)
{
  g_autofree char *parent = g_build_filename (f->tmp, "plain-file", NULL);
  g_autofree char *below = g_build_filename (parent, "out", NULL);
  g_autofree char *contents = NULL;

  write_file (parent, "precious", -1);
  g_free (f->dest);
  f->dest = g_strdup (below);
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-o", below),
                  PARTS (below));
  g_assert_true (g_file_get_contents (parent, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "precious");
}

/* Less than any annotation file: on one file system the images are hard
 * links, which take no space, and the annotations are what fills the disk. */
#define FULL_DISK_LIMIT 256

/* Less than any of the sample's JPEGs: where the images must be copied. */
#define FULL_DISK_IMAGE_LIMIT 2048

static void
test_disk_full_new_dest (Fixture *f, gconstpointer data)
{
  expect_failure_limited (f, ARGS ("prune", f->source, "-q", "-m", "random", "-r", "1", "-o", f->dest),
                          PARTS (f->dest), FULL_DISK_LIMIT);
}

/* DEST on another file system (/dev/shm), so the images are copied: the
 * disk fills while copying them. */
static void
test_disk_full_copying_images (Fixture *f, gconstpointer data)
{
  GStatBuf tmp_stat, shm_stat;
  g_autofree char *other = NULL;

  if (g_stat (f->tmp, &tmp_stat) != 0 || g_stat ("/dev/shm", &shm_stat) != 0 ||
      tmp_stat.st_dev == shm_stat.st_dev || access ("/dev/shm", W_OK) != 0)
    {
      g_test_skip ("no other writable file system at /dev/shm");
      return;
    }
  other = g_build_filename ("/dev/shm", "dm-test-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (other));
  g_free (f->dest);
  f->dest = g_build_filename (other, "out", NULL);

  expect_failure_limited (f, ARGS ("prune", f->source, "-q", "-m", "random", "-r", "1", "-o", f->dest),
                          PARTS (f->dest, "image"), FULL_DISK_IMAGE_LIMIT);
  remove_tree (other);
}

static void
test_disk_full_overwrite (Fixture *f, gconstpointer data)
{
  /* DEST holds an earlier result: a failed --overwrite keeps it whole. */
  g_autoptr(DmDataset) earlier = expect_success (f, ARGS ("prune", f->source, "-q", "-m", "random",
                                                          "-r", "0.25", "-o", f->dest), NULL);

  g_assert_cmpuint (dm_dataset_get_n_items (earlier), ==, N_ITEMS / 4);
  expect_failure_limited (f, ARGS ("prune", f->source, "-q", "-m", "random", "-r", "1", "-o", f->dest,
                                   "--overwrite"),
                          PARTS (f->dest), FULL_DISK_LIMIT);
}

/* A flag given a value (`--overwrite=no`): GOption would drop the value
 * and set the flag, doing the opposite of what was asked. A usage error
 * naming the flag and the value, before any work. */
static void
test_flag_given_a_value (Fixture *f, gconstpointer data)
{
  g_autoptr(DmDataset) earlier = NULL;

  g_free (write_hash_keys (f, make_hash_keys (f, 0)));
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "cluster_random", "--stratify=false", "-o", f->dest),
                  PARTS ("--stratify", "false"));
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "--skip-broken=no", "-o", f->dest),
                  PARTS ("--skip-broken", "no"));
  expect_failure (f, ARGS ("prune", f->source, "--quiet=yes", "-m", "random", "-o", f->dest),
                  PARTS ("--quiet", "yes"));
  expect_failure (f, ARGS ("hash", f->source, "--merge=no"), PARTS ("--merge", "no"));

  /* DEST holds an earlier result, which --overwrite=no keeps. */
  earlier = expect_success (f, ARGS ("prune", f->source, "-q", "-m", "random", "-r", "0.25", "-o", f->dest), NULL);
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-r", "1", "-o", f->dest, "--overwrite=no"),
                  PARTS ("--overwrite", "no"));
  expect_failure (f, ARGS ("transform", "prune", f->source, "-q", "--param", "method=random", "-o", f->dest,
                           "--overwrite=0"),
                  PARTS ("--overwrite", "0"));
}

/* An empty path is the current directory to the file system: `-o ""`
 * would write the dataset there, `--report ""` fail only once the
 * dataset is written. A usage error before any work. */
static void
test_empty_paths (Fixture *f, gconstpointer data)
{
  g_autofree char *report = g_build_filename (f->tmp, "report.json", NULL);

  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-o", ""), PARTS ("-o", "empty"));
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "--output-dir=", "--overwrite"),
                  PARTS ("-o", "empty"));
  expect_failure (f, ARGS ("prune", "", "-q", "-m", "random", "-o", f->dest), PARTS ("SOURCE", "empty"));
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-o", f->dest, "--report", ""),
                  PARTS ("--report", "empty"));
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-o", f->dest, "--report-html", ""),
                  PARTS ("--report-html", "empty"));
  expect_failure (f, ARGS ("hash", f->source, "-q", "--shard", "0/2", "--keys-out", ""),
                  PARTS ("--keys-out", "empty"));
  expect_failure (f, ARGS ("hash", "", "-q"), PARTS ("SOURCE", "empty"));
  g_assert_false (g_file_test (report, G_FILE_TEST_EXISTS));
}

/* A report path that can only name a directory ("r.json/", "x/..") or
 * the HTML report's own index.html: refused before any work, not after
 * the dataset is written (which would leave DEST behind a failed run, or
 * one report put in place over the other). */
static void
test_report_path_not_a_file (Fixture *f, gconstpointer data)
{
  g_autofree char *slashed = g_build_filename (f->tmp, "report.json", NULL);
  g_autofree char *with_slash = g_strconcat (slashed, G_DIR_SEPARATOR_S, NULL);
  g_autofree char *dotdot = g_build_filename (f->tmp, "missing", "..", NULL);
  g_autofree char *html = g_build_filename (f->tmp, "html", NULL);
  g_autofree char *index = g_build_filename (html, "index.html", NULL);

  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-o", f->dest, "--report", with_slash),
                  PARTS (with_slash, "directory"));
  g_assert_false (g_file_test (slashed, G_FILE_TEST_EXISTS));
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-o", f->dest, "--report", dotdot),
                  PARTS (dotdot, "directory"));
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-o", f->dest,
                           "--report-html", html, "--report", index),
                  PARTS (index, "HTML report"));
  g_assert_false (g_file_test (html, G_FILE_TEST_EXISTS));
}

/* DEST is replaced as a whole, its folder too: the new one keeps the
 * mode of the one it replaces, so a folder made private stays private. */
static void
test_dest_mode_kept (Fixture *f, gconstpointer data)
{
  g_autoptr(DmDataset) output = NULL;
  GStatBuf info;

  g_assert_cmpint (g_mkdir (f->dest, 0700), ==, 0);
  g_assert_cmpint (g_chmod (f->dest, 0710), ==, 0);
  output = expect_success (f, ARGS ("prune", f->source, "-q", "-m", "random", "-o", f->dest), NULL);
  g_assert_cmpint (g_stat (f->dest, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 07777, ==, 0710);
}

/* A DEST folder the user cannot write in (`chmod a-w`), empty or holding
 * an earlier result, is refused before any work: not replaced, and no
 * old tree left beside it that could not be deleted. Root writes
 * anywhere: skipped. */
static void
test_dest_read_only (Fixture *f, gconstpointer data)
{
  g_autoptr(DmDataset) earlier = NULL;

  if (geteuid () == 0)
    {
      g_test_skip ("root may write in any folder");
      return;
    }
  g_assert_cmpint (g_mkdir (f->dest, 0555), ==, 0);
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-o", f->dest),
                  PARTS (f->dest, "cannot be written"));
  g_assert_cmpint (g_rmdir (f->dest), ==, 0);

  earlier = expect_success (f, ARGS ("prune", f->source, "-q", "-m", "random", "-r", "0.25", "-o", f->dest), NULL);
  g_assert_cmpint (g_chmod (f->dest, 0555), ==, 0);
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-o", f->dest, "--overwrite"),
                  PARTS (f->dest, "cannot be written"));
  g_assert_cmpint (g_chmod (f->dest, 0755), ==, 0);
}

/* The folders made on the way to a new DEST go with a failed run too. */
static void
test_disk_full_new_parents (Fixture *f, gconstpointer data)
{
  g_autofree char *made = g_build_filename (f->tmp, "new", NULL);

  g_free (f->dest);
  f->dest = g_build_filename (made, "deeper", "out", NULL);
  expect_failure_limited (f, ARGS ("prune", f->source, "-q", "-m", "random", "-r", "1", "-o", f->dest),
                          PARTS (f->dest), FULL_DISK_LIMIT);
  g_assert_false (g_file_test (made, G_FILE_TEST_EXISTS));
}

/* A shard's key file goes outside SOURCE, which a shard leaves as it is:
 * one inside it would replace a subset's annotations. And a path that
 * names a folder is said before the hashing, not after. */
static void
test_shard_keys_out_bad_place (Fixture *f, gconstpointer data)
{
  g_autofree char *annotations = source_path (f, "annotations/train.json");
  g_autofree char *inside = source_path (f, "keys.json");
  g_autofree char *folder = g_strconcat (f->tmp, G_DIR_SEPARATOR_S, NULL);

  expect_failure (f, ARGS ("hash", f->source, "-q", "--shard", "0/2", "--keys-out", annotations),
                  PARTS (annotations, "inside the dataset"));
  expect_failure (f, ARGS ("hash", f->source, "-q", "--shard", "0/2", "--keys-out", inside),
                  PARTS (inside, "inside the dataset"));
  expect_failure (f, ARGS ("hash", f->source, "-q", "--shard", "0/2", "--keys-out", folder),
                  PARTS (folder, "directory"));
}

/* ---- ImageNet folders ---- */

static void
copy_image (Fixture    *f,
            const char *to)
{
  g_autofree char *contents = NULL;
  gsize length;
  g_autofree char *dir = g_path_get_dirname (to);

  g_assert_true (g_file_get_contents (f->first_image, &contents, &length, NULL));
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  write_file (to, contents, (gssize) length);
}

/* An ImageNet tree ROOT/<label>/<image> with two images per label @labels
 * and the label folders @empty_labels without any; it replaces the
 * fixture's source. */
static void
make_imagenet (Fixture           *f,
               const char *const *labels,
               const char *const *empty_labels)
{
  remove_tree (f->source);
  g_assert_cmpint (g_mkdir (f->source, 0755), ==, 0);
  for (guint l = 0; labels[l] != NULL; l++)
    for (guint i = 0; i < 2; i++)
      {
        g_autofree char *name = g_strdup_printf ("%s_%u.jpg", labels[l], i);
        g_autofree char *path = g_build_filename (f->source, labels[l], name, NULL);

        copy_image (f, path);
      }
  for (guint l = 0; empty_labels[l] != NULL; l++)
    {
      g_autofree char *path = g_build_filename (f->source, empty_labels[l], NULL);

      g_assert_cmpint (g_mkdir (path, 0755), ==, 0);
    }
}

/* The sample's first image, set aside before the source is replaced. */
static void
keep_first_image (Fixture *f)
{
  g_autofree char *aside = g_build_filename (f->tmp, "first-image.jpg", NULL);

  copy_image (f, aside);
  g_free (f->first_image);
  f->first_image = g_steal_pointer (&aside);
}

static void
test_imagenet_empty_label_folder (Fixture *f, gconstpointer data)
{
  g_autoptr(DmDataset) output = NULL;

  keep_first_image (f);
  make_imagenet (f, ARGS ("cat", "dog"), ARGS ("empty"));
  output = expect_success (f, ARGS ("prune", f->source, "-q", "-m", "random", "-r", "1",
                                    "-f", "imagenet", "-o", f->dest), NULL);
  g_assert_cmpuint (dm_dataset_get_n_items (output), ==, 4);
}

/* An image or label folder whose name is not UTF-8 (Latin-1 "é"): an
 * error naming it, not an output whose JSON no reader takes. */
static void
test_imagenet_name_not_utf8 (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL;
  g_autofree char *renamed = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *renamed_folder = NULL;

  keep_first_image (f);
  make_imagenet (f, ARGS ("cat", "dog"), ARGS (NULL));
  image = source_path (f, "cat/cat_0.jpg");
  renamed = source_path (f, "cat/caf\xe9.jpg");
  g_assert_cmpint (g_rename (image, renamed), ==, 0);
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-f", "imagenet", "-o", f->dest),
                  PARTS ("caf\xef\xbf\xbd.jpg", "not UTF-8"));
  g_assert_cmpint (g_rename (renamed, image), ==, 0);

  folder = source_path (f, "dog");
  renamed_folder = source_path (f, "d\xe9g");
  g_assert_cmpint (g_rename (folder, renamed_folder), ==, 0);
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-f", "imagenet", "-o", f->dest),
                  PARTS ("d\xef\xbf\xbdg", "not UTF-8"));
}

/* An ImageNet-txt dataset whose synsets.txt is a named pipe: an error
 * naming it, not a wait for a writer that no Ctrl-C ends. */
static void
test_imagenet_txt_labels_named_pipe (Fixture *f, gconstpointer data)
{
  g_autofree char *image = NULL;
  g_autofree char *list = NULL;
  g_autofree char *synsets = NULL;

  keep_first_image (f);
  remove_tree (f->source);
  image = source_path (f, "images/a.jpg");
  copy_image (f, image);
  list = source_path (f, "train.txt");
  write_file (list, "a.jpg 0\n", -1);
  synsets = source_path (f, "synsets.txt");
  g_assert_cmpint (mkfifo (synsets, 0644), ==, 0);
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-f", "imagenet_txt", "-o", f->dest),
                  PARTS (synsets, "not a regular file"));
}

static void
test_imagenet_non_images_mixed_in (Fixture *f, gconstpointer data)
{
  g_autofree char *readme = NULL;
  g_autoptr(DmDataset) output = NULL;
  g_autoptr(DmRun) run = NULL;

  keep_first_image (f);
  make_imagenet (f, ARGS ("cat", "dog"), ARGS (NULL));
  readme = g_build_filename (f->source, "cat", "readme.txt", NULL);
  write_file (readme, "not an image\n", -1);

  /* Not detected as ImageNet, which holds only images (as Datumaro
   * decides); the message names the file and the way out, the format to
   * give (libdm's words: -f takes it). */
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-r", "1", "-o", f->dest),
                  PARTS ("readme.txt", "given the format “imagenet”"));

  /* Read as ImageNet when asked, and the text file is skipped with a note. */
  output = expect_success (f, ARGS ("prune", f->source, "-m", "random", "-r", "1", "-f", "imagenet",
                                    "-o", f->dest), &run);
  g_assert_cmpuint (dm_dataset_get_n_items (output), ==, 4);
  assert_message_has (run->err, PARTS ("readme.txt"));
}

static void
test_imagenet_symlink_loops (Fixture *f, gconstpointer data)
{
  g_autoptr(GHashTable) before = NULL;
  const char *links[][2] = {
    { "cat/up", ".." },
    { "cat/self", "." },
    { "dog/root", NULL },      /* the absolute path of the root */
    { "dog/a", "b" },          /* a → b → a */
    { "dog/b", "a" },
  };
  g_autoptr(DmRun) run = NULL;

  keep_first_image (f);
  make_imagenet (f, ARGS ("cat", "dog"), ARGS (NULL));
  for (guint l = 0; l < G_N_ELEMENTS (links); l++)
    {
      g_autofree char *path = g_build_filename (f->source, links[l][0], NULL);

      g_assert_cmpint (symlink (links[l][1] ? links[l][1] : f->source, path), ==, 0);
    }
  before = snapshot_tree (f->source);

  /* It terminates, and either keeps the four real images or says what is
   * wrong with the links. */
  run = run_dm (ARGS ("prune", f->source, "-q", "-m", "random", "-r", "1", "-f", "imagenet",
                      "-o", f->dest), 0);
  if (run->status == 0)
    {
      g_autoptr(DmDataset) output = load_dataset_ok (f->dest);

      g_assert_cmpuint (dm_dataset_get_n_items (output), ==, 4);
    }
  else
    {
      g_assert_cmpint (run->status, ==, 1);
      assert_message_has (run->err, PARTS (f->source));
      g_assert_false (g_file_test (f->dest, G_FILE_TEST_EXISTS));
    }
  g_assert_false (dir_has_entry_containing (f->tmp, ".tmp-"));
  assert_tree_matches (before, f->source);
}

/* An item's image (or media) object holding a value of the wrong type:
 * Datumaro fails on each, and dm names the file, the item and the member
 * rather than taking it for an item without an image or size. null is
 * none, as in Datumaro. */
static void
test_image_member_wrong_type (Fixture *f, gconstpointer data)
{
  static const char *const cases[][3] = {
    { "image", "\"x\"", "“image” is a string, not an object" },
    { "image", "[1]", "“image” is an array, not an object" },
    { "image", "{\"path\": 5}", "“image.path” is a number, not a string" },
    { "image", "{\"path\": \"a.jpg\", \"size\": \"x\"}", "“image.size” is a string" },
    { "image", "{\"path\": \"a.jpg\", \"size\": [96]}", "“image.size” is not an array of two positive integers" },
    { "image", "{\"path\": \"a.jpg\", \"size\": [96, 128, 3]}", "“image.size” is not" },
    { "image", "{\"path\": \"a.jpg\", \"size\": [0, 128]}", "“image.size” is not" },
    { "image", "{\"path\": \"a.jpg\", \"size\": [96.5, 128]}", "“image.size” is not" },
    { "image", "{\"path\": \"a.jpg\", \"size\": [\"96\", 128]}", "“image.size” is not" },
    { "media", "\"x\"", "“media” is a string, not an object" },
    { "media", "{\"path\": true}", "“media.path” is true, false or null, not a string" },
  };
  g_autofree char *train = source_path (f, "annotations/train.json");
  g_autofree char *where = g_strdup_printf ("items[0] (id “%s”)", f->first_id);

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(JsonNode) root = read_json (train);
      JsonObject *item = item_at (json_node_get_object (root), 0);

      json_object_remove_member (item, "image");
      json_object_set_member (item, cases[c][0], json_from_string (cases[c][1], NULL));
      write_json (train, root);
      expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-o", f->dest),
                      PARTS (train, where, cases[c][2]));
    }
}

/* null image, path and size are none, as in Datumaro: an item without an
 * image, the default path "<id>.jpg", no size. */
static void
test_image_members_null (Fixture *f, gconstpointer data)
{
  g_autofree char *train = source_path (f, "annotations/train.json");
  g_autoptr(JsonNode) root = read_json (train);
  JsonArray *items = json_object_get_array_member (json_node_get_object (root), "items");
  JsonObject *image = json_object_get_object_member (json_array_get_object_element (items, 0), "image");
  g_autofree char *renamed = g_strdup_printf ("%s/images/train/%s.jpg", f->source, f->first_id);
  g_autoptr(DmDataset) output = NULL;
  int width = -1, height = -1;

  json_object_set_null_member (image, "path");
  json_object_set_null_member (image, "size");
  json_object_set_null_member (json_array_get_object_element (items, 1), "image");
  write_json (train, root);
  g_assert_cmpint (g_rename (f->first_image, renamed), ==, 0);

  output = expect_success (f, ARGS ("prune", f->source, "-q", "-m", "random", "-r", "1", "-o", f->dest), NULL);
  g_assert_cmpuint (dm_dataset_get_n_items (output), ==, N_ITEMS);
  dm_item_get_image_size (dm_dataset_find_item (output, "train", f->first_id), &width, &height);
  g_assert_cmpint (width, ==, 0);
  g_assert_cmpint (height, ==, 0);
  g_assert_cmpint (g_rename (renamed, f->first_image), ==, 0);
  remove_tree (f->dest);
}

/* An image path that is a directory is said to be one, not "missing" (a
 * random run with skip-broken) nor a DEST that cannot be written (a copy
 * that fails). */
static void
test_image_is_directory (Fixture *f, gconstpointer data)
{
  g_autoptr(DmDataset) output = NULL;
  g_autoptr(DmRun) run = NULL;

  g_assert_cmpint (g_unlink (f->first_image), ==, 0);
  g_assert_cmpint (g_mkdir (f->first_image, 0755), ==, 0);

  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-r", "1", "-o", f->dest),
                  PARTS (f->first_image, "is a directory, not an image file"));
  output = expect_success (f, ARGS ("prune", f->source, "-m", "random", "-r", "1", "--skip-broken",
                                    "-o", f->dest), &run);
  g_assert_null (dm_dataset_find_item (output, "train", f->first_id));
  assert_message_has (run->err, PARTS ("1 broken item", f->first_image, "is a directory, not an image file"));
  g_assert_null (strstr (run->err, "missing"));
  remove_tree (f->dest);

  /* The methods that decode images say the same, not GLib's "Error
   * reading file …: Is a directory", with skip-broken or without. */
  expect_image_failure (f, PARTS (f->first_image, "is a directory, not an image file"));
  for (guint m = 0; m < G_N_ELEMENTS (decoding_methods); m++)
    {
      g_autoptr(DmDataset) pruned = NULL;
      g_autoptr(DmRun) skipped = NULL;

      pruned = expect_success (f, ARGS ("prune", f->source, "-m", decoding_methods[m], "-r", "1", "--skip-broken",
                                        "-o", f->dest), &skipped);
      g_assert_null (dm_dataset_find_item (pruned, "train", f->first_id));
      assert_message_has (skipped->err, PARTS ("1 broken item", f->first_image, "is a directory, not an image file"));
      remove_tree (f->dest);
    }
}

/* A cache that is a symbolic link to nothing is an error naming the link
 * and its target, not "no cache": neither recomputed keys nor `dm hash`
 * replacing the link. */
static void
test_hash_keys_dangling_link (Fixture *f, gconstpointer data)
{
  g_autofree char *folder = source_path (f, "hash_key_meta");
  g_autofree char *cache = source_path (f, "hash_key_meta/hash_keys.json");
  g_autofree char *target = g_build_filename (f->tmp, "gone", "hash_keys.json", NULL);

  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  g_assert_cmpint (symlink (target, cache), ==, 0);
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "centroid", "-o", f->dest),
                  PARTS (cache, target, "symbolic link"));
  expect_failure (f, ARGS ("hash", f->source, "-q"), PARTS (cache, target, "symbolic link"));
  g_assert_true (g_file_test (cache, G_FILE_TEST_IS_SYMLINK));
}

/* Rewrites the UTF-8 file @path in @encoding, after the @bom_length
 * bytes @bom. */
static void
reencode_file (const char *path,
               const char *encoding,
               const char *bom,
               gsize       bom_length)
{
  g_autofree char *contents = NULL;
  g_autofree char *converted = NULL;
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  gsize length, converted_length;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  converted = g_convert (contents, (gssize) length, encoding, "UTF-8", NULL, &converted_length, NULL);
  g_assert_nonnull (converted);
  g_byte_array_append (bytes, (const guint8 *) bom, (guint) bom_length);
  g_byte_array_append (bytes, (const guint8 *) converted, (guint) converted_length);
  write_file (path, (const char *) bytes->data, (gssize) bytes->len);
}

/* A JSON file in UTF-16 or UTF-32, with a byte-order mark or without, or
 * in UTF-8 after one (which JSON does not allow, nor Datumaro), is said
 * to be in that encoding, not "not valid JSON" at line 1, column 2. */
static void
test_json_foreign_encoding (Fixture *f, gconstpointer data)
{
  static const struct { const char *encoding, *bom; gsize bom_length; const char *named; } cases[] = {
    { "UTF-16LE", "\xff\xfe", 2, "UTF-16LE" },
    { "UTF-16BE", "\xfe\xff", 2, "UTF-16BE" },
    { "UTF-16BE", "", 0, "UTF-16BE" },
    { "UTF-32LE", "\xff\xfe\0\0", 4, "UTF-32LE" },
    { "UTF-8", "\xef\xbb\xbf", 3, "UTF-8 with a byte-order mark" },
  };
  g_autofree char *train = source_path (f, "annotations/train.json");
  g_autofree char *keys = write_hash_keys (f, make_hash_keys (f, 0));
  g_autofree char *original = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (train, &original, &length, NULL));
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      reencode_file (train, cases[c].encoding, cases[c].bom, cases[c].bom_length);
      expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-o", f->dest),
                      PARTS (train, "unsupported encoding", cases[c].named));
      write_file (train, original, (gssize) length);
    }
  reencode_file (keys, "UTF-16LE", "\xff\xfe", 2);
  expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "centroid", "-o", f->dest),
                  PARTS (keys, "unsupported encoding", "UTF-16LE"));
}

/* A cache that is a directory is said to be one, not "a named pipe,
 * socket or device". */
static void
test_hash_keys_directory (Fixture *f, gconstpointer data)
{
  expect_directory_refused (f, "hash_key_meta/hash_keys.json");
}

/* Writes train.json, as @original holds it, with the first item given the
 * members of the JSON object @members (without its image if @drop_image). */
static void
set_first_item_members (Fixture    *f,
                        const char *original,
                        const char *members,
                        gboolean    drop_image)
{
  g_autofree char *train = source_path (f, "annotations/train.json");
  g_autoptr(JsonNode) root = json_from_string (original, NULL);
  JsonObject *item = item_at (json_node_get_object (root), 0);
  g_autoptr(JsonNode) node = json_from_string (members, NULL);
  g_autoptr(GList) names = json_object_get_members (json_node_get_object (node));

  if (drop_image)
    json_object_remove_member (item, "image");
  for (GList *name = names; name != NULL; name = name->next)
    json_object_set_member (item, name->data, json_object_dup_member (json_node_get_object (node), name->data));
  write_json (train, root);
}

/* An item's point cloud, related images, video frame or video holding a
 * value of the wrong type, as the image's are refused: Datumaro fails on
 * each (calling .get() on it, iterating it, joining it to a folder); and
 * a frame number that is not an integer, or out of Datumaro's range. */
static void
test_other_media_wrong_type (Fixture *f, gconstpointer data)
{
  static const char *const cases[][2] = {
    { "{\"point_cloud\": \"x\"}", "“point_cloud” is a string, not an object" },
    { "{\"point_cloud\": [1]}", "“point_cloud” is an array, not an object" },
    { "{\"point_cloud\": {\"path\": 5}}", "“point_cloud.path” is a number, not a string" },
    { "{\"point_cloud\": {\"path\": \"a.pcd\"}, \"related_images\": \"x\"}",
      "“related_images” is a string, not an array" },
    { "{\"point_cloud\": {\"path\": \"a.pcd\"}, \"related_images\": [{\"path\": \"a.jpg\"}, 5]}",
      "“related_images[1]” is a number, not an object" },
    { "{\"point_cloud\": {\"path\": \"a.pcd\"}, \"related_images\": [null]}",
      "“related_images[0]” is true, false or null, not an object" },
    { "{\"point_cloud\": {\"path\": \"a.pcd\"}, \"related_images\": [{\"path\": false}]}",
      "“related_images[0].path” is true, false or null, not a string" },
    { "{\"point_cloud\": {\"path\": \"a.pcd\"}, \"related_images\": [{\"path\": \"a.jpg\", \"size\": \"1x1\"}]}",
      "“related_images[0].size” is a string, not an array of two positive integers" },
    { "{\"point_cloud\": {\"path\": \"a.pcd\"}, \"related_images\": [{\"path\": \"a.jpg\", \"size\": [1, 0]}]}",
      "“related_images[0].size” is not an array of two positive integers" },
    { "{\"point_cloud\": {\"path\": \"a.pcd\"}, \"related_images\": [{\"path\": \"a.jpg\", \"size\": [1]}]}",
      "“related_images[0].size” is not an array of two positive integers" },
    { "{\"video_frame\": 0}", "“video_frame” is a number, not an object" },
    { "{\"video_frame\": {\"video_path\": [\"a.avi\"]}}", "“video_frame.video_path” is an array, not a string" },
    { "{\"video\": \"a.mp4\"}", "“video” is a string, not an object" },
    { "{\"video\": {\"path\": {}}}", "“video.path” is an object, not a string" },
    { "{\"video_frame\": {\"video_path\": \"a.avi\", \"frame_index\": \"3\"}}",
      "“video_frame.frame_index” is a string, not a non-negative integer" },
    { "{\"video_frame\": {\"video_path\": \"a.avi\", \"frame_index\": -1}}",
      "“video_frame.frame_index” is not a non-negative integer" },
    { "{\"video_frame\": {\"video_path\": \"a.avi\", \"frame_index\": 2.5}}",
      "“video_frame.frame_index” is not a non-negative integer" },
    { "{\"video\": {\"path\": \"a.mp4\", \"step\": \"2\"}}", "“video.step” is a string, not a positive integer" },
    { "{\"video\": {\"path\": \"a.mp4\", \"step\": 0}}", "“video.step” is not a positive integer" },
    { "{\"video\": {\"path\": \"a.mp4\", \"step\": true}}",
      "“video.step” is true, false or null, not a positive integer" },
    { "{\"video\": {\"path\": \"a.mp4\", \"start_frame\": -2}}", "“video.start_frame” is not a non-negative integer" },
    { "{\"video\": {\"path\": \"a.mp4\", \"start_frame\": 1.0}}", "“video.start_frame” is not a non-negative integer" },
    { "{\"video\": {\"path\": \"a.mp4\", \"end_frame\": {}}}", "“video.end_frame” is an object, not a non-negative integer" },
    { "{\"video\": {\"path\": \"a.mp4\", \"end_frame\": [9]}}", "“video.end_frame” is an array, not a non-negative integer" },
    { "{\"video\": {\"path\": \"a.mp4\", \"start_frame\": 5, \"end_frame\": 5}}",
      "“video.end_frame” (5) is not above “video.start_frame” (5)" },
  };
  g_autofree char *train = source_path (f, "annotations/train.json");
  g_autofree char *where = g_strdup_printf ("items[0] (id “%s”)", f->first_id);
  g_autofree char *original = NULL;

  g_assert_true (g_file_get_contents (train, &original, NULL, NULL));

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      set_first_item_members (f, original, cases[c][0], TRUE);
      expect_failure (f, ARGS ("prune", f->source, "-q", "-m", "random", "-o", f->dest),
                      PARTS (train, where, cases[c][1]));
    }
}

/* null is none, and so is a null path: no such media, as in Datumaro,
 * which also reads related images only beside a point cloud. */
static void
test_other_media_null (Fixture *f, gconstpointer data)
{
  static const char *const members[] = {
    "{\"point_cloud\": null, \"video_frame\": null, \"video\": null}",
    "{\"point_cloud\": {\"path\": null}, \"related_images\": \"x\", \"video\": {\"path\": null}}",
    "{\"related_images\": 5, \"video_frame\": {\"video_path\": null}}",
    /* Frame numbers: null is not given; an end frame of 0 is none, as in Datumaro. */
    "{\"video\": {\"path\": null, \"step\": null, \"start_frame\": null, \"end_frame\": null}}",
    "{\"video\": {\"path\": null, \"step\": 2, \"start_frame\": 3, \"end_frame\": 0}}",
    "{\"video_frame\": {\"video_path\": null, \"frame_index\": null}}",
  };
  g_autofree char *train = source_path (f, "annotations/train.json");
  g_autofree char *original = NULL;

  g_assert_true (g_file_get_contents (train, &original, NULL, NULL));

  for (guint c = 0; c < G_N_ELEMENTS (members); c++)
    {
      g_autoptr(DmDataset) output = NULL;

      set_first_item_members (f, original, members[c], FALSE);
      output = expect_success (f, ARGS ("prune", f->source, "-q", "-m", "random", "-r", "1", "-o", f->dest), NULL);
      g_assert_cmpuint (dm_dataset_get_n_items (output), ==, N_ITEMS);
      remove_tree (f->dest);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/bad-input/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("annotations/not-json", test_annotations_not_json);
  ADD ("annotations/truncated", test_annotations_truncated);
  ADD ("annotations/empty-file", test_annotations_empty_file);
  ADD ("annotations/items-not-array", test_items_not_array);
  ADD ("annotations/items-missing", test_items_missing);
  ADD ("annotations/id-a-number", test_id_a_number);
  ADD ("annotations/label-id-a-string", test_label_id_a_string);
  ADD ("annotations/label-id-out-of-range", test_label_id_out_of_range);
  ADD ("annotations/label-id-negative", test_label_id_negative);
  ADD ("annotations/duplicate-ids", test_duplicate_ids);
  ADD ("annotations/unknown-format-version", test_unknown_format_version);
  ADD ("annotations/invalid-utf8", test_annotations_invalid_utf8);
  ADD ("annotations/no-items", test_no_items);
  ADD ("annotations/not-a-file", test_annotations_not_a_file);
  ADD ("annotations/directory", test_annotations_directory);
  ADD ("annotations/name-not-utf8", test_annotations_name_not_utf8);

  ADD ("hash-keys/not-json", test_hash_keys_not_json);
  ADD ("hash-keys/wrong-length", test_hash_key_wrong_length);
  ADD ("hash-keys/values-out-of-range", test_hash_key_values_out_of_range);
  ADD ("hash-keys/invalid-utf8", test_hash_keys_invalid_utf8);
  ADD ("hash-keys/named-pipe", test_hash_keys_named_pipe);
  ADD ("hash-keys/key-for-unknown-item", test_hash_key_for_unknown_item);
  ADD ("hash-keys/missing-for-some-items", test_hash_keys_missing_for_some_items);
  ADD ("hash-keys/datumaro-keys-missing-for-some-items", test_datumaro_hash_keys_missing_for_some_items);

  ADD ("images/missing", test_image_missing);
  ADD ("images/missing-named", test_image_missing_named);
  ADD ("images/missing-legacy-layout", test_image_missing_legacy_layout);
  ADD ("images/truncated-jpeg", test_image_truncated_jpeg);
  ADD ("images/truncated-png", test_image_truncated_png);
  ADD ("images/not-an-image", test_image_not_an_image);
  ADD ("images/empty-file", test_image_empty_file);
  ADD ("images/named-pipe", test_image_named_pipe);
  ADD ("images/named-pipe-html-report", test_image_named_pipe_html_report);
  ADD ("images/one-pixel", test_image_one_pixel);
  ADD ("images/decompression-bomb", test_image_decompression_bomb);
  ADD ("images/skip-broken", test_skip_broken);
  ADD ("images/skip-broken-item-without-image", test_skip_broken_item_without_image);
  ADD ("images/skip-broken-in-place", test_skip_broken_in_place);
  ADD ("images/skip-broken-in-place-library", test_skip_broken_in_place_library);
  ADD ("images/skip-broken-in-place-no-partial-cache", test_skip_broken_in_place_makes_no_partial_cache);

  ADD ("parameters/bad-values", test_bad_parameters);
  ADD ("parameters/more-clusters-than-items", test_more_clusters_than_items);
  ADD ("parameters/unused-by-method", test_parameter_unused_by_method);
  ADD ("parameters/label-method-without-labels", test_label_method_without_labels);

  ADD ("output/dest-is-source", test_dest_is_source);
  ADD ("output/dest-inside-source", test_dest_inside_source);
  ADD ("output/dest-is-file", test_dest_is_file);
  ADD ("output/dest-not-empty", test_dest_not_empty);
  ADD ("output/dest-dangling-link", test_dest_dangling_link);
  ADD ("output/dest-parent-is-file", test_dest_parent_is_file);
  ADD ("output/disk-full-new-dest", test_disk_full_new_dest);
  ADD ("output/disk-full-overwrite", test_disk_full_overwrite);
  ADD ("output/disk-full-copying-images", test_disk_full_copying_images);
  ADD ("output/disk-full-new-parents", test_disk_full_new_parents);
  ADD ("output/dest-mode-kept", test_dest_mode_kept);
  ADD ("output/dest-read-only", test_dest_read_only);
  ADD ("output/report-path-not-a-file", test_report_path_not_a_file);
  ADD ("output/shard-keys-out-bad-place", test_shard_keys_out_bad_place);
  ADD ("parameters/flag-given-a-value", test_flag_given_a_value);
  ADD ("parameters/empty-paths", test_empty_paths);

  ADD ("imagenet/empty-label-folder", test_imagenet_empty_label_folder);
  ADD ("imagenet/non-images-mixed-in", test_imagenet_non_images_mixed_in);
  ADD ("imagenet/txt-labels-named-pipe", test_imagenet_txt_labels_named_pipe);
  ADD ("imagenet/name-not-utf8", test_imagenet_name_not_utf8);
  ADD ("imagenet/symlink-loops", test_imagenet_symlink_loops);

  ADD ("annotations/image-member-wrong-type", test_image_member_wrong_type);
  ADD ("annotations/image-members-null", test_image_members_null);
  ADD ("annotations/other-media-wrong-type", test_other_media_wrong_type);
  ADD ("annotations/other-media-null", test_other_media_null);
  ADD ("images/is-directory", test_image_is_directory);
  ADD ("hash-keys/dangling-link", test_hash_keys_dangling_link);
  ADD ("hash-keys/directory", test_hash_keys_directory);
  ADD ("annotations/foreign-encoding", test_json_foreign_encoding);

#undef ADD

  return g_test_run ();
}
