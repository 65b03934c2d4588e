/* dm-file-tree-private.h: deleting a tree, locking a directory,
 * checking a dataset's relative paths, replacing a file atomically
 * (dm-file-tree.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#ifndef DM_COMPILATION
#error "This header is private to libdm: include <dm.h>."
#endif

#include <errno.h>

#include <gio/gio.h>

G_BEGIN_DECLS

/* Sets @error from errno after a failed system call on @path: @format
 * has a %s for @path, then one for the system's message. A macro, so
 * that @format is checked as printf's. */
#define DM_SET_ERRNO_ERROR(error, format, path) \
  G_STMT_START { \
    int saved_errno_ = errno; \
    g_set_error ((error), G_IO_ERROR, g_io_error_from_errno (saved_errno_), (format), (path), \
                 g_strerror (saved_errno_)); \
  } G_STMT_END

gboolean  dm_remove_tree             (const char    *path,
                                      GError       **error);
int       dm_lock_directory          (const char    *path);
gboolean  dm_is_plain_relative_path  (const char    *path);
gboolean  dm_sync_path               (const char    *path,
                                      GError       **error);
gboolean  dm_propagate_write_error   (GError       **error,
                                      GError        *local_error,
                                      const char    *path);

/* Writes the contents of a file to @stream; on failure, sets @error
 * naming the file. */
typedef gboolean (*DmWriteStreamFunc) (GOutputStream  *stream,
                                       gpointer        user_data,
                                       GError        **error);

gboolean  dm_replace_file            (const char         *path,
                                      DmWriteStreamFunc   write,
                                      gpointer            user_data,
                                      GError            **error);
gboolean  dm_replace_file_contents   (const char         *path,
                                      const char         *contents,
                                      gsize               length,
                                      GError            **error);

G_END_DECLS
