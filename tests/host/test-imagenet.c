/* ImageNet folder trees read as Datumaro reads them: nested label folders,
 * unlabelled images in the root, subset folders, format detection (and
 * ImageNet-txt refused), Datumaro's own ImageNet assets when ../shared is
 * there, and `dm prune` of an ImageNet tree to a Datumaro dataset.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include <dm.h>

#include "test-helpers.h"
#include "test-media-helpers.h"

/* Writes ROOT/<relative>: a small PPM whose pixel tells the files apart
 * (the reader never decodes it; any bytes would do). */
static char *
put_file (const char *root,
          const char *relative)
{
  g_autofree char *path = g_build_filename (root, relative, NULL);
  g_autofree char *contents = g_strdup_printf ("P3\n1 1\n255\n%u %u 0\n",
                                               g_str_hash (relative) & 0xff, (guint) strlen (relative));

  write_file (path, contents, -1);
  return g_steal_pointer (&path);
}

static void
put_files (const char         *root,
           const char * const *relatives)
{
  for (guint i = 0; relatives[i] != NULL; i++)
    g_free (put_file (root, relatives[i]));
}

static void
put_dir (const char *root,
         const char *relative)
{
  g_autofree char *path = g_build_filename (root, relative, NULL);

  g_assert_cmpint (g_mkdir_with_parents (path, 0755), ==, 0);
}

/* The label name of @item, or NULL when it has none. */
static const char *
label_of (DmDataset *dataset,
          DmItem    *item)
{
  guint n_labels = 0;
  const int *labels = dm_item_get_labels (item, &n_labels);

  g_assert_cmpuint (n_labels, <=, 1);
  return n_labels == 0 ? NULL : dm_dataset_get_label_name (dataset, labels[0]);
}

typedef struct
{
  const char *subset;
  const char *id;
  const char *label;      /* NULL: unlabelled */
  const char *relpath;    /* NULL: not checked */
} ExpectedItem;

/* @dataset has exactly @expected, in this order, and the labels @labels. */
static void
assert_dataset (DmDataset          *dataset,
                const char * const *labels,
                const ExpectedItem *expected,
                guint               n_expected)
{
  guint n_labels = g_strv_length ((char **) labels);

  g_assert_cmpuint (dm_dataset_get_n_labels (dataset), ==, n_labels);
  for (guint l = 0; l < n_labels; l++)
    g_assert_cmpstr (dm_dataset_get_label_name (dataset, l), ==, labels[l]);

  g_assert_cmpuint (dm_dataset_get_n_items (dataset), ==, n_expected);
  for (guint i = 0; i < n_expected; i++)
    {
      DmItem *item = dm_dataset_get_item (dataset, i);

      g_assert_cmpstr (dm_item_get_subset (item), ==, expected[i].subset);
      g_assert_cmpstr (dm_item_get_id (item), ==, expected[i].id);
      g_assert_cmpstr (label_of (dataset, item), ==, expected[i].label);
      if (expected[i].relpath != NULL)
        g_assert_cmpstr (dm_item_get_image_relpath (item), ==, expected[i].relpath);
    }
}

/* The hierarchical layout, every corner of it: images in the root and in
 * no_label, nested label folders and their order, hidden files, file
 * types, the depth limit, two images of one id. */
static void
test_hierarchy (void)
{
  g_autofree char *root = make_temp_dir ();
  g_autofree char *deep = g_strdup ("d1/d2/d3/d4/d5/d6/d7/d8/d9/d10");
  g_autofree char *deep_image = g_strconcat (deep, "/deep.jpg", NULL);
  g_autofree char *deeper_image = g_strconcat (deep, "/d11/deeper.jpg", NULL);
  g_autofree char *deep_id = g_strconcat (deep, ":deep", NULL);
  g_autofree char *dog_x = NULL;
  g_autofree char *root_n1 = NULL;
  g_autoptr(DmDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;
  const char *labels[] = {
    ".thumbs", "cat", "cat/tabby", "cat-x",
    "d1", "d1/d2", "d1/d2/d3", "d1/d2/d3/d4", "d1/d2/d3/d4/d5", "d1/d2/d3/d4/d5/d6",
    "d1/d2/d3/d4/d5/d6/d7", "d1/d2/d3/d4/d5/d6/d7/d8", "d1/d2/d3/d4/d5/d6/d7/d8/d9",
    "d1/d2/d3/d4/d5/d6/d7/d8/d9/d10", "d1/d2/d3/d4/d5/d6/d7/d8/d9/d10/d11",
    "dog", "empty", "no_label/sub", NULL,
  };
  const ExpectedItem expected[] = {
    { "default", "no_label:n1", NULL, "n1.jpg" },
    { "default", ".thumbs:t", ".thumbs", ".thumbs/t.jpg" },
    { "default", "cat:.hidden", "cat", "cat/.hidden.jpg" },
    { "default", "cat:B", "cat", "cat/B.PNG" },
    { "default", "cat:a", "cat", "cat/a.jpg" },
    { "default", "cat:photo.final", "cat", "cat/photo.final.TIFF" },
    { "default", "cat/tabby:t1", "cat/tabby", "cat/tabby/t1.jpeg" },
    { "default", "cat-x:c", "cat-x", "cat-x/c.bmp" },
    { "default", deep_id, deep, deep_image },
    { "default", "dog:x", "dog", "dog/x.jpg" },
    { "default", "no_label:n2", NULL, "no_label/n2.jpg" },
    { "default", "no_label/sub:s", "no_label/sub", "no_label/sub/s.jpg" },
  };

  root_n1 = put_file (root, "n1.jpg");
  dog_x = put_file (root, "dog/x.jpg");
  put_files (root, (const char *[]) {
    "notes.md", ".thumbs/t.jpg",
    "cat/a.jpg", "cat/B.PNG", "cat/.hidden.jpg", "cat/anim.gif", "cat/photo.final.TIFF",
    "cat/.jpg", "cat/tabby/t1.jpeg", "cat-x/c.bmp", "dog/x.png",
    "no_label/n1.jpg", "no_label/n2.jpg", "no_label/sub/s.jpg",
    deep_image, deeper_image, NULL });
  put_dir (root, "empty");

  dataset = dm_imagenet_load (root, FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dm_dataset_get_format (dataset), ==, "imagenet");
  g_assert_cmpstr (dm_dataset_get_subsets (dataset)[0], ==, "default");
  g_assert_null (dm_dataset_get_subsets (dataset)[1]);
  assert_dataset (dataset, labels, expected, G_N_ELEMENTS (expected));

  /* The first image of an id is kept: the root's before no_label's, x.jpg
   * before x.png; each item points at its own file. */
  g_assert_cmpstr (dm_item_get_image_path (dm_dataset_find_item (dataset, "default", "no_label:n1")),
                   ==, root_n1);
  g_assert_cmpstr (dm_item_get_image_path (dm_dataset_find_item (dataset, "default", "dog:x")),
                   ==, dog_x);

  remove_tree (root);
}

/* Subset folders: each folder below the root is a subset (whatever its
 * name, once one is train, val or test), read as a tree of its own. */
static void
test_subset_dirs (void)
{
  g_autofree char *root = make_temp_dir ();
  g_autoptr(DmDataset) dataset = NULL;
  g_autoptr(DmDataset) flat = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *format = NULL;
  const char * const *subsets;
  const char *labels[] = { "cat", "cat/tabby", "dog", "fish", NULL };
  const ExpectedItem expected[] = {
    { "Val", "dog:b", "dog", "dog/b.jpg" },
    { "extra", "fish:f", "fish", "fish/f.png" },
    { "train", "no_label:r", NULL, "r.jpg" },
    { "train", "cat:a", "cat", "cat/a.jpg" },
    { "train", "cat/tabby:t", "cat/tabby", "cat/tabby/t.jpg" },
  };
  const char *flat_labels[] = {
    "Val", "Val/dog", "extra", "extra/fish", "test", "train", "train/cat", "train/cat/tabby", NULL,
  };
  const ExpectedItem flat_expected[] = {
    { "default", "no_label:stray", NULL, "stray.jpg" },
    { "default", "Val/dog:b", "Val/dog", "Val/dog/b.jpg" },
    { "default", "extra/fish:f", "extra/fish", "extra/fish/f.png" },
    { "default", "train:r", "train", "train/r.jpg" },
    { "default", "train/cat:a", "train/cat", "train/cat/a.jpg" },
    { "default", "train/cat/tabby:t", "train/cat/tabby", "train/cat/tabby/t.jpg" },
  };

  put_files (root, (const char *[]) {
    "train/cat/a.jpg", "train/cat/tabby/t.jpg", "train/r.jpg", "Val/dog/b.jpg",
    "extra/fish/f.png", "stray.jpg", NULL });
  /* A linked subset folder is not followed: this one leads out of ROOT. */
  {
    g_autofree char *link = g_build_filename (root, "test", NULL);

    g_assert_cmpint (symlink ("..", link), ==, 0);
  }

  format = dm_dataset_detect_format (root, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (format, ==, "imagenet_with_subset_dirs");

  dataset = load_dataset_ok (root);
  g_assert_cmpstr (dm_dataset_get_format (dataset), ==, "imagenet_with_subset_dirs");
  subsets = dm_dataset_get_subsets (dataset);
  g_assert_cmpstr (subsets[0], ==, "Val");
  g_assert_cmpstr (subsets[1], ==, "extra");
  g_assert_cmpstr (subsets[2], ==, "train");
  g_assert_null (subsets[3]);
  /* The labels of every subset, together. */
  assert_dataset (dataset, labels, expected, G_N_ELEMENTS (expected));

  /* -f imagenet is Datumaro's "imagenet": the subsets are labels then. */
  flat = dm_dataset_load (root, "imagenet", NULL, &error);
  g_assert_no_error (error);
  assert_dataset (flat, flat_labels, flat_expected, G_N_ELEMENTS (flat_expected));

  remove_tree (root);
}

/* Links to folders are not followed, so loops end; they are labels, as
 * Datumaro lists them; links to images count. */
static void
test_symlink_loops (void)
{
  g_autofree char *root = make_temp_dir ();
  g_autofree char *outside = make_temp_dir ();
  g_autofree char *target = put_file (outside, "x.jpg");
  g_autoptr(DmDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;
  const char *links[][2] = {
    { "cat/up", ".." },
    { "cat/self", "." },
    { "cat/a", "b" },
    { "cat/b", "a" },
    { "cat/gone.jpg", "missing.jpg" },
    { "linked-label", "cat" },
  };
  const char *labels[] = { "cat", "cat/self", "cat/up", "linked-label", NULL };
  const ExpectedItem expected[] = {
    { "default", "cat:c1", "cat", "cat/c1.jpg" },
    { "default", "cat:linked", "cat", "cat/linked.jpg" },
  };

  g_free (put_file (root, "cat/c1.jpg"));
  for (guint l = 0; l < G_N_ELEMENTS (links); l++)
    {
      g_autofree char *path = g_build_filename (root, links[l][0], NULL);

      g_assert_cmpint (symlink (links[l][1], path), ==, 0);
    }
  {
    g_autofree char *path = g_build_filename (root, "cat", "linked.jpg", NULL);

    g_assert_cmpint (symlink (target, path), ==, 0);
  }

  dataset = dm_dataset_load (root, "imagenet", NULL, &error);
  g_assert_no_error (error);
  assert_dataset (dataset, labels, expected, G_N_ELEMENTS (expected));

  remove_tree (root);
  remove_tree (outside);
}

/* dm_dataset_detect_format() on @root: @format, or an unknown-format error
 * mentioning every one of @parts. */
static void
assert_detected (const char         *root,
                 const char         *format,
                 const char * const *parts)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *detected = dm_dataset_detect_format (root, &error);

  if (format != NULL)
    {
      g_assert_no_error (error);
      g_assert_cmpstr (detected, ==, format);
      return;
    }
  g_assert_null (detected);
  g_assert_error (error, DM_ERROR, DM_ERROR_UNKNOWN_FORMAT);
  assert_error_mentions (error, root);
  for (guint p = 0; parts[p] != NULL; p++)
    assert_error_mentions (error, parts[p]);
  assert_error_names_no_flag (error);
}

/* dm_dataset_load() of @root as @format (NULL: detected) fails with the
 * DmError @code (-1: with any error), which mentions every one of @parts. */
static void
assert_load_fails (const char         *root,
                   const char         *format,
                   int                 code,
                   const char * const *parts)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DmDataset) dataset = dm_dataset_load (root, format, NULL, &error);

  g_assert_null (dataset);
  if (code >= 0)
    g_assert_error (error, DM_ERROR, code);
  for (guint p = 0; parts[p] != NULL; p++)
    assert_error_mentions (error, parts[p]);
}

/* A fresh folder @name under @base with the files @relatives. */
static char *
tree (const char         *base,
      const char         *name,
      const char * const *relatives)
{
  char *root = g_build_filename (base, name, NULL);

  put_dir (root, ".");
  put_files (root, relatives);
  return root;
}

/* Writes @contents to @root/@relative. */
static void
write_text_in (const char *root,
               const char *relative,
               const char *contents)
{
  g_autofree char *path = g_build_filename (root, relative, NULL);

  write_file (path, contents, -1);
}

#define FILES(...) ((const char *[]) { __VA_ARGS__, NULL })
#define NONE ((const char *[]) { NULL })

static void
test_detection (void)
{
  g_autofree char *base = make_temp_dir ();
  const struct
  {
    const char *name;
    const char * const *files;
    const char *format;            /* NULL: none, an error naming @parts */
    const char * const *parts;
  } cases[] = {
    /* Images only: ImageNet, a plain folder of images included. */
    { "flat", FILES ("cat/a.jpg", "b.png"), "imagenet", NULL },
    /* Subset folders are told by a train, val or test folder (any case)
     * that is an ImageNet tree itself. */
    { "subsets", FILES ("TEST/cat/a.jpg", "holdout/dog/b.jpg"), "imagenet_with_subset_dirs", NULL },
    /* A train folder that is no ImageNet tree of its own (a folder
     * "images" marks another format) is a label, not a subset. */
    { "train-label", FILES ("train/images/a.jpg", "dog/b.jpg"), "imagenet", NULL },
    /* Any file but an image, hidden ones included, rules ImageNet out. */
    { "readme", FILES ("cat/a.jpg", "cat/readme.txt"), NULL, FILES ("cat/readme.txt", "“imagenet”") },
    { "ds-store", FILES ("cat/a.jpg", ".DS_Store"), NULL, FILES (".DS_Store") },
    { "gif", FILES ("cat/a.jpg", "cat/b.gif"), NULL, FILES ("b.gif") },
    /* A top-level folder images, labels, annotations or instances marks
     * another format. */
    { "yolo-like", FILES ("Images/a.jpg", "cat/b.jpg"), NULL, FILES ("“Images”") },
    /* The folder above a dataset: the error names the dataset in it. */
    { "above", FILES ("inner/annotations/train.json", "inner/images/train/a.jpg"),
      NULL, FILES ("above/inner in it is a Datumaro dataset") },
    /* An image only deeper than Datumaro looks. */
    { "too-deep", FILES ("a/b/c/d/e/f/g/h/i/j/k/deep.jpg"), NULL, FILES ("annotations/*.json") },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autofree char *root = tree (base, cases[c].name, cases[c].files);

      assert_detected (root, cases[c].format, cases[c].parts);
    }

  /* No image at all, only an empty label folder. */
  {
    g_autofree char *root = tree (base, "nothing", NONE);

    put_dir (root, "cat");
    assert_detected (root, NULL, FILES ("annotations/*.json"));
  }

  /* Datumaro wins over images in label-like folders. */
  {
    g_autofree char *root = tree (base, "datumaro", FILES ("images/default/a.jpg"));

    write_text_in (root, "annotations/default.json", "{\"items\": []}");
    assert_detected (root, "datumaro", NULL);
  }

  remove_tree (base);
}

/* ImageNet-txt (a list of images and label ids, synsets.txt, images/) is
 * never taken for ImageNet folders. */
static void
test_imagenet_txt_detection (void)
{
  g_autofree char *base = make_temp_dir ();
  const char *lists[] = {
    "1.jpg 0\n2.jpg 5\n",
    "1.jpg\n2.jpg 3 4\n",                /* a first line without labels */
    "\"my image\".jpg 3\n",              /* a quoted name with a blank */
  };
  const char *not_lists[] = {
    "just some notes\n",                 /* words, not label ids */
    "1.jpg\n2.jpg\n",                    /* no line names a label */
    "\n1.jpg 0\n",                       /* an empty line first */
    "\"unbalanced.jpg 1\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    {
      g_autofree char *name = g_strdup_printf ("list-%u", i);
      g_autofree char *root = tree (base, name, FILES ("images/1.jpg", "synsets.txt"));
      g_autofree char *list = g_build_filename (root, "train.txt", NULL);

      write_file (list, lists[i], -1);
      assert_detected (root, "imagenet_txt", NULL);
    }

  /* A text file that is no such list: no ImageNet-txt, and no ImageNet
   * either, since it is not an image; the message names it. */
  for (guint i = 0; i < G_N_ELEMENTS (not_lists); i++)
    {
      g_autofree char *name = g_strdup_printf ("not-list-%u", i);
      g_autofree char *root = tree (base, name, FILES ("cat/1.jpg"));
      g_autofree char *list = g_build_filename (root, "train.txt", NULL);
      g_autoptr(GError) error = NULL;
      g_autofree char *format = NULL;

      write_file (list, not_lists[i], -1);
      format = dm_dataset_detect_format (root, &error);
      g_assert_null (format);
      g_assert_error (error, DM_ERROR, DM_ERROR_UNKNOWN_FORMAT);
      assert_error_mentions (error, "train.txt");
    }

  /* synsets.txt alone lists labels, not images. */
  {
    g_autofree char *root = tree (base, "synsets-only", FILES ("cat/1.jpg"));
    g_autofree char *synsets = g_build_filename (root, "synsets.txt", NULL);
    g_autoptr(GError) error = NULL;
    g_autofree char *format = NULL;

    write_file (synsets, "1.jpg 0\n", -1);
    format = dm_dataset_detect_format (root, &error);
    g_assert_error (error, DM_ERROR, DM_ERROR_UNKNOWN_FORMAT);
    assert_error_mentions (error, "synsets.txt");
  }

  remove_tree (base);
}

/* ImageNet-txt read as Datumaro reads it. */
static void
test_imagenet_txt_read (void)
{
  g_autofree char *base = make_temp_dir ();
  g_autofree char *root = tree (base, "ok", FILES ("images/a.png", "images/c.jpg"));
  g_autoptr(DmDataset) dataset = NULL;
  g_autofree char *image = g_build_filename (root, "images", "sub", "b.jpeg", NULL);
  const char *labels[] = { "cat", "dog", "big bird", NULL };
  const ExpectedItem expected[] = {
    { "train", "a", "big bird", "a.png" },      /* the later line of "a" */
    { "train", "my image", NULL, "my image.png" },
    { "train", "sub/b", NULL, "sub/b.jpeg" },
    { "val", "c", "dog", "c.jpg" },
  };
  const int *ids;
  guint n_ids = 0;
  const char *bad[][2] = {
    { "3.jpg 3\n", "line 1" },                  /* no such label */
    { "a.jpg 0\nb.jpg -1\n", "line 2" },
    { "a.jpg 0\n\nb.jpg 1\n", "line 2" },      /* an empty line */
    { "a.jpg 0 x\n", "line 1" },
    { "\"a b.jpg 0\n", "line 1" },
    { "../up.jpg 0\n", "../up.jpg" },
  };

  write_text_in (root, "synsets.txt", "cat\r\ndog\n  big bird  \n");
  write_text_in (root, "train.txt", "a.jpg 0\n\"my image\".png 1 2\n  sub/b.jpeg  \na.png 2\n");
  write_text_in (root, "val.txt", "c.jpg 1\n");

  dataset = load_dataset_ok (root);
  g_assert_cmpstr (dm_dataset_get_format (dataset), ==, "imagenet_txt");
  /* "my image" has two labels: checked here, the rest below. */
  ids = dm_item_get_labels (dm_dataset_get_item (dataset, 1), &n_ids);
  g_assert_cmpuint (n_ids, ==, 2);
  g_assert_cmpint (ids[0], ==, 1);
  g_assert_cmpint (ids[1], ==, 2);
  g_assert_cmpuint (dm_dataset_get_n_labels (dataset), ==, 3);
  for (guint l = 0; labels[l] != NULL; l++)
    g_assert_cmpstr (dm_dataset_get_label_name (dataset, l), ==, labels[l]);
  g_assert_cmpuint (dm_dataset_get_n_items (dataset), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      DmItem *item = dm_dataset_get_item (dataset, i);

      g_assert_cmpstr (dm_item_get_subset (item), ==, expected[i].subset);
      g_assert_cmpstr (dm_item_get_id (item), ==, expected[i].id);
      g_assert_cmpstr (dm_item_get_image_relpath (item), ==, expected[i].relpath);
      if (i != 1)
        g_assert_cmpstr (label_of (dataset, item), ==, expected[i].label);
    }
  g_assert_cmpstr (dm_item_get_image_path (dm_dataset_find_item (dataset, "train", "sub/b")), ==, image);
  g_clear_object (&dataset);

  for (guint b = 0; b < G_N_ELEMENTS (bad); b++)
    {
      g_autofree char *name = g_strdup_printf ("bad-%u", b);
      g_autofree char *bad_root = tree (base, name, FILES ("images/a.jpg"));
      g_autofree char *list = g_build_filename (bad_root, "train.txt", NULL);

      write_text_in (bad_root, "synsets.txt", "cat\ndog\n");
      write_file (list, bad[b][0], -1);
      assert_load_fails (bad_root, "imagenet_txt", DM_ERROR_INVALID_DATA, FILES (list, bad[b][1]));
    }

  /* The label list: there, and every name once. */
  {
    g_autofree char *no_labels = tree (base, "no-labels", FILES ("images/a.jpg"));
    g_autofree char *twice = tree (base, "twice", FILES ("images/a.jpg"));

    write_text_in (no_labels, "train.txt", "a.jpg 0\n");
    assert_load_fails (no_labels, NULL, DM_ERROR_NOT_FOUND, FILES ("synsets.txt"));

    write_text_in (twice, "train.txt", "a.jpg 0\n");
    write_text_in (twice, "synsets.txt", "cat\ndog\ncat\n");
    assert_load_fails (twice, NULL, DM_ERROR_INVALID_DATA, FILES ("line 3"));
  }

  /* Forced on a folder without any list. */
  {
    g_autofree char *no_list = tree (base, "no-list", FILES ("images/a.jpg"));

    write_text_in (no_list, "synsets.txt", "cat\n");
    assert_load_fails (no_list, "imagenet_txt", DM_ERROR_INVALID_DATA, FILES (no_list));
  }

  remove_tree (base);
}

static void
test_forced_and_bad_paths (void)
{
  g_autofree char *base = make_temp_dir ();
  g_autofree char *nothing = tree (base, "nothing", FILES ("cat/readme.txt"));
  g_autofree char *missing = g_build_filename (base, "missing", NULL);
  g_autofree char *file = put_file (base, "plain.jpg");
  g_autoptr(DmDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *format = NULL;

  /* Forced: ImageNet without images still gives the labels. */
  dataset = dm_dataset_load (nothing, "imagenet", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dm_dataset_get_n_items (dataset), ==, 0);
  g_assert_cmpuint (dm_dataset_get_n_labels (dataset), ==, 1);
  g_clear_object (&dataset);

  /* An unknown format name, a missing path, a file. */
  assert_load_fails (nothing, "imagenet-txt", DM_ERROR_UNKNOWN_FORMAT,
                     FILES ("imagenet-txt", "imagenet_with_subset_dirs, imagenet_txt"));
  assert_load_fails (missing, NULL, DM_ERROR_NOT_FOUND, FILES (missing));
  format = dm_dataset_detect_format (missing, &error);
  g_assert_error (error, DM_ERROR, DM_ERROR_NOT_FOUND);
  g_clear_error (&error);

  assert_load_fails (file, "imagenet_with_subset_dirs", DM_ERROR_INVALID_ARGUMENT, FILES (file));

  /* A folder that cannot be read is an error naming it, not a quiet loss
   * (root reads everything: nothing to check then). */
  if (geteuid () != 0)
    {
      g_autofree char *locked_root = tree (base, "locked", FILES ("cat/a.jpg", "dog/b.jpg"));
      g_autofree char *locked = g_build_filename (locked_root, "dog", NULL);

      g_assert_cmpint (g_chmod (locked, 0), ==, 0);
      assert_load_fails (locked_root, "imagenet", -1, FILES (locked));
      g_assert_cmpint (g_chmod (locked, 0755), ==, 0);
    }

  remove_tree (base);
}

/* Datumaro's own ImageNet assets, with what Datumaro's importer makes of
 * them (../shared/datumaro/README.md); skipped without ../shared. */
static void
test_datumaro_assets (void)
{
  g_autofree char *assets = g_build_filename (g_test_get_dir (G_TEST_DIST), "..", "..", "shared",
                                              "datumaro", "assets", NULL);
  g_autofree char *flat = g_build_filename (assets, "imagenet_dataset", NULL);
  g_autofree char *subsets = g_build_filename (assets, "imagenet_subsets_dataset", NULL);
  const char *labels[] = { "label_0", "label_1", "label_1/label_1_1", NULL };
  const char *subset_names[] = { "test", "train", "val" };
  const char *txt[] = { "basic", "custom_labels", "no_labels" };
  g_autoptr(DmDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *format = NULL;

  if (!g_file_test (assets, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("no ../shared/datumaro/assets beside the source tree");
      return;
    }

  format = dm_dataset_detect_format (flat, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (format, ==, "imagenet");
  dataset = load_dataset_ok (flat);
  {
    const ExpectedItem expected[] = {
      { "default", "no_label:label_0_2", NULL, "label_0_2.jpg" },
      { "default", "label_0:label_0_1", "label_0", "label_0/label_0_1.jpg" },
      { "default", "label_1:label_1_1", "label_1", "label_1/label_1_1.jpg" },
      { "default", "label_1/label_1_1:label_1_1", "label_1/label_1_1", "label_1/label_1_1/label_1_1.jpg" },
    };

    assert_dataset (dataset, labels, expected, G_N_ELEMENTS (expected));
  }
  g_clear_object (&dataset);
  g_clear_pointer (&format, g_free);

  format = dm_dataset_detect_format (subsets, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (format, ==, "imagenet_with_subset_dirs");
  dataset = load_dataset_ok (subsets);
  {
    ExpectedItem expected[12];

    for (guint s = 0; s < G_N_ELEMENTS (subset_names); s++)
      {
        expected[4 * s + 0] = (ExpectedItem) { subset_names[s], "no_label:label_0_2", NULL, NULL };
        expected[4 * s + 1] = (ExpectedItem) { subset_names[s], "label_0:label_0_1", "label_0", NULL };
        expected[4 * s + 2] = (ExpectedItem) { subset_names[s], "label_1:label_1_1", "label_1", NULL };
        expected[4 * s + 3] = (ExpectedItem) { subset_names[s], "label_1/label_1_1:label_1_1",
                                               "label_1/label_1_1", NULL };
      }
    assert_dataset (dataset, labels, expected, G_N_ELEMENTS (expected));
  }

  /* ImageNet-txt: basic lists four images (two of them missing); the
   * others have no synsets.txt, which Datumaro needs as much. */
  for (guint t = 0; t < G_N_ELEMENTS (txt); t++)
    {
      g_autofree char *root = g_build_filename (assets, "imagenet_txt_dataset", txt[t], NULL);

      assert_detected (root, "imagenet_txt", NULL);
      g_clear_object (&dataset);
      dataset = dm_dataset_load (root, NULL, NULL, &error);
      if (t == 0)
        {
          const char *txt_labels[] = {
            "label_0", "label_1", "label_2", "label_3", "label_4",
            "label_5", "label_6", "label_7", "label_8", "label_9", NULL,
          };
          const ExpectedItem expected[] = {
            { "train", "1", "label_0", "1.jpg" },
            { "train", "2", "label_5", "2.jpg" },
            { "train", "3", "label_3", "3.jpg" },
            { "train", "4", "label_5", "4.jpg" },
          };

          g_assert_no_error (error);
          assert_dataset (dataset, txt_labels, expected, G_N_ELEMENTS (expected));
        }
      else
        {
          g_assert_null (dataset);
          assert_error_mentions (error, "synsets.txt");
          g_clear_error (&error);
        }
    }

  /* With the importer's options Datumaro's tests load them with:
   * labels_file=synsets-alt.txt, labels=generate. */
  {
    g_autofree char *custom = g_build_filename (assets, "imagenet_txt_dataset", "custom_labels", NULL);
    g_autofree char *none = g_build_filename (assets, "imagenet_txt_dataset", "no_labels", NULL);
    const char *alt_labels[] = {
      "alt_label_0", "alt_label_1", "alt_label_2", "alt_label_3", "alt_label_4",
      "alt_label_5", "alt_label_6", "alt_label_7", "alt_label_8", "alt_label_9", NULL,
    };
    const char *class_labels[] = { "class-0", "class-1", "class-2", "class-3", "class-4", NULL };
    const ExpectedItem alt_expected[] = { { "train", "1", "alt_label_0", "1.jpg" } };
    const ExpectedItem class_expected[] = { { "train", "1", "class-4", "1.jpg" } };

    g_clear_object (&dataset);
    dataset = dm_dataset_load_with_options (custom, NULL, FILES ("labels_file=synsets-alt.txt"), NULL, &error);
    g_assert_no_error (error);
    assert_dataset (dataset, alt_labels, alt_expected, G_N_ELEMENTS (alt_expected));
    g_clear_object (&dataset);
    dataset = dm_dataset_load_with_options (none, NULL, FILES ("labels=generate"), NULL, &error);
    g_assert_no_error (error);
    assert_dataset (dataset, class_labels, class_expected, G_N_ELEMENTS (class_expected));
  }
}

/* Checks DEST written by dm prune -m random -r 1 from @source in @format:
 * every item of the source is there, its label is, and its image is where
 * the JSON says, with the bytes of the source image. */
static void
assert_pruned_copy (const char *source,
                    const char *format,
                    const char *dest)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DmDataset) input = dm_dataset_load (source, format, NULL, &error);
  g_autoptr(DmDataset) output = NULL;
  const char * const *subsets;
  guint n_checked = 0;

  g_assert_no_error (error);
  output = load_dataset_ok (dest);
  g_assert_cmpstr (dm_dataset_get_format (output), ==, "datumaro");
  g_assert_cmpuint (dm_dataset_get_n_items (output), ==, dm_dataset_get_n_items (input));

  subsets = dm_dataset_get_subsets (input);
  for (guint s = 0; subsets[s] != NULL; s++)
    {
      g_autofree char *json_path = g_strdup_printf ("%s/annotations/%s.json", dest, subsets[s]);
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonArray *items;

      items = json_object_get_array_member (load_json_object (parser, json_path), "items");
      for (guint i = 0; i < json_array_get_length (items); i++)
        {
          JsonObject *object = json_array_get_object_element (items, i);
          const char *id = json_object_get_string_member (object, "id");
          const char *path = json_object_get_string_member (json_object_get_object_member (object, "image"),
                                                            "path");
          g_autofree char *written = g_build_filename (dest, "images", subsets[s], path, NULL);
          DmItem *original = dm_dataset_find_item (input, subsets[s], id);
          DmItem *copy = dm_dataset_find_item (output, subsets[s], id);
          g_autofree char *bytes_written = NULL;
          g_autofree char *bytes_original = NULL;

          g_assert_nonnull (original);
          g_assert_nonnull (copy);
          g_assert_cmpstr (label_of (output, copy), ==, label_of (input, original));
          g_assert_true (g_file_get_contents (written, &bytes_written, NULL, NULL));
          g_assert_true (g_file_get_contents (dm_item_get_image_path (original), &bytes_original, NULL, NULL));
          g_assert_cmpstr (bytes_written, ==, bytes_original);
          g_assert_cmpstr (dm_item_get_image_path (copy), ==, written);
          n_checked++;
        }
    }
  g_assert_cmpuint (n_checked, ==, dm_dataset_get_n_items (input));
}

/* dm prune end to end, as a user runs it, on every ImageNet format. */
static void
test_prune_to_dest (void)
{
  g_autofree char *base = make_temp_dir ();
  g_autofree char *flat = tree (base, "flat", FILES (
    "root.jpg", "cat/a.jpg", "cat/tabby/a.jpg", "cat/tabby/b.png", "no_label/c.jpg",
    "dog: odd name/d e.jpg"));
  g_autofree char *subsets = tree (base, "subsets", FILES (
    "train/r.jpg", "train/cat/a.jpg", "train/cat/tabby/t.jpg", "val/r.jpg", "val/dog/b.jpg"));
  g_autofree char *txt = tree (base, "txt", FILES (
    "images/a.jpg", "images/my image.png", "images/sub/b.jpg", "images/c.jpg"));
  const char *sources[] = { flat, subsets, txt };
  const char *formats[] = { "imagenet", "imagenet_with_subset_dirs", "imagenet_txt" };

  write_text_in (txt, "synsets.txt", "cat\ndog\n");
  write_text_in (txt, "train.txt", "a.jpg 0\n\"my image\".png 1\nsub/b.jpg\n");
  write_text_in (txt, "val.txt", "c.jpg 1\n");
  for (guint s = 0; s < G_N_ELEMENTS (sources); s++)
    {
      g_autofree char *dest = g_strconcat (sources[s], "-out", NULL);
      g_autoptr(GHashTable) before = snapshot_tree (sources[s]);
      g_autoptr(DmRun) run = dm_run (NULL, "prune", sources[s], "-m", "random", "-r", "1.0",
                                     "-o", dest, "-q", NULL);

      if (run->status != 0)
        g_error ("dm prune %s failed (%d): %s", sources[s], run->status, run->err);
      assert_pruned_copy (sources[s], formats[s], dest);
      assert_tree_matches (before, sources[s]);
    }

  remove_tree (base);
}

/* dm prune of a copy of Datumaro's no_labels asset (a list, no label
 * file), with images: --source-option labels=generate names the labels
 * as Datumaro does, and they are in DEST; without it, or with an option
 * the format refuses, nothing is written. */
static void
test_prune_with_source_options (void)
{
  g_autofree char *base = make_temp_dir ();
  g_autofree char *source = tree (base, "no_labels", FILES ("images/1.jpg", "images/2.jpg", "images/3.jpg",
                                                            "images/4.jpg"));
  g_autofree char *dest = g_build_filename (base, "out", NULL);
  g_autoptr(GHashTable) before = NULL;
  const char *classes[] = { "class-0", "class-1", "class-2", "class-3", "class-4", NULL };
  struct
  {
    const char *option;
    int status;
    const char * const *parts;
  } refused[] = {
    { NULL, 1, FILES ("synsets.txt", "labels=generate") },
    { "labels=gen", 2, FILES ("“gen”", "imagenet_txt") },
    { "label=generate", 2, FILES ("“label”", "imagenet_txt") },
  };

  write_text_in (source, "train.txt", "1.jpg 4\n2.jpg 1\n3.jpg 0\n4.jpg 2\n");
  before = snapshot_tree (source);
  for (guint r = 0; r < G_N_ELEMENTS (refused); r++)
    {
      g_autoptr(DmRun) run = refused[r].option == NULL
        ? dm_run (NULL, "prune", source, "-m", "random", "-r", "0.5", "-o", dest, "-q", NULL)
        : dm_run (NULL, "prune", source, "-m", "random", "-r", "0.5", "-o", dest, "-q",
                  "--source-option", refused[r].option, NULL);

      g_assert_cmpint (run->status, ==, refused[r].status);
      /* One line. */
      g_assert_true (strchr (run->err, '\n') == run->err + strlen (run->err) - 1);
      for (guint p = 0; refused[r].parts[p] != NULL; p++)
        g_assert_nonnull (strstr (run->err, refused[r].parts[p]));
      g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
    }

  {
    g_autoptr(DmRun) run = dm_run (NULL, "prune", source, "-m", "random", "-r", "0.5", "-o", dest, "-q",
                                   "--source-option", "labels=generate", NULL);
    g_autoptr(DmDataset) output = NULL;
    g_autoptr(DmRun) again = NULL;

    if (run->status != 0)
      g_error ("dm prune failed (%d): %s", run->status, run->err);
    output = load_dataset_ok (dest);
    g_assert_cmpstr (dm_dataset_get_format (output), ==, "datumaro");
    g_assert_cmpuint (dm_dataset_get_n_items (output), ==, 2);
    g_assert_cmpuint (dm_dataset_get_n_labels (output), ==, g_strv_length ((char **) classes));
    for (guint l = 0; classes[l] != NULL; l++)
      g_assert_cmpstr (dm_dataset_get_label_name (output, l), ==, classes[l]);

    /* DEST is a Datumaro dataset, which takes no options: refused before
     * anything is written. */
    again = dm_run (NULL, "prune", dest, "-m", "random", "-r", "0.5", "--overwrite", "-q",
                    "--source-option", "labels=generate", NULL);
    g_assert_cmpint (again->status, ==, 2);
    g_assert_nonnull (strstr (again->err, "datumaro takes no options"));
  }
  assert_tree_matches (before, source);

  /* dm hash forwards them too: to the error that says how to convert. */
  {
    g_autoptr(DmRun) run = dm_run (NULL, "hash", source, "--source-option", "labels=generate", NULL);

    g_assert_cmpint (run->status, !=, 0);
    g_assert_nonnull (strstr (run->err, "--source-option 'labels=generate'"));
  }

  remove_tree (base);
}

/* Saved as Datumaro: the item objects and header Datumaro would write. */
static void
test_save_as_datumaro (void)
{
  g_autofree char *root = make_temp_dir ();
  g_autofree char *source = g_build_filename (root, "in", NULL);
  g_autofree char *dest = g_build_filename (root, "out", NULL);
  g_autofree char *annotations = g_build_filename (dest, "annotations", "default.json", NULL);
  g_autoptr(DmDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) written = NULL;
  g_autoptr(JsonNode) expected = NULL;
  g_autofree char *text = NULL;

  put_files (source, FILES ("top.jpg", "cat/tabby/c1.jpg", "dog/d1.jpg"));
  dataset = load_dataset_ok (source);
  dm_item_set_image_size (dm_dataset_find_item (dataset, "default", "dog:d1"), 1, 1);

  dm_dataset_save (dataset, dest, DM_SAVE_NONE, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (g_file_get_contents (annotations, &text, NULL, NULL));
  written = json_from_string (text, &error);
  g_assert_no_error (error);
  expected = json_from_string (
    "{\"dm_format_version\": \"1.0\", \"media_type\": 2, \"infos\": {},"
    " \"categories\": {\"label\": {\"labels\": ["
    "   {\"name\": \"cat\", \"parent\": \"\", \"attributes\": []},"
    "   {\"name\": \"cat/tabby\", \"parent\": \"\", \"attributes\": []},"
    "   {\"name\": \"dog\", \"parent\": \"\", \"attributes\": []}],"
    "  \"label_groups\": [], \"attributes\": []}},"
    " \"items\": ["
    "  {\"id\": \"no_label:top\", \"annotations\": [], \"image\": {\"path\": \"top.jpg\"}},"
    "  {\"id\": \"cat/tabby:c1\", \"annotations\": [{\"id\": 0, \"type\": \"label\", \"attributes\": {},"
    "   \"group\": 0, \"label_id\": 1}], \"image\": {\"path\": \"cat/tabby/c1.jpg\"}},"
    "  {\"id\": \"dog:d1\", \"annotations\": [{\"id\": 0, \"type\": \"label\", \"attributes\": {},"
    "   \"group\": 0, \"label_id\": 2}], \"image\": {\"path\": \"dog/d1.jpg\", \"size\": [1, 1]}}]}", &error);
  g_assert_no_error (error);
  if (!json_node_equal (written, expected))
    g_error ("unexpected annotations: %s", text);

  remove_tree (root);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/imagenet/hierarchy", test_hierarchy);
  g_test_add_func ("/imagenet/subset-dirs", test_subset_dirs);
  g_test_add_func ("/imagenet/symlink-loops", test_symlink_loops);
  g_test_add_func ("/imagenet/detection", test_detection);
  g_test_add_func ("/imagenet/imagenet-txt-detection", test_imagenet_txt_detection);
  g_test_add_func ("/imagenet/imagenet-txt-read", test_imagenet_txt_read);
  g_test_add_func ("/imagenet/forced-and-bad-paths", test_forced_and_bad_paths);
  g_test_add_func ("/imagenet/datumaro-assets", test_datumaro_assets);
  g_test_add_func ("/imagenet/prune-to-dest", test_prune_to_dest);
  g_test_add_func ("/imagenet/prune-with-source-options", test_prune_with_source_options);
  g_test_add_func ("/imagenet/save-as-datumaro", test_save_as_datumaro);

  return g_test_run ();
}
