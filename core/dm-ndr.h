/* dm-ndr.h: near-duplicate removal, a port of Datumaro's NDR ("gradient").
 *
 * Datumaro's datumaro/plugins/ndr.py works in two steps, and so do we:
 *
 * 1. dm_ndr_features(), per image: the image (8-bit RGB, scaled to [0, 1])
 *    is area-averaged into a grid of block_rows x block_columns blocks
 *    (cv2.resize with INTER_AREA in Datumaro), giving per block and channel
 *    the mean and the local standard deviation sqrt(max(E[p^2] - E[p]^2, 0)).
 *    These 6 values per block are zero-padded around the grid and
 *    differentiated: x gradient f(y, x-1) - f(y, x+1), y gradient
 *    f(y-1, x) - f(y+1, x). The feature is the 12 values per block, laid out
 *    [row][column][x gradient of mean R, G, B, of std R, G, B, then the same
 *    six for y], L2-normalised as a whole.
 *
 * 2. dm_ndr_select(), per working subset: a random orthonormal projection
 *    turns each feature into a hash_dim-bit hash (bit = projection >= 0).
 *    Items are visited in a random order; an item whose hash nobody kept yet
 *    is kept; on a collision its similarity is max(dot)^50 over the items
 *    kept with that hash, and it is a duplicate (removed) when that reaches
 *    sim_threshold. Then the result is cut to the number asked: if too few
 *    were kept, removed items are added back (the oversample policy); if too
 *    many, kept items are sampled (the undersample policy).
 *
 * Differences from Datumaro, all deliberate:
 * - Everything random draws from one GRand seeded by the caller (Datumaro
 *   uses numpy's global state, unseeded when called from prune), so results
 *   are reproducible but not numerically equal to Datumaro's.
 * - The projection orthonormalises a uniform(-1, 1) dim x hash_dim matrix by
 *   Gram-Schmidt (Datumaro takes hash_dim columns of scipy's orth() of a
 *   dim x dim one); both are random orthonormal bases of a random subspace.
 * - Datumaro always averages into 8x8 blocks; its block_shape argument
 *   (default (4, 4)) only bounds hash_dim to 3 * h * w and never reaches the
 *   feature. Ours makes the grid configurable, default 8x8, and bounds
 *   hash_dim by the feature size, 12 * block_rows * block_columns.
 * - When upscaling (an image smaller than the grid), blocks take exact
 *   pixel coverage, where OpenCV's INTER_AREA falls back to bilinear.
 * - An all-black image has no gradient, not even at the zero-padded
 *   border: Datumaro divides 0 by 0, and its NaN feature makes every later
 *   black image a duplicate. Ours keeps an all-zero feature, and two
 *   all-zero features count as identical (similarity 1): the same outcome
 *   without the NaN.
 * - n_keep == 0 keeps nothing (Datumaro treats num_cut 0 as "no cut").
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * DmNdrOversample:
 * @DM_NDR_OVERSAMPLE_RANDOM: "random", removed items chosen uniformly
 * @DM_NDR_OVERSAMPLE_SIMILARITY: "similarity", removed items in ascending
 *   order of their similarity, the least similar first
 *
 * How removed items are added back when fewer than asked were kept.
 */
typedef enum {
  DM_NDR_OVERSAMPLE_RANDOM,
  DM_NDR_OVERSAMPLE_SIMILARITY,
} DmNdrOversample;

/**
 * DmNdrUndersample:
 * @DM_NDR_UNDERSAMPLE_UNIFORM: "uniform", kept items sampled uniformly
 * @DM_NDR_UNDERSAMPLE_INVERSE: "inverse", each hash gets a probability
 *   inverse to the number of kept items sharing it, split evenly among them
 *
 * How kept items are sampled when more than asked were kept.
 */
typedef enum {
  DM_NDR_UNDERSAMPLE_UNIFORM,
  DM_NDR_UNDERSAMPLE_INVERSE,
} DmNdrUndersample;

/**
 * DmNdrParams:
 * @block_rows: rows of the grid the image is area-averaged into (8)
 * @block_columns: columns of that grid (8)
 * @hash_dim: bits of the projected hash, at most the feature size
 *   12 * @block_rows * @block_columns (32)
 * @sim_threshold: an item whose similarity to an item kept with the same
 *   hash reaches this is a duplicate; larger keeps more items; > 0 (0.5)
 * @oversample: the policy when too few items survive (random)
 * @undersample: the policy when too many items survive (uniform)
 *
 * The parameters of NDR, Datumaro's defaults in parentheses; set them with
 * dm_ndr_params_init() before changing any.
 */
typedef struct {
  guint            block_rows;
  guint            block_columns;
  guint            hash_dim;
  double           sim_threshold;
  DmNdrOversample  oversample;
  DmNdrUndersample undersample;
} DmNdrParams;

#define DM_NDR_DEFAULT_BLOCK_ROWS     8
#define DM_NDR_DEFAULT_BLOCK_COLUMNS  8
#define DM_NDR_DEFAULT_HASH_DIM       32
#define DM_NDR_DEFAULT_SIM_THRESHOLD  0.5

void         dm_ndr_params_init        (DmNdrParams        *params);
gboolean     dm_ndr_params_validate    (const DmNdrParams  *params,
                                        GError            **error);
gsize        dm_ndr_feature_dim        (const DmNdrParams  *params);

void         dm_ndr_features           (const guint8       *rgb,
                                        int                 width,
                                        int                 height,
                                        int                 rowstride,
                                        const DmNdrParams  *params,
                                        float              *out);

/**
 * DmNdrRequest:
 * @features: @n_items features of @dim floats each, as from dm_ndr_features()
 * @n_items: the number of items of the working subset
 * @dim: floats per feature, at least @params->hash_dim
 * @n_keep: how many items to keep, at most @n_items
 * @params: the parameters
 * @seed: seeds every random choice (projection, visiting order, sampling)
 *
 * One working subset and what to do with it, the input of dm_ndr_select().
 */
typedef struct {
  const float       *features;
  gsize              n_items;
  gsize              dim;
  gsize              n_keep;
  const DmNdrParams *params;
  guint32            seed;
} DmNdrRequest;

gboolean     dm_ndr_select             (const DmNdrRequest *request,
                                        guint              *kept_out,
                                        gsize              *n_duplicates_out,
                                        GError            **error);

G_END_DECLS
