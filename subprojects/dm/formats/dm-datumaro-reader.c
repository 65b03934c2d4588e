/* dm-datumaro-reader.c: reading a dataset in Datumaro's format.
 *
 * The annotation files of a large dataset run to hundreds of megabytes, so
 * they are parsed as a stream of events (dm-json-stream.c): each item is
 * regenerated as compact JSON text while its id, image and labels are
 * picked out; only the small top-level members other than "items" (the
 * subset's header) are parsed into a json-glib tree. The hash-key cache,
 * as large, is read meanwhile by dm-hash-key-cache.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include <glib/gi18n-lib.h>

#include "dm-dataset-io.h"
#include "dm-datumaro-private.h"
#include "dm-error.h"
#include "dm-in-place-private.h"
#include "dm-json-stream.h"
#include "dm-file-tree-private.h"

/* What a member of an object is, as far as the reader cares. */
typedef enum {
  FIELD_OTHER,
  FIELD_ITEMS,        /* top level */
  FIELD_ID,           /* item */
  FIELD_IMAGE,
  FIELD_MEDIA,
  FIELD_OTHER_MEDIA,  /* point_cloud, related_images, video_frame, video */
  FIELD_ANNOTATIONS,
  FIELD_PATH,         /* item.image, item.media */
  FIELD_SIZE,
  FIELD_TYPE,         /* item.annotations[j] */
  FIELD_LABEL_ID,
} Field;

/* Deeper levels are kept in the item's text, never looked at. */
#define TRACKED_DEPTH 8

/* Containers a file may nest: as deep as yajl's generator goes (its
 * YAJL_MAX_DEPTH), which writes the header and every JSON dm makes; an
 * item's text is read again as a json-glib tree where its media paths
 * change. */
#define MAX_DEPTH 128

/* Depths (open containers) in an annotation file. */
#define DEPTH_TOP 1
#define DEPTH_ITEMS 2
#define DEPTH_ITEM 3
#define DEPTH_ITEM_MEMBER 4
#define DEPTH_ANNOTATION 5

typedef struct
{
  const char *path;
  const char *root;              /* the dataset directory */
  DmDataset *dataset;
  const char *subset;            /* interned */
  GCancellable *cancellable;
  GError *error;

  guint depth;
  gboolean is_array[TRACKED_DEPTH];
  Field field[TRACKED_DEPTH];

  gboolean capturing_header;
  gboolean in_items;
  gboolean seen_items;
  yajl_gen header_gen;

  /* The item being read. */
  guint n_items;
  char *item_text;    /* as the file has it, from annotation_raw() */
  char *item_id;
  char *image_path;
  char *media_path;
  gboolean image_is_map;
  guint n_image_members;
  gboolean other_media;
  gint64 image_size[2];
  gboolean has_size;             /* image.size is an array */
  guint n_size;
  GArray *labels;
  gint64 max_label_id;
  guint n_annotations;
  gboolean has_nul;              /* a string or name of it holds "\u0000" */

  /* The annotation being read. */
  gboolean annotation_is_label;
  gboolean annotation_has_label_id;
  gint64 annotation_label_id;

  /* Per item of the file, for checks that need the whole header. */
  GPtrArray *items;
  GArray *max_label_ids;         /* of gint64, -1 for none */

  /* LabelChecks of files read while the dataset had no labels yet. */
  GPtrArray *deferred_label_checks;
} AnnotationReader;

/* One file's items and their largest label ids, to check against the
 * dataset's labels once they are known. */
typedef struct
{
  char *path;
  GPtrArray *items;
  GArray *max_label_ids;
} LabelCheck;

static void
label_check_free (LabelCheck *check)
{
  g_free (check->path);
  g_ptr_array_unref (check->items);
  g_array_unref (check->max_label_ids);
  g_free (check);
}

/* "items[3] (id “cat_1”)", for messages about the item being read. */
static char *
describe_item (AnnotationReader *r)
{
  if (r->item_id != NULL)
    return g_strdup_printf ("items[%u] (id “%s”)", r->n_items, r->item_id);
  return g_strdup_printf ("items[%u]", r->n_items);
}

/* Sets the reader's error, as dm_json_events_fail() words it. */
#define fail(r, ...) dm_json_events_fail ((r)->path, &(r)->error, __VA_ARGS__)

static int
fail_gen (AnnotationReader *r,
          yajl_gen_status   status)
{
  if (status == yajl_max_depth_exceeded)
    return fail (r, _("the JSON is nested too deeply"));
  return fail (r, _("cannot copy the JSON (yajl generator status %d)"), (int) status);
}

static void
reset_item (AnnotationReader *r)
{
  g_clear_pointer (&r->item_text, g_free);
  g_clear_pointer (&r->item_id, g_free);
  g_clear_pointer (&r->image_path, g_free);
  g_clear_pointer (&r->media_path, g_free);
  r->image_is_map = FALSE;
  r->n_image_members = 0;
  r->other_media = FALSE;
  r->has_size = FALSE;
  r->n_size = 0;
  g_array_set_size (r->labels, 0);
  r->max_label_id = -1;
  r->n_annotations = 0;
  r->has_nul = FALSE;
}

/* A "\u0000" (DM_JSON_ESCAPES_WITH_NUL) stays in an item's text as it was;
 * what dm keeps as C text (the header, ids, paths) ends at a NUL, so it is
 * refused there rather than cut short. */
static int
check_nul (AnnotationReader *r,
           const char       *text,
           size_t            length)
{
  if (memchr (text, '\0', length) == NULL)
    return 1;
  if (r->in_items && r->depth >= DEPTH_ITEMS)
    {
      r->has_nul = TRUE;
      return 1;
    }
  return fail (r, _("a string or member name outside “items” holds “\\u0000” (a NUL character), "
                    "which dm cannot keep there"));
}

/* The string @text of item member @member, which dm keeps as C text. */
static char *
item_text (AnnotationReader *r,
           const char       *member,
           const char       *text,
           size_t            length)
{
  g_autofree char *where = NULL;

  if (memchr (text, '\0', length) == NULL)
    return g_strndup (text, length);
  where = describe_item (r);
  fail (r, _("%s: “%s” holds “\\u0000” (a NUL character), which dm cannot keep there"), where, member);
  return NULL;
}

static gboolean
is_null (DmJsonValueKind  kind,
         const char      *text,
         size_t           length)
{
  return kind == DM_JSON_VALUE_OTHER && dm_json_text_is (text, length, "null");
}

/* "image" or "media", or its member @member ("image.path"), for messages
 * about the item's image object. */
static const char *
media_member_name (AnnotationReader *r,
                   const char       *member)
{
  gboolean is_image = r->field[DEPTH_ITEM] == FIELD_IMAGE;

  if (member == NULL)
    return is_image ? "image" : "media";
  g_assert (g_str_equal (member, "path"));
  return is_image ? "image.path" : "media.path";
}

/* Refuses the item's member @member ("image", "related_images[0].path")
 * for holding @kind rather than @expected (an object, array or string). */
static int
fail_kind (AnnotationReader *r,
           const char       *member,
           DmJsonValueKind   kind,
           DmJsonValueKind   expected)
{
  g_autofree char *where = describe_item (r);
  const char *shown = dm_json_value_kind_name (kind);

  switch (expected)
    {
    case DM_JSON_VALUE_MAP:
      return fail (r, _("%s: “%s” is %s, not an object"), where, member, shown);
    case DM_JSON_VALUE_ARRAY:
      return fail (r, _("%s: “%s” is %s, not an array"), where, member, shown);
    default:
      g_assert (expected == DM_JSON_VALUE_STRING);
      return fail (r, _("%s: “%s” is %s, not a string"), where, member, shown);
    }
}

/* The integers a member must hold, for fail_integers(). */
typedef enum {
  INTEGERS_SIZE,          /* an image's [height, width]: two positive integers */
  INTEGERS_POSITIVE,      /* one integer of at least 1 ("video.step") */
  INTEGERS_NON_NEGATIVE,  /* one integer of at least 0 ("video.start_frame") */
} ExpectedIntegers;

/* Refuses @member ("image.size", "video.step") for holding @kind, or,
 * of the kind @expected is (an array, a number), for holding other
 * values. */
static int
fail_integers (AnnotationReader *r,
               const char       *member,
               DmJsonValueKind   kind,
               ExpectedIntegers  expected)
{
  g_autofree char *where = describe_item (r);
  const char *shown = dm_json_value_kind_name (kind);

  if (kind == (expected == INTEGERS_SIZE ? DM_JSON_VALUE_ARRAY : DM_JSON_VALUE_NUMBER))
    switch (expected)
      {
      case INTEGERS_SIZE:
        return fail (r, _("%s: “%s” is not an array of two positive integers"), where, member);
      case INTEGERS_POSITIVE:
        return fail (r, _("%s: “%s” is not a positive integer"), where, member);
      default:
        return fail (r, _("%s: “%s” is not a non-negative integer"), where, member);
      }
  switch (expected)
    {
    case INTEGERS_SIZE:
      return fail (r, _("%s: “%s” is %s, not an array of two positive integers"), where, member, shown);
    case INTEGERS_POSITIVE:
      return fail (r, _("%s: “%s” is %s, not a positive integer"), where, member, shown);
    default:
      return fail (r, _("%s: “%s” is %s, not a non-negative integer"), where, member, shown);
    }
}

static gboolean
inside_image (AnnotationReader *r)
{
  return (r->field[DEPTH_ITEM] == FIELD_IMAGE || r->field[DEPTH_ITEM] == FIELD_MEDIA) &&
         !r->is_array[DEPTH_ITEM_MEMBER];
}

static gboolean
inside_annotation (AnnotationReader *r)
{
  return r->field[DEPTH_ITEM] == FIELD_ANNOTATIONS && r->is_array[DEPTH_ITEM_MEMBER] &&
         !r->is_array[DEPTH_ANNOTATION];
}

/* Checks and records a value (scalar or the start of a container) at the
 * current depth, before it is copied. */
static int
on_value (AnnotationReader *r,
          DmJsonValueKind   kind,
          const char       *text,
          size_t            length)
{
  g_autofree char *where = NULL;
  guint depth = r->depth;

  if (depth == 0)
    {
      if (kind != DM_JSON_VALUE_MAP)
        return fail (r, _("the file holds %s, not a JSON object"), dm_json_value_kind_name (kind));
      return 1;
    }

  if (!r->in_items && depth == DEPTH_TOP && r->field[DEPTH_TOP] == FIELD_ITEMS)
    {
      if (kind != DM_JSON_VALUE_ARRAY)
        return fail (r, _("“items” is %s, not an array"), dm_json_value_kind_name (kind));
      if (r->seen_items)
        return fail (r, _("“items” occurs twice"));
      r->seen_items = TRUE;
      return 1;
    }

  if (!r->in_items || depth < DEPTH_ITEMS)
    return 1;

  if (depth == DEPTH_ITEMS)
    {
      if (kind != DM_JSON_VALUE_MAP)
        return fail (r, _("items[%u] is %s, not an object"), r->n_items, dm_json_value_kind_name (kind));
      reset_item (r);
      if (r->n_items % 4096 == 0 && g_cancellable_is_cancelled (r->cancellable))
        {
          g_cancellable_set_error_if_cancelled (r->cancellable, &r->error);
          return 0;
        }
      return 1;
    }

  if (depth == DEPTH_ITEM)
    {
      switch (r->field[DEPTH_ITEM])
        {
        case FIELD_ID:
          if (kind != DM_JSON_VALUE_STRING)
            return fail (r, _("items[%u]: “id” is %s, not a string"),
                         r->n_items, dm_json_value_kind_name (kind));
          if (r->item_id != NULL)
            return fail (r, _("items[%u]: “id” occurs twice"), r->n_items);
          r->item_id = item_text (r, "id", text, length);
          if (r->item_id == NULL)
            return 0;
          break;
        case FIELD_IMAGE:
        case FIELD_MEDIA:
          /* Datumaro calls .get() on it: anything but an object or null
           * (no image) makes it fail, so it is refused here, not taken
           * for an item without an image. */
          if (kind != DM_JSON_VALUE_MAP && !is_null (kind, text, length))
            return fail_kind (r, media_member_name (r, NULL), kind, DM_JSON_VALUE_MAP);
          if (r->field[DEPTH_ITEM] == FIELD_IMAGE)
            r->image_is_map = kind == DM_JSON_VALUE_MAP;
          break;
        case FIELD_ANNOTATIONS:
          if (kind != DM_JSON_VALUE_ARRAY)
            return fail_kind (r, "annotations", kind, DM_JSON_VALUE_ARRAY);
          break;
        default:
          break;
        }
      return 1;
    }

  if (depth == DEPTH_ITEM_MEMBER)
    {
      if (inside_image (r) && r->field[DEPTH_ITEM_MEMBER] == FIELD_PATH)
        {
          gboolean is_image = r->field[DEPTH_ITEM] == FIELD_IMAGE;
          char **slot = is_image ? &r->image_path : &r->media_path;

          /* A null path is the default one, as in Datumaro; any other
           * value but a string makes Datumaro fail. */
          if (is_null (kind, text, length))
            return 1;
          if (kind != DM_JSON_VALUE_STRING)
            return fail_kind (r, media_member_name (r, "path"), kind, DM_JSON_VALUE_STRING);
          g_free (*slot);
          *slot = item_text (r, is_image ? "image.path" : "media.path", text, length);
          if (*slot == NULL)
            return 0;
        }
      else if (r->field[DEPTH_ITEM] == FIELD_IMAGE && inside_image (r) && r->field[DEPTH_ITEM_MEMBER] == FIELD_SIZE)
        {
          /* [height, width], or null for none; Datumaro fails on any
           * other (media.size it ignores). */
          r->n_size = 0;
          r->has_size = kind == DM_JSON_VALUE_ARRAY;
          if (kind != DM_JSON_VALUE_ARRAY && !is_null (kind, text, length))
            return fail_integers (r, "image.size", kind, INTEGERS_SIZE);
        }
      else if (r->field[DEPTH_ITEM] == FIELD_ANNOTATIONS && r->is_array[DEPTH_ITEM_MEMBER])
        {
          if (kind != DM_JSON_VALUE_MAP)
            {
              where = describe_item (r);
              return fail (r, _("%s: annotations[%u] is %s, not an object"),
                           where, r->n_annotations, dm_json_value_kind_name (kind));
            }
          r->annotation_is_label = FALSE;
          r->annotation_has_label_id = FALSE;
        }
      return 1;
    }

  if (depth == DEPTH_ANNOTATION)
    {
      if (r->field[DEPTH_ITEM] == FIELD_IMAGE && inside_image (r) && r->field[DEPTH_ITEM_MEMBER] == FIELD_SIZE &&
          r->is_array[DEPTH_ANNOTATION])
        {
          gint64 value;

          /* Datumaro asserts two sizes above 0. */
          if (kind != DM_JSON_VALUE_NUMBER || !dm_json_parse_integer (text, length, &value) ||
              value <= 0 || value > G_MAXINT || r->n_size >= G_N_ELEMENTS (r->image_size))
            return fail_integers (r, "image.size", DM_JSON_VALUE_ARRAY, INTEGERS_SIZE);
          r->image_size[r->n_size++] = value;
        }
      else if (inside_annotation (r))
        {
          if (r->field[DEPTH_ANNOTATION] == FIELD_TYPE)
            r->annotation_is_label = kind == DM_JSON_VALUE_STRING &&
                                     dm_json_text_is (text, length, "label");
          else if (r->field[DEPTH_ANNOTATION] == FIELD_LABEL_ID)
            {
              g_autofree char *shown = NULL;
              gint64 value;

              if (kind == DM_JSON_VALUE_OTHER && dm_json_text_is (text, length, "null"))
                return 1;
              /* Every item has one: its description is made only for a
               * message. */
              if (kind == DM_JSON_VALUE_NUMBER && dm_json_parse_integer (text, length, &value) && value >= 0)
                {
                  r->annotation_has_label_id = TRUE;
                  r->annotation_label_id = value;
                  return 1;
                }
              where = describe_item (r);
              if (kind != DM_JSON_VALUE_NUMBER)
                return fail (r, _("%s: annotations[%u].label_id is %s, not an integer"),
                             where, r->n_annotations, dm_json_value_kind_name (kind));
              shown = g_strndup (text, length);
              if (!dm_json_parse_integer (text, length, &value))
                return fail (r, _("%s: annotations[%u].label_id %s is not an integer"),
                             where, r->n_annotations, shown);
              return fail (r, _("%s: annotations[%u].label_id %s is negative"),
                           where, r->n_annotations, shown);
            }
        }
      return 1;
    }

  return 1;
}

static int
finish_annotation (AnnotationReader *r)
{
  if (r->annotation_has_label_id)
    r->max_label_id = MAX (r->max_label_id, r->annotation_label_id);
  if (r->annotation_is_label)
    {
      int label_id;

      if (!r->annotation_has_label_id)
        {
          g_autofree char *where = describe_item (r);

          return fail (r, _("%s: annotations[%u] is a label without a “label_id”"),
                       where, r->n_annotations);
        }
      /* Larger ids are out of range of any dataset: reported at the end. */
      label_id = (int) MIN (r->annotation_label_id, G_MAXINT);
      g_array_append_val (r->labels, label_id);
    }
  r->n_annotations++;
  return 1;
}

/* The file @written names below @folder of the dataset, as Python's
 * os.path.join makes it in Datumaro's reader: an absolute @written stands
 * as it is. */
static char *
join_media_path (AnnotationReader *r,
                 const char       *folder,
                 const char       *written)
{
  if (g_path_is_absolute (written))
    return g_strdup (written);
  return g_build_filename (r->root, folder, written, NULL);
}

/* Whether the folder that would hold @path exists. */
static gboolean
has_folder (const char *path)
{
  g_autofree char *folder = g_path_get_dirname (path);

  return g_file_test (folder, G_FILE_TEST_IS_DIR);
}

/* Records the image @written (image.path, media.path, related_images[i].path)
 * the way Datumaro resolves it: below images/<subset>/, or, when no such
 * file exists, below images/ itself, where Datumaro before 1.0 kept every
 * subset's images. A file in neither place is recorded where the dataset's
 * folders say it was looked for: below images/ when only there is its
 * folder (a legacy "train/x.jpg" has images/train/ but no
 * images/train/train/), so that its message names that path. */
static void
add_image_file (AnnotationReader *r,
                DmItem           *item,
                const char       *member,
                const char       *written)
{
  g_autofree char *folder = g_build_filename (DM_DATUMARO_IMAGES_DIR, r->subset, NULL);
  g_autofree char *path = join_media_path (r, folder, written);

  if (!g_path_is_absolute (written) && !g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autofree char *legacy = join_media_path (r, DM_DATUMARO_IMAGES_DIR, written);

      if (g_file_test (legacy, G_FILE_TEST_EXISTS) || (!has_folder (path) && has_folder (legacy)))
        {
          g_free (folder);
          folder = g_strdup (DM_DATUMARO_IMAGES_DIR);
          g_free (path);
          path = g_steal_pointer (&legacy);
        }
    }
  dm_item_add_media_file (item, folder, member, written, path);
}

static void
add_media_file (AnnotationReader *r,
                DmItem           *item,
                const char       *kind_dir,
                const char       *member,
                const char       *written)
{
  g_autofree char *folder = g_build_filename (kind_dir, r->subset, NULL);
  g_autofree char *path = join_media_path (r, folder, written);

  dm_item_add_media_file (item, folder, member, written, path);
}

/* Whether @node, the item's member @member, is absent, null or @expected;
 * else it is refused, as Datumaro fails on it (calling .get() on it,
 * iterating it, joining it to a folder). */
static gboolean
check_kind (AnnotationReader *r,
            JsonNode         *node,
            const char       *member,
            DmJsonValueKind   expected)
{
  DmJsonValueKind kind;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  kind = dm_json_node_kind (node);
  if (kind == expected)
    return TRUE;
  fail_kind (r, member, kind, expected);
  return FALSE;
}

/* The path @name of the media object @media, the item's member @member
 * ("video"): NULL when either is absent, null or empty, no such media, as
 * in Datumaro; FALSE when either is of the wrong type. */
static gboolean
get_media_path (AnnotationReader  *r,
                JsonNode          *media,
                const char        *member,
                const char        *name,
                const char       **path)
{
  g_autofree char *path_member = g_strconcat (member, ".", name, NULL);
  JsonNode *node;

  *path = NULL;
  if (!check_kind (r, media, member, DM_JSON_VALUE_MAP))
    return FALSE;
  if (media == NULL || !JSON_NODE_HOLDS_OBJECT (media))
    return TRUE;
  node = json_object_get_member (json_node_get_object (media), name);
  if (!check_kind (r, node, path_member, DM_JSON_VALUE_STRING))
    return FALSE;
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && *json_node_get_string (node) != '\0')
    *path = json_node_get_string (node);
  return TRUE;
}

/* The frame number @name ("step") of the video object @media, the item's
 * member @member ("video"), into @value: absent or null is not given, as
 * for the other members, and leaves @value as it is; anything but an
 * integer as @expected says is refused (Datumaro's Video asserts
 * 0 < step and counts frames from 0; it compares a string or takes a
 * fraction only to fail later, on the first frame it reads). */
static gboolean
get_frame_number (AnnotationReader *r,
                  JsonNode         *media,
                  const char       *member,
                  const char       *name,
                  ExpectedIntegers  expected,
                  gint64           *value)
{
  gint64 minimum = expected == INTEGERS_POSITIVE ? 1 : 0;
  g_autofree char *shown = NULL;
  JsonNode *node;

  if (media == NULL || !JSON_NODE_HOLDS_OBJECT (media))
    return TRUE;
  node = json_object_get_member (json_node_get_object (media), name);
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64 &&
      json_node_get_int (node) >= minimum)
    {
      *value = json_node_get_int (node);
      return TRUE;
    }
  shown = g_strconcat (member, ".", name, NULL);
  fail_integers (r, shown, dm_json_node_kind (node), expected);
  return FALSE;
}

/* Whether the frames of the video object @video (the item's "video") are
 * as Datumaro's Video takes them: a positive step, and an end frame (0 is
 * none, as there) above the start frame. */
static gboolean
check_video_frames (AnnotationReader *r,
                    JsonNode         *video)
{
  gint64 step = 1, start = 0, end = 0;
  g_autofree char *where = NULL;

  if (!get_frame_number (r, video, "video", "step", INTEGERS_POSITIVE, &step) ||
      !get_frame_number (r, video, "video", "start_frame", INTEGERS_NON_NEGATIVE, &start) ||
      !get_frame_number (r, video, "video", "end_frame", INTEGERS_NON_NEGATIVE, &end))
    return FALSE;
  if (end == 0 || start < end)
    return TRUE;
  where = describe_item (r);
  fail (r, _("%s: “video.end_frame” (%lld) is not above “video.start_frame” (%lld)"),
        where, (long long) end, (long long) start);
  return FALSE;
}

/* Whether @node, the item's member @member, is absent, null or [height,
 * width], two positive integers, as Datumaro asserts of an image's size:
 * a related image's, here; the image's is checked as it streams by. */
static gboolean
check_size (AnnotationReader *r,
            JsonNode         *node,
            const char       *member)
{
  JsonArray *array;
  gboolean ok;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      fail_integers (r, member, dm_json_node_kind (node), INTEGERS_SIZE);
      return FALSE;
    }
  array = json_node_get_array (node);
  ok = json_array_get_length (array) == 2;
  for (guint i = 0; ok && i < 2; i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      ok = JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_INT64 &&
           json_node_get_int (element) > 0 && json_node_get_int (element) <= G_MAXINT;
    }
  if (!ok)
    fail_integers (r, member, DM_JSON_VALUE_ARRAY, INTEGERS_SIZE);
  return ok;
}

/* The related images of a point cloud, [{"path": P, "size": …}, …]: each
 * must be an object, as Datumaro calls .get() on each. */
static gboolean
add_related_images (AnnotationReader *r,
                    DmItem           *item,
                    JsonNode         *related)
{
  JsonArray *array;

  if (!check_kind (r, related, "related_images", DM_JSON_VALUE_ARRAY))
    return FALSE;
  if (related == NULL || !JSON_NODE_HOLDS_ARRAY (related))
    return TRUE;
  array = json_node_get_array (related);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *shown = g_strdup_printf ("related_images[%u]", i);
      g_autofree char *member = g_strdup_printf ("related_images.%u.path", i);
      g_autofree char *size = NULL;
      const char *path;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          fail_kind (r, shown, dm_json_node_kind (element), DM_JSON_VALUE_MAP);
          return FALSE;
        }
      if (!get_media_path (r, element, shown, "path", &path))
        return FALSE;
      size = g_strconcat (shown, ".size", NULL);
      if (!check_size (r, json_object_get_member (json_node_get_object (element), "size"), size))
        return FALSE;
      if (path != NULL)
        add_image_file (r, item, member, path);
    }
  return TRUE;
}

/* The media other than images, which few datasets have: read from the
 * item's JSON text rather than the stream. As in Datumaro, related images
 * count only beside a point cloud. */
static int
add_other_media (AnnotationReader *r,
                 DmItem           *item)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;
  JsonNode *media;
  const char *path;
  gint64 frame_index = 0;

  if (!json_parser_load_from_data (parser, dm_item_get_json (item), -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return fail (r, _("items[%u] (id “%s”) cannot be read back"), r->n_items, r->item_id);
  object = json_node_get_object (json_parser_get_root (parser));

  if (!get_media_path (r, json_object_get_member (object, "point_cloud"), "point_cloud", "path", &path))
    return 0;
  if (path != NULL)
    {
      add_media_file (r, item, DM_DATUMARO_POINT_CLOUDS_DIR, "point_cloud.path", path);
      if (!add_related_images (r, item, json_object_get_member (object, "related_images")))
        return 0;
    }
  media = json_object_get_member (object, "video_frame");
  if (!get_media_path (r, media, "video_frame", "video_path", &path) ||
      !get_frame_number (r, media, "video_frame", "frame_index", INTEGERS_NON_NEGATIVE, &frame_index))
    return 0;
  if (path != NULL)
    add_media_file (r, item, DM_DATUMARO_VIDEOS_DIR, "video_frame.video_path", path);
  media = json_object_get_member (object, "video");
  if (!get_media_path (r, media, "video", "path", &path) || !check_video_frames (r, media))
    return 0;
  if (path != NULL)
    add_media_file (r, item, DM_DATUMARO_VIDEOS_DIR, "video.path", path);
  return 1;
}

static gboolean
has_absolute_path (const char *path)
{
  return path != NULL && g_path_is_absolute (path);
}

static int
finish_item (AnnotationReader *r)
{
  g_autoptr(DmItem) item = NULL;
  gint64 max_label_id = r->max_label_id;

  if (r->item_id == NULL)
    return fail (r, _("items[%u] has no “id”"), r->n_items);
  if (dm_dataset_find_item (r->dataset, r->subset, r->item_id) != NULL)
    return fail (r, _("items[%u]: the id “%s” occurs twice in subset “%s”"),
                 r->n_items, r->item_id, r->subset);

  /* Their paths are read back, or rewritten, through a json-glib tree,
   * which cuts a string at its NUL. */
  if (r->has_nul && (r->other_media || has_absolute_path (r->image_path) || has_absolute_path (r->media_path)))
    return fail (r, _("items[%u] (id “%s”): a string holds “\\u0000” (a NUL character), which dm keeps only "
                      "in an item whose media are images at relative paths"), r->n_items, r->item_id);

  item = dm_item_new (r->item_id, r->subset);
  dm_item_take_json (item, g_steal_pointer (&r->item_text));

  /* As Datumaro: an image object that is not empty is an image, at
   * "<id>.jpg" when it has no path; media.path counts without any other
   * media. */
  if ((r->image_is_map && r->n_image_members > 0) ||
      (r->media_path != NULL && *r->media_path != '\0' && !r->other_media))
    {
      gboolean is_image = r->image_is_map && r->n_image_members > 0;
      g_autofree char *default_name = g_strconcat (r->item_id, DM_DATUMARO_IMAGE_EXT, NULL);
      const char *relpath = is_image ? r->image_path : r->media_path;

      if (relpath == NULL || *relpath == '\0')
        relpath = default_name;
      /* The image API shows this media file. */
      add_image_file (r, item, is_image ? "image.path" : "media.path", relpath);
      /* Datumaro stores [height, width]. */
      if (is_image && r->has_size)
        dm_item_set_image_size (item, (int) r->image_size[1], (int) r->image_size[0]);
    }
  if (r->other_media && !add_other_media (r, item))
    return 0;
  for (guint i = 0; i < r->labels->len; i++)
    dm_item_add_label (item, g_array_index (r->labels, int, i));

  dm_dataset_append_item (r->dataset, item);
  g_ptr_array_add (r->items, item);
  g_array_append_val (r->max_label_ids, max_label_id);
  r->n_items++;
  reset_item (r);

  return 1;
}

/* Copies an event into the header, when it is in the header. An item's
 * text is its source's (annotation_raw()), not generated again. */
#define COPY(r, call_on_gen) \
  G_STMT_START { \
    yajl_gen_status status_ = yajl_gen_status_ok; \
    if ((r)->capturing_header) \
      { yajl_gen gen_ = (r)->header_gen; status_ = call_on_gen; } \
    if (status_ != yajl_gen_status_ok && status_ != yajl_gen_generation_complete) \
      return fail_gen ((r), status_); \
  } G_STMT_END

/* A number, true, false or null is copied as its text stands, as
 * yajl_gen_null() and yajl_gen_bool() would write it. */
static yajl_gen_status
gen_scalar (yajl_gen         gen,
            DmJsonValueKind  kind,
            const char      *text,
            size_t           length)
{
  if (kind == DM_JSON_VALUE_STRING)
    return yajl_gen_string (gen, (const unsigned char *) text, length);
  return yajl_gen_number (gen, text, length);
}

static int
annotation_value (gpointer         reader,
                  DmJsonValueKind  kind,
                  const char      *text,
                  size_t           length)
{
  AnnotationReader *r = reader;

  if ((kind == DM_JSON_VALUE_STRING && !check_nul (r, text, length)) || !on_value (r, kind, text, length))
    return 0;
  COPY (r, gen_scalar (gen_, kind, text, length));
  if (r->capturing_header && r->depth == DEPTH_TOP)
    r->capturing_header = FALSE;
  return 1;
}

/* The message of a string that is not UTF-8, with the item it is in. */
static int
annotation_fail_not_utf8 (gpointer    reader,
                          const char *message)
{
  AnnotationReader *r = reader;
  g_autofree char *item = NULL;

  if (!r->in_items)
    return fail (r, "%s", message);
  item = describe_item (r);
  return fail (r, "%s: %s", item, message);
}

static Field
classify_key (AnnotationReader *r,
              const char       *key,
              size_t            length)
{
  switch (r->depth)
    {
    case DEPTH_TOP:
      return dm_json_text_is (key, length, "items") ? FIELD_ITEMS : FIELD_OTHER;
    case DEPTH_ITEM:
      if (!r->in_items)
        return FIELD_OTHER;
      if (dm_json_text_is (key, length, "id"))
        return FIELD_ID;
      if (dm_json_text_is (key, length, "image"))
        return FIELD_IMAGE;
      if (dm_json_text_is (key, length, "media"))
        return FIELD_MEDIA;
      if (dm_json_text_is (key, length, "point_cloud") || dm_json_text_is (key, length, "related_images") ||
          dm_json_text_is (key, length, "video_frame") || dm_json_text_is (key, length, "video"))
        return FIELD_OTHER_MEDIA;
      if (dm_json_text_is (key, length, "annotations"))
        return FIELD_ANNOTATIONS;
      return FIELD_OTHER;
    case DEPTH_ITEM_MEMBER:
      if (!r->in_items || !inside_image (r))
        return FIELD_OTHER;
      if (dm_json_text_is (key, length, "path"))
        return FIELD_PATH;
      if (dm_json_text_is (key, length, "size"))
        return FIELD_SIZE;
      return FIELD_OTHER;
    case DEPTH_ANNOTATION:
      if (!r->in_items || !inside_annotation (r))
        return FIELD_OTHER;
      if (dm_json_text_is (key, length, "type"))
        return FIELD_TYPE;
      if (dm_json_text_is (key, length, "label_id"))
        return FIELD_LABEL_ID;
      return FIELD_OTHER;
    default:
      return FIELD_OTHER;
    }
}

static int
annotation_member (gpointer    reader,
                   const char *key,
                   size_t      length)
{
  AnnotationReader *r = reader;
  Field field = classify_key (r, key, length);

  if (!check_nul (r, key, length))
    return 0;
  if (r->depth < TRACKED_DEPTH)
    r->field[r->depth] = field;
  if (field == FIELD_OTHER_MEDIA)
    r->other_media = TRUE;
  if (r->in_items && r->depth == DEPTH_ITEM_MEMBER && r->field[DEPTH_ITEM] == FIELD_IMAGE)
    r->n_image_members++;

  if (r->depth == DEPTH_TOP && field == FIELD_OTHER)
    {
      yajl_gen_status status = yajl_gen_string (r->header_gen, (const unsigned char *) key, length);

      if (status != yajl_gen_status_ok)
        return fail_gen (r, status);
      r->capturing_header = TRUE;
      return 1;
    }

  COPY (r, yajl_gen_string (gen_, (const unsigned char *) key, length));
  return 1;
}

static int
open_container (gpointer reader,
                gboolean is_array)
{
  AnnotationReader *r = reader;

  if (!on_value (r, is_array ? DM_JSON_VALUE_ARRAY : DM_JSON_VALUE_MAP, NULL, 0))
    return 0;
  if (r->depth >= MAX_DEPTH)
    return fail (r, _("the JSON is nested too deeply"));

  if (r->depth == DEPTH_TOP && r->field[DEPTH_TOP] == FIELD_ITEMS && !r->capturing_header)
    r->in_items = TRUE;
  else if (r->depth > 0)
    COPY (r, is_array ? yajl_gen_array_open (gen_) : yajl_gen_map_open (gen_));

  r->depth++;
  if (r->depth < TRACKED_DEPTH)
    {
      r->is_array[r->depth] = is_array;
      r->field[r->depth] = FIELD_OTHER;
    }
  return 1;
}

static int
close_container (gpointer reader,
                 gboolean is_array)
{
  AnnotationReader *r = reader;

  r->depth--;

  if (r->depth == DEPTH_TOP && r->in_items && !r->capturing_header)
    {
      r->in_items = FALSE;
      return 1;
    }
  if (r->depth > 0)
    COPY (r, is_array ? yajl_gen_array_close (gen_) : yajl_gen_map_close (gen_));

  if (r->in_items && r->depth == DEPTH_ITEMS)
    return finish_item (r);
  if (r->in_items && r->depth == DEPTH_ITEM_MEMBER && r->field[DEPTH_ITEM] == FIELD_IMAGE && inside_image (r) &&
      r->field[DEPTH_ITEM_MEMBER] == FIELD_SIZE && is_array && r->n_size != G_N_ELEMENTS (r->image_size))
    return fail_integers (r, "image.size", DM_JSON_VALUE_ARRAY, INTEGERS_SIZE);
  if (r->in_items && r->depth == DEPTH_ITEM_MEMBER && r->field[DEPTH_ITEM] == FIELD_ANNOTATIONS &&
      r->is_array[DEPTH_ITEM_MEMBER])
    return finish_annotation (r);
  if (r->depth == DEPTH_TOP)
    r->capturing_header = FALSE;
  return 1;
}

/* An item's text, as its file has it but for the whitespace between
 * tokens: what dm writes back for it, unchanged. Kept as it stands, it
 * costs no generator (a third of reading the annotations did). */
static int
annotation_raw (gpointer    reader,
                const char *text,
                size_t      length)
{
  AnnotationReader *r = reader;

  if (r->in_items && r->depth == DEPTH_ITEM)
    {
      g_free (r->item_text);
      r->item_text = g_strndup (text, length);
    }
  return 1;
}

/* value, member, open, close, fail_not_utf8, escapes, the items' text: a
 * "\u0000" in an item is kept in its text (checked where the item gives
 * it up). */
static const DmJsonEvents annotation_events = {
  annotation_value, annotation_member,
  open_container, close_container, annotation_fail_not_utf8,
  DM_JSON_ESCAPES_WITH_NUL, DEPTH_ITEM, annotation_raw,
};

/* The names of categories.label.labels, in order; @error names the JSON
 * path that is malformed. */
static GPtrArray *
label_names (JsonObject  *header,
             const char  *path,
             GError     **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  JsonNode *node;
  JsonObject *categories, *label;
  JsonArray *labels;

  node = json_object_get_member (header, "categories");
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_steal_pointer (&names);
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                   _("%s: “categories” is not an object"), path);
      return NULL;
    }
  categories = json_node_get_object (node);
  node = json_object_get_member (categories, "label");
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_steal_pointer (&names);
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                   _("%s: “categories.label” is not an object"), path);
      return NULL;
    }
  label = json_node_get_object (node);
  node = json_object_get_member (label, "labels");
  if (node == NULL)
    return g_steal_pointer (&names);
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                   _("%s: “categories.label.labels” is not an array"), path);
      return NULL;
    }
  labels = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (labels); i++)
    {
      JsonNode *element = json_array_get_element (labels, i);
      JsonNode *name = JSON_NODE_HOLDS_OBJECT (element)
                       ? json_object_get_member (json_node_get_object (element), "name")
                       : NULL;

      if (name == NULL || json_node_get_value_type (name) != G_TYPE_STRING)
        {
          g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                       _("%s: categories.label.labels[%u] has no string “name”"), path, i);
          return NULL;
        }
      g_ptr_array_add (names, (gpointer) json_node_get_string (name));
    }
  return g_steal_pointer (&names);
}

static gboolean
check_format_version (JsonObject  *header,
                      const char  *path,
                      GError     **error)
{
  JsonNode *node = json_object_get_member (header, "dm_format_version");
  const char *version;

  /* Datumaro before 1.0 wrote no version; its layout is read the same. */
  if (node == NULL)
    return TRUE;
  if (json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                   _("%s: “dm_format_version” is not a string"), path);
      return FALSE;
    }
  version = json_node_get_string (node);
  if (!g_str_equal (version, "1.0") && !g_str_has_prefix (version, "1."))
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                   _("%s: dm_format_version “%s” is not supported (only 1.x is)"), path, version);
      return FALSE;
    }
  return TRUE;
}

/* How many items a warning names before it only counts the rest. */
#define UNKNOWN_ITEMS_SHOWN 5

/* Datumaro loads label ids outside the categories as they are, and so do
 * we: the item keeps them (and writes them back), with a warning. */
static void
warn_labels_out_of_range (const LabelCheck *check,
                          guint             n_labels)
{
  guint n_out_of_range = 0;

  for (guint i = 0; i < check->items->len; i++)
    {
      gint64 max_label_id = g_array_index (check->max_label_ids, gint64, i);

      if (max_label_id >= (gint64) n_labels)
        {
          g_autofree char *shown = g_strdup_printf ("%" G_GINT64_FORMAT, max_label_id);

          if (n_out_of_range < UNKNOWN_ITEMS_SHOWN)
            g_warning (g_dngettext (GETTEXT_PACKAGE,
                                    "%s: items[%u] (id “%s”): label_id %s is outside the dataset's "
                                    "%u label; kept as it is",
                                    "%s: items[%u] (id “%s”): label_id %s is outside the dataset's "
                                    "%u labels; kept as it is", n_labels),
                       check->path, i, dm_item_get_id (g_ptr_array_index (check->items, i)),
                       shown, n_labels);
          n_out_of_range++;
        }
    }
  if (n_out_of_range > UNKNOWN_ITEMS_SHOWN)
    g_warning (_("%s: %u more items have label ids outside the dataset's labels"),
               check->path, n_out_of_range - UNKNOWN_ITEMS_SHOWN);
}

/* The dataset's labels are the first labelled subset's, and every other
 * labelled subset must have the same. A subset without labels (no
 * "categories", or an empty list) conflicts with none, as in Datumaro's
 * merge of the subsets (Merger.merge_categories: empty categories give
 * way to the others'). */
static gboolean
apply_label_categories (AnnotationReader  *r,
                        JsonObject        *header,
                        GError           **error)
{
  g_autoptr(GPtrArray) names = label_names (header, r->path, error);
  guint n_labels;

  if (names == NULL)
    return FALSE;

  n_labels = dm_dataset_get_n_labels (r->dataset);
  if (n_labels == 0)
    {
      for (guint i = 0; i < names->len; i++)
        if (dm_dataset_add_label (r->dataset, g_ptr_array_index (names, i)) != i)
          {
            g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                         _("%s: categories.label.labels[%u]: the label “%s” occurs twice"),
                         r->path, i, (const char *) g_ptr_array_index (names, i));
            return FALSE;
          }
    }
  else if (names->len > 0)
    {
      for (guint i = 0; i < MAX (names->len, n_labels); i++)
        {
          const char *ours = i < names->len ? g_ptr_array_index (names, i) : NULL;
          const char *first = i < n_labels ? dm_dataset_get_label_name (r->dataset, i) : NULL;

          if (g_strcmp0 (ours, first) != 0)
            {
              g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                           _("%s: categories.label.labels[%u] is “%s” where another subset has “%s”; "
                             "all subsets with labels must have the same labels"),
                           r->path, i, ours != NULL ? ours : _("(none)"),
                           first != NULL ? first : _("(none)"));
              return FALSE;
            }
        }
    }

  /* A label id may refer to labels that a later subset brings. */
  if (dm_dataset_get_n_labels (r->dataset) == 0)
    {
      LabelCheck *check = g_new0 (LabelCheck, 1);

      check->path = g_strdup (r->path);
      check->items = g_ptr_array_ref (r->items);
      check->max_label_ids = g_array_ref (r->max_label_ids);
      g_ptr_array_add (r->deferred_label_checks, check);
    }
  else
    {
      LabelCheck now = { (char *) r->path, r->items, r->max_label_ids };

      warn_labels_out_of_range (&now, dm_dataset_get_n_labels (r->dataset));
    }
  return TRUE;
}

static gboolean
read_annotation_file (DmDataset     *dataset,
                      const char    *path,
                      const char    *root,
                      const char    *subset,
                      GPtrArray     *deferred_label_checks,
                      GCancellable  *cancellable,
                      GError       **error)
{
  AnnotationReader r = { 0 };
  g_autoptr(JsonParser) parser = NULL;
  g_autofree char *header_text = NULL;
  JsonNode *header_root;
  gboolean ok = FALSE;

  r.path = path;
  r.root = root;
  r.dataset = dataset;
  r.subset = g_intern_string (subset);
  r.cancellable = cancellable;
  r.header_gen = yajl_gen_alloc (NULL);
  r.labels = g_array_new (FALSE, FALSE, sizeof (int));
  r.items = g_ptr_array_new ();
  r.max_label_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  r.deferred_label_checks = deferred_label_checks;
  yajl_gen_map_open (r.header_gen);

  dm_dataset_add_subset (dataset, r.subset);

  if (!dm_json_stream_parse_events (path, &annotation_events, &r, &r.error, cancellable, error))
    goto out;

  if (!r.seen_items)
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                   _("%s: the “items” array is missing"), path);
      goto out;
    }

  yajl_gen_map_close (r.header_gen);
  header_text = dm_json_gen_steal_text (r.header_gen);
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, header_text, -1, error))
    goto out;
  header_root = json_parser_get_root (parser);

  if (!check_format_version (json_node_get_object (header_root), path, error) ||
      !apply_label_categories (&r, json_node_get_object (header_root), error))
    goto out;

  dm_dataset_set_subset_header (dataset, r.subset, json_node_get_object (header_root));
  ok = TRUE;

out:
  reset_item (&r);
  g_clear_error (&r.error);
  yajl_gen_free (r.header_gen);
  g_array_unref (r.labels);
  g_ptr_array_unref (r.items);
  g_array_unref (r.max_label_ids);
  return ok;
}

/* The subset names of DIR/annotations/ (*.json), sorted. Datumaro takes the
 * files in directory order, which is arbitrary; sorted makes item order,
 * and so the seeded selections, the same on every machine. */
static GPtrArray *
list_subsets (const char  *annotations_dir,
              GError     **error)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) subsets = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) local_error = NULL;
  const char *name;

  dir = g_dir_open (annotations_dir, 0, &local_error);
  if (dir == NULL)
    {
      g_set_error (error, DM_ERROR, DM_ERROR_NOT_FOUND,
                   _("Cannot read %s: %s"), annotations_dir, local_error->message);
      return NULL;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = NULL;

      if (!g_str_has_suffix (name, ".json") || strlen (name) == strlen (".json"))
        continue;
      file = g_build_filename (annotations_dir, name, NULL);
      /* A subset's file that cannot be read is not left out in silence
       * (the output would lack the subset), nor is a directory named like
       * one, which Datumaro fails on (it asserts a file). */
      if (!dm_check_regular_file (file, error))
        return NULL;
      /* The subset's name goes into reports (JSON) and every caller's
       * strings, which hold only UTF-8. */
      if (!dm_check_name_utf8 (file, name, error))
        return NULL;
      g_ptr_array_add (subsets, g_strndup (name, strlen (name) - strlen (".json")));
    }
  g_ptr_array_sort (subsets, dm_compare_names);
  if (subsets->len == 0)
    {
      g_set_error (error, DM_ERROR, DM_ERROR_NOT_FOUND,
                   _("%s has no annotation files (*.json)"), annotations_dir);
      return NULL;
    }
  return g_steal_pointer (&subsets);
}

/* Whether DIR/annotations/ has a *.json file. */
gboolean
dm_datumaro_has_annotation_files (const char *path)
{
  g_autofree char *annotations_dir = g_build_filename (path, DM_DATUMARO_ANNOTATIONS_DIR, NULL);
  g_autoptr(GDir) dir = g_dir_open (annotations_dir, 0, NULL);
  const char *name;

  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = NULL;

      if (!g_str_has_suffix (name, ".json"))
        continue;
      file = g_build_filename (annotations_dir, name, NULL);
      if (g_file_test (file, G_FILE_TEST_IS_REGULAR))
        return TRUE;
    }
  return FALSE;
}

/**
 * dm_datumaro_load:
 * @path: (type filename): a dataset directory in Datumaro's format
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads `annotations/<subset>.json` for every subset (in sorted file name
 * order) and, when there is one, the hash-key cache
 * `hash_key_meta/hash_keys.json`. Items keep their JSON text, so that
 * dm_datumaro_write() gives back every annotation as it was.
 *
 * The files are parsed as a stream (the key cache in a second thread while
 * the annotations are read): a dataset of a million items loads in seconds
 * and in memory little larger than the items themselves.
 *
 * Returns: (transfer full): the dataset, or %NULL with @error set
 */
DmDataset *
dm_datumaro_load (const char    *path,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(DmDataset) dataset = NULL;
  g_autoptr(GPtrArray) subsets = NULL;
  g_autofree char *annotations_dir = NULL;
  g_autofree char *hash_keys = NULL;
  g_autoptr(DmHashKeyLoad) key_load = NULL;
  g_autoptr(GPtrArray) deferred_label_checks = g_ptr_array_new_with_free_func ((GDestroyNotify) label_check_free);
  g_autoptr(GError) local_error = NULL;
  gboolean ok = TRUE;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* An in-place save killed after its commit is finished first. */
  if (!dm_in_place_recover (path, &local_error))
    g_warning ("%s", local_error->message);

  annotations_dir = g_build_filename (path, DM_DATUMARO_ANNOTATIONS_DIR, NULL);
  subsets = list_subsets (annotations_dir, error);
  if (subsets == NULL)
    return NULL;

  dataset = dm_dataset_new ();
  dm_dataset_set_source_path (dataset, path);
  dm_dataset_set_format (dataset, "datumaro");

  /* The cache is as large as the annotations: parse both at once. A link
   * to nothing is no "no cache": the keys it was to give would be
   * recomputed, and `dm hash` would replace the link. */
  hash_keys = dm_hash_key_cache_path (path);
  if (g_file_test (hash_keys, G_FILE_TEST_EXISTS) || g_file_test (hash_keys, G_FILE_TEST_IS_SYMLINK))
    {
      if (!dm_check_regular_file (hash_keys, error))
        return NULL;
      key_load = dm_hash_key_load_start (hash_keys, cancellable);
    }

  for (guint i = 0; i < subsets->len && ok; i++)
    {
      const char *subset = g_ptr_array_index (subsets, i);
      g_autofree char *file_name = g_strconcat (subset, ".json", NULL);
      g_autofree char *file = g_build_filename (annotations_dir, file_name, NULL);

      ok = read_annotation_file (dataset, file, path, subset, deferred_label_checks, cancellable, error);
    }
  for (guint i = 0; i < deferred_label_checks->len && ok; i++)
    warn_labels_out_of_range (g_ptr_array_index (deferred_label_checks, i),
                              dm_dataset_get_n_labels (dataset));

  /* A failed load frees key_load unfinished, which stops its parse. */
  if (!ok)
    return NULL;
  if (key_load != NULL && !dm_hash_key_load_finish (key_load, dataset, error))
    return NULL;
  return g_steal_pointer (&dataset);
}
