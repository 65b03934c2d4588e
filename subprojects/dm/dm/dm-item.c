/* dm-item.c: one dataset item.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "dm-item.h"

/**
 * DmItem:
 *
 * One item of a #DmDataset: an id unique within its subset, the image it
 * shows (when it has one), its label annotations and, once known, its hash
 * key.
 *
 * The item may refer to several media files (a point cloud and its related
 * images, say): each is recorded as the format wrote it and as it resolves
 * on disk (see dm_item_add_media_file()), so a writer carries every one.
 *
 * Everything else a format stores about the item (other annotation types,
 * attributes) travels verbatim as the item's JSON text, so that loading and
 * saving a dataset loses nothing the host does not understand.
 */
struct _DmItem
{
  GObject parent_instance;

  const char *id;          /* owned, see finalize */
  const char *subset;      /* interned */
  char *image_path;
  char *image_relpath;
  int image_width;
  int image_height;
  struct MediaFile *media_files;  /* n_media_files of them, in one block */
  guint n_media_files;
  guint n_labels;
  /* Most items have one label: it lives in @one_label, which @labels
   * then points to, so a million items are not a million arrays. */
  int *labels;
  int one_label;
  GBytes *hash_key;
  char *json;
};

/* One file the item refers to. */
typedef struct MediaFile
{
  const char *folder;  /* interned: the dataset folder @written is relative to */
  const char *member;  /* interned: where the item's JSON holds the path */
  char *written;   /* the path as the item's JSON has it */
  char *source;    /* the file it resolves to */
} MediaFile;

/* The media file the image API shows: the item's image (image.path, or
 * media.path for an item with only that), or NULL. */
static MediaFile *
find_image_file (DmItem *self)
{
  for (guint i = 0; i < self->n_media_files; i++)
    {
      MediaFile *file = &self->media_files[i];

      if (g_str_equal (file->member, "image.path") || g_str_equal (file->member, "media.path"))
        return file;
    }
  return NULL;
}

static void
remove_media_file (DmItem    *self,
                   MediaFile *file)
{
  guint index = (guint) (file - self->media_files);

  g_free (file->written);
  g_free (file->source);
  memmove (file, file + 1, (self->n_media_files - index - 1) * sizeof *file);
  self->n_media_files--;
}

G_DEFINE_FINAL_TYPE (DmItem, dm_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_SUBSET,
  PROP_IMAGE_PATH,
  PROP_HASH_KEY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
dm_item_finalize (GObject *object)
{
  DmItem *self = DM_ITEM (object);

  g_free ((char *) self->id);
  g_free (self->image_path);
  g_free (self->image_relpath);
  while (self->n_media_files > 0)
    remove_media_file (self, &self->media_files[self->n_media_files - 1]);
  g_free (self->media_files);
  if (self->labels != &self->one_label)
    g_free (self->labels);
  g_clear_pointer (&self->hash_key, g_bytes_unref);
  g_free (self->json);

  G_OBJECT_CLASS (dm_item_parent_class)->finalize (object);
}

static void
dm_item_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  DmItem *self = DM_ITEM (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_SUBSET:
      g_value_set_string (value, self->subset);
      break;
    case PROP_IMAGE_PATH:
      g_value_set_string (value, dm_item_get_image_path (self));
      break;
    case PROP_HASH_KEY:
      g_value_set_boxed (value, self->hash_key);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dm_item_set_property (GObject      *object,
                      guint         prop_id,
                      const GValue *value,
                      GParamSpec   *pspec)
{
  DmItem *self = DM_ITEM (object);

  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_dup_string (value);
      break;
    case PROP_SUBSET:
      self->subset = g_intern_string (g_value_get_string (value));
      break;
    case PROP_IMAGE_PATH:
      dm_item_set_image_path (self, g_value_get_string (value));
      break;
    case PROP_HASH_KEY:
      dm_item_set_hash_key (self, g_value_get_boxed (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dm_item_class_init (DmItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = dm_item_finalize;
  object_class->get_property = dm_item_get_property;
  object_class->set_property = dm_item_set_property;

  /**
   * DmItem:id:
   *
   * The item's id, unique within its subset.
   */
  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * DmItem:subset:
   *
   * The name of the subset the item belongs to ("train", "val", "default", ...).
   */
  properties[PROP_SUBSET] =
    g_param_spec_string ("subset", NULL, NULL, "default",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * DmItem:image-path:
   *
   * The image file on disk, or %NULL for an item without an image.
   */
  properties[PROP_IMAGE_PATH] =
    g_param_spec_string ("image-path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * DmItem:hash-key:
   *
   * The item's hash key (64 bytes for an image key, most significant bit
   * first), or %NULL while unknown.
   */
  properties[PROP_HASH_KEY] =
    g_param_spec_boxed ("hash-key", NULL, NULL, G_TYPE_BYTES,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
dm_item_init (DmItem *self)
{
}

/**
 * dm_item_new:
 * @id: the item's id
 * @subset: (nullable): the subset it belongs to, "default" when %NULL
 *
 * Makes an item of @subset.
 *
 * Returns: (transfer full): a new item without image, labels or key
 */
DmItem *
dm_item_new (const char *id,
             const char *subset)
{
  g_return_val_if_fail (id != NULL, NULL);

  return g_object_new (DM_TYPE_ITEM,
                       "id", id,
                       "subset", subset != NULL ? subset : "default",
                       NULL);
}

/**
 * dm_item_copy:
 * @self: an item
 *
 * Makes an independent copy, so a transform can change an item of its
 * output without touching its input.
 *
 * Returns: (transfer full): the copy
 */
DmItem *
dm_item_copy (DmItem *self)
{
  DmItem *copy;

  g_return_val_if_fail (DM_IS_ITEM (self), NULL);

  copy = dm_item_new (self->id, self->subset);
  copy->image_path = g_strdup (self->image_path);
  copy->image_relpath = g_strdup (self->image_relpath);
  copy->image_width = self->image_width;
  copy->image_height = self->image_height;
  for (guint i = 0; i < self->n_media_files; i++)
    {
      MediaFile *file = &self->media_files[i];

      dm_item_add_media_file (copy, file->folder, file->member, file->written, file->source);
    }
  for (guint i = 0; i < self->n_labels; i++)
    dm_item_add_label (copy, self->labels[i]);
  if (self->hash_key != NULL)
    copy->hash_key = g_bytes_ref (self->hash_key);
  copy->json = g_strdup (self->json);

  return copy;
}

/**
 * dm_item_get_id:
 * @self: an item
 *
 * Gives the item's id.
 *
 * Returns: the item's id, unique within its subset
 */
const char *
dm_item_get_id (DmItem *self)
{
  g_return_val_if_fail (DM_IS_ITEM (self), NULL);

  return self->id;
}

/**
 * dm_item_get_subset:
 * @self: an item
 *
 * Gives the subset the item belongs to.
 *
 * Returns: the name of the item's subset
 */
const char *
dm_item_get_subset (DmItem *self)
{
  g_return_val_if_fail (DM_IS_ITEM (self), NULL);

  return self->subset;
}

/**
 * dm_item_get_image_path:
 * @self: an item
 *
 * Gives the item's image file, resolved as Datumaro resolves it.
 *
 * Returns: (nullable) (type filename): the image file on disk, or %NULL
 */
const char *
dm_item_get_image_path (DmItem *self)
{
  MediaFile *file;

  g_return_val_if_fail (DM_IS_ITEM (self), NULL);

  file = find_image_file (self);
  return file != NULL ? file->source : self->image_path;
}

/**
 * dm_item_set_image_path:
 * @self: an item
 * @path: (nullable) (type filename): the image file on disk
 *
 * Sets the item's image file on disk.
 */
void
dm_item_set_image_path (DmItem     *self,
                        const char *path)
{
  MediaFile *file;

  g_return_if_fail (DM_IS_ITEM (self));

  /* The image API shows the image's media file where there is one. */
  file = find_image_file (self);
  if (file != NULL && path == NULL)
    remove_media_file (self, file);
  else if (file != NULL)
    {
      if (file->source != path)
        {
          g_free (file->source);
          file->source = g_strdup (path);
        }
      return;
    }
  g_free (self->image_path);
  self->image_path = g_strdup (path);
}

/**
 * dm_item_get_image_relpath:
 * @self: an item
 *
 * The image's path relative to the subset's image folder, which is where a
 * dataset writer puts the image (`images/<subset>/<relpath>` in Datumaro's
 * layout).
 *
 * Returns: (nullable) (type filename): the relative path, or %NULL
 */
const char *
dm_item_get_image_relpath (DmItem *self)
{
  MediaFile *file;

  g_return_val_if_fail (DM_IS_ITEM (self), NULL);

  file = find_image_file (self);
  return file != NULL ? file->written : self->image_relpath;
}

/**
 * dm_item_set_image_relpath:
 * @self: an item
 * @relpath: (nullable) (type filename): the image path relative to the
 *   subset's image folder
 *
 * Sets the image path the item's JSON names.
 */
void
dm_item_set_image_relpath (DmItem     *self,
                           const char *relpath)
{
  MediaFile *file;

  g_return_if_fail (DM_IS_ITEM (self));

  file = find_image_file (self);
  if (file != NULL && relpath != NULL)
    {
      if (file->written != relpath)
        {
          g_free (file->written);
          file->written = g_strdup (relpath);
        }
      return;
    }
  g_free (self->image_relpath);
  self->image_relpath = g_strdup (relpath);
}

/**
 * dm_item_get_image_size:
 * @self: an item
 * @width: (out) (optional): the image width in pixels, 0 when unknown
 * @height: (out) (optional): the image height in pixels, 0 when unknown
 *
 * Gives the image size the annotations declare.
 */
void
dm_item_get_image_size (DmItem *self,
                        int    *width,
                        int    *height)
{
  g_return_if_fail (DM_IS_ITEM (self));

  if (width != NULL)
    *width = self->image_width;
  if (height != NULL)
    *height = self->image_height;
}

/**
 * dm_item_set_image_size:
 * @self: an item
 * @width: the image width in pixels, 0 when unknown
 * @height: the image height in pixels, 0 when unknown
 *
 * Sets the image size the annotations declare.
 */
void
dm_item_set_image_size (DmItem *self,
                        int     width,
                        int     height)
{
  g_return_if_fail (DM_IS_ITEM (self));
  g_return_if_fail (width >= 0 && height >= 0);

  self->image_width = width;
  self->image_height = height;
}

/**
 * dm_item_add_media_file:
 * @self: an item
 * @folder: (type filename): the folder of the dataset, relative to its
 *   root, that @written is relative to (`images/train`, `point_clouds/train`)
 * @member: where the item's JSON holds the path (`image.path`,
 *   `related_images.0.path`, `video_frame.video_path`, ...)
 * @written: (type filename): the path as the item's JSON has it (the
 *   default the format implies when the JSON has none); absolute when the
 *   file is outside the dataset
 * @source: (type filename): the file on disk it resolves to
 *
 * Records a file the item refers to. A writer puts it at
 * `<folder>/<written>` of the output, or copies an absolute @written into
 * @folder and rewrites @member.
 */
void
dm_item_add_media_file (DmItem     *self,
                        const char *folder,
                        const char *member,
                        const char *written,
                        const char *source)
{
  MediaFile *file;

  g_return_if_fail (DM_IS_ITEM (self));
  g_return_if_fail (folder != NULL && member != NULL && written != NULL && source != NULL);

  self->media_files = g_renew (MediaFile, self->media_files, self->n_media_files + 1);
  file = &self->media_files[self->n_media_files++];
  file->folder = g_intern_string (folder);
  file->member = g_intern_string (member);
  file->written = g_strdup (written);
  file->source = g_strdup (source);
}

/**
 * dm_item_get_n_media_files:
 * @self: an item
 *
 * Counts the item's media files (image, point cloud, related images, video).
 *
 * Returns: the number of media files recorded with dm_item_add_media_file()
 */
guint
dm_item_get_n_media_files (DmItem *self)
{
  g_return_val_if_fail (DM_IS_ITEM (self), 0);

  return self->n_media_files;
}

static MediaFile *
get_media_file (DmItem *self,
                guint   index)
{
  g_return_val_if_fail (DM_IS_ITEM (self), NULL);
  g_return_val_if_fail (index < dm_item_get_n_media_files (self), NULL);

  return &self->media_files[index];
}

/**
 * dm_item_get_media_file_folder:
 * @self: an item
 * @index: a media file's index
 *
 * Gives the dataset folder a media file is written under.
 *
 * Returns: (type filename): the dataset folder its written path is relative to
 */
const char *
dm_item_get_media_file_folder (DmItem *self,
                               guint   index)
{
  MediaFile *file = get_media_file (self, index);

  return file != NULL ? file->folder : NULL;
}

/**
 * dm_item_get_media_file_member:
 * @self: an item
 * @index: a media file's index
 *
 * Says which member of the item's JSON names a media file.
 *
 * Returns: where the item's JSON holds its path, as dotted members
 */
const char *
dm_item_get_media_file_member (DmItem *self,
                               guint   index)
{
  MediaFile *file = get_media_file (self, index);

  return file != NULL ? file->member : NULL;
}

/**
 * dm_item_get_media_file_written:
 * @self: an item
 * @index: a media file's index
 *
 * Gives a media file's path as the written JSON names it.
 *
 * Returns: (type filename): its path as the item's JSON has it
 */
const char *
dm_item_get_media_file_written (DmItem *self,
                                guint   index)
{
  MediaFile *file = get_media_file (self, index);

  return file != NULL ? file->written : NULL;
}

/**
 * dm_item_get_media_file_source:
 * @self: an item
 * @index: a media file's index
 *
 * Gives where a media file is read from.
 *
 * Returns: (type filename): the file on disk
 */
const char *
dm_item_get_media_file_source (DmItem *self,
                               guint   index)
{
  MediaFile *file = get_media_file (self, index);

  return file != NULL ? file->source : NULL;
}

/**
 * dm_item_get_labels:
 * @self: an item
 * @n_labels: (out): the number of labels
 *
 * The label ids of the item's label annotations, in annotation order; an id
 * is an index into the dataset's label categories.
 *
 * Returns: (array length=n_labels) (transfer none) (nullable): the label ids
 */
const int *
dm_item_get_labels (DmItem *self,
                    guint  *n_labels)
{
  g_return_val_if_fail (DM_IS_ITEM (self), NULL);
  g_return_val_if_fail (n_labels != NULL, NULL);

  *n_labels = self->n_labels;
  return self->labels;
}

/**
 * dm_item_get_label:
 * @self: an item
 *
 * The label the selection methods use for the item: its first label
 * annotation, as Datumaro's prune does.
 *
 * Returns: the first label id, or -1 when the item has no label
 */
int
dm_item_get_label (DmItem *self)
{
  g_return_val_if_fail (DM_IS_ITEM (self), -1);

  return self->n_labels > 0 ? self->labels[0] : -1;
}

/**
 * dm_item_add_label:
 * @self: an item
 * @label_id: an index into the dataset's label categories
 *
 * Gives the item a label annotation; its first label is its class.
 */
void
dm_item_add_label (DmItem *self,
                   int     label_id)
{
  g_return_if_fail (DM_IS_ITEM (self));
  g_return_if_fail (label_id >= 0);

  if (self->n_labels == 0)
    self->labels = &self->one_label;
  else if (self->labels == &self->one_label)
    {
      self->labels = g_new (int, 2);
      self->labels[0] = self->one_label;
    }
  else
    self->labels = g_renew (int, self->labels, self->n_labels + 1);
  self->labels[self->n_labels++] = label_id;
}

/**
 * dm_item_get_hash_key:
 * @self: an item
 *
 * Gives the item's hash key, the bytes the clustering methods compare.
 *
 * Returns: (nullable) (transfer none): the item's hash key, or %NULL
 */
GBytes *
dm_item_get_hash_key (DmItem *self)
{
  g_return_val_if_fail (DM_IS_ITEM (self), NULL);

  return self->hash_key;
}

/**
 * dm_item_set_hash_key:
 * @self: an item
 * @key: (nullable): the hash key, packed most significant bit first
 *
 * Sets the item's hash key, or removes it.
 */
void
dm_item_set_hash_key (DmItem *self,
                      GBytes *key)
{
  g_return_if_fail (DM_IS_ITEM (self));

  if (key != NULL)
    g_bytes_ref (key);
  g_clear_pointer (&self->hash_key, g_bytes_unref);
  self->hash_key = key;
}

/**
 * dm_item_get_json:
 * @self: an item
 *
 * The item as its format stored it (for Datumaro, the item's object in
 * the annotation file, as compact JSON), which writers copy verbatim.
 *
 * Returns: (nullable): the JSON text, or %NULL for an item made from
 *   something else than JSON
 */
const char *
dm_item_get_json (DmItem *self)
{
  g_return_val_if_fail (DM_IS_ITEM (self), NULL);

  return self->json;
}

/**
 * dm_item_set_json:
 * @self: an item
 * @json: (nullable): the item as compact JSON
 *
 * Sets the JSON the item is written back as.
 */
void
dm_item_set_json (DmItem     *self,
                  const char *json)
{
  g_return_if_fail (DM_IS_ITEM (self));

  dm_item_take_json (self, g_strdup (json));
}

/**
 * dm_item_take_json: (skip)
 * @self: an item
 * @json: (nullable) (transfer full): the item as compact JSON
 *
 * Like dm_item_set_json() without a copy, for readers of large files.
 */
void
dm_item_take_json (DmItem *self,
                   char   *json)
{
  g_return_if_fail (DM_IS_ITEM (self));

  g_free (self->json);
  self->json = json;
}
