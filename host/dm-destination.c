/* dm-destination.c: whether an output directory may be written.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <string.h>
#include <stdlib.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "dm-dataset-io.h"
#include "dm-error.h"

/* The real path of @path, or of its nearest existing ancestor followed by
 * the rest, so paths that do not exist yet compare too. */
static char *
resolve (const char *path)
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
  resolved_parent = resolve (parent);

  return g_build_filename (resolved_parent, base, NULL);
}

static gboolean
is_inside (const char *path,
           const char *directory)
{
  gsize len = strlen (directory);

  return strncmp (path, directory, len) == 0 &&
         (path[len] == G_DIR_SEPARATOR || g_str_equal (directory, "/"));
}

static gboolean
is_empty_directory (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);

  return dir != NULL && g_dir_read_name (dir) == NULL;
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
 * @source itself unless %DM_SAVE_OVERWRITE is given, and not a non-empty
 * directory unless %DM_SAVE_OVERWRITE is given.
 *
 * Returns: %TRUE if the destination may be written
 */
gboolean
dm_dataset_check_destination (const char  *destination,
                              const char  *source,
                              DmSaveFlags  flags,
                              GError     **error)
{
  g_autofree char *dest = NULL;
  gboolean overwrite = (flags & DM_SAVE_OVERWRITE) != 0;

  g_return_val_if_fail (destination != NULL, FALSE);

  dest = resolve (destination);

  if (g_file_test (dest, G_FILE_TEST_EXISTS) && !g_file_test (dest, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, DM_ERROR, DM_ERROR_OUTPUT,
                   _("Cannot write to %s: it is a file, not a directory"), destination);
      return FALSE;
    }

  if (source != NULL)
    {
      g_autofree char *src = resolve (source);

      if (g_str_equal (dest, src) && !overwrite)
        {
          g_set_error (error, DM_ERROR, DM_ERROR_OUTPUT,
                       _("Cannot write to %s: it is the source dataset (pass --overwrite to change it in place)"),
                       destination);
          return FALSE;
        }
      if (is_inside (dest, src))
        {
          g_set_error (error, DM_ERROR, DM_ERROR_OUTPUT,
                       _("Cannot write to %s: it is inside the source dataset %s"),
                       destination, source);
          return FALSE;
        }
      if (is_inside (src, dest))
        {
          g_set_error (error, DM_ERROR, DM_ERROR_OUTPUT,
                       _("Cannot write to %s: the source dataset %s is inside it"),
                       destination, source);
          return FALSE;
        }
      if (g_str_equal (dest, src))
        return TRUE;
    }

  if (g_file_test (dest, G_FILE_TEST_IS_DIR) && !overwrite && !is_empty_directory (dest))
    {
      g_set_error (error, DM_ERROR, DM_ERROR_OUTPUT,
                   _("Cannot write to %s: the directory is not empty (pass --overwrite to replace it)"),
                   destination);
      return FALSE;
    }

  return TRUE;
}
