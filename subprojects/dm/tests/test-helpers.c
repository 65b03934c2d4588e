/* test-helpers.c: running dm and checking what it did to the file system. */
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <json-glib/json-glib.h>

#include "test-helpers.h"

#define KEY_BYTES 64

void
dm_run_free (DmRun *run)
{
  g_free (run->out);
  g_free (run->err);
  g_free (run);
}

DmRun *
dm_run (const char *unset_env,
        const char *first_arg,
        ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  va_start (ap, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  return dm_run_argv (unset_env, (const char * const *) args->pdata);
}

DmRun *
dm_run_argv (const char         *unset_env,
             const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  const char *cli = g_getenv ("DM_CLI");
  DmRun *run = g_new0 (DmRun, 1);

  g_assert_nonnull (cli);
  g_ptr_array_add (argv, (gpointer) cli);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  if (unset_env != NULL)
    g_subprocess_launcher_unsetenv (launcher, unset_env);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);

  run->status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
  if (g_test_verbose ())
    g_test_message ("dm %s → %d\nstdout: %s\nstderr: %s", args[0] != NULL ? args[0] : "", run->status, run->out, run->err);

  return run;
}

void
note_subprocess_exit (GObject      *process,
                      GAsyncResult *result,
                      gpointer      exited)
{
  g_subprocess_wait_finish (G_SUBPROCESS (process), result, NULL);
  *(gboolean *) exited = TRUE;
}

static gboolean
cancel_wait (gpointer cancellable)
{
  g_cancellable_cancel (cancellable);
  return G_SOURCE_REMOVE;
}

gboolean
wait_for_exit (GSubprocess *process,
               guint        seconds)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  gboolean done = FALSE;
  guint timeout = g_timeout_add_seconds (seconds, cancel_wait, cancellable);

  /* The callback always runs, cancelled or not: @done outlives it. */
  g_subprocess_wait_async (process, cancellable, note_subprocess_exit, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  if (!g_cancellable_is_cancelled (cancellable))
    g_source_remove (timeout);
  return g_subprocess_get_identifier (process) == NULL;
}

char *
make_temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("dm-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
make_sample (const char *dir,
             guint       n_items)
{
  const char *generator = g_getenv ("DM_MAKE_SAMPLE");
  g_autofree char *count = g_strdup_printf ("%u", n_items);
  const char *argv[] = { generator, "--items", count, dir, NULL };
  g_autoptr(GError) error = NULL;
  int status;

  g_assert_nonnull (generator);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_spawn_check_wait_status (status, &error);
  g_assert_no_error (error);
}

void
make_hashed_sample (const char *dir,
                    guint       n_items)
{
  g_autoptr(DmRun) hash = NULL;

  make_sample (dir, n_items);
  hash = dm_run (NULL, "hash", "-q", dir, NULL);
  if (hash->status != 0)
    g_error ("dm hash %s exited with %d: %s", dir, hash->status, hash->err);
}

static void
snapshot_into (GHashTable *table,
               const char *root,
               const char *relative)
{
  g_autofree char *path = relative ? g_build_filename (root, relative, NULL) : g_strdup (root);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child_rel = relative ? g_build_filename (relative, name, NULL) : g_strdup (name);
      g_autofree char *child = g_build_filename (root, child_rel, NULL);

      /* A link is its target: never followed, so a loop ends. */
      if (g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        {
          g_autofree char *target = g_file_read_link (child, NULL);

          g_assert_nonnull (target);
          g_hash_table_insert (table, g_strdup (child_rel), g_strconcat ("link to ", target, NULL));
        }
      else if (g_file_test (child, G_FILE_TEST_IS_DIR))
        {
          g_hash_table_insert (table, g_strdup (child_rel), g_strdup ("dir"));
          snapshot_into (table, root, child_rel);
        }
      else if (!g_file_test (child, G_FILE_TEST_IS_REGULAR))
        /* A named pipe or socket: opening it to read would wait for a writer. */
        g_hash_table_insert (table, g_strdup (child_rel), g_strdup ("special"));
      else
        {
          g_autofree char *contents = NULL;
          gsize length;

          g_assert_true (g_file_get_contents (child, &contents, &length, NULL));
          g_hash_table_insert (table, g_strdup (child_rel),
                               g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guchar *) contents, length));
        }
    }
}

GHashTable *
snapshot_tree (const char *dir)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  snapshot_into (table, dir, NULL);
  return table;
}

void
assert_same_tree (GHashTable *before,
                  GHashTable *after)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, before);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *now = g_hash_table_lookup (after, key);

      if (now == NULL)
        g_error ("%s disappeared", (char *) key);
      if (!g_str_equal (now, value))
        g_error ("%s changed", (char *) key);
    }
  g_hash_table_iter_init (&iter, after);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (before, key))
      g_error ("%s appeared", (char *) key);
}

void
assert_tree_matches (GHashTable *snapshot,
                     const char *dir)
{
  g_autoptr(GHashTable) now = snapshot_tree (dir);

  assert_same_tree (snapshot, now);
}

gboolean
dir_has_entry_containing (const char *dir,
                          const char *part)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    if (strstr (name, part) != NULL)
      return TRUE;

  return FALSE;
}

void
remove_tree (const char *path)
{
  const char *argv[] = { "rm", "-rf", path, NULL };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
}

/* Ends the top-level object @builder is in and writes it to @path. */
static void
write_built_json (JsonBuilder *builder,
                  const char  *path)
{
  g_autoptr(JsonNode) root = json_builder_get_root (json_builder_end_object (builder));

  write_json (path, root);
}

/* A Datumaro dataset of items with a label and no image, whose keys sit in
 * hash_key_meta/hash_keys.json, laid out as /work/shared/reference/keys.py
 * writes them: each label's keys are noisy copies of one random key. */
void
write_keys_dataset (const char *dir,
                    guint       n_items,
                    guint       n_labels,
                    guint32     seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(JsonBuilder) cache = json_builder_new ();
  g_autofree guint8 *centres = g_new (guint8, (gsize) n_labels * KEY_BYTES);
  guint n_train = n_items * 4 / 5;
  const char *subsets[] = { "train", "val" };
  g_autofree char *annotations = g_build_filename (dir, "annotations", NULL);
  g_autofree char *meta = g_build_filename (dir, "hash_key_meta", NULL);
  g_autofree char *keys_path = g_build_filename (meta, "hash_keys.json", NULL);

  g_assert_cmpint (g_mkdir_with_parents (annotations, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (meta, 0755), ==, 0);
  for (guint l = 0; l < n_labels; l++)
    for (guint b = 0; b < KEY_BYTES; b++)
      centres[l * KEY_BYTES + b] = (guint8) g_rand_int_range (rand, 0, 256);

  json_builder_begin_object (cache);
  json_builder_set_member_name (cache, "hashkey");
  json_builder_begin_object (cache);

  for (guint s = 0; s < G_N_ELEMENTS (subsets); s++)
    {
      g_autoptr(JsonBuilder) doc = json_builder_new ();
      g_autofree char *file = g_strdup_printf ("%s.json", subsets[s]);
      g_autofree char *path = g_build_filename (annotations, file, NULL);
      guint first = s == 0 ? 0 : n_train, end = s == 0 ? n_train : n_items;

      json_builder_begin_object (doc);
      json_builder_set_member_name (doc, "dm_format_version");
      json_builder_add_string_value (doc, "1.0");
      json_builder_set_member_name (doc, "media_type");
      json_builder_add_int_value (doc, 2);
      json_builder_set_member_name (doc, "infos");
      json_builder_begin_object (doc);
      json_builder_end_object (doc);
      json_builder_set_member_name (doc, "categories");
      json_builder_begin_object (doc);
      json_builder_set_member_name (doc, "label");
      json_builder_begin_object (doc);
      json_builder_set_member_name (doc, "labels");
      json_builder_begin_array (doc);
      for (guint l = 0; l < n_labels; l++)
        {
          g_autofree char *name = g_strdup_printf ("class_%u", l);
          json_builder_begin_object (doc);
          json_builder_set_member_name (doc, "name");
          json_builder_add_string_value (doc, name);
          json_builder_set_member_name (doc, "parent");
          json_builder_add_string_value (doc, "");
          json_builder_set_member_name (doc, "attributes");
          json_builder_begin_array (doc);
          json_builder_end_array (doc);
          json_builder_end_object (doc);
        }
      json_builder_end_array (doc);
      json_builder_set_member_name (doc, "label_groups");
      json_builder_begin_array (doc);
      json_builder_end_array (doc);
      json_builder_set_member_name (doc, "attributes");
      json_builder_begin_array (doc);
      json_builder_end_array (doc);
      json_builder_end_object (doc);
      json_builder_end_object (doc);

      json_builder_set_member_name (doc, "items");
      json_builder_begin_array (doc);
      for (guint i = first; i < end; i++)
        {
          g_autofree char *id = g_strdup_printf ("item_%07u", i);
          g_autofree char *cache_key = g_strdup_printf ("%s/%s", subsets[s], id);
          guint label = (guint) g_rand_int_range (rand, 0, n_labels);

          json_builder_begin_object (doc);
          json_builder_set_member_name (doc, "id");
          json_builder_add_string_value (doc, id);
          json_builder_set_member_name (doc, "annotations");
          json_builder_begin_array (doc);
          json_builder_begin_object (doc);
          json_builder_set_member_name (doc, "id");
          json_builder_add_int_value (doc, 0);
          json_builder_set_member_name (doc, "type");
          json_builder_add_string_value (doc, "label");
          json_builder_set_member_name (doc, "attributes");
          json_builder_begin_object (doc);
          json_builder_end_object (doc);
          json_builder_set_member_name (doc, "group");
          json_builder_add_int_value (doc, 0);
          json_builder_set_member_name (doc, "label_id");
          json_builder_add_int_value (doc, label);
          json_builder_end_object (doc);
          json_builder_end_array (doc);
          json_builder_end_object (doc);

          /* Each bit of the label's key flipped with probability 1/8. */
          json_builder_set_member_name (cache, cache_key);
          json_builder_begin_array (cache);
          for (guint b = 0; b < KEY_BYTES; b++)
            {
              guint8 flips = 0;
              for (guint bit = 0; bit < 8; bit++)
                flips |= (g_rand_int_range (rand, 0, 8) == 0) << bit;
              json_builder_add_int_value (cache, centres[label * KEY_BYTES + b] ^ flips);
            }
          json_builder_end_array (cache);
        }
      json_builder_end_array (doc);
      write_built_json (doc, path);
    }

  json_builder_end_object (cache);
  write_built_json (cache, keys_path);
}

void
write_sample_hash_keys (const char *dataset)
{
  const char *subsets[] = { "train", "val" };
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  g_autoptr(JsonBuilder) cache = json_builder_new ();
  g_autofree char *meta = g_build_filename (dataset, "hash_key_meta", NULL);
  g_autofree char *keys_path = g_build_filename (meta, "hash_keys.json", NULL);
  guint8 centres[16][KEY_BYTES];

  for (guint l = 0; l < G_N_ELEMENTS (centres); l++)
    for (guint b = 0; b < KEY_BYTES; b++)
      centres[l][b] = (guint8) g_rand_int_range (rand, 0, 256);

  json_builder_begin_object (cache);
  json_builder_set_member_name (cache, "hashkey");
  json_builder_begin_object (cache);
  for (guint s = 0; s < G_N_ELEMENTS (subsets); s++)
    {
      g_autofree char *file = g_strdup_printf ("%s.json", subsets[s]);
      g_autofree char *path = g_build_filename (dataset, "annotations", file, NULL);
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonArray *items;

      items = json_object_get_array_member (load_json_object (parser, path), "items");
      for (guint i = 0; i < json_array_get_length (items); i++)
        {
          JsonObject *item = json_array_get_object_element (items, i);
          JsonArray *annotations = json_object_get_array_member (item, "annotations");
          g_autofree char *cache_key = g_strdup_printf ("%s/%s", subsets[s], json_object_get_string_member (item, "id"));
          guint label = 0;

          if (annotations != NULL && json_array_get_length (annotations) > 0)
            label = (guint) json_object_get_int_member_with_default (json_array_get_object_element (annotations, 0),
                                                                    "label_id", 0) % G_N_ELEMENTS (centres);
          json_builder_set_member_name (cache, cache_key);
          json_builder_begin_array (cache);
          for (guint b = 0; b < KEY_BYTES; b++)
            json_builder_add_int_value (cache, centres[label][b] ^ (1u << g_rand_int_range (rand, 0, 8)));
          json_builder_end_array (cache);
        }
    }
  json_builder_end_object (cache);

  g_assert_cmpint (g_mkdir_with_parents (meta, 0755), ==, 0);
  write_built_json (cache, keys_path);
}

JsonObject *
load_json_object (JsonParser *parser,
                  const char *path)
{
  g_autoptr(GError) error = NULL;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

void
source_fixture_init (SourceFixture *fixture,
                     const char    *source_name)
{
  fixture->tmp = make_temp_dir ();
  fixture->source = g_build_filename (fixture->tmp, source_name, NULL);
  fixture->dest = g_build_filename (fixture->tmp, "dest", NULL);
  fixture->source_before = NULL;
}

char *
path_in (SourceFixture *fixture,
         const char    *name)
{
  return g_build_filename (fixture->tmp, name, NULL);
}

void
source_fixture_guard (SourceFixture *fixture)
{
  g_clear_pointer (&fixture->source_before, g_hash_table_unref);
  fixture->source_before = snapshot_tree (fixture->source);
}

void
source_fixture_tear_down (SourceFixture *fixture,
                          gconstpointer  data)
{
  if (fixture->source_before != NULL)
    {
      assert_tree_matches (fixture->source_before, fixture->source);
      g_hash_table_unref (fixture->source_before);
    }
  discard_temp_dir (fixture->tmp, fixture->source, fixture->dest, NULL);
}

void
sample_fixture_set_up (SourceFixture *fixture,
                       gconstpointer  n_items)
{
  source_fixture_init (fixture, "source");
  make_sample (fixture->source, GPOINTER_TO_UINT (n_items));
  source_fixture_guard (fixture);
}

void
keys_fixture_set_up (KeysFixture  *fixture,
                     gconstpointer spec)
{
  const KeysDataset *keys = spec;

  source_fixture_init (fixture, "keys");
  write_keys_dataset (fixture->source, keys->n_items, keys->n_labels, keys->seed);
}

void
discard_temp_dir (char *tmp,
                  ...)
{
  va_list paths;

  remove_tree (tmp);
  g_free (tmp);
  va_start (paths, tmp);
  for (char *path = va_arg (paths, char *); path != NULL; path = va_arg (paths, char *))
    g_free (path);
  va_end (paths);
}

void
write_file (const char *path,
            const char *contents,
            gssize      length)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
}

static guint32
crc32_of (const guint8 *data,
          gsize         length)
{
  guint32 crc = 0xffffffff;

  for (gsize i = 0; i < length; i++)
    {
      crc ^= data[i];
      for (int bit = 0; bit < 8; bit++)
        crc = (crc >> 1) ^ (0xedb88320 & -(crc & 1));
    }
  return ~crc;
}

static void
append_png_chunk (GByteArray   *png,
                  const char   *type,
                  const guint8 *data,
                  guint32       length)
{
  guint32 be_length = GUINT32_TO_BE (length);
  guint32 be_crc;
  g_autoptr(GByteArray) typed = g_byte_array_new ();

  g_byte_array_append (typed, (const guint8 *) type, 4);
  g_byte_array_append (typed, data, length);
  be_crc = GUINT32_TO_BE (crc32_of (typed->data, typed->len));
  g_byte_array_append (png, (const guint8 *) &be_length, 4);
  g_byte_array_append (png, typed->data, typed->len);
  g_byte_array_append (png, (const guint8 *) &be_crc, 4);
}

void
write_png_declaring (const char *path,
                     guint32     width,
                     guint32     height)
{
  static const guint8 signature[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  static const guint8 idat[] = { 0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01 };
  guint32 be_width = GUINT32_TO_BE (width), be_height = GUINT32_TO_BE (height);
  guint8 ihdr[13] = { 0, 0, 0, 0, 0, 0, 0, 0, 8, 2, 0, 0, 0 };
  g_autoptr(GByteArray) png = g_byte_array_new ();

  memcpy (ihdr, &be_width, 4);
  memcpy (ihdr + 4, &be_height, 4);
  g_byte_array_append (png, signature, sizeof signature);
  append_png_chunk (png, "IHDR", ihdr, sizeof ihdr);
  append_png_chunk (png, "IDAT", idat, sizeof idat);
  append_png_chunk (png, "IEND", NULL, 0);
  write_file (path, (const char *) png->data, png->len);
}

void
write_json (const char *path,
            JsonNode   *node)
{
  g_autofree char *text = json_to_string (node, FALSE);

  write_file (path, text, -1);
}

JsonNode *
read_json (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  JsonNode *node;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  node = json_from_string (text, &error);
  g_assert_no_error (error);
  return node;
}

guint
count_occurrences (const char *text,
                   const char *part)
{
  guint n = 0;

  for (const char *p = strstr (text, part); p != NULL; p = strstr (p + strlen (part), part))
    n++;
  return n;
}

void
assert_contains (const char *text,
                 const char *part)
{
  if (strstr (text, part) == NULL)
    g_error ("“%.300s” lacks “%s”", text, part);
}

void
assert_one_line (const char *err,
                 const char *part)
{
  if (part != NULL)
    assert_contains (err, part);
  g_assert_true (g_str_has_prefix (err, "dm"));
  if (strchr (err, '\n') != err + strlen (err) - 1)
    g_error ("not one line: “%.300s”", err);
}

void
write_subset_annotations (const char *dir,
                          const char *subset,
                          const char *json)
{
  g_autofree char *file = g_strconcat (subset, ".json", NULL);
  g_autofree char *path = g_build_filename (dir, "annotations", file, NULL);

  write_file (path, json, -1);
}

void
assert_error_mentions (const GError *error,
                       const char   *part)
{
  g_assert_nonnull (error);
  if (strstr (error->message, part) == NULL)
    g_error ("the message lacks “%s”: %s", part, error->message);
}

/* @message without what it quotes in “” (a name, or another tool's
 * command line), but for a quoted dm command line: dm's words. */
static char *
strip_quoted (const char *message)
{
  GString *unquoted = g_string_new (NULL);
  const char *p = message;
  const char *open;

  while ((open = strstr (p, "“")) != NULL)
    {
      const char *close = strstr (open, "”");

      if (close == NULL)
        break;
      if (g_str_has_prefix (open + strlen ("“"), "dm "))
        {
          g_string_append_len (unquoted, p, (open + strlen ("“")) - p);
          p = open + strlen ("“");
          continue;
        }
      g_string_append_len (unquoted, p, open - p);
      p = close + strlen ("”");
    }
  g_string_append (unquoted, p);
  return g_string_free (unquoted, FALSE);
}

void
assert_error_names_no_flag (const GError *error)
{
  const char *program_words[] = { "--", "-o ", "-f ", "SOURCE", "DEST", "pass -" };
  g_autofree char *unquoted = NULL;

  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_null (strchr (error->message, '\n'));
  unquoted = strip_quoted (error->message);
  for (guint i = 0; i < G_N_ELEMENTS (program_words); i++)
    if (strstr (unquoted, program_words[i]) != NULL)
      g_error ("the message names “%s”, a program's word: %s", program_words[i], error->message);
}

static void
write_media_file (const char *dir,
                  const char *relative)
{
  g_autofree char *path = g_build_filename (dir, relative, NULL);
  g_autofree char *contents = g_strdup_printf ("contents of %s", relative);

  write_file (path, contents, -1);
}

void
write_media_dataset (const char *dir,
                     const char *outside)
{
  static const char * const files[] = {
    "point_clouds/pcd/pc1.pcd", "images/pcd/pc1/cam0.jpg", "images/pcd/pc1/cam1.jpg",
    "point_clouds/pcd/pc2.pcd", "images/pcd/shared.jpg",
    "videos/video/clip.avi", "videos/video/whole.mp4",
    "images/train/nopath.jpg", "images/train/shared.jpg", "images/old.jpg",
    "images/train/sub/plain.jpg", "README", "annotations/README.txt",
    "images/train/unreferenced.jpg",
  };
  const char *header = "{\"dm_format_version\": \"1.0\", \"infos\": {}, "
                       "\"categories\": {\"label\": {\"labels\": [{\"name\": \"x\", \"parent\": \"\"}]}}, ";
  g_autofree char *abs_image = g_build_filename (outside, "abs.jpg", NULL);
  g_autofree char *pcd = NULL;
  g_autofree char *video = NULL;
  g_autofree char *train = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    write_media_file (dir, files[i]);
  write_file (abs_image, "contents of the outside image", -1);

  pcd = g_strconcat (header, "\"media_type\": 5, \"items\": ["
                     "{\"id\": \"pc1\", \"annotations\": [], \"point_cloud\": {\"path\": \"pc1.pcd\"}, "
                     "\"related_images\": [{\"path\": \"pc1/cam0.jpg\", \"size\": [1, 1]}, {\"path\": \"pc1/cam1.jpg\"}]}, "
                     "{\"id\": \"pc2\", \"annotations\": [], \"point_cloud\": {\"path\": \"pc2.pcd\"}, "
                     "\"related_images\": [{\"path\": \"shared.jpg\"}]}]}", NULL);
  video = g_strconcat (header, "\"media_type\": 3, \"items\": ["
                       "{\"id\": \"vf0\", \"annotations\": [], \"video_frame\": {\"video_path\": \"clip.avi\", \"frame_index\": 0}}, "
                       "{\"id\": \"vf1\", \"annotations\": [], \"video_frame\": {\"video_path\": \"clip.avi\", \"frame_index\": 5}}, "
                       "{\"id\": \"vid\", \"annotations\": [], \"video\": {\"path\": \"whole.mp4\", \"step\": 1, \"start_frame\": 0}}]}", NULL);
  train = g_strdup_printf ("%s\"media_type\": 2, \"items\": ["
                           "{\"id\": \"nopath\", \"annotations\": [{\"id\": 0, \"type\": \"label\", \"label_id\": 0}], \"image\": {\"size\": [1, 1]}}, "
                           "{\"id\": \"abs\", \"annotations\": [], \"image\": {\"path\": \"%s\"}}, "
                           "{\"id\": \"sh1\", \"annotations\": [], \"image\": {\"path\": \"shared.jpg\"}}, "
                           "{\"id\": \"sh2\", \"annotations\": [], \"image\": {\"path\": \"shared.jpg\"}}, "
                           "{\"id\": \"legacy\", \"annotations\": [], \"image\": {\"path\": \"old.jpg\"}}, "
                           "{\"id\": \"plain\", \"annotations\": [], \"image\": {\"path\": \"sub/plain.jpg\"}}]}",
                           header, abs_image);

  write_subset_annotations (dir, "pcd", pcd);
  write_subset_annotations (dir, "video", video);
  write_subset_annotations (dir, "train", train);
}

/* A .npy file as NumPy writes it: magic, version, header length (2 bytes
 * in 1.0, 4 in 2.0 and 3.0), the dict padded with spaces to a multiple of
 * 64 bytes ending in a newline, then @data. */
char *
write_npy (const char *dir, const char *name, guint major, const char *dict,
           const void *data, gsize data_length)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  g_autoptr(GString) header = g_string_new (dict);
  gsize prefix = major == 1 ? 10 : 12;
  guint8 version[2] = { (guint8) major, 0 };
  char *path = g_build_filename (dir, name, NULL);

  while ((prefix + header->len + 1) % 64 != 0)
    g_string_append_c (header, ' ');
  g_string_append_c (header, '\n');

  g_byte_array_append (bytes, (const guint8 *) "\x93NUMPY", 6);
  g_byte_array_append (bytes, version, 2);
  for (guint b = 0; b < (major == 1 ? 2u : 4u); b++)
    {
      guint8 length_byte = (guint8) (header->len >> (8 * b));
      g_byte_array_append (bytes, &length_byte, 1);
    }
  g_byte_array_append (bytes, (const guint8 *) header->str, header->len);
  g_byte_array_append (bytes, data, data_length);
  write_file (path, (const char *) bytes->data, bytes->len);
  return path;
}

void
assert_same_bytes (const char *a,
                   const char *b)
{
  g_autofree char *ca = NULL;
  g_autofree char *cb = NULL;
  gsize la, lb;

  g_assert_true (g_file_get_contents (a, &ca, &la, NULL));
  g_assert_true (g_file_get_contents (b, &cb, &lb, NULL));
  g_assert_cmpmem (ca, la, cb, lb);
}

gboolean
can_write_nameless (const char *dir)
{
#ifdef O_TMPFILE
  int fd = open (dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);

  if (fd < 0)
    return FALSE;
  close (fd);
  return g_file_test ("/proc/self/fd", G_FILE_TEST_IS_DIR);
#else
  return FALSE;
#endif
}

#define KILLED_CHILD_DIR "DM_TEST_KILLED_CHILD_DIR"
#define KILLED_CHILD_MARK "killing myself"

void
run_killed_child (const char *dir)
{
  g_setenv (KILLED_CHILD_DIR, dir, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_unsetenv (KILLED_CHILD_DIR);
  /* Killed where it meant to be: not an assertion, not an exit. */
  g_test_trap_assert_failed ();
  g_test_trap_assert_stdout (KILLED_CHILD_MARK "\n");
  g_test_trap_assert_stderr ("");
}

char *
make_killed_child_dir (void)
{
  if (g_test_subprocess ())
    return g_strdup (g_getenv (KILLED_CHILD_DIR));
  return make_temp_dir ();
}

void
temp_file_fixture_init (TempFileFixture *fixture,
                        const char      *target_name,
                        const char      *old_contents,
                        gconstpointer    kind)
{
  fixture->kind = GPOINTER_TO_INT (kind);
  fixture->tmp = make_killed_child_dir ();
  fixture->target = g_build_filename (fixture->tmp, target_name, NULL);
  write_file (fixture->target, old_contents, -1);
}

void
temp_file_fixture_tear_down (TempFileFixture *fixture,
                             gconstpointer    data)
{
  discard_temp_dir (fixture->tmp, fixture->target, NULL);
}

void
kill_self (void)
{
  puts (KILLED_CHILD_MARK);
  fflush (stdout);
  raise (SIGKILL);
  g_assert_not_reached ();
}

void
assert_new_file_modes (const char *path,
                       void      (*create) (gpointer user_data),
                       gpointer    user_data)
{
  const guint masks[] = { 022, 027, 0 };

  for (guint i = 0; i < G_N_ELEMENTS (masks); i++)
    {
      mode_t old_mask = umask (masks[i]);
      GStatBuf info;
      g_autofree char *mode = NULL;
      g_autofree char *expected = g_strdup_printf ("%04o", 0666 & ~masks[i]);

      create (user_data);
      umask (old_mask);
      g_assert_cmpint (g_stat (path, &info), ==, 0);
      /* In octal, as permissions are read. */
      mode = g_strdup_printf ("%04o", (guint) info.st_mode & 07777);
      g_assert_cmpstr (mode, ==, expected);
    }
}
