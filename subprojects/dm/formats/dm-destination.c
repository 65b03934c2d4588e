/* dm-destination.c: whether an output directory may be written.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "dm-dataset-io.h"
#include "dm-datumaro-private.h"
#include "dm-error.h"
#include "dm-destination-private.h"
#include "dm-file-tree-private.h"

static gboolean
is_empty_directory (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);

  return dir != NULL && g_dir_read_name (dir) == NULL;
}

/* Whether @a and @b name one directory. */
gboolean
dm_is_same_directory (const char *a,
                      const char *b)
{
  g_autofree char *x = dm_resolve_path (a);
  g_autofree char *y = dm_resolve_path (b);

  return g_str_equal (x, y);
}

/* What a Datumaro dataset has at its top level; %DM_SAVE_OVERWRITE
 * replaces a directory that holds nothing else. */
static const char * const dataset_entries[] = {
  DM_DATUMARO_ANNOTATIONS_DIR, DM_DATUMARO_IMAGES_DIR, DM_DATUMARO_POINT_CLOUDS_DIR,
  DM_DATUMARO_VIDEOS_DIR, DM_HASH_KEY_CACHE_DIR, NULL
};

/* The first entry of the non-empty directory @path that no Datumaro
 * dataset has at its top level (any entry when it has no annotations/
 * *.json), or %NULL. */
static char *
first_foreign_entry (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  gboolean is_dataset = dm_datumaro_has_annotation_files (path);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    return NULL;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (!is_dataset || !g_strv_contains (dataset_entries, name))
      g_ptr_array_add (names, g_strdup (name));
  if (names->len == 0)
    return NULL;
  g_ptr_array_sort (names, dm_compare_names);
  return g_strdup (g_ptr_array_index (names, 0));
}

/* The media files the items of the Datumaro dataset at @path refer to,
 * as its reader resolves them (canonical paths), or %NULL with @error set. */
static GHashTable *
dataset_media_files (const char  *path,
                     GError     **error)
{
  g_autoptr(DmDataset) dataset = dm_datumaro_load (path, NULL, error);
  g_autoptr(GHashTable) files = NULL;

  if (dataset == NULL)
    return NULL;
  files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < dm_dataset_get_n_items (dataset); i++)
    {
      DmItem *item = dm_dataset_get_item (dataset, i);
      guint n = dm_item_get_n_media_files (item);

      for (guint f = 0; f < n; f++)
        g_hash_table_add (files, g_canonicalize_filename (dm_item_get_media_file_source (item, f), NULL));
      if (n == 0 && dm_item_get_image_path (item) != NULL)
        g_hash_table_add (files, g_canonicalize_filename (dm_item_get_image_path (item), NULL));
    }
  return g_steal_pointer (&files);
}

/* Whether the file (not directory) @relative below a dataset directory,
 * @absolute, is the dataset's: a subset's annotation file, the hash-key
 * cache, or a media file one of its items refers to (in @media). */
static gboolean
is_dataset_file (const char *relative,
                 const char *absolute,
                 GHashTable *media)
{
  const char *annotations = DM_DATUMARO_ANNOTATIONS_DIR G_DIR_SEPARATOR_S;

  if (g_str_has_prefix (relative, annotations) &&
      strchr (relative + strlen (annotations), G_DIR_SEPARATOR) == NULL && g_str_has_suffix (relative, ".json"))
    return TRUE;
  if (g_str_equal (relative, DM_HASH_KEY_CACHE_DIR G_DIR_SEPARATOR_S DM_HASH_KEY_CACHE_FILE))
    return TRUE;
  return g_hash_table_contains (media, absolute);
}

typedef struct
{
  char *name;
  gboolean is_directory;
} Entry;

static void
entry_clear (gpointer data)
{
  g_free (((Entry *) data)->name);
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (((const Entry *) a)->name, ((const Entry *) b)->name);
}

/* The entries of the directory @path, sorted by name, or %NULL when it
 * cannot be read. readdir()'s d_type spares a stat per file where the file
 * system gives it: a dataset's images/ may hold a million files. */
static GArray *
list_entries (const char *path)
{
  DIR *dir = opendir (path);
  g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (Entry));
  struct dirent *dirent;

  if (dir == NULL)
    return NULL;
  g_array_set_clear_func (entries, entry_clear);
  while ((dirent = readdir (dir)) != NULL)
    {
      Entry entry = { NULL, dirent->d_type == DT_DIR };

      if (g_str_equal (dirent->d_name, ".") || g_str_equal (dirent->d_name, ".."))
        continue;
      if (dirent->d_type == DT_UNKNOWN)
        {
          struct stat info;

          entry.is_directory = fstatat (dirfd (dir), dirent->d_name, &info, AT_SYMLINK_NOFOLLOW) == 0 &&
                               S_ISDIR (info.st_mode);
        }
      entry.name = g_strdup (dirent->d_name);
      g_array_append_val (entries, entry);
    }
  closedir (dir);
  g_array_sort (entries, compare_entries);
  return g_steal_pointer (&entries);
}

/* The first file (in sorted order, depth first) below @relative ("" for
 * all) in the dataset directory @root that is not the dataset's (see
 * is_dataset_file()), as a path relative to @root, or %NULL. A directory
 * counts by what it holds (one that cannot be read as foreign), a symbolic
 * link as a file. */
static char *
first_foreign_file (const char *root,
                    const char *relative,
                    GHashTable *media)
{
  g_autofree char *path = g_build_filename (root, relative, NULL);
  g_autoptr(GArray) entries = list_entries (path);

  if (entries == NULL)
    return g_strdup (relative);
  for (guint i = 0; i < entries->len; i++)
    {
      const Entry *entry = &g_array_index (entries, Entry, i);
      g_autofree char *child = g_build_filename (relative, entry->name, NULL);
      g_autofree char *absolute = NULL;
      char *foreign;

      if (entry->is_directory)
        {
          foreign = first_foreign_file (root, child, media);
          if (foreign != NULL)
            return foreign;
          continue;
        }
      absolute = g_build_filename (root, child, NULL);
      if (!is_dataset_file (child, absolute, media))
        return g_steal_pointer (&child);
    }
  return NULL;
}

/* Whether the directory @path is the root of a mount: the file system
 * says so (statx), or, where it cannot, @path is on another device than
 * its parent, or is its own parent ("/"). rename(2) cannot replace it. */
static gboolean
is_mount_point (const char *path)
{
  g_autofree char *parent_path = g_build_filename (path, "..", NULL);
  struct statx info;
  GStatBuf self, parent;

  if (statx (AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &info) == 0 &&
      (info.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) != 0)
    return (info.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
  if (g_lstat (path, &self) != 0 || g_stat (parent_path, &parent) != 0)
    return FALSE;
  return self.st_dev != parent.st_dev || self.st_ino == parent.st_ino;
}

/* Sets @error when the non-empty directory @path (@shown to the user) is
 * not a Datumaro dataset with nothing else in it; with @read_dataset, below
 * its top level too: its subsets' annotation files, its hash-key cache, and
 * the media files its items refer to, for which the dataset is read (one
 * load). */
static gboolean
check_replaceable (const char  *path,
                   const char  *shown,
                   gboolean     read_dataset,
                   GError     **error)
{
  g_autofree char *foreign = first_foreign_entry (path);
  g_autoptr(GHashTable) media = NULL;
  g_autoptr(GError) load_error = NULL;

  if (foreign == NULL && read_dataset)
    {
      media = dataset_media_files (path, &load_error);
      if (media == NULL)
        {
          g_set_error (error, DM_ERROR, DM_ERROR_OUTPUT,
                       _("Cannot replace %s: its dataset cannot be read, so what replacing it would "
                         "delete is unknown (%s)"), shown, load_error->message);
          return FALSE;
        }
      foreign = first_foreign_file (path, "", media);
    }
  if (foreign != NULL)
    {
      g_set_error (error, DM_ERROR, DM_ERROR_OUTPUT,
                   _("Cannot replace %s: “%s” in it is not part of a Datumaro dataset, and replacing "
                     "it would delete that; choose an empty or new directory, or move that away"),
                   shown, foreign);
      return FALSE;
    }
  return TRUE;
}

/**
 * dm_dataset_check_destination:
 * @destination: (type filename): where a dataset is to be written
 * @source: (type filename) (nullable): where its input was read from
 * @flags: whether @destination may be replaced
 * @error: return location for a #GError
 *
 * Checks, before any work is done, that dm_dataset_save() may write to
 * @destination, that is: it is not a file, not inside @source nor above it, not
 * @source itself unless %DM_SAVE_OVERWRITE is given, its parent folder (or
 * the nearest one that exists) takes new entries (for @source itself, the
 * in-place save, @source, its annotations/ and its hash_key_meta/, when it
 * has a cache, can be written to as well), not a mount point (the
 * output replaces the directory as a whole), not a directory the process
 * cannot write in, and not a non-empty directory
 * unless %DM_SAVE_OVERWRITE is given, and then only a directory that holds a
 * Datumaro dataset and nothing else: at its top level only annotations/,
 * images/, point_clouds/, videos/ and hash_key_meta/, and below them only
 * the subsets' annotation files (`annotations/<subset>.json`), the hash-key
 * cache and the media files the dataset's items refer to (the dataset is
 * read for those; one it cannot read is refused): %DM_SAVE_OVERWRITE
 * replaces a dataset, never a folder's other files. Whether @source's
 * format can be changed in place is dm_dataset_check_in_place()'s to say.
 *
 * Returns: %TRUE if the destination may be written; %FALSE with @error
 *   set: %DM_ERROR_EXISTS when it holds data or is @source and
 *   %DM_SAVE_OVERWRITE is not given, %DM_ERROR_IN_PLACE when it is @source
 *   and a folder the in-place save writes in cannot be written to,
 *   %DM_ERROR_OUTPUT for the rest
 */
gboolean
dm_dataset_check_destination (const char  *destination,
                              const char  *source,
                              DmSaveFlags  flags,
                              GError     **error)
{
  g_return_val_if_fail (destination != NULL, FALSE);

  return dm_check_destination (destination, source, flags, TRUE, error);
}

/* The folder the work for @path goes in: the nearest folder on the way to
 * @path's parent that exists (a save makes the missing ones there). */
static char *
nearest_existing_parent (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *missing = dm_topmost_missing_dir (dir);

  return missing != NULL ? g_path_get_dirname (missing) : g_steal_pointer (&dir);
}

/* A save writes its work in a folder beside its destination (beside the
 * dataset, in place: see dm-in-place.c): a parent folder it cannot write
 * in (not the user's, or on a read-only file system, which binds root as
 * well) is said before the work, not after the selection. @in_place:
 * @path is the source, changed in place. */
static gboolean
check_parent_writable (const char  *path,
                       const char  *shown,
                       gboolean     in_place,
                       GError     **error)
{
  g_autofree char *parent = nearest_existing_parent (path);
  int saved_errno;

  if (access (parent, W_OK | X_OK) == 0)
    return TRUE;
  saved_errno = errno;
  if (in_place)
    g_set_error (error, DM_ERROR, DM_ERROR_IN_PLACE,
                 _("Cannot change %s in place: its work goes beside it, and %s cannot be written to (%s); "
                   "save the result elsewhere"),
                 shown, parent, g_strerror (saved_errno));
  else
    g_set_error (error, DM_ERROR, DM_ERROR_OUTPUT,
                 _("Cannot write to %s: it is made in %s, which cannot be written to (%s)"),
                 shown, parent, g_strerror (saved_errno));
  return FALSE;
}

/* In place, the commit exchanges SOURCE/annotations with the new one made
 * beside SOURCE: an entry of SOURCE changes, and the old folder moves to
 * another parent, which rewrites its ".." (rename(2) wants it writable);
 * an existing hash-key cache is replaced in SOURCE/hash_key_meta. Each is
 * checked as the save needs it, before any work, as dm-in-place.c
 * describes: on a read-only file system (which binds root as well) or
 * without permission the commit would fail after the selection. */
static gboolean
check_source_writable (const char  *source,
                       const char  *shown,
                       GError     **error)
{
  g_autofree char *annotations = g_build_filename (source, DM_DATUMARO_ANNOTATIONS_DIR, NULL);
  g_autofree char *key_dir = g_build_filename (source, DM_HASH_KEY_CACHE_DIR, NULL);
  const char *folders[] = { source, annotations, dm_hash_key_cache_exists (source) ? key_dir : NULL };

  for (guint i = 0; i < G_N_ELEMENTS (folders); i++)
    {
      int saved_errno;

      /* A missing annotations/ is for the loader to report. */
      if (folders[i] == NULL || access (folders[i], W_OK | X_OK) == 0 || errno == ENOENT)
        continue;
      saved_errno = errno;
      if (i == 0)
        g_set_error (error, DM_ERROR, DM_ERROR_IN_PLACE,
                     _("Cannot change %s in place: it cannot be written to (%s); "
                       "save the result elsewhere"),
                     shown, g_strerror (saved_errno));
      else
        g_set_error (error, DM_ERROR, DM_ERROR_IN_PLACE,
                     _("Cannot change %s in place: its %s cannot be written to (%s); "
                       "save the result elsewhere"),
                     shown, folders[i] == annotations ? DM_DATUMARO_ANNOTATIONS_DIR : DM_HASH_KEY_CACHE_DIR,
                     g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

/*
 * dm_check_destination:
 * @read_dataset: whether to check the files below a destination's top
 *   level, reading its dataset
 *
 * dm_dataset_check_destination(), optionally without reading the dataset
 * at the destination: dm_dataset_save() reads it once, right before it
 * replaces it, so that a dataset of a million items is not read twice more
 * than the caller's check before the work.
 */
gboolean
dm_check_destination (const char  *destination,
                      const char  *source,
                      DmSaveFlags  flags,
                      gboolean     read_dataset,
                      GError     **error)
{
  g_autofree char *dest = dm_resolve_path (destination);
  g_autofree char *target = NULL;
  gboolean overwrite = (flags & DM_SAVE_OVERWRITE) != 0;

  if (g_file_test (dest, G_FILE_TEST_EXISTS) && !g_file_test (dest, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, DM_ERROR, DM_ERROR_OUTPUT,
                   _("Cannot write to %s: it is a file, not a directory"), destination);
      return FALSE;
    }
  /* A link to nothing: the output could not be moved into its place at
   * the end, after all the work. */
  if ((target = dm_dangling_link_target (dest)) != NULL)
    {
      g_set_error (error, DM_ERROR, DM_ERROR_OUTPUT,
                   _("Cannot write to %s: it is a symbolic link to %s, which does not exist"),
                   destination, target);
      return FALSE;
    }

  if (source != NULL)
    {
      g_autofree char *src = dm_resolve_path (source);

      if (g_str_equal (dest, src) && !overwrite)
        {
          g_set_error (error, DM_ERROR, DM_ERROR_EXISTS,
                       _("Cannot write to %s: it is the source dataset"),
                       destination);
          return FALSE;
        }
      if (dm_path_is_below (dest, src))
        {
          g_set_error (error, DM_ERROR, DM_ERROR_OUTPUT,
                       _("Cannot write to %s: it is inside the source dataset %s"),
                       destination, source);
          return FALSE;
        }
      if (dm_path_is_below (src, dest))
        {
          g_set_error (error, DM_ERROR, DM_ERROR_OUTPUT,
                       _("Cannot write to %s: the source dataset %s is inside it"),
                       destination, source);
          return FALSE;
        }
      if (g_str_equal (dest, src))
        return check_parent_writable (src, destination, TRUE, error) &&
               check_source_writable (src, destination, error);
    }

  if (!check_parent_writable (dest, destination, FALSE, error))
    return FALSE;
  if (!g_file_test (dest, G_FILE_TEST_IS_DIR))
    return TRUE;
  if (is_mount_point (dest))
    {
      /* rename(2) would refuse it at the end (EBUSY): said before any work. */
      g_set_error (error, DM_ERROR, DM_ERROR_OUTPUT,
                   _("Cannot write to %s: it is a mount point, and the output replaces its directory "
                     "as a whole; write into a new folder inside it"), destination);
      return FALSE;
    }
  /* A folder the user cannot write in is one they keep from being
   * written (`chmod a-w out`): not replaced behind their back, nor, full,
   * half replaced (its files could not be deleted afterwards). */
  if (access (dest, W_OK | X_OK) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, DM_ERROR, DM_ERROR_OUTPUT,
                   _("Cannot write to %s: it cannot be written to (%s)"),
                   destination, g_strerror (saved_errno));
      return FALSE;
    }
  if (is_empty_directory (dest))
    return TRUE;
  if (!overwrite)
    {
      g_set_error (error, DM_ERROR, DM_ERROR_EXISTS,
                   _("Cannot write to %s: the directory is not empty"),
                   destination);
      return FALSE;
    }
  return check_replaceable (dest, destination, read_dataset, error);
}
