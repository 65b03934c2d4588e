/* dm-imagenet-txt.c: ImageNet-txt datasets, read as Datumaro's
 * ImagenetTxtBase reads them.
 *
 *   ROOT/<subset>.txt    lines "<image> <label id>..." (or "\"<name>\"<ext>
 *                        <label id>..." for names with blanks)
 *   ROOT/synsets.txt     the label names, one a line, in id order
 *   ROOT/images/<image>  the images
 *
 * with the options of Datumaro's ImagenetTxtImporter: labels=generate
 * (no label file: "class-<id>" for the ids 0 to the largest listed) and
 * labels_file=FILE (the label names in FILE instead of synsets.txt).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "dm-dataset-io.h"
#include "dm-datumaro-private.h"
#include "dm-error.h"
#include "dm-file-tree-private.h"
#include "dm-imagenet-private.h"

#define LABELS_FILE "synsets.txt"
#define IMAGES_DIR "images"
#define FORMAT "imagenet_txt"

/* With labels=generate, Datumaro makes a label for each id up to the
 * largest in the lists: a mistyped id ("1.jpg 4000000000") would make
 * billions. Beyond this many (more than any dataset known has), the id
 * is refused instead. */
#define MAX_GENERATED_LABELS (1u << 20)

/* How the dataset is read: Datumaro's ImagenetTxtImporter's extra
 * arguments, as NAME=VALUE. */
typedef struct
{
  gboolean generate;    /* labels=generate: "class-<id>" labels */
  char *labels_file;    /* labels=file: below the root, unless absolute */
} Options;

static void
options_clear (Options *options)
{
  g_clear_pointer (&options->labels_file, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Options, options_clear)

/* The options, as dm_dataset_list_load_options() shows them. */
static const char * const option_syntax[] = { "labels=file|generate", "labels_file=FILE", NULL };

/*
 * dm_imagenet_txt_list_options:
 *
 * Returns: (transfer none): the options ImageNet-txt takes, each as
 *   `NAME=VALUES`
 */
const char * const *
dm_imagenet_txt_list_options (void)
{
  return option_syntax;
}

static gboolean
set_option (Options     *options,
            const char  *name,
            const char  *value,
            gboolean    *labels_file_given,
            GError     **error)
{
  if (g_str_equal (name, "labels"))
    {
      if (!g_str_equal (value, "file") && !g_str_equal (value, "generate"))
        {
          g_set_error (error, DM_ERROR, DM_ERROR_INVALID_ARGUMENT,
                       _("Invalid value “%s” of the option labels of the format %s: expected file or generate"),
                       value, FORMAT);
          return FALSE;
        }
      options->generate = g_str_equal (value, "generate");
      return TRUE;
    }
  if (g_str_equal (name, "labels_file"))
    {
      if (value[0] == '\0')
        {
          g_set_error (error, DM_ERROR, DM_ERROR_INVALID_ARGUMENT,
                       _("Invalid value “” of the option labels_file of the format %s: expected a file name"),
                       FORMAT);
          return FALSE;
        }
      g_free (options->labels_file);
      options->labels_file = g_strdup (value);
      *labels_file_given = TRUE;
      return TRUE;
    }
  g_set_error (error, DM_ERROR, DM_ERROR_INVALID_ARGUMENT,
               _("The format %s has no option “%s” (it takes labels, labels_file)"), FORMAT, name);
  return FALSE;
}

/* Reads @assignments ("NAME=VALUE", the last of a name counting, as on
 * Datumaro's command line) into @options. */
static gboolean
parse_options (const char * const  *assignments,
               Options             *options,
               GError             **error)
{
  gboolean labels_file_given = FALSE;

  options->generate = FALSE;
  options->labels_file = g_strdup (LABELS_FILE);
  for (guint i = 0; assignments != NULL && assignments[i] != NULL; i++)
    {
      const char *eq = strchr (assignments[i], '=');
      g_autofree char *name = NULL;

      if (eq == NULL || eq == assignments[i])
        {
          g_set_error (error, DM_ERROR, DM_ERROR_INVALID_ARGUMENT,
                       _("Invalid option “%s” of the format %s: expected NAME=VALUE"), assignments[i], FORMAT);
          return FALSE;
        }
      name = g_strndup (assignments[i], eq - assignments[i]);
      if (!set_option (options, name, eq + 1, &labels_file_given, error))
        return FALSE;
    }
  /* Datumaro reads no file then, and takes every list for a subset: a
   * file named for the labels would be read as a list. */
  if (options->generate && labels_file_given)
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_ARGUMENT,
                   _("The option labels_file of the format %s goes with labels=file, not labels=generate"),
                   FORMAT);
      return FALSE;
    }
  return TRUE;
}

/*
 * dm_imagenet_txt_check_options:
 * @assignments: (nullable): the options, as `NAME=VALUE`
 * @error: return location for a #GError
 *
 * Returns: whether ImageNet-txt takes @assignments; %FALSE with @error
 *   set (%DM_ERROR_INVALID_ARGUMENT, naming the option) if not
 */
gboolean
dm_imagenet_txt_check_options (const char * const  *assignments,
                               GError             **error)
{
  g_auto(Options) options = { FALSE, NULL };

  return parse_options (assignments, &options, error);
}

/* Python's str.split(): the words between runs of blanks. */
static GStrv
split_words (const char *text)
{
  GPtrArray *words = g_ptr_array_new ();
  const char *p = text;

  for (;;)
    {
      const char *start;

      while (g_ascii_isspace (*p))
        p++;
      if (*p == '\0')
        break;
      start = p;
      while (*p != '\0' && !g_ascii_isspace (*p))
        p++;
      g_ptr_array_add (words, g_strndup (start, p - start));
    }
  g_ptr_array_add (words, NULL);
  return (GStrv) g_ptr_array_free (words, FALSE);
}

/* One line of a list, as Datumaro's _parse_annotation_line() reads it. */
typedef struct
{
  char *id;
  char *image;
  GStrv label_words;    /* the label ids, as written */
} ListLine;

static void
list_line_clear (ListLine *line)
{
  g_clear_pointer (&line->id, g_free);
  g_clear_pointer (&line->image, g_free);
  g_clear_pointer (&line->label_words, g_strfreev);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ListLine, list_line_clear)

/* Python's os.path.splitext(@path)[0]: the extension is the last dot of
 * the last component and after, unless that component starts with it. */
static char *
strip_extension (const char *path)
{
  const char *base = strrchr (path, '/');
  const char *dot = strrchr (path, '.');

  base = base != NULL ? base + 1 : path;
  while (*base == '.')
    base++;
  if (dot == NULL || dot < base)
    return g_strdup (path);
  return g_strndup (path, dot - path);
}

static gboolean
parse_line (const char *text,
            ListLine   *line)
{
  const char *quote = strchr (text, '"');
  const char *closing = quote != NULL ? strchr (quote + 1, '"') : NULL;
  g_auto(GStrv) words = NULL;

  if (quote != NULL && (closing == NULL || strchr (closing + 1, '"') != NULL))
    return FALSE;
  /* After a quoted name, the first word is the extension. */
  words = split_words (quote != NULL ? closing + 1 : text);
  if (words[0] == NULL)
    return FALSE;
  if (quote != NULL)
    {
      line->id = g_strndup (quote + 1, closing - quote - 1);
      line->image = g_strconcat (line->id, words[0], NULL);
    }
  else
    {
      line->id = strip_extension (words[0]);
      line->image = g_strdup (words[0]);
    }
  line->label_words = g_strdupv (words + 1);
  for (guint i = 0; line->label_words[i] != NULL; i++)
    if (!g_ascii_string_to_signed (line->label_words[i], 10, G_MININT64, G_MAXINT64, NULL, NULL))
      return FALSE;
  return TRUE;
}

static GDataInputStream *
open_lines (const char  *path,
            GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) input = g_file_read (file, NULL, error);

  if (input == NULL)
    return NULL;
  return g_data_input_stream_new (G_INPUT_STREAM (input));
}

/* Whether @path is a list as Datumaro's ImagenetTxtImporter detects one:
 * lines read until one names a label; a line that does not parse, an empty
 * one included, refutes it. */
static gboolean
is_list (const char *path)
{
  g_autoptr(GDataInputStream) lines = open_lines (path, NULL);

  if (lines == NULL)
    return FALSE;
  for (;;)
    {
      g_autofree char *text = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, NULL);
      g_auto(ListLine) line = { NULL, NULL, NULL };

      if (text == NULL || !parse_line (text, &line))
        return FALSE;
      if (line.label_words[0] != NULL)
        return TRUE;
    }
}

/* The lists in @path: its *.txt files but the one named @excluded (if
 * any; hidden ones left out, as Datumaro's glob does), in byte order. */
static GPtrArray *
list_files (const char  *path,
            const char  *excluded,
            GError     **error)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, error);
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    return NULL;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = NULL;

      if (name[0] == '.' || !g_str_has_suffix (name, ".txt") || g_strcmp0 (name, excluded) == 0)
        continue;
      file = g_build_filename (path, name, NULL);
      if (g_file_test (file, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (files, g_steal_pointer (&file));
    }
  g_ptr_array_sort (files, dm_compare_names);
  return g_steal_pointer (&files);
}

/*
 * dm_imagenet_txt_find_list:
 * @path: a directory
 *
 * Returns: (transfer full) (nullable): the first ImageNet-txt list in
 *   @path, or %NULL when it has none
 */
char *
dm_imagenet_txt_find_list (const char *path)
{
  g_autoptr(GPtrArray) files = list_files (path, LABELS_FILE, NULL);

  if (files == NULL)
    return NULL;
  for (guint i = 0; i < files->len; i++)
    if (is_list (g_ptr_array_index (files, i)))
      return g_strdup (g_ptr_array_index (files, i));
  return NULL;
}

/* The label names of @labels_file (below @root unless absolute, as
 * Python's os.path.join() makes it): every line, stripped, in order. */
static gboolean
read_labels (DmDataset   *dataset,
             const char  *root,
             const char  *labels_file,
             GError     **error)
{
  g_autofree char *path = g_path_is_absolute (labels_file) ? g_strdup (labels_file)
                                                           : g_build_filename (root, labels_file, NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) local_error = NULL;
  guint n_lines;

  /* A named pipe in the dataset would be waited on for ever, past Ctrl-C
   * (one given by an absolute path, as <(…) gives it, is the user's). */
  if (!g_path_is_absolute (labels_file) && g_file_test (path, G_FILE_TEST_EXISTS)
      && !g_file_test (path, G_FILE_TEST_IS_DIR) && !dm_check_regular_file (path, error))
    return FALSE;
  if (!g_file_get_contents (path, &contents, NULL, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, DM_ERROR, DM_ERROR_NOT_FOUND,
                     _("Cannot read the label names of the ImageNet-txt dataset %s: %s (its options "
                       "labels=generate and labels_file=FILE name the labels otherwise)"),
                     root, local_error->message);
      else
        g_set_error (error, DM_ERROR, DM_ERROR_NOT_FOUND,
                     _("Cannot read the label names of the ImageNet-txt dataset %s: %s"),
                     root, local_error->message);
      return FALSE;
    }
  if (!g_utf8_validate (contents, -1, NULL))
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA, _("%s is not UTF-8 text"), path);
      return FALSE;
    }
  /* Python's lines (universal newlines: \n, \r\n or \r); the text after
   * the last newline is one, if any. */
  {
    char *to = contents;

    for (const char *from = contents; *from != '\0'; from++)
      if (*from != '\r')
        *to++ = *from;
      else if (from[1] != '\n')
        *to++ = '\n';
    *to = '\0';
  }
  lines = g_strsplit (contents, "\n", -1);
  n_lines = g_strv_length (lines);
  if (n_lines > 0 && lines[n_lines - 1][0] == '\0')
    n_lines--;
  for (guint i = 0; i < n_lines; i++)
    {
      const char *name = g_strstrip (lines[i]);

      if (dm_dataset_find_label (dataset, name) >= 0)
        {
          g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                       _("%s, line %u: the label “%s” is listed twice"), path, i + 1, name);
          return FALSE;
        }
      dm_dataset_add_label (dataset, name);
    }
  return TRUE;
}

/* Makes the labels up to @label_id, as Datumaro's labels=generate does
 * for each id beyond those it has: "class-<id>". */
static gboolean
generate_labels (DmDataset   *dataset,
                 gint64       label_id,
                 const char  *label_word,
                 const char  *list,
                 guint        line_number,
                 const char  *item_id,
                 GError     **error)
{
  if (label_id >= MAX_GENERATED_LABELS)
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                   _("%s, line %u: item “%s” has the label id %s, beyond the %u labels "
                     "labels=generate makes at most"),
                   list, line_number, item_id, label_word, MAX_GENERATED_LABELS);
      return FALSE;
    }
  while (dm_dataset_get_n_labels (dataset) <= label_id)
    {
      g_autofree char *name = g_strdup_printf ("class-%u", dm_dataset_get_n_labels (dataset));

      dm_dataset_add_label (dataset, name);
    }
  return TRUE;
}

static DmItem *
make_item (DmDataset      *dataset,
           const char     *root,
           const Options  *options,
           const char     *subset,
           ListLine       *line,
           const char     *list,
           guint           line_number,
           GError        **error)
{
  g_autoptr(DmItem) item = NULL;
  g_autofree char *image = NULL;

  if (!dm_is_plain_relative_path (line->image))
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                   _("%s, line %u: the image “%s” is not below %s/"),
                   list, line_number, line->image, IMAGES_DIR);
      return NULL;
    }
  item = dm_item_new (line->id, subset);
  image = g_build_filename (root, IMAGES_DIR, line->image, NULL);
  dm_item_set_image_path (item, image);
  dm_item_set_image_relpath (item, line->image);
  for (guint i = 0; line->label_words[i] != NULL; i++)
    {
      gint64 label = g_ascii_strtoll (line->label_words[i], NULL, 10);

      if (options->generate && label >= 0
          && !generate_labels (dataset, label, line->label_words[i], list, line_number, line->id, error))
        return NULL;
      /* Datumaro refuses a negative id with labels=generate too. */
      if (options->generate && label < 0)
        {
          g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                       _("%s, line %u: item “%s” has the label id %s, which is negative"),
                       list, line_number, line->id, line->label_words[i]);
          return NULL;
        }
      if (label < 0 || label >= dm_dataset_get_n_labels (dataset))
        {
          g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                       _("%s, line %u: item “%s” has the label id %s, but %s lists %u labels"),
                       list, line_number, line->id, line->label_words[i], options->labels_file,
                       dm_dataset_get_n_labels (dataset));
          return NULL;
        }
      dm_item_add_label (item, (int) label);
    }
  return g_steal_pointer (&item);
}

/* Reads the list @list as the subset named by its file name. */
static gboolean
read_list (DmDataset     *dataset,
           const char    *root,
           const Options *options,
           const char    *list,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autofree char *base = g_path_get_basename (list);
  g_autofree char *subset = g_strndup (base, strlen (base) - strlen (".txt"));
  g_autoptr(GDataInputStream) lines = open_lines (list, error);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) positions = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) local_error = NULL;
  guint line_number = 0;

  if (lines == NULL)
    return FALSE;
  dm_dataset_add_subset (dataset, subset);
  for (;;)
    {
      g_autofree char *text = g_data_input_stream_read_line_utf8 (lines, NULL, cancellable, &local_error);
      g_auto(ListLine) line = { NULL, NULL, NULL };
      DmItem *item;
      gpointer position;

      /* The end of the list, or a read error (below). */
      if (text == NULL)
        break;
      line_number++;
      if (!parse_line (text, &line))
        {
          g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                       _("%s, line %u: not “<image> <label id>...”"), list, line_number);
          return FALSE;
        }
      item = make_item (dataset, root, options, subset, &line, list, line_number, error);
      if (item == NULL)
        return FALSE;
      /* A later line of the same id replaces the item in its place, as
       * Datumaro's dict of items does. */
      if (g_hash_table_lookup_extended (positions, line.id, NULL, &position))
        {
          DmItem *replaced = g_ptr_array_index (items, GPOINTER_TO_UINT (position));

          g_ptr_array_index (items, GPOINTER_TO_UINT (position)) = item;
          /* The key is the id string of the item it indexes. */
          g_hash_table_replace (positions, (gpointer) dm_item_get_id (item), position);
          g_object_unref (replaced);
        }
      else
        {
          g_hash_table_insert (positions, (gpointer) dm_item_get_id (item), GUINT_TO_POINTER (items->len));
          g_ptr_array_add (items, item);
        }
    }
  if (local_error != NULL)
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA, _("Cannot read %s: %s"),
                   list, local_error->message);
      return FALSE;
    }
  for (guint i = 0; i < items->len; i++)
    dm_dataset_append_item (dataset, g_ptr_array_index (items, i));
  return TRUE;
}

/**
 * dm_imagenet_txt_load:
 * @path: (type filename): the root of an ImageNet-txt dataset
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads an ImageNet-txt dataset as Datumaro does: each `*.txt` file in
 * @path but `synsets.txt` is a subset named by its file name, whose lines
 * `<image> <label id>...` (`"<name>"<ext> <label id>...` for names with
 * blanks) are items with the id `<image>` without its extension (or
 * `<name>`) and the image `images/<image>`; `synsets.txt` names the labels,
 * one a line. A later line of an id replaces an earlier one. For
 * Datumaro's other ways to name the labels, see
 * dm_dataset_load_with_options().
 *
 * Returns: (transfer full): the dataset, or %NULL with @error set
 */
DmDataset *
dm_imagenet_txt_load (const char    *path,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return dm_imagenet_txt_load_with_options (path, NULL, cancellable, error);
}

/*
 * dm_imagenet_txt_load_with_options:
 * @path: the root of an ImageNet-txt dataset
 * @assignments: (nullable): options, as `NAME=VALUE`: `labels=file` (the
 *   default) or `labels=generate`, `labels_file=FILE`
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads the dataset as dm_imagenet_txt_load() does, with the options of
 * Datumaro's ImagenetTxtImporter: with `labels_file=FILE`, the label
 * names are FILE's (a path below @path, or absolute), and a `*.txt` file
 * of FILE's name, not `synsets.txt`, is no subset; with
 * `labels=generate`, no file is read, the labels are `class-0` to
 * `class-<the largest id listed>`, and every `*.txt` file is a subset.
 *
 * Returns: (transfer full): the dataset, or %NULL with @error set
 */
DmDataset *
dm_imagenet_txt_load_with_options (const char          *path,
                                   const char * const  *assignments,
                                   GCancellable        *cancellable,
                                   GError             **error)
{
  g_autoptr(DmDataset) dataset = NULL;
  g_autoptr(GPtrArray) lists = NULL;
  g_autoptr(GError) local_error = NULL;
  g_auto(Options) options = { FALSE, NULL };
  g_autofree char *labels_base = NULL;

  if (!parse_options (assignments, &options, error))
    return NULL;
  /* Datumaro leaves out the lists named as the labels file, wherever it is. */
  if (!options.generate)
    labels_base = g_path_get_basename (options.labels_file);
  lists = list_files (path, labels_base, &local_error);
  if (lists == NULL)
    {
      g_set_error (error, DM_ERROR, DM_ERROR_NOT_FOUND, _("Cannot read %s: %s"), path, local_error->message);
      return NULL;
    }
  if (lists->len == 0)
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                   _("%s has no list of images (<subset>.txt) of an ImageNet-txt dataset"), path);
      return NULL;
    }

  dataset = dm_dataset_new ();
  dm_dataset_set_source_path (dataset, path);
  dm_dataset_set_format (dataset, FORMAT);
  if (!options.generate && !read_labels (dataset, path, options.labels_file, error))
    return NULL;
  for (guint i = 0; i < lists->len; i++)
    if (!read_list (dataset, path, &options, g_ptr_array_index (lists, i), cancellable, error))
      return NULL;
  return g_steal_pointer (&dataset);
}
