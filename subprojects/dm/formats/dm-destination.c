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
#include "dm-datumaro-private.h"
#include "dm-error.h"
#include "dm-destination-private.h"

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

/* Whether @a and @b name one directory. */
gboolean
dm_is_same_directory (const char *a,
                      const char *b)
{
  g_autofree char *x = resolve (a);
  g_autofree char *y = resolve (b);

  return g_str_equal (x, y);
}

/* What a Datumaro dataset has at its top level; --overwrite replaces a
 * directory that holds nothing else. */
static const char * const dataset_entries[] = {
  DM_DATUMARO_ANNOTATIONS_DIR, DM_DATUMARO_IMAGES_DIR, DM_DATUMARO_POINT_CLOUDS_DIR,
  DM_DATUMARO_VIDEOS_DIR, DM_HASH_KEY_CACHE_DIR, NULL
};

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The first entry of the non-empty directory @path that no Datumaro
 * dataset has (any entry when it has no annotations/ *.json), or %NULL. */
static char *
first_foreign_entry (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  gboolean is_dataset = dm_datumaro_has_annotation_files (path);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    return NULL;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (!is_dataset || !g_strv_contains (dataset_entries, name))
      g_ptr_array_add (names, g_strdup (name));
  if (names->len == 0)
    return NULL;
  g_ptr_array_sort (names, compare_names);
  return g_strdup (g_ptr_array_index (names, 0));
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
 * directory unless %DM_SAVE_OVERWRITE is given, and then only a directory
 * that holds a Datumaro dataset and nothing else (its annotations/, images/,
 * point_clouds/, videos/, hash_key_meta/): --overwrite replaces a dataset,
 * never a folder's other files.
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
          g_set_error (error, DM_ERROR, DM_ERROR_EXISTS,
                       _("Cannot write to %s: it is the source dataset"),
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
      g_set_error (error, DM_ERROR, DM_ERROR_EXISTS,
                   _("Cannot write to %s: the directory is not empty"),
                   destination);
      return FALSE;
    }
  if (g_file_test (dest, G_FILE_TEST_IS_DIR) && overwrite)
    {
      g_autofree char *foreign = first_foreign_entry (dest);

      if (foreign != NULL)
        {
          g_set_error (error, DM_ERROR, DM_ERROR_OUTPUT,
                       _("Cannot replace %s: “%s” in it is not part of a Datumaro dataset, and --overwrite "
                         "replaces only a dataset; choose an empty or new directory, or move that away"),
                       destination, foreign);
          return FALSE;
        }
    }

  return TRUE;
}
