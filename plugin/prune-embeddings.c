/* prune-embeddings.c: hash keys from a user's embeddings (.npy + ids).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib/gi18n-lib.h>

#include "dm-embedding-key.h"
#include "prune-embeddings.h"
#include "prune-npy.h"

/* Row r's item position in @dataset, for every row; %NULL with @error set
 * when a line names no item or an item named before, or the counts differ. */
static guint *
rows_to_items (DmDataset   *dataset,
               const char  *ids_path,
               const char  *npy_path,
               gsize        n_rows,
               GError     **error)
{
  guint n_items = dm_dataset_get_n_items (dataset);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) file_error = NULL;
  g_autoptr(GHashTable) position_of = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr(GHashTable) line_of = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autofree guint *items = NULL;
  gsize length, n_lines;

  if (!g_file_get_contents (ids_path, &text, &length, &file_error))
    {
      g_set_error (error, DM_ERROR, DM_ERROR_NOT_FOUND, _("Cannot read %s: %s"), ids_path, file_error->message);
      return NULL;
    }
  if (!g_utf8_validate_len (text, length, NULL))
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA, _("%s is not UTF-8 text"), ids_path);
      return NULL;
    }
  lines = g_strsplit (text, "\n", -1);
  n_lines = g_strv_length (lines);
  /* A last line ended by a newline leaves an empty string, and an editor
   * may leave blank lines after the last id: none of them is an id. */
  while (n_lines > 0 && (lines[n_lines - 1][0] == '\0' || g_str_equal (lines[n_lines - 1], "\r")))
    n_lines--;

  if (n_lines != n_rows)
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                   _("%s lists %zu ids, but %s has %zu rows"),
                   ids_path, n_lines, npy_path, n_rows);
      return NULL;
    }
  if (n_rows != n_items)
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                   _("%s has %zu rows, but the dataset has %u items: every item needs one"),
                   npy_path, n_rows, n_items);
      return NULL;
    }

  for (guint i = 0; i < n_items; i++)
    g_hash_table_insert (position_of, dm_dataset_get_item (dataset, i), GUINT_TO_POINTER (i));
  items = g_new (guint, MAX (n_rows, 1));
  for (gsize r = 0; r < n_rows; r++)
    {
      char *line = lines[r];
      gsize line_length = strlen (line);
      char *slash;
      DmItem *item = NULL;
      gpointer first_line;

      if (line_length > 0 && line[line_length - 1] == '\r')
        line[line_length - 1] = '\0';
      slash = strchr (line, '/');
      if (slash != NULL)
        {
          *slash = '\0';
          item = dm_dataset_find_item (dataset, line, slash + 1);
          *slash = '/';
        }
      if (item == NULL)
        {
          g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                       slash == NULL ? _("%s, line %zu: “%s” is not subset/id")
                                     : _("%s, line %zu: the dataset has no item “%s”"),
                       ids_path, r + 1, line);
          return NULL;
        }
      if (g_hash_table_lookup_extended (line_of, item, NULL, &first_line))
        {
          g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                       _("%s, line %zu: “%s” is listed already, on line %u"),
                       ids_path, r + 1, line, GPOINTER_TO_UINT (first_line));
          return NULL;
        }
      g_hash_table_insert (line_of, item, GUINT_TO_POINTER ((guint) r + 1));
      items[r] = GPOINTER_TO_UINT (g_hash_table_lookup (position_of, item));
    }

  return g_steal_pointer (&items);
}

GBytes *
prune_embeddings_keys (DmDataset   *dataset,
                       const char  *npy_path,
                       const char  *ids_path,
                       GError     **error)
{
  g_autofree float *vectors = NULL;
  g_autofree guint *items = NULL;
  g_autofree guint8 *row_keys = NULL;
  g_autoptr(GError) core_error = NULL;
  guint8 *keys;
  gsize n_rows, dim;

  g_return_val_if_fail (DM_IS_DATASET (dataset), NULL);
  g_return_val_if_fail (npy_path != NULL && ids_path != NULL, NULL);

  vectors = prune_npy_read_matrix (npy_path, &n_rows, &dim, error);
  if (vectors == NULL)
    return NULL;
  items = rows_to_items (dataset, ids_path, npy_path, n_rows, error);
  if (items == NULL)
    return NULL;

  row_keys = g_malloc (n_rows * DM_EMBEDDING_KEY_BYTES);
  if (!dm_embedding_keys (vectors, n_rows, dim, row_keys, &core_error))
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA, _("%s is not a usable .npy file: %s"),
                   npy_path, core_error->message);
      return NULL;
    }

  keys = g_malloc (n_rows * DM_EMBEDDING_KEY_BYTES);
  for (gsize r = 0; r < n_rows; r++)
    memcpy (keys + (gsize) items[r] * DM_EMBEDDING_KEY_BYTES, row_keys + r * DM_EMBEDDING_KEY_BYTES,
            DM_EMBEDDING_KEY_BYTES);
  return g_bytes_new_take (keys, n_rows * DM_EMBEDDING_KEY_BYTES);
}

char *
prune_embeddings_origin (const char *npy_path)
{
  g_autofree char *name = g_path_get_basename (npy_path);

  return g_strconcat (DM_EMBEDDING_KEY_VERSION ":", name, NULL);
}
