/* dm-cli-staged.c: files written aside and put in place together.
 *
 * A report is written, in full and synced, to a temporary file beside its
 * place before the dataset is saved; only when the dataset is in place are
 * the reports renamed into theirs. A report that cannot be written fails
 * the run before the dataset is touched, and a failed run removes the
 * temporary files and the folders it made for them. What is known only
 * after the save (how long it took) is patched into the written file in
 * place, over bytes of the same length, so the file needs no new space
 * once the dataset is in place.
 *
 * The temporary file is libdm's (DmTempFile): on Linux it has no name
 * until it is put in place, so a run killed during the save (possibly
 * minutes) leaves no temporary report behind.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "dm-cli-staged.h"

struct _DmStagedFile
{
  char       *path;
  DmTempFile *temp;       /* until it is committed */
  char       *made_dir;   /* the topmost folder made for it, or NULL */
};

/**
 * dm_staged_file_check_place:
 * @path: (type filename): where a file is to go
 * @error: return location for a #GError
 *
 * Checks, before any work, that a file can be made at @path: the nearest
 * folder on its way that exists takes new entries (the file is written
 * beside its place, and the folders missing on the way are made there).
 * A permission the process lacks or a read-only file system is so said
 * at once, not after the work. The error names that folder.
 *
 * Returns: %TRUE if the file can be made
 */
gboolean
dm_staged_file_check_place (const char  *path,
                            GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *absolute = g_canonicalize_filename (dir, NULL);
  g_autofree char *missing = dm_topmost_missing_dir (absolute);
  g_autofree char *existing = missing != NULL ? g_path_get_dirname (missing) : g_steal_pointer (&absolute);
  int saved_errno;

  if (g_access (existing, W_OK | X_OK) == 0)
    return TRUE;
  saved_errno = errno;
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               _("%s cannot be written to (%s)"), existing, g_strerror (saved_errno));
  return FALSE;
}

/* Writes @bytes at @offset of the staged file and syncs it. */
static gboolean
write_at (DmStagedFile  *self,
          goffset        offset,
          const char    *bytes,
          gsize          length,
          GError       **error)
{
  int fd = dm_temp_file_get_fd (self->temp);

  while (length > 0)
    {
      gssize written = pwrite (fd, bytes, length, offset);

      if (written < 0 && errno == EINTR)
        continue;
      if (written < 0)
        return dm_set_write_error (error, self->path);
      bytes += written;
      length -= written;
      offset += written;
    }
  if (fsync (fd) != 0)
    return dm_set_write_error (error, self->path);
  return TRUE;
}

/**
 * dm_staged_file_new:
 * @path: (type filename): where the file is to go
 * @contents: its text
 * @error: return location for a #GError
 *
 * dm_staged_file_new_full() with a nameless temporary file where the
 * system allows.
 *
 * Returns: (transfer full): the staged file, or %NULL with @error set
 */
DmStagedFile *
dm_staged_file_new (const char  *path,
                    const char  *contents,
                    GError     **error)
{
  return dm_staged_file_new_full (path, contents, DM_TEMP_FILE_ANONYMOUS, error);
}

/**
 * dm_staged_file_new_full:
 * @path: (type filename): where the file is to go
 * @contents: its text
 * @kind: how the temporary file is made
 * @error: return location for a #GError
 *
 * Writes @contents to a temporary file beside @path (making missing
 * folders) and syncs it.
 *
 * Returns: (transfer full): the staged file, or %NULL with @error set
 */
DmStagedFile *
dm_staged_file_new_full (const char      *path,
                         const char      *contents,
                         DmTempFileKind   kind,
                         GError         **error)
{
  g_autoptr(DmStagedFile) self = g_new0 (DmStagedFile, 1);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *absolute_dir = NULL;
  g_autofree char *template = NULL;

  self->path = g_canonicalize_filename (path, NULL);
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY,
                   _("Cannot write %s: it is a directory"), path);
      return NULL;
    }
  absolute_dir = g_canonicalize_filename (dir, NULL);
  self->made_dir = dm_topmost_missing_dir (absolute_dir);
  if (self->made_dir != NULL && g_mkdir_with_parents (dir, 0777) != 0)
    {
      g_clear_pointer (&self->made_dir, g_free);
      dm_set_write_error (error, path);
      return NULL;
    }

  /* The report is put in place at commit, long after it is written, so
   * libdm's temporary file, not its replace-a-file helper nor GIO's
   * g_file_replace() (which put a file in place when it is closed). */
  template = g_strconcat (path, ".tmp-XXXXXX", NULL);
  self->temp = dm_temp_file_new (path, template, kind, error);
  if (self->temp == NULL || !write_at (self, 0, contents, strlen (contents), error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * dm_staged_file_patch:
 * @self: a staged, uncommitted file
 * @offset: where in its contents the patch goes
 * @bytes: what replaces the @length bytes there
 * @length: how many
 * @error: return location for a #GError
 *
 * Overwrites part of the staged file in place and syncs it.
 */
gboolean
dm_staged_file_patch (DmStagedFile  *self,
                      goffset        offset,
                      const char    *bytes,
                      gsize          length,
                      GError       **error)
{
  g_return_val_if_fail (self->temp != NULL, FALSE);

  return write_at (self, offset, bytes, length, error);
}

/**
 * dm_staged_file_commit:
 * @self: a staged file
 * @error: return location for a #GError
 *
 * Puts the staged file in its place (a rename).
 */
gboolean
dm_staged_file_commit (DmStagedFile  *self,
                       GError       **error)
{
  g_return_val_if_fail (self->temp != NULL, FALSE);

  if (!dm_temp_file_put (self->temp, error))
    return FALSE;
  g_clear_pointer (&self->temp, dm_temp_file_free);
  g_clear_pointer (&self->made_dir, g_free);
  return TRUE;
}

/**
 * dm_staged_file_free:
 * @self: a staged file
 *
 * Removes what an uncommitted staged file wrote and made.
 */
void
dm_staged_file_free (DmStagedFile *self)
{
  g_clear_pointer (&self->temp, dm_temp_file_free);
  /* Only the folders made here, which hold nothing else. */
  if (self->made_dir != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (self->path);

      dm_remove_made_dirs (dir, self->made_dir);
    }
  g_free (self->path);
  g_free (self->made_dir);
  g_free (self);
}
