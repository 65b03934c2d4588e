/* dm-in-place.c: saving a dataset over its own source, changing only what
 * the change means.
 *
 * Saving in place writes no media file: the kept items' files are where
 * they are. What changes is the annotation files, the hash-key cache, and
 * the media files of dropped items that no kept item refers to, which are
 * deleted, with the folders that leaves empty. Every other file below the
 * dataset stays as it is.
 *
 * A run holds a lock on the dataset directory itself from before it
 * writes anything to its end, so runs on one dataset follow each other;
 * under it, it refuses, having changed nothing, a dataset whose
 * `annotations/` is no longer the one it was loaded from
 * (dm_in_place_source_state(): its inode, which every in-place commit
 * changes, and its times, which a file replaced in it by other means
 * changes): the items it would drop were chosen from a dataset that is no
 * more.
 *
 * A run killed at any moment leaves the dataset as it was or as the
 * finished run leaves it:
 *
 *   1. Beside the dataset, in a work directory `<SOURCE>.inplace-XXXXXX`
 *      that the run holds a lock on, it writes the new `annotations/`
 *      (every file synced; each annotation file with the mode and owner of
 *      the one it replaces, the folder with those of the old one; any
 *      other file of the old `annotations/` is hard-linked in, the same
 *      file), the new `hash_key_meta/hash_keys.json`, and a journal: the
 *      inode of the new `annotations/` and the files to delete.
 *   2. It exchanges the old and the new `annotations/` in one step
 *      (renameat2 RENAME_EXCHANGE): the commit. Before it, the dataset is as
 *      it was; the work directory beside it is removed by the next run.
 *   3. It moves the new key cache into place, deletes the listed files (and
 *      the folders that leaves empty) and removes the work directory.
 *
 * A folder inside the old `annotations/` is made anew in the new one, with
 * the old one's mode, owner and times, its files hard-linked: it is there
 * at the commit. Moving the folder itself across after the commit would
 * keep its inode, but the dataset would lack it from the commit until the
 * move (or until the next run, if killed between), and a folder without
 * write permission cannot be moved to another parent by its owner.
 *
 * A run killed after the commit leaves a journal whose inode is the
 * dataset's `annotations/`: the next load of the dataset
 * (dm_in_place_recover()) completes step 3, which may be repeated. Step 3
 * tries every deletion; when some fail, the save reports
 * %DM_ERROR_INCOMPLETE (the dataset is pruned) and leaves the journal, so
 * the next run tries them again: its load, and its own save, which adds
 * them to its own journal before the commit that makes the old one stale.
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

#include "dm-dataset-private.h"
#include "dm-datumaro-private.h"
#include "dm-destination-private.h"
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
add_file_id (GHashTable     *ids,
             const GStatBuf *info)
{
  FileId *id = g_new (FileId, 1);

  id->dev = info->st_dev;
  id->ino = info->st_ino;
  g_hash_table_add (ids, id);
}

/* Longer chains of links do not resolve (ELOOP). */
#define MAX_LINKS 40

/* Adds to @ids every file that @path goes through: itself and, when it is
 * a symbolic link, each link it leads to and the file at the end, so that
 * no link a kept item's path follows, nor its file, is deleted. */
static void
add_resolved_ids (const char *path,
                  GHashTable *ids)
{
  g_autofree char *hop = g_strdup (path);

  for (guint n = 0; n <= MAX_LINKS; n++)
    {
      g_autofree char *target = NULL;
      g_autofree char *folder = NULL;
      GStatBuf info;

      if (g_lstat (hop, &info) != 0)
        return;
      add_file_id (ids, &info);
      if (!S_ISLNK (info.st_mode))
        return;
      target = g_file_read_link (hop, NULL);
      if (target == NULL)
        return;
      folder = g_path_get_dirname (hop);
      g_free (hop);
      hop = g_path_is_absolute (target) ? g_steal_pointer (&target)
                                        : g_build_filename (folder, target, NULL);
    }
}

static void
add_media_ids (DmDataset  *dataset,
               GHashTable *ids)
{
  for (guint i = 0; i < dm_dataset_get_n_items (dataset); i++)
    {
      DmItem *item = dm_dataset_get_item (dataset, i);

      for (guint f = 0; f < dm_item_get_n_media_files (item); f++)
        add_resolved_ids (dm_item_get_media_file_source (item, f), ids);
    }
}

/* Adds @source, a file of a dropped item, to @dropped (relative to @root)
 * unless a kept item goes through it (@kept), it is listed already
 * (@listed: two spellings of one path are one), it is a folder or it is
 * outside @root. A symbolic link is compared as itself: deleting it
 * deletes the link, not what it points to. */
static void
add_dropped (const char *source,
             const char *root,
             GHashTable *kept,
             GHashTable *listed,
             GPtrArray  *dropped)
{
  FileId id;
  GStatBuf info;
  char *relative;

  if (g_lstat (source, &info) != 0 || S_ISDIR (info.st_mode))
    return;
  id.dev = info.st_dev;
  id.ino = info.st_ino;
  if (g_hash_table_contains (kept, &id) || g_hash_table_contains (listed, &id))
    return;
  relative = relative_inside (root, source);
  if (relative == NULL)
    return;
  g_hash_table_add (listed, g_memdup2 (&id, sizeof id));
  g_ptr_array_add (dropped, relative);
}

/* The files, relative to @root, of the items of @origin that no item of
 * @output refers to, and those of @leftover (paths relative to @root that
 * an earlier run could not delete) that none does, each once. */
static GPtrArray *
dropped_media (DmDataset  *origin,
               DmDataset  *output,
               const char *root,
               GPtrArray  *leftover)
{
  g_autoptr(GHashTable) kept = g_hash_table_new_full (file_id_hash, file_id_equal, g_free, NULL);
  g_autoptr(GHashTable) listed = g_hash_table_new_full (file_id_hash, file_id_equal, g_free, NULL);
  GPtrArray *dropped = g_ptr_array_new_with_free_func (g_free);

  add_media_ids (output, kept);
  for (guint i = 0; origin != NULL && i < dm_dataset_get_n_items (origin); i++)
    {
      DmItem *item = dm_dataset_get_item (origin, i);

      for (guint f = 0; f < dm_item_get_n_media_files (item); f++)
        add_dropped (dm_item_get_media_file_source (item, f), root, kept, listed, dropped);
    }
  for (guint i = 0; i < leftover->len; i++)
    {
      g_autofree char *source = g_build_filename (root, g_ptr_array_index (leftover, i), NULL);

      add_dropped (source, root, kept, listed, dropped);
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

/* Sets @error to %DM_ERROR_INCOMPLETE: @root is pruned, but @detail
 * (what was left undone) is not done. */
static void
set_incomplete_error (GError    **error,
                      const char *root,
                      const char *detail)
{
  g_set_error (error, DM_ERROR, DM_ERROR_INCOMPLETE,
               _("%s is pruned; cleaning up failed and is finished by the next run: %s"),
               root, detail);
}

/* The files to delete that @journal (of @length bytes) lists: its fields
 * after the magic, device and inode; pointers into @journal. */
static GPtrArray *
journal_files (const char *journal,
               gsize       length)
{
  GPtrArray *files = g_ptr_array_new ();
  const char *entry;
  guint field = 0;

  for (entry = journal; entry < journal + length; entry += strlen (entry) + 1, field++)
    if (field >= 3)
      g_ptr_array_add (files, (gpointer) entry);
  return files;
}

/* Step 3: after the commit, from the journal in @work (text @journal).
 * Every deletion is tried; the work directory, and so the journal, stays
 * until all are done. */
static gboolean
complete (const char  *root,
          const char  *work,
          const char  *journal,
          gsize        length,
          GError     **error)
{
  g_autoptr(GError) first = NULL;
  g_autoptr(GPtrArray) files = journal_files (journal, length);
  guint failed = 0;

  if (!dm_hash_key_cache_install (work, root, &first))
    {
      set_incomplete_error (error, root, first->message);
      return FALSE;
    }

  for (guint i = 0; i < files->len; i++)
    {
      const char *entry = g_ptr_array_index (files, i);
      g_autofree char *path = g_build_filename (root, entry, NULL);

      if (g_unlink (path) != 0 && errno != ENOENT)
        {
          if (failed++ == 0)
            DM_SET_ERRNO_ERROR (&first, _("Cannot delete %s: %s"), path);
          continue;
        }
      remove_emptied_folders (root, entry);
    }
  if (failed > 0)
    {
      g_autofree char *detail = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                              "%u file of dropped items could not be deleted (%s)",
                                                              "%u files of dropped items could not be deleted (%s)",
                                                              failed),
                                                 failed, first->message);

      set_incomplete_error (error, root, detail);
      return FALSE;
    }

  if (!dm_remove_tree (work, &first))
    {
      set_incomplete_error (error, root, first->message);
      return FALSE;
    }
  return TRUE;
}

/* Finishes or undoes the work directory @work of a run on @root that is
 * no longer running. When files it lists cannot be deleted, they are
 * added to @leftover and @error is %DM_ERROR_INCOMPLETE. */
static gboolean
recover_one (const char  *root,
             const char  *work,
             GPtrArray   *leftover,
             GError     **error)
{
  g_autofree char *journal_path = g_build_filename (work, JOURNAL_NAME, NULL);
  g_autofree char *annotations = g_build_filename (root, DM_DATUMARO_ANNOTATIONS_DIR, NULL);
  g_autofree char *journal = NULL;
  g_autoptr(GPtrArray) files = NULL;
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

  if (complete (root, work, journal, length, error))
    return TRUE;
  files = journal_files (journal, length);
  for (guint i = 0; i < files->len; i++)
    g_ptr_array_add (leftover, g_strdup (g_ptr_array_index (files, i)));
  return FALSE;
}

/* Recovers every work directory of a run on @root (a real path) that is
 * no longer running, as recover_one() does. The caller holds the lock on
 * @root. Stops at the first failure other than %DM_ERROR_INCOMPLETE, which
 * it reports (the first one) once all are tried. */
static gboolean
recover_all (const char  *root,
             GPtrArray   *leftover,
             GError     **error)
{
  g_autofree char *parent = g_path_get_dirname (root);
  g_autofree char *prefix = g_strconcat (strrchr (root, G_DIR_SEPARATOR) + 1, ".inplace-", NULL);
  g_autoptr(GDir) dir = g_dir_open (parent, 0, NULL);
  g_autoptr(GError) incomplete = NULL;
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *work = NULL;
      g_autoptr(GError) local_error = NULL;
      int lock;
      gboolean ok;

      if (!g_str_has_prefix (name, prefix) || strlen (name) != strlen (prefix) + 6)
        continue;
      work = g_build_filename (parent, name, NULL);
      lock = dm_lock_directory (work);
      if (lock < 0)
        continue;   /* a live run's */
      ok = recover_one (root, work, leftover, &local_error);
      g_close (lock, NULL);
      if (ok)
        continue;
      if (!g_error_matches (local_error, DM_ERROR, DM_ERROR_INCOMPLETE))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (incomplete == NULL)
        incomplete = g_steal_pointer (&local_error);
    }
  if (incomplete != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&incomplete));
      return FALSE;
    }
  return TRUE;
}

/* Locks @root, the dataset directory, for an in-place save, or returns -1
 * with @error set. With @wait, waits for another run's save to end,
 * until @cancellable is cancelled; without, fails at once with errno
 * EWOULDBLOCK. */
static int
lock_dataset (const char    *root,
              gboolean       wait,
              GCancellable  *cancellable,
              GError       **error)
{
  int fd = g_open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

  if (fd < 0)
    {
      DM_SET_ERRNO_ERROR (error, _("Cannot lock %s: %s"), root);
      return -1;
    }
  while (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      if (errno != EWOULDBLOCK || !wait)
        {
          DM_SET_ERRNO_ERROR (error, _("Cannot lock %s: %s"), root);
          g_close (fd, NULL);
          return -1;
        }
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          g_close (fd, NULL);
          return -1;
        }
      g_usleep (G_USEC_PER_SEC / 20);
    }
  return fd;
}

/*
 * dm_in_place_recover:
 * @path: (type filename): a dataset directory
 * @error: return location for a #GError
 *
 * Completes what an in-place save of @path that was killed after its
 * commit left to do, and removes the work of one killed before it. While
 * a save of @path runs, does nothing: that save does it. Files that still
 * cannot be deleted are said in one message; the dataset is usable.
 *
 * Returns: %FALSE with @error set when a work directory could be neither
 *   finished nor removed
 */
gboolean
dm_in_place_recover (const char  *path,
                     GError     **error)
{
  g_autofree char *root = real_path (path);
  g_autoptr(GPtrArray) leftover = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) local_error = NULL;
  int lock;
  gboolean ok;

  if (root == NULL || g_str_equal (root, "/"))
    return TRUE;
  lock = lock_dataset (root, FALSE, NULL, NULL);
  if (lock < 0)
    return TRUE;   /* a live save's, or not ours to change */
  ok = recover_all (root, leftover, &local_error);
  g_close (lock, NULL);
  if (ok)
    return TRUE;
  if (g_error_matches (local_error, DM_ERROR, DM_ERROR_INCOMPLETE))
    {
      g_message ("%s", local_error->message);
      return TRUE;
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/*
 * dm_in_place_source_state:
 * @path: (type filename): a dataset directory
 *
 * What identifies the state of @path's annotations: the device, inode and
 * change times of its `annotations/` folder. An in-place save replaces the
 * folder; replacing, adding or removing a file in it by other means (as
 * editors save) changes its times. A file rewritten where it is (without
 * a rename) goes unseen: comparing every file would cost a stat per file
 * of the folder at the load and the save.
 *
 * Returns: (transfer full) (nullable): the state, %NULL without
 *   `annotations/`
 */
char *
dm_in_place_source_state (const char *path)
{
  g_autofree char *annotations = g_build_filename (path, DM_DATUMARO_ANNOTATIONS_DIR, NULL);
  GStatBuf info;

  if (g_stat (annotations, &info) != 0)
    return NULL;
  return g_strdup_printf ("%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT ":%" G_GINT64_FORMAT ".%09ld:%" G_GINT64_FORMAT ".%09ld",
                          (guint64) info.st_dev, (guint64) info.st_ino,
                          (gint64) info.st_mtim.tv_sec, (long) info.st_mtim.tv_nsec,
                          (gint64) info.st_ctim.tv_sec, (long) info.st_ctim.tv_nsec);
}

/* Fails unless @root's annotations are those @dataset was loaded from. */
static gboolean
check_unchanged (DmDataset   *dataset,
                 const char  *root,
                 GError     **error)
{
  g_autofree char *now = dm_in_place_source_state (root);

  if (g_strcmp0 (now, dm_dataset_get_source_state (dataset)) == 0)
    return TRUE;
  g_set_error (error, DM_ERROR, DM_ERROR_OUTPUT,
               _("it changed since it was loaded (another run?); nothing was changed"));
  return FALSE;
}

/* Gives @path the owner and group of @from (when the user may: the
 * owner's or root), its mode, and with @times its access and
 * modification times. */
static gboolean
take_attributes (const char      *path,
                 const GStatBuf  *from,
                 gboolean         times,
                 GError         **error)
{
  if (lchown (path, from->st_uid, from->st_gid) != 0 && (errno != EPERM || geteuid () == 0))
    {
      DM_SET_ERRNO_ERROR (error, _("Cannot write %s: %s"), path);
      return FALSE;
    }
  if (!S_ISLNK (from->st_mode) && g_chmod (path, from->st_mode & 07777) != 0)
    {
      DM_SET_ERRNO_ERROR (error, _("Cannot write %s: %s"), path);
      return FALSE;
    }
  if (times &&
      utimensat (AT_FDCWD, path, (struct timespec[2]) { from->st_atim, from->st_mtim }, AT_SYMLINK_NOFOLLOW) != 0)
    {
      DM_SET_ERRNO_ERROR (error, _("Cannot write %s: %s"), path);
      return FALSE;
    }
  return TRUE;
}

/* Hard-links into @to the files of @from other than the subsets' JSON,
 * which are the new ones and take the mode and owner of those they
 * replace, making its folders anew. */
static gboolean
link_other_files (const char  *from,
                  const char  *to,
                  GError     **error)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  /* The commit moves annotations/ and the clean-up empties the old
   * folders: where the user may not, fail now, having changed nothing. */
  if (g_access (from, W_OK) != 0)
    {
      DM_SET_ERRNO_ERROR (error, _("Cannot replace %s: %s"), from);
      return FALSE;
    }
  dir = g_dir_open (from, 0, error);
  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *source = g_build_filename (from, name, NULL);
      g_autofree char *target = g_build_filename (to, name, NULL);
      GStatBuf info;

      if (g_lstat (source, &info) != 0)
        {
          DM_SET_ERRNO_ERROR (error, _("Cannot read %s: %s"), source);
          return FALSE;
        }
      if (g_file_test (target, G_FILE_TEST_EXISTS))
        {
          if (S_ISREG (info.st_mode) && !take_attributes (target, &info, FALSE, error))
            return FALSE;
          continue;
        }
      if (S_ISDIR (info.st_mode))
        {
          /* Writable while it is filled; its own mode, owner and times
           * once it is. */
          if (g_mkdir (target, 0700) != 0)
            {
              DM_SET_ERRNO_ERROR (error, _("Cannot create %s: %s"), target);
              return FALSE;
            }
          if (!link_other_files (source, target, error) ||
              !take_attributes (target, &info, TRUE, error))
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

/**
 * dm_dataset_check_in_place:
 * @destination: (type filename): where a dataset is to be saved
 * @source: (type filename) (nullable): the directory its input was read
 *   from, or %NULL when it was read from none
 * @format: (nullable): the format of @source, as dm_dataset_detect_format()
 *   or dm_dataset_get_format() names it
 * @error: return location for a #GError
 *
 * Checks the rule of saving a dataset over its own source, before any
 * work: when @destination is @source (through any link), dm_dataset_save()
 * changes @source in place, replacing its annotation files with files in
 * Datumaro's format, so only a source in Datumaro format ("datumaro") can
 * be; one in another format ("imagenet", "imagenet_with_subset_dirs",
 * "imagenet_txt") is refused, whatever the #DmSaveFlags, and has to be
 * saved to another directory. Any other destination passes this check
 * (dm_dataset_check_destination() checks the rest).
 *
 * dm_dataset_save() refuses by this very check (with the format its input
 * was loaded in) before it writes anything, but only once the dataset is
 * loaded and transformed; a caller that knows the format, detected or
 * given, calls this first to be told before the work.
 *
 * Returns: %TRUE when the rule allows the save, %FALSE with @error set
 *   (%DM_ERROR_IN_PLACE, naming @destination and @format)
 */
gboolean
dm_dataset_check_in_place (const char  *destination,
                           const char  *source,
                           const char  *format,
                           GError     **error)
{
  g_return_val_if_fail (destination != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (source == NULL || g_strcmp0 (format, "datumaro") == 0 || !dm_is_same_directory (destination, source))
    return TRUE;
  if (format == NULL)
    g_set_error (error, DM_ERROR, DM_ERROR_IN_PLACE,
                 _("Cannot change %s in place: its format is not known, and only a dataset in Datumaro "
                   "format can be changed in place; save the result elsewhere"),
                 destination);
  else
    /* TRANSLATORS: the second %s is a format name, as in “imagenet” */
    g_set_error (error, DM_ERROR, DM_ERROR_IN_PLACE,
                 _("Cannot change %s in place: it is in %s format, and only a dataset in Datumaro format "
                   "can be changed in place; save the result elsewhere"),
                 destination, format);
  return FALSE;
}

/*
 * dm_in_place_save:
 * @output: a transform's output whose source is @path, in Datumaro
 *   format (dm_dataset_save() has checked it: dm_dataset_check_in_place()),
 *   the items it leaves as they are (dm_dataset_leave_as_it_is()) not in it
 * @path: (type filename): the dataset directory it was read from
 * @cancellable: (nullable): a #GCancellable, heeded until the commit
 * @error: return location for a #GError
 *
 * Saves @output over its source as the comment at the top of this file
 * describes.
 *
 * Returns: %TRUE on success; %FALSE with @error set, either
 *   %DM_ERROR_INCOMPLETE (the dataset is saved, files of dropped items
 *   remain) or another code (nothing was changed)
 */
gboolean
dm_in_place_save (DmDataset     *output,
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
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) dropped = NULL;
  g_autoptr(GPtrArray) leftover = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(DmDataset) dataset = NULL;   /* what is written: @output and the items left */
  DmDataset *origin = dm_dataset_get_origin (output);
  GStatBuf info;
  gsize length;
  int dataset_lock = -1;
  int lock = -1;
  gboolean ok = FALSE;

  if (root == NULL)
    {
      DM_SET_ERRNO_ERROR (error, _("Cannot read %s: %s"), path);
      return FALSE;
    }
  /* Held to the end: another run on @root waits, then finds it changed. */
  dataset_lock = lock_dataset (root, TRUE, cancellable, &local_error);
  if (dataset_lock < 0 || !check_unchanged (output, root, &local_error))
    goto out;
  /* A kept item whose media file is missing is named, as a save elsewhere
   * names it (dm_datumaro_plan_media()), but kept: in place no file is
   * copied, so the dataset loses nothing it had (Datumaro's own test
   * datasets name images on the machine that wrote them). After
   * check_unchanged(), which better explains a file another run deleted.
   * The items left as they are, not in @output, are not the save's. */
  dm_datumaro_warn_missing_media (output);
  dataset = dm_dataset_dup_in_place_form (output);
  /* Files an earlier run could not delete are this run's to delete. */
  if (!recover_all (root, leftover, &local_error) &&
      !g_error_matches (local_error, DM_ERROR, DM_ERROR_INCOMPLETE))
    goto out;
  g_clear_error (&local_error);

  work = g_strconcat (root, WORK_SUFFIX, NULL);
  if (g_mkdtemp (work) == NULL)
    {
      DM_SET_ERRNO_ERROR (error, _("Cannot create a temporary directory beside %s: %s"), root);
      g_close (dataset_lock, NULL);
      return FALSE;
    }
  lock = dm_lock_directory (work);
  if (lock < 0)
    {
      DM_SET_ERRNO_ERROR (error, _("Cannot lock %s: %s"), work);
      dm_remove_tree (work, NULL);
      g_close (dataset_lock, NULL);
      return FALSE;
    }

  new_annotations = g_build_filename (work, DM_DATUMARO_ANNOTATIONS_DIR, NULL);
  old_annotations = g_build_filename (root, DM_DATUMARO_ANNOTATIONS_DIR, NULL);
  aside = g_build_filename (work, DM_DATUMARO_ANNOTATIONS_DIR ".old", NULL);

  if (!dm_datumaro_write_annotations (dataset, new_annotations, NULL, cancellable, &local_error) ||
      !link_other_files (old_annotations, new_annotations, &local_error))
    goto out;
  if (g_stat (old_annotations, &info) != 0)
    {
      DM_SET_ERRNO_ERROR (&local_error, _("Cannot read %s: %s"), old_annotations);
      goto out;
    }
  if (!take_attributes (new_annotations, &info, FALSE, &local_error) ||
      !dm_sync_path (new_annotations, &local_error))
    goto out;
  /* An existing cache is rewritten even without keys: it may hold those
   * of the dropped items. A new one is made only with every item's key:
   * items skipped as broken stay without one, and a cache lacking their
   * keys would make SOURCE unreadable to Datumaro. */
  if (dm_dataset_get_n_items (dataset) > 0 &&
      (dm_hash_key_cache_exists (root) || dm_hash_key_cache_covers (dataset)) &&
      !dm_datumaro_write_hash_keys (dataset, work, &local_error))
    goto out;

  dropped = dropped_media (origin, dataset, root, leftover);
  if (g_stat (new_annotations, &info) != 0)
    {
      DM_SET_ERRNO_ERROR (&local_error, _("Cannot read %s: %s"), new_annotations);
      goto out;
    }
  if (!write_journal (work, &info, dropped, &local_error) ||
      g_cancellable_set_error_if_cancelled (cancellable, &local_error) ||
      !check_unchanged (dataset, root, &local_error))
    goto out;

  /* The commit. */
  if (!exchange (new_annotations, old_annotations, aside, &local_error))
    goto out;
  dm_sync_path (root, NULL);

  /* Committed: whatever fails now, the dataset is the new one. */
  journal = g_build_filename (work, JOURNAL_NAME, NULL);
  if (!g_file_get_contents (journal, &text, &length, &local_error))
    {
      set_incomplete_error (error, root, local_error->message);
      g_clear_error (&local_error);
    }
  else if (!complete (root, work, text, length, error))
    {
      /* @error says what is left */
    }
  else
    ok = TRUE;
  g_close (lock, NULL);
  g_close (dataset_lock, NULL);
  return ok;

out:
  if (work != NULL)
    dm_remove_tree (work, NULL);
  if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_prefix_error (&local_error, _("Cannot change %s in place: "), path);
  g_propagate_error (error, g_steal_pointer (&local_error));
  if (lock >= 0)
    g_close (lock, NULL);
  if (dataset_lock >= 0)
    g_close (dataset_lock, NULL);
  return FALSE;
}
