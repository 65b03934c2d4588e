/* prune-hash-transform.c: the "hash" transform, every item given an image key.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib/gi18n-lib.h>

#include "dm-embedding-key.h"
#include "prune-define-transform.h"
#include "prune-embeddings.h"
#include "prune-hash-transform.h"
#include "prune-image-hasher.h"
#include "prune-property.h"

/* Keys from embeddings take the image keys' place in the cache. */
G_STATIC_ASSERT (DM_EMBEDDING_KEY_BYTES == DM_IMAGE_KEY_BYTES);

/* Only this file uses the type; the host finds it by its name. */
G_DECLARE_FINAL_TYPE (PruneHashTransform, prune_hash_transform, PRUNE, HASH_TRANSFORM, DmTransform)

/**
 * PruneHashTransform:
 *
 * Gives every item a 512-bit image key: the one it carries, or one computed
 * from its image (see prune-image-hasher.h). The output is a copy of the
 * input whose items all carry keys; `dm hash` then stores them in the
 * dataset's cache, so later prunes decode nothing.
 *
 * With #PruneHashTransform:embeddings and #PruneHashTransform:ids, every
 * item's key is made from its row of the user's embeddings instead
 * (prune-embeddings.h), replacing any key it carried; their origin names
 * the embeddings file.
 */
struct _PruneHashTransform
{
  DmTransform parent_instance;

  guint threads;
  char *embeddings;
  char *ids;
};

PRUNE_DEFINE_TRANSFORM (PruneHashTransform, prune_hash_transform, "hash")

static JsonNode *
build_report (DmDataset  *output,
              guint       n_decoded,
              const char *embeddings,
              double      seconds)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  guint n_items = dm_dataset_get_n_items (output);
  const char *origin = dm_dataset_get_hash_key_origin (output);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "items");
  json_builder_add_int_value (builder, n_items);
  json_builder_set_member_name (builder, "decoded");
  json_builder_add_int_value (builder, n_decoded);
  json_builder_set_member_name (builder, "reused");
  json_builder_add_int_value (builder, embeddings != NULL ? 0 : n_items - n_decoded);
  json_builder_set_member_name (builder, "origin");
  if (origin != NULL)
    json_builder_add_string_value (builder, origin);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "embeddings");
  if (embeddings != NULL)
    json_builder_add_string_value (builder, embeddings);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "seconds");
  json_builder_add_double_value (builder, seconds);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* Embeddings are read with the ids naming their rows: neither goes alone. */
static gboolean
prune_hash_transform_check_parameters (DmTransform  *transform,
                                       GError      **error)
{
  PruneHashTransform *self = PRUNE_HASH_TRANSFORM (transform);

  if ((self->embeddings == NULL) == (self->ids == NULL))
    return TRUE;

  g_set_error_literal (error, DM_ERROR, DM_ERROR_INVALID_ARGUMENT,
                       _("Keys from embeddings need both the embeddings (.npy) and the ids file"));
  return FALSE;
}

/* An item with neither a carried key nor an image stops the run here,
 * with what helps a hash: the image hasher's own message gives a prune's
 * remedies (the parameter skip-broken, the method random), which a hash
 * has none of. */
static gboolean
check_every_item_hashable (DmDataset  *input,
                           GError    **error)
{
  for (guint i = 0; i < dm_dataset_get_n_items (input); i++)
    {
      DmItem *item = dm_dataset_get_item (input, i);

      if (dm_item_get_hash_key (item) != NULL || dm_item_get_image_path (item) != NULL)
        continue;
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                   _("Item “%s” of subset “%s” has neither a hash key nor an image to compute one from "
                     "(a point cloud or video has none); make every item's key from your embeddings instead "
                     "(the parameters embeddings and ids), or cache its key in hash_key_meta/hash_keys.json"),
                   dm_item_get_id (item), dm_item_get_subset (item));
      return FALSE;
    }
  return TRUE;
}

static DmDataset *
prune_hash_transform_apply (DmTransform   *transform,
                            DmDataset     *input,
                            GCancellable  *cancellable,
                            GError       **error)
{
  PruneHashTransform *self = PRUNE_HASH_TRANSFORM (transform);
  gint64 start = g_get_monotonic_time ();
  g_autoptr(GBytes) keys = NULL;
  g_autoptr(DmDataset) output = NULL;
  g_autoptr(JsonNode) report = NULL;
  guint n_decoded = 0;

  if (self->embeddings != NULL)
    keys = prune_embeddings_keys (input, self->embeddings, self->ids, error);
  else if (check_every_item_hashable (input, error))
    keys = prune_image_hasher_keys_for_dataset (input, transform, self->threads, &n_decoded,
                                                NULL, cancellable, error);
  if (keys == NULL)
    return NULL;

  output = dm_dataset_new_like (input);
  for (guint i = 0; i < dm_dataset_get_n_items (input); i++)
    {
      g_autoptr(DmItem) item = dm_item_copy (dm_dataset_get_item (input, i));
      g_autoptr(GBytes) key = g_bytes_new_from_bytes (keys, (gsize) i * DM_IMAGE_KEY_BYTES,
                                                      DM_IMAGE_KEY_BYTES);

      dm_item_set_hash_key (item, key);
      dm_dataset_append_item (output, item);
    }

  /* With nothing decoded, every key is the one carried, of the input's
   * origin; otherwise every key is ours (the hasher refuses a mix). */
  if (self->embeddings != NULL)
    {
      g_autofree char *origin = prune_embeddings_origin (self->embeddings);
      dm_dataset_set_hash_key_origin (output, origin);
    }
  else if (n_decoded > 0)
    dm_dataset_set_hash_key_origin (output, prune_image_hasher_origin ());

  report = build_report (output, n_decoded, self->embeddings, (g_get_monotonic_time () - start) / 1e6);
  dm_transform_set_report (transform, report);

  return g_steal_pointer (&output);
}

static void
prune_hash_transform_finalize (GObject *object)
{
  prune_property_clear_fields (object);
  G_OBJECT_CLASS (prune_hash_transform_parent_class)->finalize (object);
}

#define FIELD(member) G_STRUCT_OFFSET (PruneHashTransform, member)

static void
prune_hash_transform_class_init (PruneHashTransformClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  DmTransformClass *transform_class = DM_TRANSFORM_CLASS (klass);
  const PruneProperty properties[] = {
    /**
     * PruneHashTransform:threads:
     *
     * How many images are decoded at once; 0 means one per core. The keys
     * do not depend on it.
     */
    prune_property_threads (FIELD (threads), N_("Images decoded at once; 0 uses every core")),
    /**
     * PruneHashTransform:embeddings:
     *
     * A NumPy .npy file of N × D float32 or float16 embeddings, one row per
     * item (see #PruneHashTransform:ids); %NULL to hash the images.
     */
    { "embeddings", N_("Embeddings"),
      N_("Make the keys from this .npy file of N × D embeddings instead of the images"),
      FIELD (embeddings), G_TYPE_STRING },
    /**
     * PruneHashTransform:ids:
     *
     * A text file naming the item of each embedding row, `subset/id` per
     * line.
     */
    { "ids", N_("Embedding ids"), N_("Text file naming each embedding row’s item, subset/id per line"),
      FIELD (ids), G_TYPE_STRING },
  };

  object_class->finalize = prune_hash_transform_finalize;
  transform_class->apply = prune_hash_transform_apply;
  transform_class->check_parameters = prune_hash_transform_check_parameters;

  dm_transform_class_set_metadata (transform_class,
                                   N_("Compute hash keys"),
                                   N_("Give every item without a hash key one computed from its image"),
                                   GETTEXT_PACKAGE);
  prune_property_install (object_class, properties, G_N_ELEMENTS (properties));
  /* Its one phase: `dm hash` takes its first progress for the start of
   * the decoding, which it refuses when it could not store the keys. */
  prune_image_hasher_add_phase (transform_class);
}
