/* dm-file-tree.c: the file-tree operations the formats share: deleting a
 * tree, locking a directory, checking a dataset's relative paths,
 * replacing a file atomically (which the dm command's staged outputs
 * share too).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <gio/gunixoutputstream.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "dm-error.h"
#include "dm-file-tree-private.h"

static int
remove_entry (const char        *path,
              const struct stat *info,
              int                type,
              struct FTW        *ftw)
{
  return remove (path);
}

/*
 * dm_remove_tree:
 * @path: a directory
 *
 * Deletes @path and everything below it, without following links.
 */
gboolean
dm_remove_tree (const char  *path,
                GError     **error)
{
  /* Enough descriptors for deep trees, few enough to leave the rest. */
  if (nftw (path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
    {
      DM_SET_ERRNO_ERROR (error, _("Cannot delete %s: %s"), path);
      return FALSE;
    }
  return TRUE;
}

/*
 * dm_is_plain_relative_path:
 * @path: a path from a dataset file
 *
 * Returns: whether @path stays below the folder it is relative to: not
 *   absolute, not empty, no ".." component
 */
gboolean
dm_is_plain_relative_path (const char *path)
{
  g_auto(GStrv) parts = NULL;

  if (*path == '\0' || g_path_is_absolute (path))
    return FALSE;
  parts = g_strsplit (path, G_DIR_SEPARATOR_S, -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (g_str_equal (parts[i], ".."))
      return FALSE;
  return TRUE;
}

/*
 * dm_path_is_below:
 * @path: an absolute path
 * @directory: an absolute directory
 *
 * Compares the paths as they stand: a caller that cares about symbolic
 * links resolves both first.
 *
 * Returns: whether @path is below @directory, at any depth; @directory
 *   itself is not
 */
gboolean
dm_path_is_below (const char *path,
                  const char *directory)
{
  g_autoptr(GFile) path_file = g_file_new_for_path (path);
  g_autoptr(GFile) directory_file = g_file_new_for_path (directory);

  /* GLib takes the root for a prefix of itself. */
  return g_file_has_prefix (path_file, directory_file) && !g_file_equal (path_file, directory_file);
}

int
dm_compare_names (gconstpointer a,
                  gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The real path of @path, or of its nearest existing ancestor followed by
 * the rest, so paths that do not exist yet compare too: the directory the
 * checks look at, and the one a save replaces (a symbolic link to a
 * directory is written through). */
char *
dm_resolve_path (const char *path)
{
  g_autofree char *absolute = g_canonicalize_filename (path, NULL);
  g_autofree char *parent = NULL;
  g_autofree char *base = NULL;
  g_autofree char *resolved_parent = NULL;
  char *real;

  real = realpath (absolute, NULL);
  if (real != NULL)
    {
      char *copy = g_strdup (real);
      free (real);
      return copy;
    }

  parent = g_path_get_dirname (absolute);
  if (g_str_equal (parent, absolute))
    return g_steal_pointer (&absolute);
  base = g_path_get_basename (absolute);
  resolved_parent = dm_resolve_path (parent);

  return g_build_filename (resolved_parent, base, NULL);
}

/*
 * dm_topmost_missing_dir:
 * @dir: a folder that is to be made, with the folders on its way
 *
 * The topmost folder on the way to @dir that does not exist: what making
 * @dir makes first, and removes last when undone. Its parent is the
 * folder that must take new entries.
 *
 * Returns: (transfer full) (nullable): that folder, or %NULL when @dir
 *   exists
 */
char *
dm_topmost_missing_dir (const char *dir)
{
  g_autofree char *missing = NULL;
  g_autofree char *current = g_strdup (dir);

  while (!g_file_test (current, G_FILE_TEST_EXISTS))
    {
      char *parent = g_path_get_dirname (current);

      /* "." of a working directory that was removed, or "/": no further. */
      if (g_str_equal (parent, current))
        {
          g_free (parent);
          break;
        }
      g_free (missing);
      missing = g_steal_pointer (&current);
      current = parent;
    }
  return g_steal_pointer (&missing);
}

/*
 * dm_path_names_directory:
 * @path: a path where a file is to be written
 *
 * Returns: whether @path can only name a folder by its form ("r.json/",
 *   "x/.", "x/.."), whatever exists there: writing a file to it would fail
 *   only at the end, after the work
 */
gboolean
dm_path_names_directory (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);

  return g_str_has_suffix (path, G_DIR_SEPARATOR_S) || g_str_equal (base, ".") || g_str_equal (base, "..");
}

/*
 * dm_dangling_link_target:
 * @path: a path
 *
 * Returns: (transfer full) (nullable): the target of @path when @path is
 *   a symbolic link to nothing, else %NULL
 */
char *
dm_dangling_link_target (const char *path)
{
  char *target;

  if (!g_file_test (path, G_FILE_TEST_IS_SYMLINK) || g_file_test (path, G_FILE_TEST_EXISTS))
    return NULL;
  target = g_file_read_link (path, NULL);
  return target != NULL ? target : g_strdup ("?");
}

/*
 * dm_check_regular_file:
 * @path: a path that exists as a name (a link to nothing included)
 * @error: return location for a #GError
 *
 * Refuses @path unless it is a regular file (after links): a link to
 * nothing, a directory (the hash-key cache's name), or a named pipe,
 * socket or device, whose reading would wait for a writer for ever, past
 * any Ctrl-C.
 *
 * Returns: whether @path is a regular file; else @error names it and
 *   what it is
 */
gboolean
dm_check_regular_file (const char  *path,
                       GError     **error)
{
  g_autofree char *target = NULL;

  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return TRUE;
  target = dm_dangling_link_target (path);
  if (target != NULL)
    g_set_error (error, DM_ERROR, DM_ERROR_NOT_FOUND,
                 _("Cannot read %s: it is a symbolic link to %s, which does not exist"), path, target);
  else if (g_file_test (path, G_FILE_TEST_IS_DIR))
    g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA, _("Cannot read %s: it is a directory, not a file"), path);
  else
    g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                 _("Cannot read %s: it is not a regular file (a named pipe, socket or device)"), path);
  return FALSE;
}

/*
 * dm_check_name_utf8:
 * @path: a file or folder of a dataset
 * @name: the last component of @path
 * @error: return location for a #GError
 *
 * Item ids, labels and subsets come from file and folder names, and
 * Datumaro's JSON holds only UTF-8: a name that is not (one from an old
 * Latin-1 file system) would be written into an output no reader takes.
 *
 * Returns: whether @name is UTF-8; else @error names @path (as the
 *   file system's names are shown)
 */
gboolean
dm_check_name_utf8 (const char  *path,
                    const char  *name,
                    GError     **error)
{
  g_autofree char *shown = NULL;

  if (g_utf8_validate (name, -1, NULL))
    return TRUE;
  shown = g_filename_display_name (path);
  g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
               _("Cannot read %s: its name is not UTF-8, which the item ids, labels and subsets it names must "
                 "be in Datumaro’s JSON; rename it"), shown);
  return FALSE;
}

/*
 * dm_remove_made_dirs:
 * @dir: a folder made with the folders on its way
 * @made: (nullable): the topmost of them that did not exist before
 *   (dm_topmost_missing_dir() of @dir, asked before making it)
 *
 * Undoes the making of @dir: removes @dir and its parents up to @made,
 * each only while it is empty, so nothing written there since is lost.
 */
void
dm_remove_made_dirs (const char *dir,
                     const char *made)
{
  g_autofree char *current = NULL;

  if (made == NULL)
    return;
  current = g_strdup (dir);
  while (g_str_has_prefix (current, made) && g_rmdir (current) == 0 && !g_str_equal (current, made))
    {
      char *parent = g_path_get_dirname (current);

      g_free (current);
      current = parent;
    }
}

/*
 * dm_lock_directory:
 * @path: a directory
 *
 * Locks @path for as long as the returned descriptor is open, or returns
 * -1. The lock goes with the process, even when it is killed.
 */
int
dm_lock_directory (const char *path)
{
  int fd = g_open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

  if (fd >= 0 && flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      g_close (fd, NULL);
      return -1;
    }
  return fd;
}

/* Bytes buffered before a write reaches the file. */
#define REPLACE_BUFFER_SIZE (1024 * 1024)

/*
 * dm_set_write_error:
 * @error: return location for a #GError
 * @path: the file being written
 *
 * Sets @error from errno after a failed write to @path.
 *
 * Returns: %FALSE
 */
gboolean
dm_set_write_error (GError     **error,
                    const char  *path)
{
  DM_SET_ERRNO_ERROR (error, _("Cannot write %s: %s"), path);
  return FALSE;
}

/*
 * dm_propagate_write_error:
 * @error: return location for a #GError
 * @local_error: (transfer full): why writing @path failed
 * @path: the file being written
 *
 * Passes @local_error on: a cancellation as it is, any other error as one
 * naming @path.
 *
 * Returns: %FALSE
 */
gboolean
dm_propagate_write_error (GError     **error,
                          GError      *local_error,
                          const char  *path)
{
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  g_set_error (error, G_IO_ERROR, local_error->code,
               _("Cannot write %s: %s"), path, local_error->message);
  g_error_free (local_error);
  return FALSE;
}

/*
 * dm_sync_path:
 * @path: a file or directory
 *
 * Puts @path on disk (fsync), so a rename after it cannot leave an empty
 * file where there was a full one, nor a directory lose its entries.
 */
gboolean
dm_sync_path (const char  *path,
              GError     **error)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);

  if (fd < 0 || fsync (fd) != 0)
    {
      int saved_errno = errno;

      if (fd >= 0)
        g_close (fd, NULL);
      errno = saved_errno;
      return dm_set_write_error (error, path);
    }
  return g_close (fd, error);
}

/*
 * DmTempFile: where a file is written before it is put in place, by
 * dm_replace_file() and by the dm command's staged outputs.
 *
 * On Linux the file has no name while it is written (O_TMPFILE), so a
 * process killed meanwhile (the OOM killer, kill -9, a CI timeout) leaves
 * nothing behind. It is named only to be renamed over its place at once
 * (linkat() cannot replace a file): the window in which a kill leaves a
 * temporary file shrinks from the whole write to those two calls. Where
 * O_TMPFILE is missing, the file is named from the start.
 */
struct _DmTempFile
{
  char *path;       /* its place; errors name it */
  char *template;   /* its temporary name, ending in XXXXXX */
  char *name;       /* the temporary name it has, or NULL while it has none */
  int   fd;
};

/* The name by which linkat() reaches a nameless file. */
static char *
proc_fd_path (int fd)
{
  return g_strdup_printf ("/proc/self/fd/%d", fd);
}

/* Opens a nameless file in @dir, or returns -1 with errno set. */
static int
open_anonymous (const char *dir)
{
#ifdef O_TMPFILE
  /* 0666 as for a named one: the umask decides, as for any new file. */
  int fd = open (dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
  g_autofree char *proc_path = fd >= 0 ? proc_fd_path (fd) : NULL;

  if (fd >= 0 && access (proc_path, F_OK) != 0)
    {
      g_close (fd, NULL);
      errno = ENOENT;
      return -1;
    }
  return fd;
#else
  errno = EOPNOTSUPP;
  return -1;
#endif
}

/* Whether open_anonymous() failed because the system cannot, rather than
 * because the file cannot be written. EISDIR: a kernel older than
 * O_TMPFILE sees only its O_DIRECTORY part; ENOENT: no /proc to give the
 * file a name by. */
static gboolean
is_anonymous_unsupported (int error_code)
{
  return error_code == EOPNOTSUPP || error_code == EISDIR || error_code == EINVAL || error_code == ENOENT;
}

/*
 * dm_temp_file_new:
 * @path: the file's place
 * @template: a temporary name in @path's folder, ending in XXXXXX
 * @kind: whether the file may be nameless until it is put in place
 *
 * Creates an empty file to write (dm_temp_file_get_fd()) and put in
 * place (dm_temp_file_put()); freed before, it is gone.
 *
 * Returns: the file, or %NULL with @error set ("Cannot write PATH: …")
 */
DmTempFile *
dm_temp_file_new (const char      *path,
                  const char      *template,
                  DmTempFileKind   kind,
                  GError         **error)
{
  g_autoptr(DmTempFile) self = g_new0 (DmTempFile, 1);

  g_return_val_if_fail (g_str_has_suffix (template, "XXXXXX"), NULL);

  self->path = g_strdup (path);
  self->template = g_strdup (template);
  self->fd = -1;
  if (kind == DM_TEMP_FILE_ANONYMOUS)
    {
      g_autofree char *dir = g_path_get_dirname (template);

      self->fd = open_anonymous (dir);
      if (self->fd < 0 && !is_anonymous_unsupported (errno))
        {
          dm_set_write_error (error, path);
          return NULL;
        }
    }
  if (self->fd < 0)
    {
      /* A unique name beside the file, so the rename is atomic and a
       * concurrent writer does not share it. */
      self->name = g_strdup (template);
      self->fd = g_mkstemp_full (self->name, O_WRONLY | O_CLOEXEC, 0666);
      if (self->fd < 0)
        {
          dm_set_write_error (error, path);
          g_clear_pointer (&self->name, g_free);
          return NULL;
        }
    }
  return g_steal_pointer (&self);
}

/*
 * dm_temp_file_get_fd:
 *
 * Returns: the descriptor to write the file by, open until it is put in
 *   place or freed
 */
int
dm_temp_file_get_fd (DmTempFile *self)
{
  return self->fd;
}

#define NAME_LETTERS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

/* Gives the nameless file a name from the template, made unique as
 * mkstemp() makes one: linkat() cannot replace a file, so a name taken is
 * tried again with other letters. Returns FALSE with errno set. */
static gboolean
link_anonymous (DmTempFile *self)
{
  g_autofree char *proc_path = proc_fd_path (self->fd);
  g_autofree char *name = g_strdup (self->template);
  char *letters = name + strlen (name) - strlen ("XXXXXX");

  for (guint attempt = 0; attempt < 100; attempt++)
    {
      for (guint i = 0; letters[i] != '\0'; i++)
        letters[i] = NAME_LETTERS[g_random_int_range (0, sizeof NAME_LETTERS - 1)];
      /* Through /proc: linkat (fd, "", …, AT_EMPTY_PATH) needs
       * CAP_DAC_READ_SEARCH. */
      if (linkat (AT_FDCWD, proc_path, AT_FDCWD, name, AT_SYMLINK_FOLLOW) == 0)
        {
          self->name = g_steal_pointer (&name);
          return TRUE;
        }
      if (errno != EEXIST)
        return FALSE;
    }
  return FALSE;
}

/*
 * dm_temp_file_put:
 * @self: a file written in full
 *
 * Puts the file in place atomically: synced, so a crash cannot leave an
 * empty file where there was a full one, then renamed over its place
 * (the folder is not synced: callers sync it once for all its files).
 */
gboolean
dm_temp_file_put (DmTempFile  *self,
                  GError     **error)
{
  g_return_val_if_fail (self->fd >= 0, FALSE);

  if (fsync (self->fd) != 0 ||
      (self->name == NULL && !link_anonymous (self)) ||
      g_rename (self->name, self->path) != 0)
    return dm_set_write_error (error, self->path);
  g_clear_pointer (&self->name, g_free);
  /* Synced and in place: a failing close loses nothing. */
  g_close (self->fd, NULL);
  self->fd = -1;
  return TRUE;
}

/*
 * dm_temp_file_free:
 *
 * Closes the file; one not put in place is gone.
 */
void
dm_temp_file_free (DmTempFile *self)
{
  if (self->fd >= 0)
    g_close (self->fd, NULL);
  /* A nameless file went with its descriptor. */
  if (self->name != NULL)
    g_unlink (self->name);
  g_free (self->path);
  g_free (self->template);
  g_free (self->name);
  g_free (self);
}

/* Runs @write on a buffered stream over @fd, which stays open. */
static gboolean
write_fd (int                 fd,
          const char         *path,
          DmWriteStreamFunc   write,
          gpointer            user_data,
          GError            **error)
{
  g_autoptr(GOutputStream) fd_stream = g_unix_output_stream_new (fd, FALSE);
  g_autoptr(GOutputStream) stream = g_buffered_output_stream_new_sized (fd_stream, REPLACE_BUFFER_SIZE);
  g_autoptr(GError) local_error = NULL;

  if (!write (stream, user_data, error))
    {
      g_output_stream_close (stream, NULL, NULL);
      return FALSE;
    }
  if (!g_output_stream_close (stream, NULL, &local_error))
    return dm_propagate_write_error (error, g_steal_pointer (&local_error), path);
  return TRUE;
}

/*
 * dm_replace_file:
 * @path: the file to write
 * @write: writes its contents to a stream
 * @user_data: for @write
 *
 * dm_replace_file_full() with a nameless temporary file where the system
 * allows.
 */
gboolean
dm_replace_file (const char         *path,
                 DmWriteStreamFunc   write,
                 gpointer            user_data,
                 GError            **error)
{
  return dm_replace_file_full (path, DM_TEMP_FILE_ANONYMOUS, write, user_data, error);
}

/*
 * dm_replace_file_full:
 * @path: the file to write
 * @kind: how the temporary file is made
 * @write: writes its contents to a stream
 * @user_data: for @write
 *
 * Replaces @path atomically with what @write writes: written to a
 * temporary file (#DmTempFile) beside it, synced, renamed over it; a
 * failure leaves no partial @path and no temporary file, and so does a
 * kill but in the instant of the rename (with %DM_TEMP_FILE_NAMED, or
 * without O_TMPFILE, at any time during the write).
 *
 * This is the one atomic-write mechanism of libdm. It is not GIO's
 * g_file_replace(), which syncs only when it replaces a non-empty file
 * and renames a half-written file into place when a write fails unless
 * the close is cancelled; the errors here name @path as every writer's
 * do ("Cannot write PATH: …").
 */
gboolean
dm_replace_file_full (const char         *path,
                      DmTempFileKind      kind,
                      DmWriteStreamFunc   write,
                      gpointer            user_data,
                      GError            **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *temp_name = g_strconcat (".", base, ".tmp-XXXXXX", NULL);
  g_autofree char *template = g_build_filename (dir, temp_name, NULL);
  g_autoptr(DmTempFile) temp = dm_temp_file_new (path, template, kind, error);

  return temp != NULL &&
         write_fd (dm_temp_file_get_fd (temp), path, write, user_data, error) &&
         dm_temp_file_put (temp, error);
}

typedef struct
{
  const char *path;
  const char *contents;
  gsize       length;
} Contents;

static gboolean
write_contents (GOutputStream  *stream,
                gpointer        user_data,
                GError        **error)
{
  Contents *contents = user_data;
  g_autoptr(GError) local_error = NULL;

  if (g_output_stream_write_all (stream, contents->contents, contents->length, NULL, NULL, &local_error))
    return TRUE;
  return dm_propagate_write_error (error, g_steal_pointer (&local_error), contents->path);
}

/*
 * dm_replace_file_contents:
 * @path: the file to write
 * @contents: its contents
 * @length: the length of @contents in bytes
 *
 * dm_replace_file() with @contents.
 */
gboolean
dm_replace_file_contents (const char  *path,
                          const char  *contents,
                          gsize        length,
                          GError     **error)
{
  Contents data = { path, contents, length };

  return dm_replace_file (path, write_contents, &data, error);
}
