/* dm-file-tree-private.h: the order names are listed in, deleting a
 * tree, locking a directory, checking a dataset's relative paths, whether
 * a path is below a directory, refusing what is not a regular file or
 * has a name that is not UTF-8, replacing a file atomically
 * (dm-file-tree.c). Not installed: libdm, the dm command (its staged
 * outputs) and the HTML report (where it may be written) share it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined (DM_COMPILATION) && !defined (DM_CLI_COMPILATION) && !defined (DM_REPORT_COMPILATION)
#error "This header is private to libdm, the dm command and its report: include <dm.h>."
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

/* For g_ptr_array_sort() of names (of files, items, transforms): byte
 * order, which is the same on every machine, as a directory's is not. */
int       dm_compare_names           (gconstpointer  a,
                                      gconstpointer  b);

gboolean  dm_remove_tree             (const char    *path,
                                      GError       **error);
int       dm_lock_directory          (const char    *path);
gboolean  dm_is_plain_relative_path  (const char    *path);
gboolean  dm_path_is_below           (const char    *path,
                                      const char    *directory);
char     *dm_topmost_missing_dir     (const char    *dir);
gboolean  dm_path_names_directory    (const char    *path);
char     *dm_dangling_link_target    (const char    *path);
gboolean  dm_check_regular_file      (const char    *path,
                                      GError       **error);
gboolean  dm_check_name_utf8         (const char    *path,
                                      const char    *name,
                                      GError       **error);
void      dm_remove_made_dirs        (const char    *dir,
                                      const char    *made);
char     *dm_resolve_path            (const char    *path);
gboolean  dm_sync_path               (const char    *path,
                                      GError       **error);
gboolean  dm_set_write_error         (GError       **error,
                                      const char    *path);
gboolean  dm_propagate_write_error   (GError       **error,
                                      GError        *local_error,
                                      const char    *path);

/* Writes the contents of a file to @stream; on failure, sets @error
 * naming the file. */
typedef gboolean (*DmWriteStreamFunc) (GOutputStream  *stream,
                                       gpointer        user_data,
                                       GError        **error);

/* How a file is written before it is put in place. */
typedef enum
{
  /* Nameless (Linux's O_TMPFILE) where the file system allows, so that a
   * killed process leaves no file behind; else as DM_TEMP_FILE_NAMED. */
  DM_TEMP_FILE_ANONYMOUS,
  /* Under a unique temporary name from the start: the fallback, which
   * the tests choose too, to keep it tested. */
  DM_TEMP_FILE_NAMED,
} DmTempFileKind;

/* A file written aside, then put in place in one step. */
typedef struct _DmTempFile DmTempFile;

DmTempFile *dm_temp_file_new         (const char         *path,
                                      const char         *template,
                                      DmTempFileKind      kind,
                                      GError            **error);
int         dm_temp_file_get_fd      (DmTempFile         *self);
gboolean    dm_temp_file_put         (DmTempFile         *self,
                                      GError            **error);
void        dm_temp_file_free        (DmTempFile         *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmTempFile, dm_temp_file_free)

gboolean  dm_replace_file            (const char         *path,
                                      DmWriteStreamFunc   write,
                                      gpointer            user_data,
                                      GError            **error);
gboolean  dm_replace_file_full       (const char         *path,
                                      DmTempFileKind      kind,
                                      DmWriteStreamFunc   write,
                                      gpointer            user_data,
                                      GError            **error);
gboolean  dm_replace_file_contents   (const char         *path,
                                      const char         *contents,
                                      gsize               length,
                                      GError            **error);

G_END_DECLS
