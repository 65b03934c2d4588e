/* dm-image-key.h: a 512-bit perceptual key of an image's decoded pixels.
 *
 * Datumaro keys images with CLIP ViT-B/32 features, sign-binarised. We have
 * no CLIP weights, so this key is a hand-made perceptual one with the same
 * shape (512 bits, compared by Hamming distance): near-duplicates (rescaled,
 * re-encoded, slightly brighter or darker, with a thin border cropped) land
 * close, different images far apart. It sees layout, colour and texture,
 * not semantics: two photos of different cats are as far as any two photos.
 *
 * The key of an 8-bit RGB image, already decoded and upright, is computed
 * in five steps, all deterministic:
 *
 * 1. Area resampling to a 32x32 grid (each cell the exact coverage-weighted
 *    mean of the source pixels under it), then conversion of each cell to
 *    luma Y = 0.299 R + 0.587 G + 0.114 B and the opponent chroma pair
 *    O1 = (R - G) / 2, O2 = (R + G - 2 B) / 4, all in [0, 1] units.
 * 2. Features, in five groups:
 *    - luma layout: the means of Y over an 8x8 grid of 4x4 cells (64);
 *    - luma DCT: the 2D DCT-II coefficients (u, v) of the 32x32 luma with
 *      0 <= u, v < 8, except the DC term (63);
 *    - gradients: on a 4x4 grid of 8x8 cells, a histogram of the unsigned
 *      orientation of the luma gradient (central differences; the angle
 *      from a polynomial arctangent, within 3e-4 rad) in 8 bins,
 *      each pixel voting its gradient magnitude, split linearly between the
 *      two nearest bins; square-rooted (128);
 *    - colour: the means of O1 and O2 over a 4x4 grid of 8x8 cells (32);
 *    - tone: the mean luma M as 9 Gaussian bumps exp(-((M - i/8) / 0.125)^2 / 2),
 *      i = 0..8 (9), so that flat or nearly flat images of different
 *      greys (white, black), whose other groups are all zero, differ.
 * 3. Normalisation: the luma layout and gradient groups are made zero-mean,
 *    and the three luma groups are then scaled to unit L2 norm, so a change
 *    of brightness or contrast barely moves them. (Softly: a group is
 *    divided by sqrt(norm^2 + floor^2), floors 0.03, 0.06 and 0.15, so the
 *    faint structure of a nearly flat image keeps a small weight.) The colour group keeps
 *    its absolute values times a fixed gain, so hue and saturation count;
 *    a grey image has a zero colour group. The tone group is scaled to
 *    the fixed norm 0.35: brightness weighs little against structure.
 * 4. Projection onto 512 fixed Gaussian random hyperplanes (SimHash): the
 *    512 x 296 matrix is drawn from a SplitMix64 generator with a fixed
 *    seed (Box-Muller), once per #DmImageKeyer. The features are rounded
 *    to float and the projections summed in float, feature by feature in
 *    the order above, so every build gives the same bits.
 * 5. Sign binarisation, packed MSB-first like numpy.packbits: bit i of the
 *    key is (key[i / 8] >> (7 - i % 8)) & 1, set when projection i is > 0.
 *
 * The Hamming distance of two keys estimates 512 / pi times the angle
 * between their feature vectors. Any change to these steps changes keys,
 * and must change DM_IMAGE_KEY_VERSION, which caches record as the keys'
 * origin so keys of different versions are never compared.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define DM_IMAGE_KEY_BITS  512
#define DM_IMAGE_KEY_BYTES (DM_IMAGE_KEY_BITS / 8)

/* Which hasher made a key: stored with cached keys as their origin. */
#define DM_IMAGE_KEY_VERSION "dm-image-key-2"
/* The prefix of every version: older versions' keys are recognised by it. */
#define DM_IMAGE_KEY_FAMILY "dm-image-key-"

/* The side of the grid an image is resampled to: images are best decoded
 * at a size of at least this many pixels on each side, not much more. */
#define DM_IMAGE_KEY_GRID 32

/**
 * DmImageKeyer:
 *
 * The fixed projection of the image key, computed once and then shared:
 * a keyer is immutable after dm_image_keyer_new(), so any number of threads
 * may compute keys with one keyer at the same time.
 */
typedef struct _DmImageKeyer DmImageKeyer;

DmImageKeyer *dm_image_keyer_new     (void);
void          dm_image_keyer_free    (DmImageKeyer       *keyer);

void          dm_image_keyer_project (const DmImageKeyer *keyer,
                                      const guint8       *rgb,
                                      int                 width,
                                      int                 height,
                                      int                 rowstride,
                                      float               projections[DM_IMAGE_KEY_BITS]);

void          dm_image_keyer_compute (const DmImageKeyer *keyer,
                                      const guint8       *rgb,
                                      int                 width,
                                      int                 height,
                                      int                 rowstride,
                                      guint8              key[DM_IMAGE_KEY_BYTES]);

void          dm_image_key_pack_signs (const float        projections[DM_IMAGE_KEY_BITS],
                                       guint8             key[DM_IMAGE_KEY_BYTES]);

guint         dm_image_key_distance  (const guint8       *a,
                                      const guint8       *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmImageKeyer, dm_image_keyer_free)

G_END_DECLS
