/* dm-file-tree.c: the file-tree operations the formats share: deleting a
 * tree, locking a directory, checking a dataset's relative paths.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>

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
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot delete %s: %s"), path, g_strerror (saved_errno));
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
