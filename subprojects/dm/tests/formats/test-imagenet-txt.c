/* ImageNet-txt's options, Datumaro's ImagenetTxtImporter's, through
 * dm_dataset_load_with_options(): labels=generate (Datumaro's no_labels
 * asset: "class-<id>" up to the largest id, every *.txt a list) and
 * labels_file=FILE (its custom_labels asset: synsets-alt.txt), each on a
 * small copy made here; the options the format refuses, and the ones no
 * other format takes; the asynchronous load.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib/gstdio.h>

#include <dm.h>

#include "test-helpers.h"

#define OPTIONS(...) ((const char *[]) { __VA_ARGS__, NULL })

/* A fresh dataset folder: @lists' files ("name", "contents", ... NULL). */
static char *
make_dataset (const char *first_name,
              ...)
{
  char *root = make_temp_dir ();
  const char *name = first_name;
  va_list args;

  va_start (args, first_name);
  while (name != NULL)
    {
      g_autofree char *path = g_build_filename (root, name, NULL);

      write_file (path, va_arg (args, const char *), -1);
      name = va_arg (args, const char *);
    }
  va_end (args);
  return root;
}

/* The dataset's label names, joined by " ". */
static char *
join_labels (DmDataset *dataset)
{
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint l = 0; l < dm_dataset_get_n_labels (dataset); l++)
    g_string_append_printf (names, "%s%s", l > 0 ? " " : "", dm_dataset_get_label_name (dataset, l));
  return g_string_free (g_steal_pointer (&names), FALSE);
}

/* The dataset's items as "subset/id:label,label", joined by " ". */
static char *
join_items (DmDataset *dataset)
{
  g_autoptr(GString) items = g_string_new (NULL);

  for (guint i = 0; i < dm_dataset_get_n_items (dataset); i++)
    {
      DmItem *item = dm_dataset_get_item (dataset, i);
      guint n_labels = 0;
      const int *labels = dm_item_get_labels (item, &n_labels);

      g_string_append_printf (items, "%s%s/%s:", i > 0 ? " " : "", dm_item_get_subset (item),
                              dm_item_get_id (item));
      for (guint l = 0; l < n_labels; l++)
        g_string_append_printf (items, "%s%d", l > 0 ? "," : "", labels[l]);
    }
  return g_string_free (g_steal_pointer (&items), FALSE);
}

static void
assert_loads (const char         *root,
              const char         *format,
              const char * const *options,
              const char         *labels,
              const char         *items)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DmDataset) dataset = dm_dataset_load_with_options (root, format, options, NULL, &error);
  g_autofree char *shown_labels = NULL;
  g_autofree char *shown_items = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (dm_dataset_get_format (dataset), ==, "imagenet_txt");
  shown_labels = join_labels (dataset);
  shown_items = join_items (dataset);
  g_assert_cmpstr (shown_labels, ==, labels);
  g_assert_cmpstr (shown_items, ==, items);
}

/* The load fails with @code, in one line naming each of @parts. */
static void
assert_load_fails (const char         *root,
                   const char         *format,
                   const char * const *options,
                   int                 code,
                   const char * const *parts)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DmDataset) dataset = dm_dataset_load_with_options (root, format, options, NULL, &error);

  g_assert_null (dataset);
  g_assert_error (error, DM_ERROR, code);
  g_assert_null (strchr (error->message, '\n'));
  for (guint p = 0; parts[p] != NULL; p++)
    assert_error_mentions (error, parts[p]);
}

/* Datumaro's no_labels: a list and no label file. With labels=generate,
 * the labels are class-0 to class-<the largest id>, over all lists. */
static void
test_generate (void)
{
  g_autofree char *root = make_dataset ("train.txt", "1.jpg 4\n", NULL);
  g_autofree char *two = make_dataset ("train.txt", "a.jpg 1\nb.jpg\n", "val.txt", "c.jpg 2 0\n", NULL);

  assert_loads (root, "imagenet_txt", OPTIONS ("labels=generate"),
                "class-0 class-1 class-2 class-3 class-4", "train/1:4");
  /* Detected, the options go to the format detected. */
  assert_loads (root, NULL, OPTIONS ("labels=generate"),
                "class-0 class-1 class-2 class-3 class-4", "train/1:4");
  assert_loads (two, "imagenet_txt", OPTIONS ("labels=generate"),
                "class-0 class-1 class-2", "train/a:1 train/b: val/c:2,0");
  /* Without it, synsets.txt is needed, as by Datumaro; the error says
   * which file and what else would do. */
  assert_load_fails (root, "imagenet_txt", NULL, DM_ERROR_NOT_FOUND,
                     OPTIONS ("synsets.txt", "labels=generate"));
  /* The last of a name counts, as on Datumaro's command line. */
  assert_loads (root, "imagenet_txt", OPTIONS ("labels=file", "labels=generate"),
                "class-0 class-1 class-2 class-3 class-4", "train/1:4");

  discard_temp_dir (g_steal_pointer (&root), NULL);
  discard_temp_dir (g_steal_pointer (&two), NULL);
}

/* With labels=generate, Datumaro reads no label file and takes every
 * *.txt for a list, synsets.txt too. */
static void
test_generate_reads_every_list (void)
{
  g_autofree char *root = make_dataset ("synsets.txt", "cat\ndog\n", "train.txt", "a.jpg 1\n", NULL);

  assert_loads (root, "imagenet_txt", OPTIONS ("labels=generate"),
                "class-0 class-1", "synsets/cat: synsets/dog: train/a:1");
  assert_loads (root, "imagenet_txt", NULL, "cat dog", "train/a:1");
  discard_temp_dir (g_steal_pointer (&root), NULL);
}

/* Datumaro refuses a negative id with labels=generate as well; an id
 * beyond the labels dm makes at most is refused, not made. */
static void
test_generate_bad_ids (void)
{
  g_autofree char *negative = make_dataset ("train.txt", "a.jpg 0\nb.jpg -1\n", NULL);
  g_autofree char *huge = make_dataset ("train.txt", "a.jpg 4000000000\n", NULL);
  g_autofree char *negative_list = g_build_filename (negative, "train.txt", NULL);
  g_autofree char *huge_list = g_build_filename (huge, "train.txt", NULL);

  assert_load_fails (negative, "imagenet_txt", OPTIONS ("labels=generate"), DM_ERROR_INVALID_DATA,
                     OPTIONS (negative_list, "line 2", "-1"));
  assert_load_fails (huge, "imagenet_txt", OPTIONS ("labels=generate"), DM_ERROR_INVALID_DATA,
                     OPTIONS (huge_list, "line 1", "4000000000"));
  discard_temp_dir (g_steal_pointer (&negative), NULL);
  discard_temp_dir (g_steal_pointer (&huge), NULL);
}

/* Datumaro's custom_labels: the names in synsets-alt.txt, which is then no
 * list (synsets.txt would be); the file below the root, or absolute. */
static void
test_labels_file (void)
{
  g_autofree char *root = make_dataset ("train.txt", "1.jpg 0\n", "synsets-alt.txt", "alt_0\nalt_1\n", NULL);
  g_autofree char *alt = g_build_filename (root, "synsets-alt.txt", NULL);
  g_autofree char *absolute = g_strconcat ("labels_file=", alt, NULL);
  g_autofree char *list = g_build_filename (root, "train.txt", NULL);
  g_autofree char *missing = g_build_filename (root, "nope.txt", NULL);

  assert_loads (root, "imagenet_txt", OPTIONS ("labels_file=synsets-alt.txt"), "alt_0 alt_1", "train/1:0");
  assert_loads (root, NULL, OPTIONS ("labels=file", absolute), "alt_0 alt_1", "train/1:0");
  /* A file in a folder below: a list of its file name is left out, as
   * by Datumaro, and synsets-alt.txt is then one. */
  {
    g_autofree char *nested = g_build_filename (root, "meta", "train.txt", NULL);

    write_file (nested, "x\n", -1);
    assert_loads (root, "imagenet_txt", OPTIONS ("labels_file=meta/train.txt"), "x",
                  "synsets-alt/alt_0: synsets-alt/alt_1:");
  }
  /* A missing file is named; an id beyond it names it too. */
  assert_load_fails (root, "imagenet_txt", OPTIONS ("labels_file=nope.txt"), DM_ERROR_NOT_FOUND,
                     OPTIONS (missing));
  write_file (list, "1.jpg 2\n", -1);
  assert_load_fails (root, "imagenet_txt", OPTIONS ("labels_file=synsets-alt.txt"), DM_ERROR_INVALID_DATA,
                     OPTIONS (list, "synsets-alt.txt lists 2 labels"));
  discard_temp_dir (g_steal_pointer (&root), NULL);
}

/* What no format takes: one line naming the option and the format,
 * before the dataset is looked at. */
static void
test_refused_options (void)
{
  g_autofree char *root = make_dataset ("train.txt", "1.jpg 0\n", NULL);
  g_autofree char *absent = g_build_filename (root, "absent", NULL);
  struct
  {
    const char * const *options;
    const char * const *parts;
  } refused[] = {
    { OPTIONS ("labels=gen"), OPTIONS ("“gen”", "labels", "imagenet_txt", "file or generate") },
    { OPTIONS ("label=generate"), OPTIONS ("“label”", "imagenet_txt", "labels, labels_file") },
    { OPTIONS ("labels"), OPTIONS ("“labels”", "imagenet_txt", "NAME=VALUE") },
    { OPTIONS ("=generate"), OPTIONS ("“=generate”", "imagenet_txt") },
    { OPTIONS ("labels_file="), OPTIONS ("labels_file", "imagenet_txt") },
    { OPTIONS ("labels=generate", "labels_file=a.txt"), OPTIONS ("labels_file", "labels=generate") },
  };

  for (guint r = 0; r < G_N_ELEMENTS (refused); r++)
    {
      g_autoptr(GError) error = NULL;

      assert_load_fails (root, "imagenet_txt", refused[r].options, DM_ERROR_INVALID_ARGUMENT, refused[r].parts);
      /* Checked before the path is: no "no such file" instead. */
      assert_load_fails (absent, "imagenet_txt", refused[r].options, DM_ERROR_INVALID_ARGUMENT,
                         refused[r].parts);
      g_assert_false (dm_dataset_check_load_options ("imagenet_txt", refused[r].options, &error));
      g_assert_error (error, DM_ERROR, DM_ERROR_INVALID_ARGUMENT);
    }
  for (guint f = 0; f < 3; f++)
    {
      const char *formats[] = { "datumaro", "imagenet", "imagenet_with_subset_dirs" };

      assert_load_fails (root, formats[f], OPTIONS ("labels=generate"), DM_ERROR_INVALID_ARGUMENT,
                         OPTIONS (formats[f], "no options", "labels=generate"));
    }
  assert_load_fails (root, "imagenet-txt", OPTIONS ("labels=generate"), DM_ERROR_UNKNOWN_FORMAT,
                     OPTIONS ("imagenet-txt"));
  discard_temp_dir (g_steal_pointer (&root), NULL);
}

/* What the formats take, as the format code lists it. */
static void
test_listing (void)
{
  g_auto(GStrv) formats = dm_dataset_list_formats ();
  g_auto(GStrv) txt = dm_dataset_list_load_options ("imagenet_txt");
  g_auto(GStrv) datumaro = dm_dataset_list_load_options ("datumaro");
  g_auto(GStrv) unknown = dm_dataset_list_load_options ("nothing");
  g_autoptr(GError) error = NULL;

  g_assert_cmpstrv (formats, OPTIONS ("datumaro", "imagenet", "imagenet_with_subset_dirs", "imagenet_txt"));
  g_assert_cmpstrv (txt, OPTIONS ("labels=file|generate", "labels_file=FILE"));
  g_assert_cmpstrv (datumaro, ((const char *[]) { NULL }));
  g_assert_cmpstrv (unknown, ((const char *[]) { NULL }));
  g_assert_true (dm_dataset_check_load_options ("imagenet_txt", OPTIONS ("labels=generate"), &error));
  g_assert_no_error (error);
  g_assert_true (dm_dataset_check_load_options ("datumaro", NULL, &error));
  g_assert_no_error (error);
}

static void
note_loaded (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  GAsyncResult **out = data;

  *out = g_object_ref (result);
}

static void
test_async (void)
{
  g_autofree char *root = make_dataset ("train.txt", "1.jpg 4\n", NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(DmDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;

  dm_dataset_load_with_options_async (root, NULL, OPTIONS ("labels=generate"), NULL, note_loaded, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  dataset = dm_dataset_load_with_options_finish (result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dm_dataset_get_n_labels (dataset), ==, 5);
  g_clear_object (&result);

  dm_dataset_load_with_options_async (root, NULL, OPTIONS ("labels=gen"), NULL, note_loaded, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (dm_dataset_load_with_options_finish (result, &error));
  g_assert_error (error, DM_ERROR, DM_ERROR_INVALID_ARGUMENT);
  discard_temp_dir (g_steal_pointer (&root), NULL);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/imagenet-txt/generate", test_generate);
  g_test_add_func ("/imagenet-txt/generate-reads-every-list", test_generate_reads_every_list);
  g_test_add_func ("/imagenet-txt/generate-bad-ids", test_generate_bad_ids);
  g_test_add_func ("/imagenet-txt/labels-file", test_labels_file);
  g_test_add_func ("/imagenet-txt/refused-options", test_refused_options);
  g_test_add_func ("/imagenet-txt/listing", test_listing);
  g_test_add_func ("/imagenet-txt/async", test_async);

  return g_test_run ();
}
