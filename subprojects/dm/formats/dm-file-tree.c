/* dm-file-tree.c: the file-tree operations the formats share: deleting a
 * tree, locking a directory, checking a dataset's relative paths,
 * replacing a file atomically.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

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

static gboolean
set_write_error (GError     **error,
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

/* Puts @file_path on disk; errors name @path. */
static gboolean
sync_file (const char  *file_path,
           const char  *path,
           GError     **error)
{
  int fd = g_open (file_path, O_RDONLY | O_CLOEXEC, 0);

  if (fd < 0 || fsync (fd) != 0)
    {
      int saved_errno = errno;

      if (fd >= 0)
        g_close (fd, NULL);
      errno = saved_errno;
      return set_write_error (error, path);
    }
  return g_close (fd, error);
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
  return sync_file (path, path, error);
}

/*
 * dm_replace_file:
 * @path: the file to write
 * @write: writes its contents to a stream
 * @user_data: for @write
 *
 * Replaces @path atomically with what @write writes: written to a unique
 * file beside it, synced, renamed over it; a failure or a kill leaves no
 * partial @path and no temporary file (but for a kill).
 *
 * This is the one atomic-write mechanism of libdm. It is not GIO's
 * g_file_replace(), which syncs only when it replaces a non-empty file
 * and renames a half-written file into place when a write fails unless
 * the close is cancelled; the errors here name @path as every writer's
 * do ("Cannot write PATH: …").
 */
gboolean
dm_replace_file (const char         *path,
                 DmWriteStreamFunc   write,
                 gpointer            user_data,
                 GError            **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *temp_name = g_strconcat (".", base, ".tmp-XXXXXX", NULL);
  g_autofree char *temp_path = g_build_filename (dir, temp_name, NULL);
  g_autoptr(GFile) temp_file = NULL;
  g_autoptr(GFileOutputStream) file_stream = NULL;
  g_autoptr(GOutputStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;
  int fd;

  /* A unique name beside the file, so the rename is atomic and a
   * concurrent writer does not share it. */
  fd = g_mkstemp_full (temp_path, O_WRONLY, 0666);
  if (fd < 0)
    return set_write_error (error, path);
  g_close (fd, NULL);

  temp_file = g_file_new_for_path (temp_path);
  file_stream = g_file_append_to (temp_file, G_FILE_CREATE_NONE, NULL, &local_error);
  if (file_stream == NULL)
    {
      dm_propagate_write_error (error, g_steal_pointer (&local_error), path);
      g_unlink (temp_path);
      return FALSE;
    }
  stream = g_buffered_output_stream_new_sized (G_OUTPUT_STREAM (file_stream), REPLACE_BUFFER_SIZE);

  if (!write (stream, user_data, error))
    {
      g_output_stream_close (stream, NULL, NULL);
      g_unlink (temp_path);
      return FALSE;
    }
  if (!g_output_stream_close (stream, NULL, &local_error))
    {
      dm_propagate_write_error (error, g_steal_pointer (&local_error), path);
      g_unlink (temp_path);
      return FALSE;
    }
  if (!sync_file (temp_path, path, error))
    {
      g_unlink (temp_path);
      return FALSE;
    }
  if (g_rename (temp_path, path) != 0)
    {
      set_write_error (error, path);
      g_unlink (temp_path);
      return FALSE;
    }
  return TRUE;
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
