/* dm end to end: what a user meets first — outputs that cannot be
 * written, a full disk, a cache that needs no writing, messages that say
 * what applies, a missing plugin, a Datumaro project given as SOURCE, the
 * menu, the version, -q and values with spaces around them. */
#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <dm.h>

#include "test-helpers.h"
#include "test-media-helpers.h"

#define N_SAMPLE_ITEMS 6

typedef SourceFixture Fixture;

/* A failed run: a non-zero @status, one line on stderr that starts with
 * the program's name and mentions @part, and no work begun (a run that
 * is not on a terminal reports its phases on stdout, "loading…" first). */
static void
assert_refused_before_work (DmRun      *run,
                            int         status,
                            const char *part)
{
  g_assert_cmpint (run->status, ==, status);
  assert_one_line (run->err, part);
  g_assert_cmpstr (run->out, ==, "");
}

/* Makes @dir and the folder @inner in it read-only for this process: for
 * root, whom permission bits do not bind, a read-only bind mount of @dir
 * on itself; for anyone else, their permission bits. Skips the test and
 * returns FALSE when it cannot. */
static gboolean
make_read_only (const char *dir,
                const char *inner)
{
  if (geteuid () != 0)
    {
      if (g_chmod (inner, 0555) == 0 && g_chmod (dir, 0555) == 0)
        return TRUE;
      g_test_skip ("the permission bits cannot be changed");
      return FALSE;
    }
  if (mount (dir, dir, "none", MS_BIND, NULL) != 0)
    {
      g_test_skip ("a read-only bind mount failed");
      return FALSE;
    }
  if (mount ("none", dir, "none", MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) != 0)
    {
      umount2 (dir, MNT_DETACH);
      g_test_skip ("a read-only bind mount failed");
      return FALSE;
    }
  return TRUE;
}

static void
undo_read_only (const char *dir,
                const char *inner)
{
  if (geteuid () == 0)
    umount2 (dir, MNT_DETACH);
  g_chmod (dir, 0755);
  g_chmod (inner, 0755);
}

/* Every output that cannot be made, because its folder (or the nearest
 * that exists on its way) takes no new entries, is refused before the
 * work, with one line naming it: DEST (beside which the output is made),
 * a report, the HTML report, the cache of `dm hash --merge` and a shard's
 * key file. Nothing is written. (The cache of a plain `dm hash` is
 * refused once its keys are loaded: see test_hash_read_only_source().) */
static void
test_read_only_outputs_refused_first (Fixture *fixture, gconstpointer data)
{
  g_autofree char *ro = path_in (fixture, "ro");
  g_autofree char *ro_source = g_build_filename (ro, "src", NULL);
  g_autofree char *dest = path_in (fixture, "dest");
  g_autofree char *ro_dest = g_build_filename (ro, "dest", NULL);
  g_autofree char *ro_deep_dest = g_build_filename (ro, "new", "dest", NULL);
  g_autofree char *ro_report = g_build_filename (ro, "report.json", NULL);
  g_autofree char *ro_html = g_build_filename (ro, "html", NULL);
  g_autofree char *ro_keys = g_build_filename (ro, "shard.json", NULL);
  g_autoptr(GHashTable) before = NULL;
  struct
  {
    const char *args[12];
    const char *named;      /* what the line must name */
  } cases[] = {
    { { "prune", fixture->source, "-m", "centroid", "-o", ro_dest, NULL }, ro_dest },
    { { "prune", fixture->source, "-m", "centroid", "-o", ro_deep_dest, NULL }, ro_deep_dest },
    { { "prune", fixture->source, "-m", "centroid", "-o", dest, "--report", ro_report, NULL }, ro_report },
    { { "prune", fixture->source, "-m", "centroid", "-o", dest, "--report-html", ro_html, NULL }, ro_html },
    { { "hash", ro_source, "--merge", ro_keys, NULL }, ro_source },
    { { "hash", fixture->source, "--shard", "0/2", "--keys-out", ro_keys, NULL }, ro_keys },
    { { "transform", "hash", ro_source, "--overwrite", NULL }, ro_source },
  };

  make_sample (ro_source, N_SAMPLE_ITEMS);
  before = snapshot_tree (ro);
  if (!make_read_only (ro, ro_source))
    return;

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      const char * const *a = cases[c].args;
      g_autoptr(DmRun) run = dm_run (NULL, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], NULL);

      assert_refused_before_work (run, 1, cases[c].named);
      g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
    }

  undo_read_only (ro, ro_source);
  assert_tree_matches (before, ro);
}

/* The cache of the hashed sample at @source with one key fewer (@drop)
 * or with keys of an older version of the plugin's key (@age): what a
 * dataset that gained an item, or an old cache, looks like. */
static void
edit_cached_keys (const char *source,
                  gboolean    drop,
                  gboolean    age)
{
  g_autofree char *cache = g_build_filename (source, "hash_key_meta", "hash_keys.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root = load_json_object (parser, cache);
  JsonObject *keys = json_object_get_object_member (root, "hashkey");
  g_autoptr(GList) names = json_object_get_members (keys);

  g_assert_cmpint (g_list_length (names), ==, N_SAMPLE_ITEMS);
  if (drop)
    json_object_remove_member (keys, names->data);
  if (age)
    json_object_set_string_member (root, "dm_hasher", "dm-image-key-1");
  write_json (cache, json_parser_get_root (parser));
}

/* `dm hash` on a SOURCE on read-only storage (as a dataset on a shared
 * disk): a cache that holds every key needs no writing, so the run
 * succeeds saying so; one that lacks a key, or whose keys are an older
 * key's, is refused once loaded, before any image is decoded (no hashing
 * line), with one line naming SOURCE. */
static void
test_hash_read_only_source (Fixture *fixture, gconstpointer data)
{
  struct
  {
    const char *name;
    gboolean drop, age;
    int status;
    const char *says;
  } cases[] = {
    { "complete", FALSE, FALSE, 0, "holds the hash keys of all its 6 items already; left it unchanged" },
    { "one-missing", TRUE, FALSE, 1, "Cannot store hash keys in" },
    { "older-key", FALSE, TRUE, 1, "Cannot store hash keys in" },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autofree char *source = path_in (fixture, cases[c].name);
      g_autofree char *key_dir = g_build_filename (source, "hash_key_meta", NULL);
      g_autoptr(GHashTable) before = NULL;
      g_autoptr(DmRun) run = NULL;

      make_hashed_sample (source, N_SAMPLE_ITEMS);
      edit_cached_keys (source, cases[c].drop, cases[c].age);
      before = snapshot_tree (source);
      if (!make_read_only (source, key_dir))
        return;
      run = dm_run (NULL, "hash", source, NULL);
      undo_read_only (source, key_dir);

      g_assert_cmpint (run->status, ==, cases[c].status);
      assert_contains (cases[c].status == 0 ? run->out : run->err, cases[c].says);
      g_assert_null (strstr (run->out, "hashing"));
      if (cases[c].status != 0)
        assert_one_line (run->err, source);
      assert_tree_matches (before, source);
    }
}

/* `dm prune` in place on a SOURCE that cannot be written (a read-only
 * file system, or no permission), or whose annotations/ cannot (the
 * commit moves it): refused before any work, with one line naming SOURCE
 * and the way out, -o DEST; libdm's check says so too, for every caller,
 * in its own words (DM_ERROR_IN_PLACE, "save the result elsewhere"). */
static void
test_in_place_on_read_only_source (Fixture *fixture, gconstpointer data)
{
  g_autofree char *source = path_in (fixture, "in-place");
  g_autofree char *annotations = g_build_filename (source, "annotations", NULL);
  struct
  {
    const char *dir, *inner;
    const char *says;
  } cases[] = {
    { source, annotations, "in place: it cannot be written to" },
    { annotations, annotations, "in place: its annotations cannot be written to" },
  };

  make_sample (source, N_SAMPLE_ITEMS);
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(GHashTable) before = snapshot_tree (source);
      g_autoptr(DmRun) run = NULL;
      g_autoptr(GError) error = NULL;
      gboolean writable;

      if (!make_read_only (cases[c].dir, cases[c].inner))
        return;
      run = dm_run (NULL, "prune", source, "-m", "random", "--overwrite", NULL);
      writable = dm_dataset_check_destination (source, source, DM_SAVE_OVERWRITE, &error);
      undo_read_only (cases[c].dir, cases[c].inner);

      assert_refused_before_work (run, 1, source);
      assert_contains (run->err, cases[c].says);
      assert_contains (run->err, "save the result elsewhere (with -o DEST)");
      g_assert_false (writable);
      g_assert_error (error, DM_ERROR, DM_ERROR_IN_PLACE);
      assert_contains (error->message, cases[c].says);
      assert_error_names_no_flag (error);
      assert_tree_matches (before, source);
    }
}

/* The counts a run shows are of what it does: with one key of six
 * missing, `dm prune` and `dm hash` hash one item, and `dm hash` says it
 * writes the keys of all six, one of them computed. */
static void
test_counts_say_what_is_done (Fixture *fixture, gconstpointer data)
{
  g_autofree char *source = path_in (fixture, "one-missing");
  g_autofree char *dest = path_in (fixture, "pruned");
  g_autofree char *stored = NULL;
  g_autoptr(DmRun) prune = NULL;
  g_autoptr(DmRun) hash = NULL;

  make_hashed_sample (source, N_SAMPLE_ITEMS);
  edit_cached_keys (source, TRUE, FALSE);

  prune = dm_run (NULL, "prune", source, "-m", "centroid", "-r", "0.5", "-o", dest, NULL);
  g_assert_cmpint (prune->status, ==, 0);
  assert_contains (prune->out, "\nhashing 1 image…\n");

  hash = dm_run (NULL, "hash", source, NULL);
  g_assert_cmpint (hash->status, ==, 0);
  stored = g_strdup_printf ("Stored the hash keys of 6 items in %s: 1 computed, the rest cached\n", source);
  assert_contains (hash->out, "\nhashing 1 image…\nwriting the keys of 6 items…\n");
  assert_contains (hash->out, stored);
}

/* `dm hash` on a full disk: the cache cannot be written, and the run
 * leaves SOURCE as it was, without an empty hash_key_meta/ (which
 * Datumaro would take for a cache). A small tmpfs, filled up, is the full
 * disk; mounting it needs root. */
static void
test_hash_on_full_disk_leaves_nothing (Fixture *fixture, gconstpointer data)
{
  g_autofree char *disk = path_in (fixture, "disk");
  g_autofree char *source = g_build_filename (disk, "src", NULL);
  g_autofree char *filler = g_build_filename (disk, "filler", NULL);
  g_autofree char *key_dir = g_build_filename (source, "hash_key_meta", NULL);
  g_autofree char *block = g_malloc0 (4096);
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(DmRun) run = NULL;
  FILE *file;

  g_assert_cmpint (g_mkdir (disk, 0755), ==, 0);
  if (geteuid () != 0 || mount ("tmpfs", disk, "tmpfs", 0, "size=1m") != 0)
    {
      g_test_skip ("mounting a small file system needs root");
      return;
    }
  make_sample (source, N_SAMPLE_ITEMS);
  before = snapshot_tree (source);
  file = fopen (filler, "wb");
  g_assert_nonnull (file);
  while (fwrite (block, 1, 4096, file) == 4096 && fflush (file) == 0)
    ;
  fclose (file);

  run = dm_run (NULL, "hash", source, "-q", NULL);
  g_assert_cmpint (run->status, ==, 1);
  assert_contains (run->err, strerror (ENOSPC));
  g_assert_false (g_file_test (key_dir, G_FILE_TEST_EXISTS));
  assert_tree_matches (before, source);
  umount2 (disk, MNT_DETACH);
}

/* `dm hash` when the cache holds every key and nothing changed: the file
 * is not touched (same inode, same modification time), and the line says
 * so. */
static void
test_hash_leaves_complete_cache_alone (Fixture *fixture, gconstpointer data)
{
  g_autofree char *source = path_in (fixture, "hashed");
  g_autofree char *cache = g_build_filename (source, "hash_key_meta", "hash_keys.json", NULL);
  g_autoptr(DmRun) run = NULL;
  struct stat before, after;

  make_hashed_sample (source, N_SAMPLE_ITEMS);
  g_assert_cmpint (stat (cache, &before), ==, 0);
  run = dm_run (NULL, "hash", source, NULL);
  g_assert_cmpint (run->status, ==, 0);
  g_assert_cmpint (stat (cache, &after), ==, 0);
  g_assert_cmpuint (after.st_ino, ==, before.st_ino);
  g_assert_cmpint (after.st_mtim.tv_sec, ==, before.st_mtim.tv_sec);
  g_assert_cmpint (after.st_mtim.tv_nsec, ==, before.st_mtim.tv_nsec);
  assert_contains (run->out, "holds the hash keys of all its 6 items already; left it unchanged");
  g_assert_null (strstr (run->out, "writing"));
}

/* `dm hash` meets an item with neither a key nor an image: the line
 * gives the remedies a hash has, not a prune's (skip-broken, the method
 * random), and nothing is written. */
static void
test_hash_advice_for_item_without_image (Fixture *fixture, gconstpointer data)
{
  g_autofree char *source = path_in (fixture, "point-cloud");
  g_autofree char *train = g_build_filename (source, "annotations", "train.json", NULL);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonObject) point_cloud = json_object_new ();
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(DmRun) run = NULL;
  JsonObject *item;

  make_sample (source, N_SAMPLE_ITEMS);
  root = read_json (train);
  item = json_array_get_object_element (json_object_get_array_member (json_node_get_object (root), "items"), 0);
  json_object_remove_member (item, "image");
  json_object_set_string_member (point_cloud, "path", "scan.pcd");
  json_object_set_object_member (item, "point_cloud", json_object_ref (point_cloud));
  write_json (train, root);
  before = snapshot_tree (source);

  run = dm_run (NULL, "hash", source, "-q", NULL);
  g_assert_cmpint (run->status, ==, 1);
  assert_contains (run->err, "neither a hash key nor an image");
  assert_contains (run->err, "the parameters embeddings and ids");
  g_assert_null (strstr (run->err, "skip-broken"));
  g_assert_null (strstr (run->err, "random"));
  assert_tree_matches (before, source);
}

/* `dm hash` on an ImageNet folder: the way to a Datumaro copy suits the
 * run: the parameters given come along; shards are not told to hash the
 * whole dataset in one run first. */
static void
test_hash_advice_for_imagenet (Fixture *fixture, gconstpointer data)
{
  g_autofree char *root = path_in (fixture, "imagenet");
  g_autofree char *keys = path_in (fixture, "shard.json");
  g_autofree char *expected = NULL;
  g_autoptr(DmRun) plain = NULL;
  g_autoptr(DmRun) shard = NULL;

  write_imagenet_from_sample (fixture->source, root);

  plain = dm_run (NULL, "hash", root, "--threads", "2", "-q", NULL);
  g_assert_cmpint (plain->status, ==, 1);
  expected = g_strdup_printf ("“dm transform hash %s -o DEST --param 'threads=2'”", root);
  assert_contains (plain->err, expected);

  shard = dm_run (NULL, "hash", root, "--shard", "0/2", "--keys-out", keys, "-q", NULL);
  g_assert_cmpint (shard->status, ==, 1);
  assert_contains (shard->err, "--shard and --merge need a dataset in Datumaro format");
  g_assert_null (strstr (shard->err, "dm transform hash"));
  g_assert_false (g_file_test (keys, G_FILE_TEST_EXISTS));
}

/* No plugin where dm looks (DM_PLUGIN_PATH unset, none installed): each
 * command says so and where it looked, in one line, rather than "unknown
 * command" or "no transform named". */
static void
test_no_plugins_says_where_it_looked (Fixture *fixture, gconstpointer data)
{
  const char *commands[][4] = {
    { "transforms", NULL },
    { "prune", fixture->source, "-m", "random" },
    { "hash", fixture->source, NULL },
    { "transform", "prune", fixture->source, NULL },
  };

  for (guint c = 0; c < G_N_ELEMENTS (commands); c++)
    {
      g_autoptr(DmRun) run = dm_run ("DM_PLUGIN_PATH", commands[c][0], commands[c][1], commands[c][2],
                                     commands[c][3], NULL);

      if (run->status == 0 && c == 0)
        {
          g_test_skip ("plugins are installed where dm looks by default");
          return;
        }
      g_assert_cmpint (run->status, !=, 0);
      assert_refused_before_work (run, run->status, "no transform plugins found in /");
      assert_contains (run->err, "DM_PLUGIN_PATH");
    }
}

/* A Datumaro project as SOURCE: the line says it is a project and where
 * its datasets are (or how to export one), before any work. */
static void
test_project_as_source (Fixture *fixture, gconstpointer data)
{
  g_autofree char *project = path_in (fixture, "project");
  g_autofree char *meta = g_build_filename (project, ".datumaro", NULL);
  g_autofree char *built = g_build_filename (project, "dataset", NULL);
  g_autofree char *source = g_build_filename (project, "sources", "source1", NULL);
  g_autofree char *empty_project = path_in (fixture, "empty-project");
  g_autofree char *empty_meta = g_build_filename (empty_project, ".datumaro", NULL);
  g_autofree char *dest = path_in (fixture, "dest");
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(DmRun) prune = NULL;
  g_autoptr(DmRun) hash = NULL;
  g_autoptr(DmRun) empty = NULL;

  g_assert_cmpint (g_mkdir_with_parents (meta, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (empty_meta, 0755), ==, 0);
  make_sample (built, 2);
  make_sample (source, 2);
  before = snapshot_tree (project);

  prune = dm_run (NULL, "prune", project, "-m", "random", "-o", dest, NULL);
  assert_refused_before_work (prune, 1, "is a Datumaro project");
  assert_contains (prune->err, built);
  assert_contains (prune->err, source);
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));

  hash = dm_run (NULL, "hash", project, NULL);
  assert_refused_before_work (hash, 1, "is a Datumaro project");
  assert_contains (hash->err, built);
  assert_tree_matches (before, project);

  empty = dm_run (NULL, "prune", empty_project, "-m", "random", "-o", dest, NULL);
  assert_refused_before_work (empty, 1, "is a Datumaro project");
  assert_contains (empty->err, "datum project export");
}

/* -q prints errors and warnings (test-cli's warning-is-one-clean-line
 * checks that it does), and --help says so. */
static void
test_quiet_help_says_warnings_stay (Fixture *fixture, gconstpointer data)
{
  const char *commands[] = { "prune", "hash", "transform" };

  for (guint c = 0; c < G_N_ELEMENTS (commands); c++)
    {
      g_autoptr(DmRun) run = dm_run (NULL, commands[c], "--help", NULL);
      const char *line;

      g_assert_cmpint (run->status, ==, 0);
      line = strstr (run->out, "-q, --quiet");
      g_assert_nonnull (line);
      g_assert_true (g_str_has_prefix (strstr (line, "Print"), "Print only errors and warnings"));
    }
}

/* An argument `dm transforms` does not take is a usage error. */
static void
test_transforms_refuses_arguments (Fixture *fixture, gconstpointer data)
{
  g_autoptr(DmRun) run = dm_run (NULL, "transforms", "foo", NULL);

  assert_refused_before_work (run, 2, "“foo”");
}

/* The menu: a transform whose label is only its name shows the name
 * once; each transform's parameter descriptions start in one column. */
static void
test_transforms_menu_layout (Fixture *fixture, gconstpointer data)
{
  g_autoptr(DmRun) run = dm_run (NULL, "transforms", NULL);
  g_autoptr(DmRun) usage = dm_run (NULL, "--help", NULL);
  g_auto(GStrv) lines = NULL;
  int column = -1;
  guint n_checked = 0;

  g_assert_cmpint (run->status, ==, 0);
  g_assert_null (strstr (run->out, "prune — Prune"));
  g_assert_true (g_str_has_prefix (run->out, "prune\n") || strstr (run->out, "\nprune\n") != NULL);
  assert_contains (run->out, "hash — Compute hash keys\n");
  g_assert_null (strstr (usage->out, " Prune\n"));

  lines = g_strsplit (run->out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      const char *gap;

      if (!g_str_has_prefix (line, "    "))
        {
          column = -1;   /* another transform */
          continue;
        }
      gap = strstr (line + 4, "  ");
      g_assert_nonnull (gap);
      while (*gap == ' ')
        gap++;
      if (column < 0)
        column = (int) (gap - line);
      g_assert_cmpint ((int) (gap - line), ==, column);
      n_checked++;
    }
  g_assert_cmpuint (n_checked, >, 10);
}

/* `dm --version`: the meson project's version, exit status 0. */
static void
test_version (Fixture *fixture, gconstpointer data)
{
  g_autoptr(DmRun) run = dm_run (NULL, "--version", NULL);

  g_assert_cmpint (run->status, ==, 0);
  g_assert_cmpstr (run->out, ==, "dm " DM_EXPECTED_VERSION "\n");
  g_assert_cmpstr (run->err, ==, "");
}

/* Spaces around a value are refused alike through an option and through
 * --param, before or after it, for a floating-point and a whole number,
 * by libdm (dm_transform_set_parameter_from_string()), which names the
 * parameter. */
static void
test_spaces_around_values_refused (Fixture *fixture, gconstpointer data)
{
  g_autofree char *dest = path_in (fixture, "dest");
  const char *cases[][3] = {
    { "-r", " 0.5", "ratio" },
    { "-r", "0.5 ", "ratio" },
    { "--param", "ratio= 0.5", "ratio" },
    { "--param", "ratio=0.5 ", "ratio" },
    { "--seed", " 3", "seed" },
    { "--param", "seed=3 ", "seed" },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(DmRun) run = dm_run (NULL, "prune", fixture->source, "-m", "random", cases[c][0], cases[c][1],
                                     "-o", dest, NULL);
      g_autofree char *named = g_strdup_printf ("for parameter “%s”: spaces around a value", cases[c][2]);

      assert_refused_before_work (run, 2, named);
      g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/cli-qa/" path, Fixture, GUINT_TO_POINTER (N_SAMPLE_ITEMS), sample_fixture_set_up, func, \
              source_fixture_tear_down)

  ADD ("read-only-outputs-refused-first", test_read_only_outputs_refused_first);
  ADD ("hash-on-full-disk-leaves-nothing", test_hash_on_full_disk_leaves_nothing);
  ADD ("hash-read-only-source", test_hash_read_only_source);
  ADD ("in-place-on-read-only-source", test_in_place_on_read_only_source);
  ADD ("counts-say-what-is-done", test_counts_say_what_is_done);
  ADD ("hash-leaves-complete-cache-alone", test_hash_leaves_complete_cache_alone);
  ADD ("hash-advice-for-item-without-image", test_hash_advice_for_item_without_image);
  ADD ("hash-advice-for-imagenet", test_hash_advice_for_imagenet);
  ADD ("no-plugins-says-where-it-looked", test_no_plugins_says_where_it_looked);
  ADD ("project-as-source", test_project_as_source);
  ADD ("quiet-help-says-warnings-stay", test_quiet_help_says_warnings_stay);
  ADD ("transforms-refuses-arguments", test_transforms_refuses_arguments);
  ADD ("transforms-menu-layout", test_transforms_menu_layout);
  ADD ("version", test_version);
  ADD ("spaces-around-values-refused", test_spaces_around_values_refused);

#undef ADD

  return g_test_run ();
}
