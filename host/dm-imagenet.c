/* dm-imagenet.c: reading an ImageNet-style folder tree.
 *
 * ROOT/<label>/<image> (one subset, "default") or
 * ROOT/<subset>/<label>/<image>, told apart by where the images are.
 * Directory symlinks are never followed, so a link loop cannot trap the
 * walk; links to image files are taken.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <sys/stat.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "dm-dataset-io.h"
#include "dm-datumaro-private.h"
#include "dm-error.h"

static const char *const image_extensions[] = {
  "jpg", "jpeg", "png", "bmp", "gif", "tif", "tiff", "webp", "ppm", "pgm",
};

static gboolean
has_image_extension (const char *name)
{
  const char *dot = strrchr (name, '.');

  if (dot == NULL || dot == name)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (image_extensions); i++)
    if (g_ascii_strcasecmp (dot + 1, image_extensions[i]) == 0)
      return TRUE;
  return FALSE;
}

typedef enum {
  ENTRY_OTHER,         /* a device, a broken link, ... */
  ENTRY_DIRECTORY,     /* a real directory, not a link to one */
  ENTRY_DIRECTORY_LINK,
  ENTRY_FILE,          /* a regular file or a link to one */
} EntryType;

static EntryType
entry_type (const char *path)
{
  GStatBuf info;

  if (g_lstat (path, &info) != 0)
    return ENTRY_OTHER;
  if (S_ISDIR (info.st_mode))
    return ENTRY_DIRECTORY;
  if (S_ISREG (info.st_mode))
    return ENTRY_FILE;
  if (S_ISLNK (info.st_mode) && g_stat (path, &info) == 0)
    {
      if (S_ISDIR (info.st_mode))
        return ENTRY_DIRECTORY_LINK;
      if (S_ISREG (info.st_mode))
        return ENTRY_FILE;
    }
  return ENTRY_OTHER;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The entries of @path, hidden ones left out, in byte order so that item
 * order does not depend on the file system. */
static GPtrArray *
sorted_entries (const char  *path,
                GError     **error)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) local_error = NULL;
  const char *name;

  dir = g_dir_open (path, 0, &local_error);
  if (dir == NULL)
    {
      g_set_error (error, G_IO_ERROR, local_error->code,
                   _("Cannot read %s: %s"), path, local_error->message);
      return NULL;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  return g_steal_pointer (&names);
}

/* Whether @path holds an image file itself. */
static gboolean
has_images (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = NULL;

      if (name[0] == '.' || !has_image_extension (name))
        continue;
      child = g_build_filename (path, name, NULL);
      if (entry_type (child) == ENTRY_FILE)
        return TRUE;
    }
  return FALSE;
}

/* Whether a real directory below @path (@levels deep) holds images. */
static gboolean
has_images_below (const char *path,
                  guint       levels)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = NULL;

      if (name[0] == '.')
        continue;
      child = g_build_filename (path, name, NULL);
      if (entry_type (child) != ENTRY_DIRECTORY)
        continue;
      if (levels == 1 ? has_images (child) : has_images_below (child, levels - 1))
        return TRUE;
    }
  return FALSE;
}

/*
 * dm_imagenet_detect:
 * @path: a directory
 *
 * Returns: whether @path has image files in label folders, that is two
 *   (ROOT/label/image) or three (ROOT/subset/label/image) levels down
 */
gboolean
dm_imagenet_detect (const char *path)
{
  return has_images_below (path, 1) || has_images_below (path, 2);
}

/* The real directories among @entries of @path. */
static GPtrArray *
directories (const char *path,
             GPtrArray  *entries)
{
  GPtrArray *dirs = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < entries->len; i++)
    {
      const char *name = g_ptr_array_index (entries, i);
      g_autofree char *child = g_build_filename (path, name, NULL);

      switch (entry_type (child))
        {
        case ENTRY_DIRECTORY:
          g_ptr_array_add (dirs, g_strdup (name));
          break;
        case ENTRY_DIRECTORY_LINK:
          g_message (_("Skipping %s: links to folders are not followed"), child);
          break;
        default:
          g_message (_("Skipping %s: not a folder"), child);
          break;
        }
    }
  return dirs;
}

static gboolean
read_label_folder (DmDataset     *dataset,
                   const char    *root,
                   const char    *subset,      /* NULL for ROOT/<label> */
                   const char    *label,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autofree char *folder = g_build_filename (root, subset != NULL ? subset : label,
                                              subset != NULL ? label : NULL, NULL);
  g_autoptr(GPtrArray) entries = sorted_entries (folder, error);
  const char *subset_name = subset != NULL ? subset : "default";
  int label_id = dm_dataset_find_label (dataset, label);

  if (entries == NULL)
    return FALSE;
  g_assert (label_id >= 0);

  for (guint i = 0; i < entries->len; i++)
    {
      const char *name = g_ptr_array_index (entries, i);
      g_autofree char *file = g_build_filename (folder, name, NULL);
      g_autofree char *stem = NULL;
      g_autofree char *id = NULL;
      g_autofree char *relpath = NULL;
      g_autoptr(DmItem) item = NULL;
      DmItem *existing;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (!has_image_extension (name) || entry_type (file) != ENTRY_FILE)
        {
          g_message (_("Skipping %s: not an image file"), file);
          continue;
        }

      stem = g_strndup (name, strrchr (name, '.') - name);
      id = g_strconcat (label, "/", stem, NULL);
      existing = dm_dataset_find_item (dataset, subset_name, id);
      if (existing != NULL)
        {
          g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                       _("%s and %s would both be item “%s”: images of one label need distinct names"),
                       dm_item_get_image_path (existing), file, id);
          return FALSE;
        }

      relpath = g_strconcat (label, "/", name, NULL);
      item = dm_item_new (id, subset_name);
      dm_item_set_image_path (item, file);
      dm_item_set_image_relpath (item, relpath);
      dm_item_add_label (item, label_id);
      dm_dataset_append_item (dataset, item);
    }
  return TRUE;
}

static void
add_sorted_labels (DmDataset *dataset,
                   GPtrArray *labels)
{
  g_ptr_array_sort (labels, compare_names);
  for (guint i = 0; i < labels->len; i++)
    dm_dataset_add_label (dataset, g_ptr_array_index (labels, i));
}

static gboolean
read_flat (DmDataset     *dataset,
           const char    *root,
           GPtrArray     *root_entries,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GPtrArray) labels = directories (root, root_entries);

  add_sorted_labels (dataset, labels);
  dm_dataset_add_subset (dataset, "default");
  for (guint l = 0; l < labels->len; l++)
    if (!read_label_folder (dataset, root, NULL, g_ptr_array_index (labels, l), cancellable, error))
      return FALSE;
  return TRUE;
}

static gboolean
read_with_subsets (DmDataset     *dataset,
                   const char    *root,
                   GPtrArray     *root_entries,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(GPtrArray) subsets = directories (root, root_entries);
  g_autoptr(GPtrArray) subset_labels = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) all_labels = g_ptr_array_new ();

  /* The label categories are the label folders of all subsets. */
  for (guint s = 0; s < subsets->len; s++)
    {
      g_autofree char *subset_dir = g_build_filename (root, g_ptr_array_index (subsets, s), NULL);
      g_autoptr(GPtrArray) entries = sorted_entries (subset_dir, error);
      GPtrArray *labels;

      if (entries == NULL)
        return FALSE;
      labels = directories (subset_dir, entries);
      g_ptr_array_add (subset_labels, labels);
      for (guint l = 0; l < labels->len; l++)
        if (g_hash_table_add (seen, g_ptr_array_index (labels, l)))
          g_ptr_array_add (all_labels, g_ptr_array_index (labels, l));
    }
  add_sorted_labels (dataset, all_labels);

  for (guint s = 0; s < subsets->len; s++)
    {
      const char *subset = g_ptr_array_index (subsets, s);
      GPtrArray *labels = g_ptr_array_index (subset_labels, s);

      dm_dataset_add_subset (dataset, subset);
      for (guint l = 0; l < labels->len; l++)
        if (!read_label_folder (dataset, root, subset, g_ptr_array_index (labels, l), cancellable, error))
          return FALSE;
    }
  return TRUE;
}

/**
 * dm_imagenet_load:
 * @path: (type filename): the root of an ImageNet-style folder tree
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads `ROOT/<label>/<image>` as subset "default", or
 * `ROOT/<subset>/<label>/<image>` when the images are three levels down.
 * Item ids are `<label>/<file name without extension>`, as in Datumaro;
 * the label categories are the label folder names, sorted, including
 * folders without images. Files that are not images (by extension: jpg,
 * jpeg, png, bmp, gif, tif, tiff, webp, ppm, pgm) are skipped with a
 * message; links to folders are not followed.
 *
 * Returns: (transfer full): the dataset, or %NULL with @error set
 */
DmDataset *
dm_imagenet_load (const char    *path,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(DmDataset) dataset = NULL;
  g_autoptr(GPtrArray) root_entries = NULL;
  gboolean with_subsets;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  root_entries = sorted_entries (path, error);
  if (root_entries == NULL)
    return NULL;

  dataset = dm_dataset_new ();
  dm_dataset_set_source_path (dataset, path);
  dm_dataset_set_format (dataset, "imagenet");

  /* Images right in the folders below ROOT make those the labels. */
  with_subsets = !has_images_below (path, 1) && has_images_below (path, 2);
  if (with_subsets ? !read_with_subsets (dataset, path, root_entries, cancellable, error)
                   : !read_flat (dataset, path, root_entries, cancellable, error))
    return NULL;

  return g_steal_pointer (&dataset);
}
