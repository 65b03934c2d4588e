/* dm-in-place.c: saving a dataset over its own source, changing only what
 * the change means.
 *
 * Saving in place writes no media file: the kept items' files are where
 * they are. What changes is the annotation files, the hash-key cache, and
 * the media files of dropped items that no kept item refers to, which are
 * deleted, with the folders that leaves empty. Every other file below the
 * dataset stays as it is.
 *
 * A run killed at any moment leaves the dataset as it was or as the
 * finished run leaves it:
 *
 *   1. Beside the dataset, in a work directory `<SOURCE>.inplace-XXXXXX`
 *      that the run holds a lock on, it writes the new `annotations/`
 *      (every file synced; any other file of the old `annotations/` is
 *      hard-linked in), the new `hash_key_meta/hash_keys.json`, and a
 *      journal: the inode of the new `annotations/` and the files to delete.
 *   2. It exchanges the old and the new `annotations/` in one step
 *      (renameat2 RENAME_EXCHANGE): the commit. Before it, the dataset is as
 *      it was; the work directory beside it is removed by the next run.
 *   3. It moves the new key cache into place, deletes the listed files (and
 *      the folders that leaves empty) and removes the work directory.
 *
 * A run killed after the commit leaves a journal whose inode is the
 * dataset's `annotations/`: the next load of the dataset
 * (dm_in_place_recover()) completes step 3, which may be repeated.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "dm-datumaro-private.h"
#include "dm-error.h"
#include "dm-file-tree-private.h"
#include "dm-in-place-private.h"

#define WORK_SUFFIX ".inplace-XXXXXX"
#define JOURNAL_NAME "journal"
#define JOURNAL_MAGIC "dm-in-place-1"

/* Sets @error from errno with @format, a literal "...%s...%s" taking the
 * path and the system's message. */
static char *
real_path (const char *path)
{
  char *real = realpath (path, NULL);
  char *copy = g_strdup (real);

  free (real);
  return copy;
}

/* @file relative to @root when it is below it (its folder resolved), or
 * %NULL: in place, only files inside the dataset are ever deleted. */
static char *
relative_inside (const char *root,
                 const char *file)
{
  g_autofree char *dir = g_path_get_dirname (file);
  g_autofree char *base = g_path_get_basename (file);
  g_autofree char *real_dir = real_path (dir);
  gsize len = strlen (root);

  if (real_dir == NULL || strncmp (real_dir, root, len) != 0)
    return NULL;
  if (real_dir[len] == '\0')
    return g_strdup (base);
  if (real_dir[len] != G_DIR_SEPARATOR)
    return NULL;
  return g_build_filename (real_dir + len + 1, base, NULL);
}

typedef struct
{
  dev_t dev;
  ino_t ino;
} FileId;

static guint
file_id_hash (gconstpointer key)
{
  const FileId *id = key;

  return g_int64_hash (&(gint64) { (gint64) id->ino }) ^ (guint) id->dev;
}

static gboolean
file_id_equal (gconstpointer a,
               gconstpointer b)
{
  const FileId *x = a, *y = b;

  return x->dev == y->dev && x->ino == y->ino;
}

static void
add_media_ids (DmDataset  *dataset,
               GHashTable *ids)
{
  for (guint i = 0; i < dm_dataset_get_n_items (dataset); i++)
    {
      DmItem *item = dm_dataset_get_item (dataset, i);

      for (guint f = 0; f < dm_item_get_n_media_files (item); f++)
        {
          GStatBuf info;
          FileId *id;

          if (g_lstat (dm_item_get_media_file_source (item, f), &info) != 0)
            continue;
          id = g_new (FileId, 1);
          id->dev = info.st_dev;
          id->ino = info.st_ino;
          g_hash_table_add (ids, id);
        }
    }
}

/* The files, relative to @root, of the items of @origin that no item of
 * @output refers to (compared as files, so two spellings of one path are
 * one), each once. */
static GPtrArray *
dropped_media (DmDataset  *origin,
               DmDataset  *output,
               const char *root)
{
  g_autoptr(GHashTable) kept = g_hash_table_new_full (file_id_hash, file_id_equal, g_free, NULL);
  g_autoptr(GHashTable) listed = g_hash_table_new_full (file_id_hash, file_id_equal, g_free, NULL);
  GPtrArray *dropped = g_ptr_array_new_with_free_func (g_free);

  add_media_ids (output, kept);
  for (guint i = 0; origin != NULL && i < dm_dataset_get_n_items (origin); i++)
    {
      DmItem *item = dm_dataset_get_item (origin, i);

      for (guint f = 0; f < dm_item_get_n_media_files (item); f++)
        {
          const char *source = dm_item_get_media_file_source (item, f);
          FileId id;
          GStatBuf info;
          char *relative;

          if (g_lstat (source, &info) != 0 || S_ISDIR (info.st_mode))
            continue;
          id.dev = info.st_dev;
          id.ino = info.st_ino;
          if (g_hash_table_contains (kept, &id) || g_hash_table_contains (listed, &id))
            continue;
          relative = relative_inside (root, source);
          if (relative == NULL)
            continue;
          g_hash_table_add (listed, g_memdup2 (&id, sizeof id));
          g_ptr_array_add (dropped, relative);
        }
    }
  return dropped;
}

/* The journal: magic, device and inode of the new annotations/, then the
 * files to delete, each NUL-terminated. */
static gboolean
write_journal (const char  *work,
               GStatBuf    *annotations,
               GPtrArray   *dropped,
               GError     **error)
{
  g_autoptr(GString) text = g_string_new (JOURNAL_MAGIC);
  g_autofree char *path = g_build_filename (work, JOURNAL_NAME, NULL);

  g_string_append_c (text, '\0');
  g_string_append_printf (text, "%" G_GUINT64_FORMAT, (guint64) annotations->st_dev);
  g_string_append_c (text, '\0');
  g_string_append_printf (text, "%" G_GUINT64_FORMAT, (guint64) annotations->st_ino);
  g_string_append_c (text, '\0');
  for (guint i = 0; i < dropped->len; i++)
    g_string_append_len (text, g_ptr_array_index (dropped, i), strlen (g_ptr_array_index (dropped, i)) + 1);

  return dm_replace_file_contents (path, text->str, text->len, error) &&
         dm_sync_path (work, error);
}

/* Removes the folders below @root that deleting the file @relative (a path
 * inside @root) left empty, deepest first, as `git rm` does: a pruned
 * dataset should not keep a skeleton of the folders of what it dropped.
 * A folder that still holds anything stays, and so does @root. Failing to
 * remove one is no error: the prune is done, and the folder is then
 * either not empty or not ours to remove. */
static void
remove_emptied_folders (const char *root,
                        const char *relative)
{
  g_autofree char *folder = g_path_get_dirname (relative);

  while (!g_str_equal (folder, "."))
    {
      g_autofree char *path = g_build_filename (root, folder, NULL);
      char *parent;

      if (g_rmdir (path) != 0)
        return;
      parent = g_path_get_dirname (folder);
      g_free (folder);
      folder = parent;
    }
}

/* Step 3: after the commit, from the journal in @work (text @journal). */
static gboolean
complete (const char  *root,
          const char  *work,
          const char  *journal,
          gsize        length,
          GError     **error)
{
  const char *entry;
  guint field = 0;

  if (!dm_hash_key_cache_install (work, root, error))
    return FALSE;

  for (entry = journal; entry < journal + length; entry += strlen (entry) + 1, field++)
    {
      g_autofree char *path = NULL;

      if (field < 3)
        continue;
      path = g_build_filename (root, entry, NULL);
      if (g_unlink (path) != 0 && errno != ENOENT)
        {
          DM_SET_ERRNO_ERROR (error, _("Cannot delete %s: %s"), path);
          return FALSE;
        }
      remove_emptied_folders (root, entry);
    }

  return dm_remove_tree (work, error);
}

/* Finishes or undoes the work directory @work of a run on @root that is
 * no longer running. */
static gboolean
recover_one (const char  *root,
             const char  *work,
             GError     **error)
{
  g_autofree char *journal_path = g_build_filename (work, JOURNAL_NAME, NULL);
  g_autofree char *annotations = g_build_filename (root, DM_DATUMARO_ANNOTATIONS_DIR, NULL);
  g_autofree char *journal = NULL;
  gsize length = 0;
  const char *dev_text, *ino_text;
  GStatBuf info;

  if (!g_file_get_contents (journal_path, &journal, &length, NULL) ||
      length < sizeof JOURNAL_MAGIC || memcmp (journal, JOURNAL_MAGIC, sizeof JOURNAL_MAGIC) != 0 ||
      journal[length - 1] != '\0')
    return dm_remove_tree (work, error);   /* never committed */

  dev_text = journal + sizeof JOURNAL_MAGIC;
  ino_text = dev_text + strlen (dev_text) + 1;
  if (ino_text >= journal + length)
    return dm_remove_tree (work, error);
  if (g_stat (annotations, &info) != 0 && errno == ENOENT)
    {
      /* Killed between the two renames of a file system without exchange:
       * the new annotations/ is still in @work. */
      g_autofree char *new_dir = g_build_filename (work, DM_DATUMARO_ANNOTATIONS_DIR, NULL);

      if (g_stat (new_dir, &info) != 0 ||
          (guint64) info.st_ino != g_ascii_strtoull (ino_text, NULL, 10) ||
          g_rename (new_dir, annotations) != 0)
        {
          DM_SET_ERRNO_ERROR (error, _("Cannot replace %s: %s"), annotations);
          return FALSE;
        }
    }
  if (g_stat (annotations, &info) != 0 ||
      (guint64) info.st_dev != g_ascii_strtoull (dev_text, NULL, 10) ||
      (guint64) info.st_ino != g_ascii_strtoull (ino_text, NULL, 10))
    return dm_remove_tree (work, error);   /* killed before the exchange */

  return complete (root, work, journal, length, error);
}

/*
 * dm_in_place_recover:
 * @path: (type filename): a dataset directory
 * @error: return location for a #GError
 *
 * Completes what an in-place save of @path that was killed after its
 * commit left to do, and removes the work of one killed before it.
 */
gboolean
dm_in_place_recover (const char  *path,
                     GError     **error)
{
  g_autofree char *root = real_path (path);
  g_autofree char *parent = NULL;
  g_autofree char *prefix = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (root == NULL)
    return TRUE;
  parent = g_path_get_dirname (root);
  prefix = g_strconcat (strrchr (root, G_DIR_SEPARATOR) + 1, ".inplace-", NULL);
  dir = g_dir_open (parent, 0, NULL);
  if (dir == NULL)
    return TRUE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *work = NULL;
      int lock;
      gboolean ok;

      if (!g_str_has_prefix (name, prefix) || strlen (name) != strlen (prefix) + 6)
        continue;
      work = g_build_filename (parent, name, NULL);
      lock = dm_lock_directory (work);
      if (lock < 0)
        continue;   /* a live run's */
      ok = recover_one (root, work, error);
      g_close (lock, NULL);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

/* Hard-links into @to the files of @from other than the subsets' JSON,
 * which are the new ones. */
static gboolean
link_other_files (const char  *from,
                  const char  *to,
                  GError     **error)
{
  g_autoptr(GDir) dir = g_dir_open (from, 0, error);
  const char *name;

  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *source = g_build_filename (from, name, NULL);
      g_autofree char *target = g_build_filename (to, name, NULL);
      GStatBuf info;

      if (g_file_test (target, G_FILE_TEST_EXISTS))
        continue;
      if (g_lstat (source, &info) != 0)
        {
          DM_SET_ERRNO_ERROR (error, _("Cannot read %s: %s"), source);
          return FALSE;
        }
      if (S_ISDIR (info.st_mode))
        {
          if (g_mkdir (target, info.st_mode & 07777) != 0)
            {
              DM_SET_ERRNO_ERROR (error, _("Cannot create %s: %s"), target);
              return FALSE;
            }
          if (!link_other_files (source, target, error))
            return FALSE;
          continue;
        }
      if (linkat (AT_FDCWD, source, AT_FDCWD, target, 0) != 0)
        {
          DM_SET_ERRNO_ERROR (error, _("Cannot link %s: %s"), source);
          return FALSE;
        }
    }
  return TRUE;
}

/* The commit: exchanges @new_dir and @old_dir, or, where the file system
 * has no exchange, moves the old aside then the new in (a run killed
 * between the two is completed by the recovery, which moves the new in). */
static gboolean
exchange (const char  *new_dir,
          const char  *old_dir,
          const char  *aside,
          GError     **error)
{
  if (renameat2 (AT_FDCWD, new_dir, AT_FDCWD, old_dir, RENAME_EXCHANGE) == 0)
    return TRUE;
  if (errno != EINVAL && errno != ENOSYS)
    {
      DM_SET_ERRNO_ERROR (error, _("Cannot replace %s: %s"), old_dir);
      return FALSE;
    }
  if (g_rename (old_dir, aside) != 0 || g_rename (new_dir, old_dir) != 0)
    {
      DM_SET_ERRNO_ERROR (error, _("Cannot replace %s: %s"), old_dir);
      return FALSE;
    }
  return TRUE;
}

/*
 * dm_in_place_save:
 * @dataset: a transform's output whose source is @path
 * @path: (type filename): the dataset directory it was read from
 * @cancellable: (nullable): a #GCancellable, heeded until the commit
 * @error: return location for a #GError
 *
 * Saves @dataset over its source as the comment at the top of this file
 * describes.
 */
gboolean
dm_in_place_save (DmDataset     *dataset,
                  const char    *path,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autofree char *root = real_path (path);
  g_autofree char *work = NULL;
  g_autofree char *new_annotations = NULL;
  g_autofree char *old_annotations = NULL;
  g_autofree char *aside = NULL;
  g_autofree char *journal = NULL;
  g_autoptr(GPtrArray) dropped = NULL;
  g_autoptr(GError) local_error = NULL;
  DmDataset *origin = dm_dataset_get_origin (dataset);
  GStatBuf info;
  gsize length;
  int lock = -1;
  gboolean ok = FALSE;

  if (root == NULL)
    {
      DM_SET_ERRNO_ERROR (error, _("Cannot read %s: %s"), path);
      return FALSE;
    }
  if (g_strcmp0 (dm_dataset_get_format (origin != NULL ? origin : dataset), "datumaro") != 0)
    {
      g_set_error (error, DM_ERROR, DM_ERROR_OUTPUT,
                   _("Cannot change %s in place: it is in %s format and the output is in Datumaro format; "
                     "write it elsewhere with -o DEST"),
                   path, dm_dataset_get_format (origin != NULL ? origin : dataset));
      return FALSE;
    }
  if (!dm_in_place_recover (root, error))
    return FALSE;

  work = g_strconcat (root, WORK_SUFFIX, NULL);
  if (g_mkdtemp (work) == NULL)
    {
      DM_SET_ERRNO_ERROR (error, _("Cannot create a temporary directory beside %s: %s"), root);
      return FALSE;
    }
  lock = dm_lock_directory (work);
  if (lock < 0)
    {
      DM_SET_ERRNO_ERROR (error, _("Cannot lock %s: %s"), work);
      dm_remove_tree (work, NULL);
      return FALSE;
    }

  new_annotations = g_build_filename (work, DM_DATUMARO_ANNOTATIONS_DIR, NULL);
  old_annotations = g_build_filename (root, DM_DATUMARO_ANNOTATIONS_DIR, NULL);
  aside = g_build_filename (work, DM_DATUMARO_ANNOTATIONS_DIR ".old", NULL);

  if (!dm_datumaro_write_annotations (dataset, new_annotations, NULL, cancellable, &local_error) ||
      !link_other_files (old_annotations, new_annotations, &local_error) ||
      !dm_sync_path (new_annotations, &local_error))
    goto out;
  /* An existing cache is rewritten even without keys: it may hold those
   * of the dropped items. */
  if (dm_dataset_get_n_items (dataset) > 0 &&
      (dm_hash_key_cache_exists (root) || dm_hash_key_cache_has_keys (dataset)) &&
      !dm_datumaro_write_hash_keys (dataset, work, &local_error))
    goto out;

  dropped = dropped_media (origin, dataset, root);
  if (g_stat (new_annotations, &info) != 0)
    {
      DM_SET_ERRNO_ERROR (&local_error, _("Cannot read %s: %s"), new_annotations);
      goto out;
    }
  if (!write_journal (work, &info, dropped, &local_error) ||
      g_cancellable_set_error_if_cancelled (cancellable, &local_error))
    goto out;

  /* The commit. */
  if (!exchange (new_annotations, old_annotations, aside, &local_error))
    goto out;
  dm_sync_path (root, NULL);

  journal = g_build_filename (work, JOURNAL_NAME, NULL);
  {
    g_autofree char *text = NULL;

    if (!g_file_get_contents (journal, &text, &length, &local_error) ||
        !complete (root, work, text, length, &local_error))
      {
        /* Committed: the next run finishes it. */
        g_warning (_("%s is pruned; cleaning up failed and is finished by the next run: %s"),
                   path, local_error->message);
        g_close (lock, NULL);
        return TRUE;
      }
  }
  ok = TRUE;

out:
  if (!ok)
    {
      dm_remove_tree (work, NULL);
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_prefix_error (&local_error, _("Cannot change %s in place: "), path);
      g_propagate_error (error, g_steal_pointer (&local_error));
    }
  g_close (lock, NULL);
  return ok;
}
