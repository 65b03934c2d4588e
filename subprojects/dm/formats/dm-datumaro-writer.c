/* dm-datumaro-writer.c: writing a dataset in Datumaro's format.
 *
 * Items are written as the JSON text they were read as, so every
 * annotation survives a load and save; items that did not come from
 * Datumaro JSON (ImageNet) get the object Datumaro would write for them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "dm-dataset-io.h"
#include "dm-datumaro-private.h"
#include "dm-error.h"
#include "dm-file-tree-private.h"
#include "dm-json-stream.h"

#define OUTPUT_BUFFER_SIZE (1024 * 1024)

/* Datumaro's MediaType.IMAGE. */
#define MEDIA_TYPE_IMAGE 2

static GOutputStream *
create_file (const char    *path,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileOutputStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;

  stream = g_file_create (file, G_FILE_CREATE_NONE, cancellable, &local_error);
  if (stream == NULL)
    {
      dm_propagate_write_error (error, g_steal_pointer (&local_error), path);
      return NULL;
    }
  return g_buffered_output_stream_new_sized (G_OUTPUT_STREAM (stream), OUTPUT_BUFFER_SIZE);
}

static gboolean
close_file (GOutputStream  *stream,
            const char     *path,
            GCancellable   *cancellable,
            GError        **error)
{
  g_autoptr(GError) local_error = NULL;

  if (g_output_stream_close (stream, cancellable, &local_error))
    return TRUE;
  return dm_propagate_write_error (error, g_steal_pointer (&local_error), path);
}

/* A member @name whose value is an empty array or object. */
static void
gen_empty (yajl_gen    gen,
           const char *name,
           gboolean    is_array)
{
  dm_json_gen_text (gen, name);
  if (is_array)
    {
      yajl_gen_array_open (gen);
      yajl_gen_array_close (gen);
    }
  else
    {
      yajl_gen_map_open (gen);
      yajl_gen_map_close (gen);
    }
}

/* The annotation file's members other than "items", for a subset that was
 * not read from Datumaro JSON: what Datumaro writes for an image dataset
 * with label categories. */
static void
gen_made_header (yajl_gen   gen,
                 DmDataset *dataset)
{
  dm_json_gen_text (gen, "dm_format_version");
  dm_json_gen_text (gen, "1.0");
  dm_json_gen_text (gen, "media_type");
  yajl_gen_integer (gen, MEDIA_TYPE_IMAGE);
  gen_empty (gen, "infos", FALSE);
  dm_json_gen_text (gen, "categories");
  yajl_gen_map_open (gen);
  dm_json_gen_text (gen, "label");
  yajl_gen_map_open (gen);
  dm_json_gen_text (gen, "labels");
  yajl_gen_array_open (gen);
  for (guint i = 0; i < dm_dataset_get_n_labels (dataset); i++)
    {
      yajl_gen_map_open (gen);
      dm_json_gen_text (gen, "name");
      dm_json_gen_text (gen, dm_dataset_get_label_name (dataset, i));
      dm_json_gen_text (gen, "parent");
      dm_json_gen_text (gen, "");
      gen_empty (gen, "attributes", TRUE);
      yajl_gen_map_close (gen);
    }
  yajl_gen_array_close (gen);
  gen_empty (gen, "label_groups", TRUE);
  gen_empty (gen, "attributes", TRUE);
  yajl_gen_map_close (gen);
  yajl_gen_map_close (gen);
}

/* The item object Datumaro writes for an image with label annotations. */
static void
gen_made_item (yajl_gen  gen,
               DmItem   *item)
{
  const char *relpath = dm_item_get_image_relpath (item);
  const int *labels;
  guint n_labels;
  int width, height;

  labels = dm_item_get_labels (item, &n_labels);
  dm_item_get_image_size (item, &width, &height);

  yajl_gen_map_open (gen);
  dm_json_gen_text (gen, "id");
  dm_json_gen_text (gen, dm_item_get_id (item));
  dm_json_gen_text (gen, "annotations");
  yajl_gen_array_open (gen);
  for (guint i = 0; i < n_labels; i++)
    {
      yajl_gen_map_open (gen);
      dm_json_gen_text (gen, "id");
      yajl_gen_integer (gen, i);
      dm_json_gen_text (gen, "type");
      dm_json_gen_text (gen, "label");
      gen_empty (gen, "attributes", FALSE);
      dm_json_gen_text (gen, "group");
      yajl_gen_integer (gen, 0);
      dm_json_gen_text (gen, "label_id");
      yajl_gen_integer (gen, labels[i]);
      yajl_gen_map_close (gen);
    }
  yajl_gen_array_close (gen);
  if (relpath != NULL)
    {
      dm_json_gen_text (gen, "image");
      yajl_gen_map_open (gen);
      dm_json_gen_text (gen, "path");
      dm_json_gen_text (gen, relpath);
      if (width > 0 && height > 0)
        {
          dm_json_gen_text (gen, "size");
          yajl_gen_array_open (gen);
          yajl_gen_integer (gen, height);
          yajl_gen_integer (gen, width);
          yajl_gen_array_close (gen);
        }
      yajl_gen_map_close (gen);
    }
  yajl_gen_map_close (gen);
}

static gboolean
check_subset_name (const char  *subset,
                   GError     **error)
{
  if (*subset == '\0' || strchr (subset, '/') != NULL ||
      g_str_equal (subset, ".") || g_str_equal (subset, ".."))
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                   _("The subset name “%s” cannot be a file name"), subset);
      return FALSE;
    }
  return TRUE;
}

/* Streams `<subset>.json`: the header members, then "items" last, where
 * Datumaro puts it, each item as the JSON text it was read as (or as it
 * was rewritten), or made for an item that has none. */
static gboolean
write_annotation_file (DmDataset     *dataset,
                       const char    *subset,
                       GHashTable    *rewritten,
                       const char    *path,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(GOutputStream) stream = NULL;
  g_auto(DmJsonWriter) writer = { 0 };
  JsonObject *header = dm_dataset_get_subset_header (dataset, subset);
  guint n_items = dm_dataset_get_n_items (dataset);
  yajl_gen gen;

  stream = create_file (path, cancellable, error);
  if (stream == NULL)
    return FALSE;
  dm_json_writer_init (&writer, stream, path, cancellable);
  gen = writer.gen;

  yajl_gen_map_open (gen);
  if (header != NULL)
    dm_json_gen_members (gen, header);
  else
    gen_made_header (gen, dataset);
  dm_json_gen_text (gen, "items");
  yajl_gen_array_open (gen);

  for (guint i = 0; i < n_items; i++)
    {
      DmItem *item = dm_dataset_get_item (dataset, i);
      const char *json;

      if (dm_item_get_subset (item) != subset)
        continue;

      json = rewritten != NULL ? g_hash_table_lookup (rewritten, item) : NULL;
      if (json == NULL)
        json = dm_item_get_json (item);
      if (json != NULL)
        dm_json_gen_value_text (gen, json);
      else
        gen_made_item (gen, item);
      if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
          !dm_json_writer_flush (&writer, FALSE, error))
        goto failed;
    }

  yajl_gen_array_close (gen);
  yajl_gen_map_close (gen);
  if (!dm_json_writer_flush (&writer, TRUE, error))
    goto failed;
  return close_file (stream, path, cancellable, error);

failed:
  g_output_stream_close (stream, NULL, NULL);
  return FALSE;
}

/* Where the media files of the written items go. */
struct _DmMediaPlan
{
  GHashTable *sources;    /* output path (below the output) -> source file */
  GHashTable *inside;     /* output paths the JSON names relatively and
                           * their folders below the media folder, a set */
  GHashTable *placed;     /* placed_key() of an outside file -> output path */
  GHashTable *rewritten;  /* DmItem -> its JSON with absolute paths made relative */
  GPtrArray *copies;      /* of output path, in item order, each once */
  GPtrArray *owners;      /* of DmItem, the first item of each copy */
};

void
dm_media_plan_free (DmMediaPlan *plan)
{
  g_clear_pointer (&plan->sources, g_hash_table_unref);
  g_clear_pointer (&plan->inside, g_hash_table_unref);
  g_clear_pointer (&plan->placed, g_hash_table_unref);
  g_clear_pointer (&plan->rewritten, g_hash_table_unref);
  g_clear_pointer (&plan->copies, g_ptr_array_unref);
  g_clear_pointer (&plan->owners, g_ptr_array_unref);
  g_free (plan);
}

/* The media files of @item as (folder, member, written, source) rows: those
 * its reader recorded, or for an item made by other means (ImageNet) its
 * image at images/<subset>/<relpath>. */
static guint
item_media (DmItem      *item,
            guint        index,
            const char **folder,
            const char **member,
            const char **written,
            const char **source,
            char       **scratch_folder,
            char       **scratch_written)
{
  guint n = dm_item_get_n_media_files (item);

  if (n > 0)
    {
      *folder = dm_item_get_media_file_folder (item, index);
      *member = dm_item_get_media_file_member (item, index);
      *written = dm_item_get_media_file_written (item, index);
      *source = dm_item_get_media_file_source (item, index);
      return n;
    }
  if (dm_item_get_image_path (item) == NULL)
    return 0;
  *folder = *scratch_folder = g_build_filename (DM_DATUMARO_IMAGES_DIR, dm_item_get_subset (item), NULL);
  *member = "image.path";
  *source = dm_item_get_image_path (item);
  *written = dm_item_get_image_relpath (item);
  if (*written == NULL)
    *written = *scratch_written = g_path_get_basename (*source);
  return 1;
}

/* A walk over the media files of every item of a dataset, one
 * item_media() row at a time: `g_auto(MediaWalk) walk = { dataset };`,
 * then media_walk_next() while it returns TRUE. */
typedef struct {
  DmDataset  *dataset;
  guint       next_item;
  guint       next_file;
  guint       n_files;
  DmItem     *item;                 /* the current row's */
  const char *folder, *member, *written, *source;
  char       *scratch_folder;
  char       *scratch_written;
} MediaWalk;

static void
media_walk_clear (MediaWalk *walk)
{
  g_clear_pointer (&walk->scratch_folder, g_free);
  g_clear_pointer (&walk->scratch_written, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MediaWalk, media_walk_clear)

/* Moves @walk to the next media file; FALSE past the last. */
static gboolean
media_walk_next (MediaWalk *walk)
{
  media_walk_clear (walk);
  for (;;)
    {
      if (walk->item != NULL && walk->next_file < walk->n_files)
        {
          walk->n_files = item_media (walk->item, walk->next_file++, &walk->folder, &walk->member,
                                      &walk->written, &walk->source,
                                      &walk->scratch_folder, &walk->scratch_written);
          if (walk->n_files > 0)
            return TRUE;
          continue;
        }
      if (walk->next_item >= dm_dataset_get_n_items (walk->dataset))
        return FALSE;
      walk->item = dm_dataset_get_item (walk->dataset, walk->next_item++);
      walk->next_file = 0;
      /* Until item_media() says how many the item has. */
      walk->n_files = 1;
    }
}

/* Sets the string at the dotted @member ("related_images.0.path") of @root. */
static void
set_member (JsonNode   *root,
            const char *member,
            const char *value)
{
  g_auto(GStrv) parts = g_strsplit (member, ".", -1);
  JsonNode *node = root;
  guint n = g_strv_length (parts);

  for (guint i = 0; i + 1 < n && node != NULL; i++)
    {
      if (JSON_NODE_HOLDS_OBJECT (node))
        node = json_object_get_member (json_node_get_object (node), parts[i]);
      else if (JSON_NODE_HOLDS_ARRAY (node))
        {
          guint64 index = g_ascii_strtoull (parts[i], NULL, 10);
          JsonArray *array = json_node_get_array (node);

          node = index < json_array_get_length (array) ? json_array_get_element (array, (guint) index) : NULL;
        }
      else
        node = NULL;
    }
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    json_object_set_string_member (json_node_get_object (node), parts[n - 1], value);
}

/* The key of @plan's placed table for the outside file @source written
 * into @folder. A file items of two folders name (an image of two
 * subsets, the related image of a point cloud and another item's image)
 * is copied into each: a written path is relative to its own folder. The
 * length keeps any two (folder, source) pairs apart. */
static char *
placed_key (const char *folder,
            const char *source)
{
  return g_strdup_printf ("%zu:%s%s", strlen (folder), folder, source);
}

/* A free output name in @folder for the outside file @source: its base
 * name, numbered when another file has it, or will have it: a file the
 * JSON names relatively keeps its name, whichever item comes first. */
static char *
place_outside_file (DmMediaPlan *plan,
                    const char *folder,
                    const char *source)
{
  g_autofree char *base = g_path_get_basename (source);
  const char *dot = strrchr (base, '.');
  g_autofree char *stem = dot != NULL && dot != base ? g_strndup (base, dot - base) : g_strdup (base);
  const char *ext = dot != NULL && dot != base ? dot : "";

  for (guint n = 0;; n++)
    {
      g_autofree char *name = n == 0 ? g_strdup (base) : g_strdup_printf ("%s-%u%s", stem, n, ext);
      char *path = g_build_filename (folder, name, NULL);

      if (!g_hash_table_contains (plan->sources, path) && !g_hash_table_contains (plan->inside, path))
        return path;
      g_free (path);
    }
}

/* Fails when the media file @source of @item is not there, or is a
 * directory, before any output is made: either is the input's fault, and
 * a stat per file is cheap next to the copy that would find it out later
 * and blame DEST. Other failures to reach the file are the copy's to
 * report. */
static gboolean
check_source (DmItem      *item,
              const char  *folder,
              const char  *source,
              GError     **error)
{
  gboolean is_image = g_str_has_prefix (folder, DM_DATUMARO_IMAGES_DIR G_DIR_SEPARATOR_S) ||
                      g_str_equal (folder, DM_DATUMARO_IMAGES_DIR);
  const char *subset = dm_item_get_subset (item), *id = dm_item_get_id (item);
  GStatBuf buf;

  /* The codes the copy would have failed with. */
  if (g_stat (source, &buf) == 0)
    {
      if (!S_ISDIR (buf.st_mode))
        return TRUE;
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY,
                   is_image ? _("%s: the image of item %s/%s is a directory, not an image file")
                            : _("%s: the media file of item %s/%s is a directory, not a file"),
                   source, subset, id);
    }
  else if (errno == ENOENT || errno == ENOTDIR)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                 is_image ? _("%s: the image of item %s/%s is missing")
                          : _("%s: the media file of item %s/%s is missing"),
                 source, subset, id);
  else
    return TRUE;
  return FALSE;
}

/* The missing media files named one by one; past them, a count. */
#define MISSING_MEDIA_NAMED 3

/*
 * dm_datumaro_warn_missing_media:
 * @dataset: a dataset
 *
 * Warns of each media file of @dataset that is missing or a directory
 * (the first MISSING_MEDIA_NAMED with dm_datumaro_plan_media()'s words,
 * then how many more), for a save in place: it copies no media file, so
 * such an item is kept as the dataset names it, where a save elsewhere
 * refuses it.
 */
void
dm_datumaro_warn_missing_media (DmDataset *dataset)
{
  g_auto(MediaWalk) walk = { dataset };
  guint n_missing = 0;

  while (media_walk_next (&walk))
    {
      g_autoptr(GError) error = NULL;

      if (check_source (walk.item, walk.folder, walk.source, &error))
        continue;
      if (++n_missing <= MISSING_MEDIA_NAMED)
        /* TRANSLATORS: %s is a message such as "/d/x.jpg: the image of item train/x is missing" */
        g_warning (_("%s; kept: in place, no media file is copied"), error->message);
    }
  if (n_missing > MISSING_MEDIA_NAMED)
    g_warning (g_dngettext (GETTEXT_PACKAGE,
                            "%u more media file of kept items is missing or a directory; kept",
                            "%u more media files of kept items are missing or directories; kept",
                            n_missing - MISSING_MEDIA_NAMED),
               n_missing - MISSING_MEDIA_NAMED);
}

/*
 * dm_datumaro_plan_media:
 * @dataset: a dataset
 * @error: return location for a #GError
 *
 * Decides where every media file of @dataset goes: `<folder>/<written>` as
 * the item's JSON says, once for a file several items share; a file the
 * JSON names by an absolute path (outside the dataset) is copied into its
 * folder and the JSON made to name it there. Fails, writing nothing, when
 * a file is missing or a path leads out of its folder.
 *
 * Returns: (transfer full): the plan, or %NULL with @error set
 */
DmMediaPlan *
dm_datumaro_plan_media (DmDataset  *dataset,
                        GError    **error)
{
  g_autoptr(DmMediaPlan) plan = g_new0 (DmMediaPlan, 1);
  g_auto(MediaWalk) walk = { dataset };
  guint n_items = dm_dataset_get_n_items (dataset);

  plan->sources = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  plan->inside = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  plan->placed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  plan->rewritten = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  plan->copies = g_ptr_array_new ();
  plan->owners = g_ptr_array_new ();

  /* The names the JSON gives, and the folders they need, are taken before
   * any outside file is named. */
  while (media_walk_next (&walk))
    if (!g_path_is_absolute (walk.written))
      {
        g_autofree char *path = g_build_filename (walk.folder, walk.written, NULL);

        while (strlen (path) > strlen (walk.folder) && !g_hash_table_contains (plan->inside, path))
          {
            char *parent = g_path_get_dirname (path);

            g_hash_table_add (plan->inside, g_steal_pointer (&path));
            path = parent;
          }
      }

  for (guint i = 0; i < n_items; i++)
    {
      DmItem *item = dm_dataset_get_item (dataset, i);
      g_autoptr(JsonNode) json = NULL;
      guint n_files = 1;

      for (guint f = 0; f < n_files; f++)
        {
          const char *folder, *member, *written, *source;
          g_autofree char *scratch_folder = NULL;
          g_autofree char *scratch_written = NULL;
          char *path;

          n_files = item_media (item, f, &folder, &member, &written, &source,
                                &scratch_folder, &scratch_written);
          if (n_files == 0)
            break;

          if (g_path_is_absolute (written))
            {
              g_autofree char *key = placed_key (folder, source);

              path = g_hash_table_lookup (plan->placed, key);
              if (path == NULL)
                {
                  if (!check_source (item, folder, source, error))
                    return NULL;
                  path = place_outside_file (plan, folder, source);
                  g_hash_table_insert (plan->placed, g_steal_pointer (&key), path);
                  g_hash_table_insert (plan->sources, g_strdup (path), g_strdup (source));
                  g_ptr_array_add (plan->copies, path);
                  g_ptr_array_add (plan->owners, item);
                }
              if (json == NULL && dm_item_get_json (item) != NULL)
                json = json_from_string (dm_item_get_json (item), NULL);
              if (json != NULL)
                {
                  g_autofree char *relative = g_strdup (path + strlen (folder) + 1);

                  set_member (json, member, relative);
                }
              continue;
            }

          if (!dm_is_plain_relative_path (written))
            {
              g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                           _("Item %s/%s: the image path “%s” leads out of the image folder"),
                           dm_item_get_subset (item), dm_item_get_id (item), written);
              return NULL;
            }
          path = g_build_filename (folder, written, NULL);
          if (g_hash_table_contains (plan->sources, path))
            {
              g_free (path);
              continue;
            }
          if (!check_source (item, folder, source, error))
            {
              g_free (path);
              return NULL;
            }
          g_hash_table_insert (plan->sources, path, g_strdup (source));
          g_ptr_array_add (plan->copies, path);
          g_ptr_array_add (plan->owners, item);
        }
      if (json != NULL)
        g_hash_table_insert (plan->rewritten, item, dm_json_node_to_text (json));
    }
  return g_steal_pointer (&plan);
}

/* A new file at @destination with the contents of @source: a clone where
 * the file system can (g_file_copy() asks for one), a copy otherwise, so
 * the output shares no file with its input; with @link, a hard link where
 * possible. */
static gboolean
copy_media_file (const char    *source,
                 const char    *destination,
                 gboolean       link,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(GFile) from = NULL;
  g_autoptr(GFile) to = NULL;

  if (link)
    {
      if (linkat (AT_FDCWD, source, AT_FDCWD, destination, AT_SYMLINK_FOLLOW) == 0)
        return TRUE;
      if (errno != EXDEV && errno != EPERM && errno != EMLINK && errno != ENOTSUP &&
          errno != EOPNOTSUPP)
        {
          int saved_errno = errno;

          g_set_error_literal (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               g_strerror (saved_errno));
          return FALSE;
        }
    }

  from = g_file_new_for_path (source);
  to = g_file_new_for_path (destination);
  return g_file_copy (from, to, G_FILE_COPY_NONE, cancellable, NULL, NULL, error);
}

static gboolean
copy_media (DmMediaPlan   *plan,
            const char    *directory,
            gboolean       link,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autofree char *last_dir = NULL;

  for (guint i = 0; i < plan->copies->len; i++)
    {
      const char *path = g_ptr_array_index (plan->copies, i);
      const char *source = g_hash_table_lookup (plan->sources, path);
      DmItem *owner = g_ptr_array_index (plan->owners, i);
      g_autofree char *destination = g_build_filename (directory, path, NULL);
      g_autofree char *parent = g_path_get_dirname (destination);
      g_autoptr(GError) local_error = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (g_strcmp0 (parent, last_dir) != 0)
        {
          if (g_mkdir_with_parents (parent, 0777) != 0)
            {
              DM_SET_ERRNO_ERROR (error, _("Cannot create %s: %s"), parent);
              return FALSE;
            }
          g_free (last_dir);
          last_dir = g_steal_pointer (&parent);
        }

      if (!copy_media_file (source, destination, link, cancellable, &local_error))
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            g_propagate_error (error, g_steal_pointer (&local_error));
          else
            g_set_error (error, G_IO_ERROR, local_error->code,
                         _("Cannot copy the file %s of item %s/%s: %s"), source,
                         dm_item_get_subset (owner), dm_item_get_id (owner), local_error->message);
          return FALSE;
        }
    }
  return TRUE;
}

/*
 * dm_datumaro_write_annotations:
 * @dataset: a dataset
 * @annotations_dir: (type filename): the directory to make and fill
 * @rewritten: (nullable): items whose JSON is written otherwise than read
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Writes `<subset>.json` for every subset of @dataset into the new
 * directory @annotations_dir, each file on disk (fsync) when this returns.
 */
gboolean
dm_datumaro_write_annotations (DmDataset     *dataset,
                               const char    *annotations_dir,
                               GHashTable    *rewritten,
                               GCancellable  *cancellable,
                               GError       **error)
{
  const char * const *subsets = dm_dataset_get_subsets (dataset);

  for (guint s = 0; subsets[s] != NULL; s++)
    if (!check_subset_name (subsets[s], error))
      return FALSE;

  if (g_mkdir (annotations_dir, 0777) != 0)
    {
      DM_SET_ERRNO_ERROR (error, _("Cannot create %s: %s"), annotations_dir);
      return FALSE;
    }

  for (guint s = 0; subsets[s] != NULL; s++)
    {
      g_autofree char *name = g_strconcat (subsets[s], ".json", NULL);
      g_autofree char *path = g_build_filename (annotations_dir, name, NULL);

      if (!write_annotation_file (dataset, subsets[s], rewritten, path, cancellable, error) ||
          !dm_sync_path (path, error))
        return FALSE;
    }
  return TRUE;
}

/*
 * dm_datumaro_write_planned:
 * @dataset: a dataset
 * @plan: where @dataset's media files go: dm_datumaro_plan_media()
 * @directory: (type filename): an existing empty directory
 * @flags: %DM_SAVE_LINK_MEDIA to hard-link media files where possible
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * dm_datumaro_write() with the plan made beforehand and the choice of
 * linking media files.
 */
gboolean
dm_datumaro_write_planned (DmDataset     *dataset,
                           DmMediaPlan   *plan,
                           const char    *directory,
                           DmSaveFlags    flags,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autofree char *annotations_dir = NULL;

  g_return_val_if_fail (DM_IS_DATASET (dataset), FALSE);
  g_return_val_if_fail (plan != NULL, FALSE);
  g_return_val_if_fail (directory != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  annotations_dir = g_build_filename (directory, DM_DATUMARO_ANNOTATIONS_DIR, NULL);
  if (!dm_datumaro_write_annotations (dataset, annotations_dir, plan->rewritten, cancellable, error))
    return FALSE;

  if (!copy_media (plan, directory, (flags & DM_SAVE_LINK_MEDIA) != 0, cancellable, error))
    return FALSE;

  if (dm_hash_key_cache_has_keys (dataset) && !dm_datumaro_write_hash_keys (dataset, directory, error))
    return FALSE;

  return TRUE;
}

/**
 * dm_datumaro_write:
 * @dataset: a dataset
 * @directory: (type filename): an existing empty directory
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Writes @dataset into @directory in Datumaro's format:
 * `annotations/<subset>.json` for every subset (with the subset's header as
 * it was read, and an empty item list for a subset without items), every
 * media file of every item (images, point clouds and their related images,
 * videos) where the item's JSON says it is, each once, and, for the items
 * with a hash key, `hash_key_meta/hash_keys.json`. Media files are copies
 * (clones where the file system can): the output shares no file with the
 * input. A file the JSON names by an absolute path is copied into the
 * output's folder for it and the JSON made to name the copy. A media file
 * that is missing fails the write before anything is written.
 *
 * This writes in place and leaves what it wrote on failure; use
 * dm_dataset_save() for an output that appears whole or not at all.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 */
gboolean
dm_datumaro_write (DmDataset     *dataset,
                   const char    *directory,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(DmMediaPlan) plan = NULL;

  g_return_val_if_fail (DM_IS_DATASET (dataset), FALSE);

  plan = dm_datumaro_plan_media (dataset, error);
  return plan != NULL &&
         dm_datumaro_write_planned (dataset, plan, directory, DM_SAVE_NONE, cancellable, error);
}
