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
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "dm-cli-staged.h"

struct _DmStagedFile
{
  char *path;
  char *temp;
  char *made_dir;     /* the topmost folder made for it, or NULL */
};

static gboolean
set_io_error (GError     **error,
              const char  *path)
{
  int saved_errno = errno;

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               _("Cannot write %s: %s"), path, g_strerror (saved_errno));
  return FALSE;
}

/* The topmost missing folder of @dir, or NULL when it exists. */
static char *
topmost_missing (const char *dir)
{
  g_autofree char *missing = NULL;
  g_autofree char *current = g_canonicalize_filename (dir, NULL);

  while (!g_file_test (current, G_FILE_TEST_EXISTS))
    {
      char *parent = g_path_get_dirname (current);

      g_free (missing);
      missing = g_steal_pointer (&current);
      current = parent;
    }
  return g_steal_pointer (&missing);
}

/**
 * dm_staged_file_new:
 * @path: (type filename): where the file is to go
 * @contents: its text
 * @error: return location for a #GError
 *
 * Writes @contents to a temporary file beside @path (making missing
 * folders) and syncs it.
 *
 * Returns: (transfer full): the staged file, or %NULL with @error set
 */
DmStagedFile *
dm_staged_file_new (const char  *path,
                    const char  *contents,
                    GError     **error)
{
  g_autoptr(DmStagedFile) self = g_new0 (DmStagedFile, 1);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) local_error = NULL;
  int fd;

  self->path = g_canonicalize_filename (path, NULL);
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY,
                   _("Cannot write %s: it is a directory"), path);
      return NULL;
    }
  self->made_dir = topmost_missing (dir);
  if (self->made_dir != NULL && g_mkdir_with_parents (dir, 0777) != 0)
    {
      g_clear_pointer (&self->made_dir, g_free);
      set_io_error (error, path);
      return NULL;
    }

  self->temp = g_strconcat (path, ".tmp-XXXXXX", NULL);
  fd = g_mkstemp_full (self->temp, O_WRONLY | O_CLOEXEC, 0666);
  if (fd < 0)
    {
      g_clear_pointer (&self->temp, g_free);
      set_io_error (error, path);
      return NULL;
    }
  g_close (fd, NULL);
  /* The report is renamed into place at commit, long after it is
   * written, so libdm's replace-a-file helper (private to libdm) and GIO's
   * g_file_replace() (which renames at close) do not fit; GLib writes and
   * syncs the name reserved above, in place (not CONSISTENT: the name is
   * already the temporary one). */
  if (!g_file_set_contents_full (self->temp, contents, -1, G_FILE_SET_CONTENTS_DURABLE, 0666, &local_error))
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_file_error (local_error->code),
                   _("Cannot write %s: %s"), path, local_error->message);
      return NULL;
    }
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
  int fd;

  g_return_val_if_fail (self->temp != NULL, FALSE);

  fd = g_open (self->temp, O_WRONLY | O_CLOEXEC, 0);
  if (fd < 0)
    return set_io_error (error, self->path);
  while (length > 0)
    {
      gssize written = pwrite (fd, bytes, length, offset);

      if (written < 0 && errno == EINTR)
        continue;
      if (written < 0)
        {
          set_io_error (error, self->path);
          g_close (fd, NULL);
          return FALSE;
        }
      bytes += written;
      length -= written;
      offset += written;
    }
  if (fsync (fd) != 0)
    {
      set_io_error (error, self->path);
      g_close (fd, NULL);
      return FALSE;
    }
  return g_close (fd, NULL) || set_io_error (error, self->path);
}

/**
 * dm_staged_file_commit:
 * @self: a staged file
 * @error: return location for a #GError
 *
 * Renames the staged file into its place.
 */
gboolean
dm_staged_file_commit (DmStagedFile  *self,
                       GError       **error)
{
  if (g_rename (self->temp, self->path) != 0)
    return set_io_error (error, self->path);
  g_clear_pointer (&self->temp, g_free);
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
  if (self->temp != NULL)
    g_unlink (self->temp);
  /* Only the folders made here, which hold nothing else. */
  if (self->made_dir != NULL)
    {
      char *dir = g_path_get_dirname (self->path);

      while (g_str_has_prefix (dir, self->made_dir) && g_rmdir (dir) == 0 &&
             !g_str_equal (dir, self->made_dir))
        {
          char *parent = g_path_get_dirname (dir);

          g_free (dir);
          dir = parent;
        }
      g_free (dir);
    }
  g_free (self->path);
  g_free (self->temp);
  g_free (self->made_dir);
  g_free (self);
}
