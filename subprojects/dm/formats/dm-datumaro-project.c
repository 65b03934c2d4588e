/* dm-datumaro-project.c: a Datumaro project given where a dataset is
 * expected, told apart from a directory in no format.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include <glib/gi18n-lib.h>

#include "dm-datumaro-private.h"
#include "dm-error.h"
#include "dm-file-tree-private.h"

/* Whether @dir has a folder named @name. */
static gboolean
has_folder (const char *dir,
            const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  return g_file_test (path, G_FILE_TEST_IS_DIR);
}

/* Adds to @found the folders below @dir, down to @depth levels, that hold a
 * Datumaro dataset (annotations/), in name order; hidden ones (a project's
 * .datumaro/, DVC's .dvc/) are not looked in. */
static void
find_datasets (const char *dir,
               guint       depth,
               GPtrArray  *found)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, dm_compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, g_ptr_array_index (names, i), NULL);

      if (!g_file_test (path, G_FILE_TEST_IS_DIR))
        continue;
      if (has_folder (path, DM_DATUMARO_ANNOTATIONS_DIR))
        g_ptr_array_add (found, g_steal_pointer (&path));
      else if (depth > 1)
        find_datasets (path, depth - 1, found);
    }
}

/* dm_datumaro_check_not_a_project:
 * @source: a directory to load as a dataset
 * @error: return location for a #GError
 *
 * A Datumaro project (.datumaro/ at its top) is no dataset: its datasets
 * are its sources (sources/NAME/ in Datumaro 0.1's layout, NAME/ since)
 * and a built one (dataset/ in 0.1's). Refused, naming them, rather than
 * by detection's "cannot tell the format" or the reader's "no annotations".
 *
 * Returns: %TRUE when @source is no project, or one with a dataset at its
 *   top; %FALSE with @error set (%DM_ERROR_UNKNOWN_FORMAT) otherwise
 */
gboolean
dm_datumaro_check_not_a_project (const char  *source,
                                 GError     **error)
{
  g_autoptr(GPtrArray) datasets = NULL;
  g_autofree char *list = NULL;

  if (!has_folder (source, DM_DATUMARO_PROJECT_DIR) || has_folder (source, DM_DATUMARO_ANNOTATIONS_DIR))
    return TRUE;

  datasets = g_ptr_array_new_null_terminated (4, g_free, TRUE);
  find_datasets (source, 2, datasets);
  if (datasets->len == 0)
    {
      g_set_error (error, DM_ERROR, DM_ERROR_UNKNOWN_FORMAT,
                   _("%s is a Datumaro project (it has .datumaro/), not a dataset, and no folder in it holds one; "
                     "export one with “datum project export -p %s -f datumaro -o DIR -- --save-media” "
                     "and load DIR instead"), source, source);
      return FALSE;
    }
  list = g_strjoinv (", ", (char **) datasets->pdata);
  g_set_error (error, DM_ERROR, DM_ERROR_UNKNOWN_FORMAT,
               g_dngettext (GETTEXT_PACKAGE,
                            "%s is a Datumaro project (it has .datumaro/), not a dataset; its dataset is in %s: "
                            "load that instead",
                            "%s is a Datumaro project (it has .datumaro/), not a dataset; its datasets are in %s: "
                            "load one of them instead", datasets->len),
               source, list);
  return FALSE;
}

/* dm_datumaro_note_datasets_below:
 * @source: a directory detection found in no format
 * @error: the error detection set
 *
 * A folder that holds datasets is no dataset itself, the mistake of a
 * user who names the folder above the one meant: says, in @error's
 * message, which folders in it hold a Datumaro dataset, if any do.
 */
void
dm_datumaro_note_datasets_below (const char *source,
                                 GError     *error)
{
  g_autoptr(GPtrArray) datasets = g_ptr_array_new_null_terminated (4, g_free, TRUE);
  g_autofree char *list = NULL;
  char *message;

  find_datasets (source, 2, datasets);
  if (datasets->len == 0)
    return;
  list = g_strjoinv (", ", (char **) datasets->pdata);
  message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "%s; %s in it is a Datumaro dataset: load that folder",
                                          "%s; %s in it are Datumaro datasets: load one of those folders",
                                          datasets->len),
                             error->message, list);
  g_free (error->message);
  error->message = message;
}

