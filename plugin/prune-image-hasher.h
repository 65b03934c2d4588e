/* prune-image-hasher.h: every item's 512-bit image key, cached or computed.
 *
 * An item's key is the one it carries (Datumaro's cache, or ours from an
 * earlier `dm hash`), or else the key dm-image-key.h computes from its
 * image, decoded with GdkPixbuf on all cores.
 *
 * Keys of different hashers are never mixed. When some items carry keys
 * and others do not, the carried keys must be ours (the dataset's hash key
 * origin is prune_image_hasher_origin()); if they come from another hasher,
 * for instance Datumaro's CLIP ("datumaro-clip"), which cannot be run here,
 * the result is an error (%DM_ERROR_INVALID_DATA) saying how to fix it:
 * give every item a CLIP key with Datumaro, or delete the cache
 * (hash_key_meta/hash_keys.json) so that every key is ours. When every item
 * carries a key, the keys are used as they are, whatever their origin; when
 * none does, all are computed. Keys of an older version of our own key
 * (origin "dm-image-key-N", N not the current version) are never used:
 * every key is recomputed, and an item with such a key but no image is an
 * error (or broken, with skip-broken) that says so.
 *
 * Decoding: images are decoded at reduced size where the loader can (JPEG
 * at 1/2, 1/4 or 1/8 scale, keeping at least DM_IMAGE_KEY_GRID pixels per
 * side), turned upright by their EXIF orientation; grayscale, palette and
 * 16-bit images come out of GdkPixbuf as 8-bit RGB, and alpha is composited
 * over black. An image whose header declares more than
 * PRUNE_IMAGE_MAX_PIXELS pixels is refused before it is decoded.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <dm.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

#include "dm-image-key.h"
#include "prune-image-decode.h"

G_BEGIN_DECLS


/* An item whose key cannot be had, and why (for skip-broken). */
typedef struct {
  guint   position;     /* in the dataset */
  GError *error;        /* what is wrong, not naming the item (prune_name_item()) */
} PruneBrokenItem;

PruneBrokenItem *prune_broken_item_new     (guint            position,
                                            GError          *error);
void             prune_broken_item_free    (PruneBrokenItem *broken);
int              prune_broken_item_compare (gconstpointer    a,
                                            gconstpointer    b);

void        prune_image_hasher_add_phase       (DmTransformClass *klass);

const char *prune_image_hasher_origin          (void);
gboolean    prune_image_hasher_keys_are_stale  (DmDataset      *dataset);

GdkPixbuf  *prune_image_hasher_decode          (const char     *path,
                                                GError        **error);

gboolean    prune_image_hasher_key_for_file    (const DmImageKeyer *keyer,
                                                const char     *path,
                                                guint8          key[DM_IMAGE_KEY_BYTES],
                                                GError        **error);

GBytes     *prune_image_hasher_keys_for_dataset (DmDataset     *dataset,
                                                 DmTransform   *reporter,
                                                 guint          n_threads,
                                                 guint         *n_decoded_out,
                                                 GPtrArray     *broken,
                                                 GCancellable  *cancellable,
                                                 GError       **error);

G_END_DECLS
