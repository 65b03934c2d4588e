/* dm end to end: the real CLI on a generated dataset with JPEG images. */
#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include <dm.h>

#include "test-helpers.h"
#include "test-media-helpers.h"
#include "dm-pyrandom.h"

#define N_SAMPLE_ITEMS 24

typedef SourceFixture Fixture;

static void
assert_failed_cleanly (Fixture    *fixture,
                       DmRun      *run,
                       const char *message_part)
{
  g_assert_cmpint (run->status, !=, 0);
  g_assert_cmpint (run->status, !=, -1);
  assert_one_line (run->err, message_part);
  /* No temporary output left behind. */
  g_assert_false (dir_has_entry_containing (fixture->tmp, ".tmp-"));
}

static void
test_transforms_menu (Fixture *fixture, gconstpointer data)
{
  g_autoptr(DmRun) run = dm_run (NULL, "transforms", NULL);

  g_assert_cmpint (run->status, ==, 0);
  g_assert_nonnull (strstr (run->out, "\nprune\n"));
  g_assert_nonnull (strstr (run->out, "method"));
  g_assert_nonnull (strstr (run->out, "cluster_random"));
  g_assert_nonnull (strstr (run->out, "query_clust"));
  g_assert_nonnull (strstr (run->out, "ratio"));
  g_assert_nonnull (strstr (run->out, "number from 0 to 1; default 0.12"));
  /* The ratio refuses 0, and its range says so. */
  g_assert_nonnull (strstr (run->out, "number greater than 0, at most 1; default 0.5"));
  /* The short options and the required parameter prune declares. */
  g_assert_nonnull (strstr (run->out, "-m, method"));
  g_assert_nonnull (strstr (run->out, "-r, ratio"));
  g_assert_nonnull (strstr (run->out, "required)"));
  /* A text parameter (hash's embeddings) without a default. */
  g_assert_nonnull (strstr (run->out, "text; none by default"));
  g_assert_nonnull (strstr (run->out, "hash-type"));
  g_assert_nonnull (strstr (run->out, "seed"));
}

static void
test_prune_random (Fixture *fixture, gconstpointer data)
{
  g_autofree char *dest = path_in (fixture, "pruned");
  g_autoptr(DmRun) run = dm_run (NULL, "prune", fixture->source, "-m", "random", "-r", "0.5",
                                 "-o", dest, NULL);
  g_autoptr(DmDataset) input = NULL;
  g_autoptr(DmDataset) output = NULL;
  guint k = (guint) ceil (N_SAMPLE_ITEMS * 0.5);
  guint expected[N_SAMPLE_ITEMS];

  g_assert_cmpint (run->status, ==, 0);
  g_assert_nonnull (strstr (run->out, "Kept 12 of 24 items (train: "));

  input = load_dataset_ok (fixture->source);
  output = load_dataset_ok (dest);
  g_assert_cmpuint (dm_dataset_get_n_items (output), ==, k);
  g_assert_cmpuint (dm_dataset_get_n_labels (output), ==, dm_dataset_get_n_labels (input));

  /* The items Python's random.sample(range(24), 12) with seed 0 picks. */
  dm_pyrandom_sample (0, N_SAMPLE_ITEMS, k, expected);
  for (guint i = 0; i < k; i++)
    {
      DmItem *in = dm_dataset_get_item (input, expected[i]);
      DmItem *out = dm_dataset_find_item (output, dm_item_get_subset (in), dm_item_get_id (in));

      g_assert_nonnull (out);
      g_assert_cmpstr (dm_item_get_json (out), ==, dm_item_get_json (in));
      g_assert_true (g_file_test (dm_item_get_image_path (out), G_FILE_TEST_IS_REGULAR));
      g_assert_true (g_str_has_prefix (dm_item_get_image_path (out), dest));
    }
  g_assert_false (dir_has_entry_containing (fixture->tmp, ".tmp-"));
}

static void
test_same_seed_same_output (Fixture *fixture, gconstpointer data)
{
  g_autofree char *a = path_in (fixture, "a");
  g_autofree char *b = path_in (fixture, "b");
  g_autoptr(DmRun) run_a = dm_run (NULL, "prune", fixture->source, "-m", "random", "-r", "0.3",
                                   "--seed", "5", "-o", a, NULL);
  g_autoptr(DmRun) run_b = dm_run (NULL, "prune", fixture->source, "-m", "random", "-r", "0.3",
                                   "--seed", "5", "-o", b, NULL);
  g_autoptr(GHashTable) tree_a = NULL;

  g_assert_cmpint (run_a->status, ==, 0);
  g_assert_cmpint (run_b->status, ==, 0);
  tree_a = snapshot_tree (a);
  assert_tree_matches (tree_a, b);
}

/* Puts a user's file in @dest, then asserts that a prune to @dest (with
 * --overwrite when @overwrite) is refused, naming @dest and @complaint,
 * and leaves @dest as it was. */
static void
assert_user_file_protected (Fixture    *fixture,
                            const char *dest,
                            gboolean    overwrite,
                            const char *complaint)
{
  g_autofree char *keep = g_build_filename (dest, "keep.txt", NULL);
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(DmRun) run = NULL;

  g_assert_true (g_file_set_contents (keep, "a user's file", -1, NULL));
  before = snapshot_tree (dest);
  /* Without @overwrite, the NULL in its place ends the arguments. */
  run = dm_run (NULL, "prune", fixture->source, "-m", "random", "-o", dest,
                overwrite ? "--overwrite" : NULL, NULL);
  assert_failed_cleanly (fixture, run, dest);
  g_assert_nonnull (strstr (run->err, complaint));
  g_assert_cmpint (run->status, ==, 1);
  assert_tree_matches (before, dest);
}

static void
test_refuses_non_empty_destination (Fixture *fixture, gconstpointer data)
{
  g_autofree char *dest = path_in (fixture, "occupied");

  g_assert_cmpint (g_mkdir (dest, 0755), ==, 0);
  /* The library's line, and dm's way out. */
  assert_user_file_protected (fixture, dest, FALSE, "not empty (pass --overwrite to replace it)");
}

/* --overwrite replaces a previous dataset at DEST; a DEST holding any
 * other file is refused before anything is touched. */
static void
test_overwrite_replaces_destination (Fixture *fixture, gconstpointer data)
{
  g_autofree char *dest = path_in (fixture, "occupied");
  g_autoptr(DmRun) first = NULL;
  g_autoptr(DmRun) run = NULL;
  g_autoptr(DmDataset) output = NULL;

  first = dm_run (NULL, "prune", fixture->source, "-m", "random", "-r", "0.5", "-o", dest, NULL);
  g_assert_cmpint (first->status, ==, 0);
  run = dm_run (NULL, "prune", fixture->source, "-m", "random", "-r", "0.25", "-o", dest,
                "--overwrite", NULL);
  g_assert_cmpint (run->status, ==, 0);
  output = load_dataset_ok (dest);
  g_assert_cmpuint (dm_dataset_get_n_items (output), ==, 6);
  g_assert_false (dir_has_entry_containing (fixture->tmp, ".tmp-"));
  g_assert_false (dir_has_entry_containing (fixture->tmp, ".old-"));

  assert_user_file_protected (fixture, dest, TRUE, "keep.txt");
}

static void
test_in_place_needs_overwrite (Fixture *fixture, gconstpointer data)
{
  g_autoptr(DmRun) run = dm_run (NULL, "prune", fixture->source, "-m", "random", NULL);

  /* A Datumaro SOURCE can be changed in place: both ways are offered. */
  assert_failed_cleanly (fixture, run, "--overwrite");
  assert_contains (run->err, "-o DEST");
  g_assert_cmpint (run->status, ==, 2);
}

static void
test_in_place_with_overwrite (Fixture *fixture, gconstpointer data)
{
  /* Works on a copy: the fixture's source must stay as it was. */
  g_autofree char *copy = path_in (fixture, "copy");
  g_autoptr(DmRun) run = NULL;
  g_autoptr(DmDataset) output = NULL;

  make_sample (copy, N_SAMPLE_ITEMS);
  run = dm_run (NULL, "prune", copy, "-m", "random", "-r", "0.5", "--overwrite", NULL);
  g_assert_cmpint (run->status, ==, 0);

  output = load_dataset_ok (copy);
  g_assert_cmpuint (dm_dataset_get_n_items (output), ==, 12);
  for (guint i = 0; i < 12; i++)
    g_assert_true (g_file_test (dm_item_get_image_path (dm_dataset_get_item (output, i)),
                                G_FILE_TEST_IS_REGULAR));
  g_assert_false (dir_has_entry_containing (fixture->tmp, ".tmp-"));
}

/* The sample's first @n images as ImageNet datasets of each layout, made
 * here (no ../shared): "imagenet" (LABEL/ID.jpg), "imagenet_with_subset_dirs"
 * (SUBSET/LABEL/ID.jpg) and "imagenet_txt" (images/ID.jpg, synsets.txt,
 * train.txt), at @root. */
static void
write_imagenet_layout (const char *sample,
                       const char *format,
                       const char *root,
                       guint       n)
{
  g_autoptr(DmDataset) dataset = load_dataset_ok (sample);
  g_autoptr(GString) list = g_string_new (NULL);

  g_assert_cmpuint (dm_dataset_get_n_items (dataset), >=, n);
  for (guint i = 0; i < n; i++)
    {
      const char *label = i % 2 == 0 ? "cat" : "dog";
      g_autofree char *name = g_strdup_printf ("img%u.jpg", i);
      g_autofree char *jpeg = NULL;
      g_autofree char *image = NULL;
      gsize length;

      g_assert_true (g_file_get_contents (dm_item_get_image_path (dm_dataset_get_item (dataset, i)),
                                          &jpeg, &length, NULL));
      if (g_str_equal (format, "imagenet"))
        image = g_build_filename (root, label, name, NULL);
      else if (g_str_equal (format, "imagenet_with_subset_dirs"))
        image = g_build_filename (root, i < n / 2 ? "train" : "val", label, name, NULL);
      else
        {
          image = g_build_filename (root, "images", name, NULL);
          g_string_append_printf (list, "%s %u\n", name, i % 2);
        }
      write_file (image, jpeg, length);
    }
  if (g_str_equal (format, "imagenet_txt"))
    {
      g_autofree char *synsets = g_build_filename (root, "synsets.txt", NULL);
      g_autofree char *train = g_build_filename (root, "train.txt", NULL);

      write_file (synsets, "cat\ndog\n", -1);
      write_file (train, list->str, list->len);
    }
}

/* An ImageNet dataset of any layout cannot be changed in place: asked for
 * with --overwrite alone or with -o SOURCE, by `dm prune` or `dm
 * transform`, it is a usage error said before any work (no loading,
 * hashing or clustering shown) and the dataset stays byte-identical,
 * nothing written into it (no key cache) or beside it. Given neither -o
 * nor --overwrite, the usage error offers -o DEST alone, not the
 * --overwrite that would be refused. */
static void
test_in_place_refused_before_work (Fixture *fixture, gconstpointer data)
{
  const char *formats[] = { "imagenet", "imagenet_with_subset_dirs", "imagenet_txt" };

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    {
      g_autofree char *root = path_in (fixture, formats[f]);
      g_autoptr(GHashTable) before = NULL;
      g_autofree char *detected = NULL;
      g_autoptr(GError) error = NULL;
      const char *prune[] = { "prune", root, "-m", "centroid", "-r", "0.5", NULL };
      const char *transform[] = { "transform", "prune", root, "--param", "method=centroid", NULL };
      const char * const *commands[] = { prune, transform };

      write_imagenet_layout (fixture->source, formats[f], root, 6);
      detected = dm_dataset_detect_format (root, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (detected, ==, formats[f]);
      before = snapshot_tree (root);

      for (guint c = 0; c < G_N_ELEMENTS (commands); c++)
        for (guint mode = 0; mode < 3; mode++)
          {
            /* --overwrite alone, -o SOURCE --overwrite, neither. */
            gboolean with_o = mode == 1;
            gboolean overwrite = mode < 2;
            g_autoptr(GPtrArray) argv = g_ptr_array_new ();
            g_autoptr(DmRun) run = NULL;

            for (guint a = 0; commands[c][a] != NULL; a++)
              g_ptr_array_add (argv, (gpointer) commands[c][a]);
            if (with_o)
              {
                g_ptr_array_add (argv, "-o");
                g_ptr_array_add (argv, root);
              }
            if (overwrite)
              g_ptr_array_add (argv, "--overwrite");
            g_ptr_array_add (argv, NULL);
            run = dm_run_argv (NULL, (const char * const *) argv->pdata);

            g_test_message ("%s, %s%s%s: %d: %s", formats[f], commands[c][0], with_o ? " -o SOURCE" : "",
                            overwrite ? " --overwrite" : "", run->status, run->err);
            g_assert_cmpint (run->status, ==, 2);
            assert_one_line (run->err, root);
            assert_contains (run->err, formats[f]);
            assert_contains (run->err, "in place");
            assert_contains (run->err, "-o DEST");
            g_assert_null (strstr (run->err, "--overwrite"));
            /* Refused before the source was even loaded. */
            g_assert_null (strstr (run->out, "loading"));
            g_assert_null (strstr (run->out, "hashing"));
            g_assert_null (strstr (run->out, "clustering"));
            g_assert_null (strstr (run->err, "hashing"));
            assert_tree_matches (before, root);
            g_assert_false (dir_has_entry_containing (fixture->tmp, ".inplace-"));
            g_assert_false (dir_has_entry_containing (fixture->tmp, ".tmp-"));
          }
    }
}

static void
test_bad_flags (Fixture *fixture, gconstpointer data)
{
  g_autofree char *dest = path_in (fixture, "never");
  struct { const char *flag, *value, *message_part; } cases[] = {
    { "-r", "abc", "abc" },
    { "-r", "nan", "nan" },
    { "-r", "0", "ratio" },
    { "-r", "1.5", "1.5" },
    { "-m", "kmeans", "kmeans" },
    { "--hash-type", "audio", "audio" },
    { "--seed", "-1", "-1" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(DmRun) run = NULL;
      const char *method = g_str_equal (cases[i].flag, "-m") ? cases[i].value : "random";

      if (g_str_equal (cases[i].flag, "-m"))
        run = dm_run (NULL, "prune", fixture->source, "-m", method, "-o", dest, NULL);
      else
        run = dm_run (NULL, "prune", fixture->source, "-m", method, cases[i].flag, cases[i].value,
                      "-o", dest, NULL);
      assert_failed_cleanly (fixture, run, cases[i].message_part);
      g_assert_cmpint (run->status, ==, 2);
      g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
    }
}

/* `datum prune`'s spellings: -o and --output-dir, PATH:FORMAT, and a
 * one-line usage error for -p/--project, which has no meaning for dm;
 * transform parameters are --param NAME=VALUE. */
static void
test_datum_spellings (Fixture *fixture, gconstpointer data)
{
  g_autofree char *dest = path_in (fixture, "spelled");
  g_autofree char *never = path_in (fixture, "never");
  g_autofree char *target = g_strconcat (fixture->source, ":datumaro", NULL);
  g_autoptr(GHashTable) source_before = snapshot_tree (fixture->source);
  const char *refused[][4] = {
    { "-p", "myproject", "--project", NULL },
    { "--project", "myproject", "--project", NULL },
    { "-p", "ratio=0.3", "--param", NULL },
    { "-f", "imagenet", "FORMAT", NULL },
    { "--param", "ratio", "NAME=VALUE", NULL },
    { "--param", "ratio=2", "ratio", NULL },
    { "--param", "no-such=1", "no-such", NULL },
  };

  for (guint i = 0; i < 2; i++)
    {
      const char *output_flag = i == 0 ? "--output-dir" : "-o";
      g_autoptr(DmRun) run = dm_run (NULL, "prune", target, "-m", "random", "-r", "0.25",
                                     output_flag, dest, "--overwrite", "--param", "seed=3", NULL);
      g_autoptr(DmDataset) output = NULL;

      g_assert_cmpint (run->status, ==, 0);
      output = dm_dataset_load (dest, NULL, NULL, NULL);
      g_assert_cmpuint (dm_dataset_get_n_items (output), ==, 6);
    }

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(DmRun) run = dm_run (NULL, "prune", target, "-m", "random", "-o", never,
                                     refused[i][0], refused[i][1], NULL);

      assert_failed_cleanly (fixture, run, refused[i][2]);
      g_assert_cmpint (run->status, ==, 2);
      g_assert_false (g_file_test (never, G_FILE_TEST_EXISTS));
    }

  /* dm transform takes the same spellings. */
  {
    g_autoptr(DmRun) project = dm_run (NULL, "transform", "prune", target, "-p", "method=random",
                                       "-o", never, NULL);
    g_autoptr(DmRun) param = dm_run (NULL, "transform", "prune", target, "--param", "method=random",
                                     "--output-dir", never, NULL);

    assert_failed_cleanly (fixture, project, "--project");
    g_assert_cmpint (project->status, ==, 2);
    g_assert_cmpint (param->status, ==, 0);
    g_assert_true (g_file_test (never, G_FILE_TEST_IS_DIR));
  }

  /* A directory whose name has a colon is taken whole. */
  {
    g_autofree char *colon = path_in (fixture, "data:set");
    g_autofree char *colon_dest = path_in (fixture, "from-colon");
    g_autoptr(DmRun) run = NULL;

    make_sample (colon, 8);
    run = dm_run (NULL, "prune", colon, "-m", "random", "-o", colon_dest, "-q", NULL);
    g_assert_cmpint (run->status, ==, 0);
  }

  assert_tree_matches (source_before, fixture->source);
}

static void
test_missing_source (Fixture *fixture, gconstpointer data)
{
  g_autofree char *missing = path_in (fixture, "no-such-dataset");
  g_autoptr(DmRun) run = dm_run (NULL, "prune", missing, "-m", "random", "-o", fixture->dest, NULL);

  assert_failed_cleanly (fixture, run, missing);
  g_assert_false (g_file_test (fixture->dest, G_FILE_TEST_EXISTS));
}

static void
test_destination_is_file (Fixture *fixture, gconstpointer data)
{
  g_autofree char *dest = path_in (fixture, "a-file");
  g_autofree char *contents = NULL;
  g_autoptr(DmRun) run = NULL;

  g_assert_true (g_file_set_contents (dest, "data", -1, NULL));
  run = dm_run (NULL, "prune", fixture->source, "-m", "random", "-o", dest, NULL);
  assert_failed_cleanly (fixture, run, dest);
  g_assert_true (g_file_get_contents (dest, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "data");
}

static void
test_destination_inside_source (Fixture *fixture, gconstpointer data)
{
  g_autofree char *dest = g_build_filename (fixture->source, "pruned", NULL);
  g_autoptr(DmRun) run = dm_run (NULL, "prune", fixture->source, "-m", "random", "-o", dest,
                                 "--overwrite", NULL);

  assert_failed_cleanly (fixture, run, "inside");
}

static void
test_transform_command (Fixture *fixture, gconstpointer data)
{
  g_autofree char *dest = path_in (fixture, "via-transform");
  g_autoptr(DmRun) run = dm_run (NULL, "transform", "prune", fixture->source, "--param", "ratio=0.25",
                                 "--param", "seed=3", "-o", dest, NULL);
  g_autoptr(DmRun) bad = dm_run (NULL, "transform", "prune", fixture->source, "--param", "ratio",
                                 "-o", dest, NULL);

  g_assert_cmpint (run->status, ==, 0);
  g_assert_nonnull (strstr (run->out, "Kept 6 of 24 items"));
  g_assert_cmpint (bad->status, !=, 0);
  g_assert_nonnull (strstr (bad->err, "NAME=VALUE"));

  /* The transform's parameters are options of dm transform too, before
   * or after NAME, with the same result as --param. */
  {
    g_autofree char *again = path_in (fixture, "via-transform-options");
    g_autoptr(DmRun) options = dm_run (NULL, "transform", "--seed=3", "-o", again, "prune",
                                       fixture->source, "--ratio", "0.25", NULL);
    g_autoptr(DmRun) help = dm_run (NULL, "transform", "prune", "--help", NULL);
    g_autoptr(DmRun) out_of_range = dm_run (NULL, "transform", "prune", fixture->source, "--ratio", "2",
                                            "-o", again, NULL);

    g_assert_cmpint (options->status, ==, 0);
    g_assert_nonnull (strstr (options->out, "Kept 6 of 24 items"));
    g_assert_cmpint (help->status, ==, 0);
    g_assert_nonnull (strstr (help->out, "--ratio=RATIO"));
    g_assert_nonnull (strstr (help->out, "--param=NAME=VALUE"));
    /* Herding's label filter, with its ranges. */
    g_assert_nonnull (strstr (help->out, "--herding-max-disagreement="));
    g_assert_nonnull (strstr (help->out, "--herding-neighbours="));
    g_assert_nonnull (strstr (help->out, "from 1 to 1000"));
    g_assert_cmpint (out_of_range->status, ==, 2);
  }
}

/* dm hash's transform parameters come from the hash transform's
 * GParamSpecs, with their ranges in --help. */
static void
test_hash_help (Fixture *fixture, gconstpointer data)
{
  g_autoptr(DmRun) help = dm_run (NULL, "hash", "--help", NULL);
  g_autoptr(DmRun) bad = dm_run (NULL, "hash", fixture->source, "--threads", "2000", NULL);

  g_assert_cmpint (help->status, ==, 0);
  g_assert_nonnull (strstr (help->out, "--threads=THREADS"));
  g_assert_nonnull (strstr (help->out, "from 0 to 1024"));
  g_assert_nonnull (strstr (help->out, "--embeddings="));
  g_assert_nonnull (strstr (help->out, "--keys-out=FILE"));
  g_assert_cmpint (bad->status, ==, 2);
}

/* A new sample of @n_items items, made at @name in the fixture's folder
 * (its path in @path_out), as loaded. */
static DmDataset *
load_new_sample (Fixture     *fixture,
                 const char  *name,
                 guint        n_items,
                 char       **path_out)
{
  *path_out = path_in (fixture, name);
  make_sample (*path_out, n_items);
  return load_dataset_ok (*path_out);
}

/* A copy of the sample, at @name, with one image missing and one
 * truncated. */
static char *
make_broken_copy (Fixture     *fixture,
                  const char  *name,
                  char       **missing_out,
                  char       **truncated_out)
{
  char *copy;
  g_autoptr(DmDataset) dataset = load_new_sample (fixture, name, N_SAMPLE_ITEMS, &copy);
  g_autofree char *contents = NULL;
  gsize length;
  DmItem *missing, *truncated;

  missing = dm_dataset_get_item (dataset, 3);
  truncated = dm_dataset_get_item (dataset, N_SAMPLE_ITEMS - 1);

  g_assert_cmpint (g_unlink (dm_item_get_image_path (missing)), ==, 0);
  g_assert_true (g_file_get_contents (dm_item_get_image_path (truncated), &contents, &length, NULL));
  g_assert_true (g_file_set_contents (dm_item_get_image_path (truncated), contents, length / 2, NULL));

  *missing_out = g_strdup (dm_item_get_id (missing));
  *truncated_out = g_strdup (dm_item_get_id (truncated));
  return copy;
}

static void
test_broken_image_stops_the_run (Fixture *fixture, gconstpointer data)
{
  g_autofree char *missing = NULL;
  g_autofree char *truncated = NULL;
  g_autofree char *copy = make_broken_copy (fixture, "broken", &missing, &truncated);
  g_autoptr(GHashTable) before = snapshot_tree (copy);
  g_autoptr(DmRun) run = dm_run (NULL, "prune", copy, "-m", "cluster_random", "-o", fixture->dest, NULL);

  /* The first broken item in dataset order is named, with its file. */
  assert_failed_cleanly (fixture, run, missing);
  g_assert_nonnull (strstr (run->err, "No such file"));
  g_assert_false (g_file_test (fixture->dest, G_FILE_TEST_EXISTS));
  assert_tree_matches (before, copy);
}

static void
test_skip_broken_lists_and_continues (Fixture *fixture, gconstpointer data)
{
  g_autofree char *missing = NULL;
  g_autofree char *truncated = NULL;
  g_autofree char *copy = make_broken_copy (fixture, "broken", &missing, &truncated);
  g_autofree char *report_path = path_in (fixture, "report.json");
  g_autoptr(DmRun) run = dm_run (NULL, "prune", copy, "-m", "cluster_random", "-o", fixture->dest,
                                 "--skip-broken", "--report", report_path, NULL);
  g_autoptr(DmDataset) output = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *report;

  g_assert_cmpint (run->status, ==, 0);
  g_assert_nonnull (strstr (run->err, "Skipped 2 broken items"));
  g_assert_nonnull (strstr (run->err, missing));
  g_assert_nonnull (strstr (run->err, truncated));
  g_assert_nonnull (strstr (run->err, "truncated"));

  /* Half of the 22 readable items; none of the broken ones. */
  output = load_dataset_ok (fixture->dest);
  g_assert_cmpuint (dm_dataset_get_n_items (output), ==, 11);
  for (guint i = 0; i < 11; i++)
    {
      const char *id = dm_item_get_id (dm_dataset_get_item (output, i));

      g_assert_cmpstr (id, !=, missing);
      g_assert_cmpstr (id, !=, truncated);
    }

  report = load_json_object (parser, report_path);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (report, "skipped")), ==, 2);
  g_assert_cmpint (json_object_get_int_member (report, "items"), ==, N_SAMPLE_ITEMS);
}

/* Each skipped item is named once, by dm from the report's subset and id
 * (“  train/x: …”), on one line saying what is wrong and naming the file:
 * the reason the transform reports does not name the item again. For
 * every method (random, which checks files; those that decode), to DEST
 * and in place. */
static void
test_skip_broken_names_each_item_once (Fixture *fixture, gconstpointer data)
{
  const char *methods[] = { "random", "cluster_random", "centroid", "ndr" };

  for (guint m = 0; m < G_N_ELEMENTS (methods); m++)
    for (guint in_place = 0; in_place < 2; in_place++)
      {
        g_autofree char *name = g_strdup_printf ("broken-%s-%u", methods[m], in_place);
        g_autofree char *missing = NULL;
        g_autofree char *truncated = NULL;
        g_autofree char *copy = make_broken_copy (fixture, name, &missing, &truncated);
        g_autofree char *dest = g_strconcat (copy, "-out", NULL);
        g_autofree char *report_path = g_strconcat (copy, ".json", NULL);
        g_autofree char *quoted = g_strdup_printf ("“%s”", missing);
        g_autofree char *quoted_truncated = g_strdup_printf ("“%s”", truncated);
        g_autofree char *line_start = g_strdup_printf ("/%s: ", missing);
        g_autoptr(DmRun) run = NULL;
        g_autoptr(JsonParser) parser = json_parser_new ();
        JsonArray *skipped;

        run = in_place ? dm_run (NULL, "prune", copy, "-m", methods[m], "--overwrite", "--skip-broken",
                                 "--report", report_path, NULL)
                       : dm_run (NULL, "prune", copy, "-m", methods[m], "-o", dest, "--skip-broken",
                                 "--report", report_path, NULL);
        g_assert_cmpint (run->status, ==, 0);
        g_assert_cmpuint (count_occurrences (run->err, line_start), ==, 1);
        g_assert_nonnull (strstr (strstr (run->err, line_start), ".jpg"));
        g_assert_null (strstr (run->err, quoted));
        g_assert_null (strstr (run->err, quoted_truncated));
        g_assert_null (strstr (run->err, "subset"));

        skipped = json_object_get_array_member (load_json_object (parser, report_path), "skipped");
        g_assert_cmpuint (json_array_get_length (skipped), ==, g_str_equal (methods[m], "random") ? 1 : 2);
        for (guint i = 0; i < json_array_get_length (skipped); i++)
          {
            const char *reason = json_object_get_string_member (json_array_get_object_element (skipped, i), "reason");

            g_assert_null (strstr (reason, "subset"));
            g_assert_null (strstr (reason, quoted));
            g_assert_null (strstr (reason, quoted_truncated));
            g_assert_nonnull (strstr (reason, ".jpg"));
          }
      }
}

/* With cached keys the clustering methods read no image, yet with
 * skip-broken they leave out an item whose image is missing as random
 * does (the save to DEST needs it): named once, not in DEST. */
static void
test_skip_broken_cached_keys (Fixture *fixture, gconstpointer data)
{
  const char *methods[] = { "cluster_random", "centroid" };

  for (guint m = 0; m < G_N_ELEMENTS (methods); m++)
    {
      g_autofree char *name = g_strdup_printf ("cached-%s", methods[m]);
      g_autofree char *copy = NULL;
      g_autoptr(DmDataset) dataset = load_new_sample (fixture, name, N_SAMPLE_ITEMS, &copy);
      g_autofree char *dest = g_strconcat (copy, "-out", NULL);
      DmItem *missing = dm_dataset_get_item (dataset, 3);
      g_autofree char *line_start = g_strdup_printf ("/%s: ", dm_item_get_id (missing));
      g_autoptr(DmRun) hash = dm_run (NULL, "hash", copy, "-q", NULL);
      g_autoptr(DmRun) run = NULL;
      g_autoptr(DmDataset) written = NULL;

      g_assert_cmpint (hash->status, ==, 0);
      g_assert_cmpint (g_unlink (dm_item_get_image_path (missing)), ==, 0);
      run = dm_run (NULL, "prune", copy, "-m", methods[m], "-r", "1.0", "-o", dest, "--skip-broken", NULL);
      g_assert_cmpint (run->status, ==, 0);
      g_assert_cmpuint (count_occurrences (run->err, line_start), ==, 1);
      g_assert_nonnull (strstr (run->err, "Skipped 1 broken item"));
      written = load_dataset_ok (dest);
      g_assert_cmpuint (dm_dataset_get_n_items (written), ==, N_SAMPLE_ITEMS - 1);
      g_assert_null (dm_dataset_find_item (written, dm_item_get_subset (missing), dm_item_get_id (missing)));
    }
}

/* The host's own report member: its phases, filled whatever the
 * transform writes (the whole tree for random, the streamed per-item
 * members for cluster_random), with the save's time written after it. */
static void
test_report_host_seconds (Fixture *fixture, gconstpointer data)
{
  const char *methods[] = { "random", "cluster_random" };

  for (guint m = 0; m < G_N_ELEMENTS (methods); m++)
    {
      g_autofree char *dest = path_in (fixture, methods[m]);
      g_autofree char *report_path = g_strconcat (dest, ".json", NULL);
      g_autoptr(DmRun) run = dm_run (NULL, "prune", fixture->source, "-m", methods[m], "-o", dest,
                                     "--report", report_path, "-q", NULL);
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *report, *seconds;
      double loading, writing, total;

      g_assert_cmpint (run->status, ==, 0);
      report = load_json_object (parser, report_path);
      /* The transform's members are still there beside the host's. */
      g_assert_cmpstr (json_object_get_string_member (report, "method"), ==, methods[m]);
      seconds = json_object_get_object_member (report, DM_TRANSFORM_REPORT_HOST_SECONDS);
      g_assert_nonnull (seconds);
      loading = json_object_get_double_member (seconds, DM_TRANSFORM_REPORT_HOST_LOADING);
      writing = json_object_get_double_member (seconds, DM_TRANSFORM_REPORT_HOST_WRITING);
      total = json_object_get_double_member (seconds, DM_TRANSFORM_REPORT_HOST_TOTAL);
      g_assert_cmpfloat (loading, >=, 0.0);
      /* Staged as 0 before the save: a save's time is never 0 µs. */
      g_assert_cmpfloat (writing, >, 0.0);
      /* Printed to the µs, each rounded. */
      g_assert_cmpfloat (total, >=, loading + writing - 2e-6);
    }
}

static void
test_skip_broken_with_nothing_left (Fixture *fixture, gconstpointer data)
{
  g_autofree char *copy = NULL;
  g_autoptr(DmDataset) dataset = load_new_sample (fixture, "all-broken", 6, &copy);
  g_autoptr(GHashTable) before = NULL;
  const char *methods[] = { "cluster_random", "ndr" };

  for (guint i = 0; i < dm_dataset_get_n_items (dataset); i++)
    g_assert_true (g_file_set_contents (dm_item_get_image_path (dm_dataset_get_item (dataset, i)),
                                        "not an image", -1, NULL));
  before = snapshot_tree (copy);

  /* Skipping every item leaves nothing to prune: an error, not an empty
   * dataset, for the clustering methods and ndr alike. */
  for (guint m = 0; m < G_N_ELEMENTS (methods); m++)
    {
      g_autoptr(DmRun) run = dm_run (NULL, "prune", copy, "-m", methods[m], "-o", fixture->dest,
                                     "--skip-broken", NULL);

      assert_failed_cleanly (fixture, run, "Every item of");
      g_assert_nonnull (strstr (run->err, copy));
      g_assert_false (g_file_test (fixture->dest, G_FILE_TEST_EXISTS));
    }

  assert_tree_matches (before, copy);
}

static void
test_hash_refuses_imagenet (Fixture *fixture, gconstpointer data)
{
  g_autofree char *root = path_in (fixture, "imagenet");
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(DmRun) run = NULL;

  write_imagenet_from_sample (fixture->source, root);
  before = snapshot_tree (root);

  /* ImageNet has no place for a key cache: dm hash says so before it
   * loads the folder, and writes nothing into it. */
  run = dm_run (NULL, "hash", root, NULL);
  assert_failed_cleanly (fixture, run, root);
  g_assert_nonnull (strstr (run->err, "imagenet"));
  g_assert_null (strstr (run->out, "loading"));
  assert_tree_matches (before, root);
}

/* The line of @help that shows @option ("--NAME", followed by '=' or
 * blanks), without its newline, or NULL. */
static char *
help_line_of (const char *help,
              const char *option)
{
  g_auto(GStrv) lines = g_strsplit (help, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *at = strstr (lines[i], option);

      if (at != NULL && (at[strlen (option)] == '=' || at[strlen (option)] == ' '))
        return g_strdup (lines[i]);
    }
  return NULL;
}

/* `dm prune --help` is made from prune's GParamSpecs: every writable one
 * is an option, with its blurb, the values it takes and its default; the
 * aliases and the required parameter its class declares show. Checked
 * against the class itself, so the help cannot drift from it. */
static void
test_help_lists_every_parameter (Fixture *fixture, gconstpointer data)
{
  g_autoptr(DmRun) run = dm_run (NULL, "prune", "--help", NULL);
  g_autoptr(DmTransform) prune = create_transform ("prune");
  g_autofree GParamSpec **pspecs = NULL;
  g_autofree char *ratio_line = NULL;
  guint n_pspecs;

  g_assert_cmpint (run->status, ==, 0);
  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (prune), &n_pspecs);
  g_assert_cmpuint (n_pspecs, >, 10);
  for (guint p = 0; p < n_pspecs; p++)
    {
      const char *name = g_param_spec_get_name (pspecs[p]);
      g_autofree char *option = g_strdup_printf ("--%s", name);
      g_autofree char *line = help_line_of (run->out, option);
      gboolean required = dm_transform_class_is_parameter_required (DM_TRANSFORM_GET_CLASS (prune), name);
      g_auto(GValue) default_value = G_VALUE_INIT;

      if (line == NULL)
        g_error ("dm prune --help lacks %s:\n%s", option, run->out);
      assert_contains (line, g_param_spec_get_blurb (pspecs[p]));
      /* A required parameter has no default to speak of. */
      if (required)
        {
          g_assert_true (g_str_has_suffix (line, "; required)"));
          g_assert_null (strstr (line, "default"));
        }
      g_value_init (&default_value, G_PARAM_SPEC_VALUE_TYPE (pspecs[p]));
      g_param_value_set_default (pspecs[p], &default_value);
      if (G_IS_PARAM_SPEC_ENUM (pspecs[p]))
        {
          GEnumClass *enum_class = G_PARAM_SPEC_ENUM (pspecs[p])->enum_class;
          g_autofree char *default_text =
            g_strdup_printf ("default %s)", g_enum_get_value (enum_class, g_value_get_enum (&default_value))->value_nick);

          /* Every value by its nick, and the default unless required. */
          for (guint i = 0; i < enum_class->n_values; i++)
            assert_contains (line, enum_class->values[i].value_nick);
          if (!required)
            g_assert_true (g_str_has_suffix (line, default_text));
        }
      /* A flag off by default is its blurb alone: it takes no value. */
      if (G_IS_PARAM_SPEC_BOOLEAN (pspecs[p]) && !g_value_get_boolean (&default_value))
        g_assert_true (g_str_has_suffix (line, g_param_spec_get_blurb (pspecs[p])));
    }
  g_assert_nonnull (strstr (run->out, "-m, --method=METHOD"));
  g_assert_nonnull (strstr (run->out, "-r, --ratio=RATIO"));
  g_assert_nonnull (strstr (run->out, "number from 0 to 1; default 0.12"));
  /* The ratio refuses 0, and its range says so. */
  ratio_line = help_line_of (run->out, "--ratio");
  assert_contains (ratio_line, "(number greater than 0, at most 1; default 0.5)");
  g_assert_nonnull (strstr (run->out, "required"));
  g_assert_null (strstr (run->out, "true or false"));
  /* The host's own options stay the host's. */
  g_assert_nonnull (strstr (run->out, "-o, --output-dir=DEST"));
  g_assert_nonnull (strstr (run->out, "--report-html=DIR"));
  /* -f lists the formats libdm reads, from libdm. */
  {
    g_auto(GStrv) formats = dm_dataset_list_formats ();
    g_autofree char *format_line = help_line_of (run->out, "--format");

    g_assert_nonnull (format_line);
    for (guint f = 0; formats[f] != NULL; f++)
      assert_contains (format_line, formats[f]);
  }
  /* Booleans are flags: set without a value. */
  g_assert_null (strstr (run->out, "--skip-broken="));
  g_assert_cmpint (dm_transform_class_get_alias (DM_TRANSFORM_GET_CLASS (prune), "method"), ==, 'm');
  g_assert_cmpint (dm_transform_class_get_alias (DM_TRANSFORM_GET_CLASS (prune), "seed"), ==, 0);
  g_assert_true (dm_transform_class_is_parameter_required (DM_TRANSFORM_GET_CLASS (prune), "method"));
  g_assert_false (dm_transform_class_is_parameter_required (DM_TRANSFORM_GET_CLASS (prune), "ratio"));
}

/* Any parameter is an option, its value parsed by the pspec's type and
 * range: --stratify as a flag, --prototype-keep by nick; the required
 * method may come through --param too. */
static void
test_parameter_options (Fixture *fixture, gconstpointer data)
{
  g_autofree char *dest = path_in (fixture, "by-options");
  g_autofree char *by_param = path_in (fixture, "by-param");
  g_autofree char *bad = path_in (fixture, "bad");
  g_autoptr(DmRun) run = dm_run (NULL, "prune", fixture->source, "-m", "prototype", "--prototype-keep", "hard",
                                 "--stratify", "--seed", "3", "-r", "0.4", "-o", dest, "-q", NULL);
  g_autoptr(DmRun) run2 = NULL;
  g_autoptr(DmRun) run3 = NULL;
  g_autoptr(DmDataset) a = NULL;
  g_autoptr(DmDataset) b = NULL;

  g_assert_cmpint (run->status, ==, 0);
  run2 = dm_run (NULL, "prune", fixture->source, "--param", "method=prototype", "--param", "prototype-keep=hard",
                 "--param", "stratify=true", "--param", "seed=3", "--param", "ratio=0.4", "-o", by_param, "-q", NULL);
  g_assert_cmpint (run2->status, ==, 0);
  a = dm_dataset_load (dest, NULL, NULL, NULL);
  b = dm_dataset_load (by_param, NULL, NULL, NULL);
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_cmpuint (dm_dataset_get_n_items (a), ==, dm_dataset_get_n_items (b));
  for (guint i = 0; i < dm_dataset_get_n_items (a); i++)
    g_assert_cmpstr (dm_item_get_id (dm_dataset_get_item (a, i)), ==, dm_item_get_id (dm_dataset_get_item (b, i)));

  run3 = dm_run (NULL, "prune", fixture->source, "-m", "dedup", "--dedup-threshold", "2", "-o", bad, NULL);
  assert_failed_cleanly (fixture, run3, "dedup-threshold");
  g_assert_cmpint (run3->status, ==, 2);
  g_assert_false (g_file_test (bad, G_FILE_TEST_EXISTS));
}

/* `dm` alone lists commands and transforms; `dm NAME` runs the command
 * of that name, so a transform named like one (hash) is listed with the
 * form that runs it, which does. */
static void
test_usage_says_how_to_run_each_transform (Fixture *fixture, gconstpointer data)
{
  g_autoptr(DmRun) usage = dm_run (NULL, "--help", NULL);
  g_autofree char *dest = path_in (fixture, "hashed-copy");
  g_autoptr(DmRun) transform = dm_run (NULL, "transform", "hash", fixture->source, "-o", dest, "-q", NULL);
  g_auto(GStrv) lines = NULL;
  const char *transforms;
  guint n_checked = 0;

  g_assert_cmpint (usage->status, ==, 0);
  transforms = strstr (usage->out, "\nTransforms (");
  g_assert_nonnull (transforms);
  lines = g_strsplit (transforms, "\n", -1);
  for (guint i = 2; lines[i] != NULL && g_str_has_prefix (lines[i], "  "); i++)
    {
      g_autofree char *name = g_strndup (lines[i] + 2, strcspn (lines[i] + 2, " "));
      g_autofree char *command_line = g_strdup_printf ("\n  %s ", name);
      g_autofree char *by_name = g_strdup_printf ("dm transform %s SOURCE", name);
      gboolean is_command = g_strstr_len (usage->out, transforms - usage->out, command_line) != NULL;

      g_assert_true (is_command == (strstr (lines[i], by_name) != NULL));
      n_checked += is_command;
    }
  g_assert_cmpuint (n_checked, ==, 1);
  g_assert_cmpint (transform->status, ==, 0);
  g_assert_true (g_file_test (dest, G_FILE_TEST_IS_DIR));
}

/* One parameter through two ways (its option and --param) is a usage
 * error, in either order: which one counts would be a guess. The same
 * option twice keeps GOption's convention, the last one counts. */
static void
test_parameter_given_twice (Fixture *fixture, gconstpointer data)
{
  g_autofree char *dest = path_in (fixture, "twice");
  g_autoptr(DmRun) option_first = dm_run (NULL, "prune", fixture->source, "-m", "random", "-r", "0.9",
                                          "--param", "ratio=0.2", "-o", dest, NULL);
  g_autoptr(DmRun) param_first = dm_run (NULL, "prune", fixture->source, "--param", "ratio=0.2",
                                         "-m", "random", "-r", "0.9", "-o", dest, NULL);
  g_autoptr(DmRun) same_option = NULL;
  DmRun *refused[] = { option_first, param_first };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      assert_failed_cleanly (fixture, refused[i], "dm prune: ratio is given twice (-r and --param ratio)");
      g_assert_cmpint (refused[i]->status, ==, 2);
      g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
    }

  same_option = dm_run (NULL, "prune", fixture->source, "-m", "random", "-r", "0.9", "--ratio", "0.25",
                        "-o", dest, NULL);
  g_assert_cmpint (same_option->status, ==, 0);
  assert_contains (same_option->out, "Kept 6 of 24 items");
}

/* The same option twice takes its last value, and only that one is read:
 * a bad value before it is replaced, not refused (GOption's own options,
 * -f or -o, do the same); a bad last value is still refused. */
static void
test_parameter_given_twice_last_value_only (Fixture *fixture, gconstpointer data)
{
  g_autofree char *dest = path_in (fixture, "twice-last");
  g_autofree char *report = path_in (fixture, "twice-last.json");
  g_autoptr(DmRun) replaced = dm_run (NULL, "prune", fixture->source, "-m", "foo", "-m", "random",
                                      "-r", "7", "--ratio", "0.25", "--param", "seed=x", "--param", "seed=3",
                                      "--report", report, "-o", dest, NULL);
  g_autoptr(DmRun) bad_last = NULL;
  g_autoptr(JsonNode) root = NULL;

  g_assert_cmpint (replaced->status, ==, 0);
  assert_contains (replaced->out, "Kept 6 of 24 items");
  root = read_json (report);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "method"), ==, "random");
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (root), "seed"), ==, 3);
  remove_tree (dest);

  bad_last = dm_run (NULL, "prune", fixture->source, "-m", "random", "-m", "foo", "-o", dest, NULL);
  assert_failed_cleanly (fixture, bad_last, "“foo” for parameter “method”");
  g_assert_cmpint (bad_last->status, ==, 2);
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
}

/* A warning from the libraries (an item's label id outside the dataset's
 * labels, which Datumaro loads as it is) is one line in dm's own voice,
 * not GLib's "(dm prune:PID): Dm-WARNING **: TIME: …"; -q does not
 * silence it. */
static void
test_warning_is_one_clean_line (Fixture *fixture, gconstpointer data)
{
  g_autofree char *train = g_build_filename (fixture->source, "annotations", "train.json", NULL);
  g_autoptr(JsonNode) root = read_json (train);
  JsonObject *item = json_array_get_object_element (json_object_get_array_member (json_node_get_object (root), "items"), 0);
  JsonObject *annotation = json_array_get_object_element (json_object_get_array_member (item, "annotations"), 0);
  g_autofree char *expected = NULL;
  const char *quiet[] = { NULL, "-q" };

  json_object_set_int_member (annotation, "label_id", 99);
  write_json (train, root);
  source_fixture_guard (fixture);
  expected = g_strdup_printf ("dm: warning: %s: items[0] (id “%s”): label_id 99 is outside the dataset's "
                              "%u labels; kept as it is\n", train, json_object_get_string_member (item, "id"),
                              json_array_get_length (json_object_get_array_member (
                                json_object_get_object_member (json_object_get_object_member (
                                  json_node_get_object (root), "categories"), "label"), "labels")));

  for (guint i = 0; i < G_N_ELEMENTS (quiet); i++)
    {
      g_autofree char *dest = path_in (fixture, quiet[i] != NULL ? "warned-quietly" : "warned");
      g_autoptr(DmRun) run = dm_run (NULL, "prune", fixture->source, "-m", "random", "-r", "1",
                                     "-o", dest, quiet[i], NULL);

      g_assert_cmpint (run->status, ==, 0);
      g_assert_cmpstr (run->err, ==, expected);
    }
}

/* The help's range for the ratio is what is taken: 0 is refused as a
 * value out of that range, a usage error, nothing written; the smallest
 * value above it works. */
static void
test_ratio_range_as_help_says (Fixture *fixture, gconstpointer data)
{
  g_autofree char *dest = path_in (fixture, "tiny");
  g_autoptr(DmRun) zero = dm_run (NULL, "prune", fixture->source, "-m", "random", "-r", "0", "-o", dest, NULL);
  g_autoptr(DmRun) tiny = NULL;
  g_autoptr(DmDataset) output = NULL;

  assert_failed_cleanly (fixture, zero, "“ratio”: out of range >0…1");
  g_assert_cmpint (zero->status, ==, 2);
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
  tiny = dm_run (NULL, "prune", fixture->source, "-m", "random", "-r", "1e-300", "-o", dest, "-q", NULL);
  g_assert_cmpint (tiny->status, ==, 0);
  output = dm_dataset_load (dest, NULL, NULL, NULL);
  g_assert_nonnull (output);
  g_assert_cmpuint (dm_dataset_get_n_items (output), ==, 1);
}

/* @input pruned by a new prune transform with @method and, unless
 * negative, the property "clusters" set to @clusters, as Python sets it. */
static DmDataset *
prune_with_clusters (DmDataset   *input,
                     const char  *method,
                     int          clusters,
                     GError     **error)
{
  g_autoptr(DmTransform) prune = create_transform ("prune");

  g_assert_true (dm_transform_set_parameter_from_string (prune, "method", method, error));
  if (clusters >= 0)
    g_object_set (prune, "clusters", (guint) clusters, NULL);
  return dm_transform_apply (prune, input, NULL, error);
}

/* A parameter the method does not use, set as a property, fails the apply
 * naming it; left alone or set to its default value, it is no error, and
 * a method that uses it takes it. */
static void
test_unused_property_refused (Fixture *fixture, gconstpointer data)
{
  g_autoptr(DmDataset) input = NULL;
  g_autoptr(DmDataset) output = NULL;
  g_autoptr(GError) error = NULL;

  input = load_dataset_ok (fixture->source);

  output = prune_with_clusters (input, "centroid", 3, &error);
  g_assert_error (error, DM_ERROR, DM_ERROR_INVALID_ARGUMENT);
  g_assert_null (output);
  assert_contains (error->message, "“centroid” does not use the parameter “clusters”");
  g_clear_error (&error);

  output = prune_with_clusters (input, "centroid", -1, &error);
  g_assert_no_error (error);
  g_clear_object (&output);
  output = prune_with_clusters (input, "centroid", 0, &error);
  g_assert_no_error (error);
  g_clear_object (&output);
  output = prune_with_clusters (input, "entropy", 2, &error);
  g_assert_no_error (error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/cli/" path, Fixture, GUINT_TO_POINTER (N_SAMPLE_ITEMS), sample_fixture_set_up, func, \
              source_fixture_tear_down)

  ADD ("transforms-menu", test_transforms_menu);
  ADD ("prune-random", test_prune_random);
  ADD ("same-seed-same-output", test_same_seed_same_output);
  ADD ("refuses-non-empty-destination", test_refuses_non_empty_destination);
  ADD ("overwrite-replaces-destination", test_overwrite_replaces_destination);
  ADD ("in-place-needs-overwrite", test_in_place_needs_overwrite);
  ADD ("in-place-with-overwrite", test_in_place_with_overwrite);
  ADD ("in-place-refused-before-work", test_in_place_refused_before_work);
  ADD ("bad-flags", test_bad_flags);
  ADD ("datum-spellings", test_datum_spellings);
  ADD ("missing-source", test_missing_source);
  ADD ("destination-is-file", test_destination_is_file);
  ADD ("destination-inside-source", test_destination_inside_source);
  ADD ("transform-command", test_transform_command);
  ADD ("hash-help", test_hash_help);
  ADD ("broken-image-stops-the-run", test_broken_image_stops_the_run);
  ADD ("skip-broken-lists-and-continues", test_skip_broken_lists_and_continues);
  ADD ("report-host-seconds", test_report_host_seconds);
  ADD ("skip-broken-with-nothing-left", test_skip_broken_with_nothing_left);
  ADD ("skip-broken-names-each-item-once", test_skip_broken_names_each_item_once);
  ADD ("skip-broken-cached-keys", test_skip_broken_cached_keys);
  ADD ("hash-refuses-imagenet", test_hash_refuses_imagenet);
  ADD ("help-lists-every-parameter", test_help_lists_every_parameter);
  ADD ("parameter-options", test_parameter_options);
  ADD ("ratio-range-as-help-says", test_ratio_range_as_help_says);
  ADD ("unused-property-refused", test_unused_property_refused);
  ADD ("warning-is-one-clean-line", test_warning_is_one_clean_line);
  ADD ("parameter-given-twice", test_parameter_given_twice);
  ADD ("parameter-given-twice-last-value-only", test_parameter_given_twice_last_value_only);
  ADD ("usage-says-how-to-run-each-transform", test_usage_says_how_to_run_each_transform);

#undef ADD

  return g_test_run ();
}
