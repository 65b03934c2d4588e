/* dm-imagenet.c: ImageNet-style folder trees, read as Datumaro (1.8 and
 * later, hierarchical ImageNet) reads them.
 *
 * "imagenet": every folder below ROOT, at any depth, is a label named by
 * its path relative to ROOT ("cat", "cat/tabby"), except a folder
 * "no_label" right below ROOT. Images up to 10 folder levels down are
 * items with the id "<folder>:<file name without extension>" and the
 * label of their folder; images in ROOT itself or in ROOT/no_label are
 * unlabelled items "no_label:<stem>".
 *
 * "imagenet_with_subset_dirs": every folder right below ROOT is a subset,
 * read as above.
 *
 * Datumaro takes a tree for ImageNet only when it holds nothing but image
 * files, lets subset folders win when one of them is called train, val or
 * test, and gives ImageNet-txt (a list file beside images/, read in
 * dm-imagenet-txt.c) precedence; dm_imagenet_detect() decides the same way.
 *
 * Folder links are never followed (Datumaro's walk does not follow them
 * either, though it enters a linked subset folder), so neither a link loop
 * nor a link to ROOT's parent or to / can trap the walk; links to image
 * files are taken.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "dm-dataset-io.h"
#include "dm-datumaro-private.h"
#include "dm-error.h"
#include "dm-file-tree-private.h"
#include "dm-imagenet-private.h"

#define FORMAT_FLAT "imagenet"
#define FORMAT_SUBSET_DIRS "imagenet_with_subset_dirs"

/* Datumaro's ImagenetPath.IMAGE_DIR_NO_LABEL and SEP_TOKEN. */
#define NO_LABEL "no_label"
#define ID_SEPARATOR ":"

/* Datumaro's walk looks for images at most this many folders below the
 * root (os_util.DEFAULT_MAX_DEPTH). */
#define MAX_IMAGE_DEPTH 10

/* Datumaro's IMAGE_EXTENSIONS (util/image.py), compared case-blind. */
static const char *const image_extensions[] = {
  "jpg", "jpeg", "jpe", "jp2", "png", "bmp", "dib", "tif", "tiff", "tga", "webp",
  "pfm", "sr", "ras", "exr", "hdr", "pic", "pbm", "pgm", "ppm", "pxm", "pnm",
};

/* Top-level folder names that mark another format (SUBSET_NAME_BLACKLIST). */
static const char *const foreign_folders[] = { "labels", "images", "annotations", "instances" };

/* Folder names that make ROOT a tree of subsets (SUBSET_NAME_WHITELIST). */
static const char *const subset_folders[] = { "train", "test", "val" };

static gboolean
in_list_casefold (const char        *word,
                  const char *const *list,
                  gsize              n)
{
  for (gsize i = 0; i < n; i++)
    if (g_ascii_strcasecmp (word, list[i]) == 0)
      return TRUE;
  return FALSE;
}

/* An image by its name: an extension of Datumaro's list after a non-empty
 * stem (".jpg" alone is no image, ".hidden.jpg" is). */
static gboolean
is_image_name (const char *name)
{
  const char *dot = strrchr (name, '.');

  return dot != NULL && dot != name
    && in_list_casefold (dot + 1, image_extensions, G_N_ELEMENTS (image_extensions));
}

typedef enum {
  ENTRY_OTHER,          /* a device, a broken link, ... */
  ENTRY_DIRECTORY,      /* a real directory, not a link to one */
  ENTRY_DIRECTORY_LINK,
  ENTRY_FILE,           /* a regular file or a link to one */
} EntryType;

/* A folder's entry: one allocation with its path, freed by g_free() (a
 * folder of a million images is a million of these). */
typedef struct
{
  EntryType type;
  const char *name;     /* the last part of path */
  char path[];
} Entry;

static EntryType
type_by_stat (const char *path)
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
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const Entry *x = *(const Entry * const *) a;
  const Entry *y = *(const Entry * const *) b;

  return strcmp (x->name, y->name);
}

/* The entries of @path, hidden ones included (Datumaro reads them), in byte
 * order so that item order does not depend on the file system. The type
 * comes from readdir() where the file system gives it: a tree of a million
 * images is listed without a stat() per image. */
static GPtrArray *
list_entries (const char  *path,
              GError     **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (g_free);
  DIR *dir = opendir (path);
  struct dirent *dirent;

  if (dir == NULL)
    {
      DM_SET_ERRNO_ERROR (error, _("Cannot read %s: %s"), path);
      return NULL;
    }
  while ((dirent = readdir (dir)) != NULL)
    {
      g_autofree char *child = NULL;
      gsize child_size;
      Entry *entry;

      if (g_str_equal (dirent->d_name, ".") || g_str_equal (dirent->d_name, ".."))
        continue;
      child = g_build_filename (path, dirent->d_name, NULL);
      child_size = strlen (child) + 1;
      entry = g_malloc (sizeof (Entry) + child_size);
      memcpy (entry->path, child, child_size);
      entry->name = entry->path + child_size - 1 - strlen (dirent->d_name);
      switch (dirent->d_type)
        {
        case DT_DIR:
          entry->type = ENTRY_DIRECTORY;
          break;
        case DT_REG:
          entry->type = ENTRY_FILE;
          break;
        case DT_LNK:
        case DT_UNKNOWN:
          entry->type = type_by_stat (entry->path);
          break;
        default:
          entry->type = ENTRY_OTHER;
          break;
        }
      g_ptr_array_add (entries, entry);
    }
  closedir (dir);
  g_ptr_array_sort (entries, compare_entries);
  return g_steal_pointer (&entries);
}

/* Datumaro sorts label folders as paths, part by part, so "a/b" comes
 * before "a-b": byte order with '/' below every other byte. */
static int
compare_label_paths (gconstpointer a,
                     gconstpointer b)
{
  const guchar *x = *(const guchar * const *) a;
  const guchar *y = *(const guchar * const *) b;

  for (; *x != '\0' && *x == *y; x++, y++)
    ;
  if (*x == *y)
    return 0;
  if (*x == '/')
    return *y == '\0' ? 1 : -1;
  if (*y == '/')
    return *x == '\0' ? -1 : 1;
  return (int) *x - (int) *y;
}

/* ---- Detection ---- */

/* Why a tree is not ImageNet, for the error message. */
typedef struct
{
  char *not_an_image;   /* the first file that is not an image */
  gboolean has_images;
} TreeCheck;

/* Datumaro's contains_only_images(): every file down to MAX_IMAGE_DEPTH
 * folders is an image (by name). Stops at the first one that is not. */
static void
check_tree (const char *path,
            guint       depth,
            TreeCheck  *check)
{
  g_autoptr(GPtrArray) entries = list_entries (path, NULL);

  if (entries == NULL)
    return;
  for (guint i = 0; i < entries->len && check->not_an_image == NULL; i++)
    {
      const Entry *entry = g_ptr_array_index (entries, i);

      switch (entry->type)
        {
        case ENTRY_DIRECTORY:
          if (depth < MAX_IMAGE_DEPTH)
            check_tree (entry->path, depth + 1, check);
          break;
        case ENTRY_DIRECTORY_LINK:
          break;
        default:
          if (is_image_name (entry->name))
            check->has_images = TRUE;
          else
            check->not_an_image = g_strdup (entry->path);
          break;
        }
    }
}

/* The top-level folder of @path that marks another format, if any. */
static char *
foreign_folder (const char *path,
                GPtrArray  *entries)
{
  for (guint i = 0; i < entries->len; i++)
    {
      const Entry *entry = g_ptr_array_index (entries, i);

      if (entry->type == ENTRY_DIRECTORY
          && in_list_casefold (entry->name, foreign_folders, G_N_ELEMENTS (foreign_folders)))
        return g_strdup (entry->name);
    }
  return NULL;
}

/* Datumaro's ImagenetImporter.detect() on @path. */
static gboolean
is_flat_imagenet (const char *path,
                  TreeCheck  *check)
{
  g_autoptr(GPtrArray) entries = list_entries (path, NULL);
  g_autofree char *foreign = NULL;

  if (entries == NULL)
    return FALSE;
  foreign = foreign_folder (path, entries);
  if (foreign != NULL)
    return FALSE;
  check_tree (path, 0, check);
  return check->not_an_image == NULL && check->has_images;
}

/* Datumaro's ImagenetWithSubsetDirsImporter.detect(): a folder train, val
 * or test below @path that is ImageNet itself. Unlike Datumaro, a link to
 * a folder is not followed here either: it may lead anywhere (to ROOT's
 * parent, to /). */
static gboolean
has_imagenet_subset_folder (const char *path)
{
  g_autoptr(GPtrArray) entries = list_entries (path, NULL);

  if (entries == NULL)
    return FALSE;
  for (guint i = 0; i < entries->len; i++)
    {
      const Entry *entry = g_ptr_array_index (entries, i);
      TreeCheck check = { NULL, FALSE };
      gboolean found;

      if (entry->type != ENTRY_DIRECTORY
          || !in_list_casefold (entry->name, subset_folders, G_N_ELEMENTS (subset_folders)))
        continue;
      found = is_flat_imagenet (entry->path, &check);
      g_free (check.not_an_image);
      if (found)
        return TRUE;
    }
  return FALSE;
}

/*
 * dm_imagenet_detect:
 * @path: a directory that has no Datumaro annotations
 * @error: return location for a #GError
 *
 * Tells which ImageNet format @path has, deciding as Datumaro's detectors
 * do: an ImageNet-txt list in @path makes it "imagenet_txt"; a folder
 * train, val or test holding only images makes it
 * "imagenet_with_subset_dirs"; a tree holding only images, with no
 * top-level folder images, labels, annotations or instances, makes it
 * "imagenet".
 *
 * Returns: (transfer full): the format name, or %NULL with @error set
 *   (%DM_ERROR_UNKNOWN_FORMAT, saying why the tree is not ImageNet)
 */
char *
dm_imagenet_detect (const char  *path,
                    GError     **error)
{
  g_autoptr(GPtrArray) entries = list_entries (path, error);
  g_autofree char *txt_list = NULL;
  g_autofree char *foreign = NULL;
  TreeCheck check = { NULL, FALSE };
  g_autofree char *not_an_image = NULL;

  if (entries == NULL)
    return NULL;

  txt_list = dm_imagenet_txt_find_list (path);
  if (txt_list != NULL)
    return g_strdup ("imagenet_txt");
  if (has_imagenet_subset_folder (path))
    return g_strdup (FORMAT_SUBSET_DIRS);
  if (is_flat_imagenet (path, &check))
    return g_strdup (FORMAT_FLAT);
  not_an_image = check.not_an_image;

  foreign = foreign_folder (path, entries);
  if (foreign != NULL)
    g_set_error (error, DM_ERROR, DM_ERROR_UNKNOWN_FORMAT,
                 _("Cannot tell the format of %s: it has no annotations/*.json (Datumaro), "
                   "and its folder “%s” rules out ImageNet (given the format “imagenet”, it is "
                   "read as ImageNet anyway)"), path, foreign);
  else if (not_an_image != NULL)
    g_set_error (error, DM_ERROR, DM_ERROR_UNKNOWN_FORMAT,
                 _("Cannot tell the format of %s: it has no annotations/*.json (Datumaro), "
                   "and %s is not an image, which rules out ImageNet (given the format “imagenet”, "
                   "it is read as ImageNet anyway, skipping such files)"),
                 path, not_an_image);
  else
    g_set_error (error, DM_ERROR, DM_ERROR_UNKNOWN_FORMAT,
                 _("Cannot tell the format of %s: it has neither annotations/*.json (Datumaro) "
                   "nor image files (ImageNet)"), path);
  return NULL;
}

/* ---- Loading ---- */

/* An item found by the walk; its label id is known once every folder is. */
typedef struct
{
  DmItem *item;
  const char *label;    /* owned by Walk.label_set; NULL for unlabelled */
} Found;

/* Label paths are kept in label_set rather than interned: they come from
 * the file system, and interned strings are never freed. */
typedef struct
{
  DmDataset *dataset;
  GCancellable *cancellable;
  const char *subset;           /* the subset name */
  GHashTable *label_set;        /* label path -> itself, owned */
  GHashTable *ids;              /* item id -> image path, of this subset */
  GArray *found;                /* of Found */
} Walk;

/* The label named @path, added to the labels unless it is there. */
static const char *
add_label (Walk       *walk,
           const char *path)
{
  gpointer label;

  if (!g_hash_table_lookup_extended (walk->label_set, path, &label, NULL))
    {
      label = g_strdup (path);
      g_hash_table_add (walk->label_set, label);
    }
  return label;
}

/* @name in the folder @relative to the subset root ("" for the root),
 * with '/' between folders as Datumaro writes paths. */
static char *
join_relative (const char *relative,
               const char *name)
{
  return relative[0] != '\0' ? g_strconcat (relative, "/", name, NULL) : g_strdup (name);
}

/* Reads the folder @path, @relative to the subset root ("" for the root),
 * @depth folders down, whose images have @label (%NULL: none): its images
 * first, then its folders, as Datumaro's os.walk() goes (but in byte
 * order). */
static gboolean
walk_folder (Walk        *walk,
             const char  *path,
             const char  *relative,
             const char  *label,
             guint        depth,
             GError     **error)
{
  g_autoptr(GPtrArray) entries = list_entries (path, error);

  if (entries == NULL)
    return FALSE;

  for (guint i = 0; i < entries->len; i++)
    {
      const Entry *entry = g_ptr_array_index (entries, i);
      const char *file = entry->path;
      g_autofree char *stem = NULL;
      g_autofree char *id = NULL;
      const char *existing;
      Found found;

      if (entry->type == ENTRY_DIRECTORY || entry->type == ENTRY_DIRECTORY_LINK)
        continue;
      if (g_cancellable_set_error_if_cancelled (walk->cancellable, error))
        return FALSE;

      if (!is_image_name (entry->name))
        {
          g_message (_("Skipping %s: not an image file"), file);
          continue;
        }
      if (entry->type != ENTRY_FILE)
        {
          g_message (_("Skipping %s: a broken link or a special file"), file);
          continue;
        }
      if (depth > MAX_IMAGE_DEPTH)
        {
          g_message (_("Skipping %s: more than %d folders deep, where Datumaro does not look for images"),
                     file, MAX_IMAGE_DEPTH);
          continue;
        }

      if (!dm_check_name_utf8 (entry->path, entry->name, error))
        return FALSE;
      stem = g_strndup (entry->name, strrchr (entry->name, '.') - entry->name);
      id = g_strconcat (relative[0] != '\0' ? relative : NO_LABEL, ID_SEPARATOR, stem, NULL);
      existing = g_hash_table_lookup (walk->ids, id);
      if (existing != NULL)
        {
          /* Datumaro keeps the first image of an id and drops the others. */
          g_message (_("Skipping %s: item “%s” is %s already (Datumaro keeps the first image of an id)"),
                     file, id, existing);
          continue;
        }

      found.item = dm_item_new (id, walk->subset);
      found.label = label;
      dm_item_set_image_path (found.item, file);
      {
        g_autofree char *relpath = join_relative (relative, entry->name);

        dm_item_set_image_relpath (found.item, relpath);
      }
      g_hash_table_insert (walk->ids, g_steal_pointer (&id), g_strdup (file));
      g_array_append_val (walk->found, found);
    }

  for (guint i = 0; i < entries->len; i++)
    {
      const Entry *entry = g_ptr_array_index (entries, i);
      g_autofree char *child_relative = NULL;
      const char *child_label = NULL;

      if (entry->type != ENTRY_DIRECTORY && entry->type != ENTRY_DIRECTORY_LINK)
        continue;
      if (!dm_check_name_utf8 (entry->path, entry->name, error))
        return FALSE;
      child_relative = join_relative (relative, entry->name);
      /* Every folder is a label, a linked one too (as Datumaro's rglob()
       * lists it), but for ROOT/no_label. */
      if (!g_str_equal (child_relative, NO_LABEL))
        child_label = add_label (walk, child_relative);
      if (entry->type == ENTRY_DIRECTORY_LINK)
        {
          g_message (_("Skipping %s: links to folders are not followed"), entry->path);
          continue;
        }
      if (!walk_folder (walk, entry->path, child_relative, child_label, depth + 1, error))
        return FALSE;
    }
  return TRUE;
}

static void
found_clear (gpointer data)
{
  Found *found = data;

  g_clear_object (&found->item);
}

/* Reads the tree at @path as subset @subset into @walk. */
static gboolean
walk_subset (Walk        *walk,
             const char  *path,
             const char  *subset,
             GError     **error)
{
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  walk->subset = subset;
  walk->ids = ids;
  dm_dataset_add_subset (walk->dataset, subset);
  return walk_folder (walk, path, "", NULL, 0, error);
}

/* Adds the labels, sorted as Datumaro sorts them, then the items. */
static void
finish (Walk *walk)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer label;

  g_hash_table_iter_init (&iter, walk->label_set);
  while (g_hash_table_iter_next (&iter, &label, NULL))
    g_ptr_array_add (labels, label);
  g_ptr_array_sort (labels, compare_label_paths);
  for (guint i = 0; i < labels->len; i++)
    dm_dataset_add_label (walk->dataset, g_ptr_array_index (labels, i));

  for (guint i = 0; i < walk->found->len; i++)
    {
      Found *found = &g_array_index (walk->found, Found, i);

      if (found->label != NULL)
        dm_item_add_label (found->item, dm_dataset_find_label (walk->dataset, found->label));
      dm_dataset_append_item (walk->dataset, found->item);
    }
}

/**
 * dm_imagenet_load:
 * @path: (type filename): the root of an ImageNet-style folder tree
 * @with_subset_dirs: whether the folders right below @path are subsets
 *   (Datumaro's "imagenet_with_subset_dirs") or labels ("imagenet")
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads an ImageNet tree as Datumaro does. Every folder below the root
 * (of each subset) is a label, named by its path from there ("cat",
 * "cat/tabby"), sorted; only a folder "no_label" right below the root is
 * none. An image up to 10 folders down is item "<folder>:<stem>" with its
 * folder's label; an image in the root, or in "no_label", is the
 * unlabelled item "no_label:<stem>". Images are told by their extension
 * (Datumaro's list: jpg, jpeg, png, bmp, tif, webp, ppm, ...), hidden
 * files included; other files are skipped with a message, as are images in
 * the root when there are subset folders. Links to folders are not
 * followed. The image of an item is written to
 * `images/<subset>/<its path from the root>`.
 *
 * Returns: (transfer full): the dataset, or %NULL with @error set
 */
DmDataset *
dm_imagenet_load (const char    *path,
                  gboolean       with_subset_dirs,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(DmDataset) dataset = NULL;
  g_autoptr(GHashTable) label_set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GArray) found = g_array_new (FALSE, FALSE, sizeof (Found));
  Walk walk = { NULL, cancellable, NULL, label_set, NULL, found };

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_array_set_clear_func (found, found_clear);
  dataset = dm_dataset_new ();
  dm_dataset_set_source_path (dataset, path);
  dm_dataset_set_format (dataset, with_subset_dirs ? FORMAT_SUBSET_DIRS : FORMAT_FLAT);
  walk.dataset = dataset;

  if (!with_subset_dirs)
    {
      if (!walk_subset (&walk, path, "default", error))
        return NULL;
    }
  else
    {
      g_autoptr(GPtrArray) entries = list_entries (path, error);

      if (entries == NULL)
        return NULL;
      for (guint i = 0; i < entries->len; i++)
        {
          const Entry *entry = g_ptr_array_index (entries, i);

          /* Datumaro takes every folder for a subset, and a link to one,
           * which dm does not follow: it may lead anywhere. */
          if (entry->type == ENTRY_DIRECTORY_LINK)
            g_message (_("Skipping %s: links to folders are not followed"), entry->path);
          else if (entry->type != ENTRY_DIRECTORY)
            g_message (_("Skipping %s: not in a subset folder"), entry->path);
          else if (!dm_check_name_utf8 (entry->path, entry->name, error) || !walk_subset (&walk, entry->path, entry->name, error))
            return NULL;
        }
    }

  finish (&walk);
  return g_steal_pointer (&dataset);
}
