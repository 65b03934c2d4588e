/* Datumaro's own prune unit test (tests/unit/test_prune.py), end to end
 * through dm: its dataset written to disk as Datumaro's exporter writes
 * it (two white 5x5 train images with Label(1), two black test images
 * with Label(2), categories "1" and "2", so label 2 is outside them, and
 * captions), pruned at ratio 0.5 by every method, keeps one train and one
 * test item, as Datumaro's test asserts. And a dataset in which an item
 * has no label (Datumaro's legacy asset, built here, and the asset itself
 * when ../shared is there) prunes by query_clust and entropy.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include <gdk-pixbuf/gdk-pixbuf.h>

#include <dm.h>

#include "test-helpers.h"
#include "test-media-helpers.h"

typedef SourceFixture Fixture;

static void
write_flat_jpeg (const char *path,
                 guint8      level)
{
  g_autoptr(GdkPixbuf) image = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 5, 5);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  gdk_pixbuf_fill (image, ((guint32) level << 24) | ((guint32) level << 16) | ((guint32) level << 8) | 0xff);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  gdk_pixbuf_save (image, path, "jpeg", &error, NULL);
  g_assert_no_error (error);
}

/* One subset's annotation file, as DatumaroExporter writes it. */
static void
write_subset (const char *root,
              const char *subset,
              const char *first_id,
              const char *second_id,
              int         label_id,
              const char *caption,
              guint8      level)
{
  g_autofree char *file = g_strdup_printf ("%s/annotations/%s.json", root, subset);
  g_autoptr(GString) json = g_string_new (
    "{\"dm_format_version\": \"1.0\", \"media_type\": 2, \"infos\": {},\n"
    " \"categories\": {\"label\": {\"labels\": [{\"name\": \"1\", \"parent\": \"\", \"attributes\": []},\n"
    "   {\"name\": \"2\", \"parent\": \"\", \"attributes\": []}], \"attributes\": []}},\n"
    " \"items\": [");
  const char *ids[] = { first_id, second_id };

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autofree char *image = g_strdup_printf ("%s/images/%s/%s.jpg", root, subset, ids[i]);

      write_flat_jpeg (image, level);
      g_string_append_printf (json,
        "%s{\"id\": \"%s\", \"annotations\": [\n"
        "   {\"id\": %d, \"type\": \"label\", \"attributes\": {}, \"group\": 0, \"label_id\": %d},\n"
        "   {\"id\": 0, \"type\": \"caption\", \"attributes\": {}, \"group\": 0, \"caption\": \"%s\"}],\n"
        "  \"image\": {\"path\": \"%s.jpg\", \"size\": [5, 5]}}",
        i > 0 ? ",\n  " : "", ids[i], label_id, label_id, caption, ids[i]);
    }
  g_string_append (json, "]}\n");
  write_file (file, json->str, json->len);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  source_fixture_init (fixture, "prune-fixture");
  write_subset (fixture->source, "train", "1", "2", 1, "cat", 255);
  write_subset (fixture->source, "test", "3", "4", 2, "dog", 0);
}

static guint
count_in_subset (DmDataset  *dataset,
                 const char *subset)
{
  guint n = 0;

  for (guint i = 0; i < dm_dataset_get_n_items (dataset); i++)
    n += g_str_equal (dm_item_get_subset (dm_dataset_get_item (dataset, i)), subset);
  return n;
}

/* Each of Datumaro's test_prune_* cases: ratio 0.5, one item per subset. */
static void
test_one_item_per_subset (Fixture *fixture, gconstpointer data)
{
  const char *cases[][2] = {
    { "random", "img" }, { "cluster_random", "img" }, { "centroid", "img" },
    { "query_clust", "img" }, { "query_clust", "txt" }, { "entropy", "img" }, { "ndr", "img" },
  };
  g_autoptr(GHashTable) before = snapshot_tree (fixture->source);

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autofree char *name = g_strdup_printf ("%s-%s", cases[c][0], cases[c][1]);
      g_autofree char *dest = g_build_filename (fixture->tmp, name, NULL);
      /* Datumaro passes hash_type to every method; dm refuses it where it
       * goes unused (random, ndr), so only the clustering methods get it. */
      gboolean clusters = !g_str_equal (cases[c][0], "random") && !g_str_equal (cases[c][0], "ndr");
      g_autoptr(DmRun) run = dm_run (NULL, "prune", fixture->source, "-m", cases[c][0], "-r", "0.5",
                                     "-o", dest, "-q", clusters ? "--hash-type" : NULL, cases[c][1], NULL);
      g_autoptr(DmDataset) output = NULL;

      if (run->status != 0)
        g_error ("%s: exit %d: %s", name, run->status, run->err);
      /* Label 2 is outside the categories: loaded, with a warning naming it. */
      g_assert_nonnull (strstr (run->err, "test.json"));
      g_assert_nonnull (strstr (run->err, "label_id 2"));

      output = load_dataset_ok (dest);
      g_test_message ("%s: kept %u train, %u test", name, count_in_subset (output, "train"),
                      count_in_subset (output, "test"));
      g_assert_cmpuint (count_in_subset (output, "train"), ==, 1);
      g_assert_cmpuint (count_in_subset (output, "test"), ==, 1);
      /* The kept items keep their labels, the one outside the categories too. */
      for (guint i = 0; i < dm_dataset_get_n_items (output); i++)
        {
          DmItem *item = dm_dataset_get_item (output, i);

          g_assert_cmpint (dm_item_get_label (item), ==,
                           g_str_equal (dm_item_get_subset (item), "train") ? 1 : 2);
        }
    }

  assert_tree_matches (before, fixture->source);
}

static char *
shared_asset (const char *name)
{
  return g_build_filename (g_test_get_dir (G_TEST_DIST), "..", "..", "shared", "datumaro", "assets",
                           name, NULL);
}

/* Prunes @source to half by the label methods: each runs and keeps 2 of
 * the 4 items. */
static void
assert_label_methods_run (Fixture    *fixture,
                          const char *source)
{
  const char *methods[] = { "query_clust", "entropy", "cluster_random" };

  for (guint m = 0; m < G_N_ELEMENTS (methods); m++)
    {
      g_autofree char *dest = g_build_filename (fixture->tmp, methods[m], NULL);
      g_autoptr(DmRun) run = dm_run (NULL, "prune", source, "-m", methods[m], "-r", "0.5",
                                     "-o", dest, "--overwrite", "-q", NULL);
      g_autoptr(DmDataset) output = NULL;

      if (run->status != 0)
        g_error ("%s: exit %d: %s", methods[m], run->status, run->err);
      output = dm_dataset_load (dest, NULL, NULL, NULL);
      g_assert_cmpuint (dm_dataset_get_n_items (output), ==, 2);
    }
}

/* Datumaro's legacy asset in small, as a fresh clone has it: four labels,
 * four items, item d without a label. */
static void
test_some_items_unlabelled (Fixture *fixture, gconstpointer data)
{
  g_autofree char *root = path_in (fixture, "legacy-like");
  const struct { const char *subset, *id, *labels; guint8 level; } items[] = {
    { "train", "a", "[0]", 40 }, { "train", "b", "[0, 1, 2, 3]", 100 },
    { "test", "c", "[1, 3]", 160 }, { "validation", "d", "[]", 220 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    {
      g_autofree char *file = g_strdup_printf ("%s/annotations/%s.json", root, items[i].subset);
      g_autofree char *image = g_strdup_printf ("%s/images/%s/%s.jpg", root, items[i].subset, items[i].id);
      g_autoptr(GString) json = g_string_new (
        "{\"categories\": {\"label\": {\"labels\": [{\"name\": \"car\"}, {\"name\": \"bicycle\"},\n"
        "  {\"name\": \"tom\"}, {\"name\": \"mary\"}]}},\n \"items\": [{\"id\": \"");
      g_auto(GStrv) ids = g_strsplit_set (items[i].labels, "[], ", -1);

      g_string_append_printf (json, "%s\", \"image\": {\"path\": \"%s.jpg\"}, \"annotations\": [",
                              items[i].id, items[i].id);
      for (guint l = 0, n = 0; ids[l] != NULL; l++)
        if (*ids[l] != '\0')
          g_string_append_printf (json, "%s{\"type\": \"label\", \"label_id\": %s}", n++ > 0 ? ", " : "", ids[l]);
      g_string_append (json, "]}]}\n");
      write_file (file, json->str, json->len);
      write_flat_jpeg (image, items[i].level);
    }

  assert_label_methods_run (fixture, root);
}

/* Datumaro's legacy asset itself, when ../shared is there. */
static void
test_legacy_unlabelled_item (Fixture *fixture, gconstpointer data)
{
  g_autofree char *legacy = shared_asset ("datumaro_dataset/legacy");

  if (!g_file_test (legacy, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("../shared/datumaro/assets is not there");
      return;
    }
  assert_label_methods_run (fixture, legacy);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* Loading the fixture warns about its label 2, by design: only
   * criticals and errors abort. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);

#define ADD(path, func) \
  g_test_add ("/datumaro-fixture/" path, Fixture, NULL, fixture_set_up, func, source_fixture_tear_down)

  ADD ("one-item-per-subset", test_one_item_per_subset);
  ADD ("some-items-unlabelled", test_some_items_unlabelled);
  ADD ("legacy-unlabelled-item", test_legacy_unlabelled_item);

#undef ADD

  return g_test_run ();
}
