/* dm-ndr.c: near-duplicate removal, features and selection.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "dm-ndr.h"

#include <math.h>
#include <string.h>

#include "dm-core-error.h"

/* Datumaro's exponent on the feature dot product, "for maximizing the gap
 * between duplicated and non-duplicated". */
#define SIMILARITY_EXPONENT 50.0

/* Mean and standard deviation per colour channel. */
#define VALUES_PER_BLOCK 6
/* Their x and y gradients. */
#define FEATURES_PER_BLOCK (2 * VALUES_PER_BLOCK)

/**
 * dm_ndr_params_init:
 * @params: (out caller-allocates): the parameters to fill
 *
 * Sets @params to Datumaro's defaults: 8x8 blocks, 32-bit hashes, threshold
 * 0.5, random oversampling, uniform undersampling.
 */
void
dm_ndr_params_init (DmNdrParams *params)
{
  g_return_if_fail (params != NULL);

  *params = (DmNdrParams) {
    .block_rows = DM_NDR_DEFAULT_BLOCK_ROWS,
    .block_columns = DM_NDR_DEFAULT_BLOCK_COLUMNS,
    .hash_dim = DM_NDR_DEFAULT_HASH_DIM,
    .sim_threshold = DM_NDR_DEFAULT_SIM_THRESHOLD,
    .oversample = DM_NDR_OVERSAMPLE_RANDOM,
    .undersample = DM_NDR_UNDERSAMPLE_UNIFORM,
  };
}

/**
 * dm_ndr_feature_dim:
 * @params: the parameters
 *
 * Returns: the number of floats dm_ndr_features() writes per image
 */
gsize
dm_ndr_feature_dim (const DmNdrParams *params)
{
  g_return_val_if_fail (params != NULL, 0);

  return (gsize) FEATURES_PER_BLOCK * params->block_rows * params->block_columns;
}

/**
 * dm_ndr_params_validate:
 * @params: the parameters
 * @error: return location for a %DM_CORE_ERROR_INVALID_ARGUMENT
 *
 * Returns: %TRUE when every field of @params is usable
 */
gboolean
dm_ndr_params_validate (const DmNdrParams *params, GError **error)
{
  g_return_val_if_fail (params != NULL, FALSE);

  if (params->block_rows == 0 || params->block_columns == 0)
    {
      g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
                   "NDR block shape %ux%u: both sides must be positive",
                   params->block_rows, params->block_columns);
      return FALSE;
    }
  if (params->hash_dim == 0 || params->hash_dim > dm_ndr_feature_dim (params))
    {
      g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
                   "NDR hash_dim %u: must be between 1 and the feature size %"
                   G_GSIZE_FORMAT " of %ux%u blocks",
                   params->hash_dim, dm_ndr_feature_dim (params),
                   params->block_rows, params->block_columns);
      return FALSE;
    }
  if (!(params->sim_threshold > 0.0))
    {
      g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
                   "NDR sim_threshold %g: must be larger than 0",
                   params->sim_threshold);
      return FALSE;
    }
  if ((guint) params->oversample > DM_NDR_OVERSAMPLE_SIMILARITY)
    {
      g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
                   "NDR oversample policy %d is unknown", (int) params->oversample);
      return FALSE;
    }
  if ((guint) params->undersample > DM_NDR_UNDERSAMPLE_INVERSE)
    {
      g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
                   "NDR undersample policy %d is unknown", (int) params->undersample);
      return FALSE;
    }

  return TRUE;
}

/* ------------------------------------------------------------------------
 * Features
 */

/* How the source pixels along one axis cover each block: block b takes
 * pixels first[b] .. first[b] + count[b] - 1, pixel first[b] + k with weight
 * weights[b * stride + k], the length of its overlap with the block. */
typedef struct {
  guint  *first;
  guint  *count;
  double *weights;
  guint   stride;
} AxisCoverage;

static void
axis_coverage_init (AxisCoverage *coverage, guint length, guint n_blocks)
{
  double block_length = (double) length / n_blocks;

  coverage->stride = length / n_blocks + 2;
  coverage->first = g_new (guint, n_blocks);
  coverage->count = g_new (guint, n_blocks);
  coverage->weights = g_new0 (double, (gsize) n_blocks * coverage->stride);

  for (guint b = 0; b < n_blocks; b++)
    {
      /* Integer bounds first, so exact block edges never round outwards. */
      guint first = (guint) (((guint64) b * length) / n_blocks);
      guint end = (guint) (((guint64) (b + 1) * length + n_blocks - 1) / n_blocks);
      double start_pos = b * block_length;
      double end_pos = (b + 1) * block_length;

      coverage->first[b] = first;
      coverage->count[b] = end - first;
      for (guint p = first; p < end; p++)
        coverage->weights[b * coverage->stride + (p - first)] =
          MIN (p + 1.0, end_pos) - MAX ((double) p, start_pos);
    }
}

static void
axis_coverage_clear (AxisCoverage *coverage)
{
  g_clear_pointer (&coverage->first, g_free);
  g_clear_pointer (&coverage->count, g_free);
  g_clear_pointer (&coverage->weights, g_free);
}

static inline void
add_weighted_pixel (double *sums, const guint8 *pixel, double weight)
{
  for (guint ch = 0; ch < 3; ch++)
    {
      double value = pixel[ch] / 255.0;

      sums[ch] += weight * value;
      sums[3 + ch] += weight * value * value;
    }
}

/* The block means and standard deviations, [row][column][6]. */
static void
block_statistics (const guint8 *rgb, guint width, guint height, gsize rowstride,
                  guint rows, guint columns, double *stats)
{
  AxisCoverage across, down;
  double block_area = ((double) width / columns) * ((double) height / rows);
  g_autofree double *row_sums = g_new (double, (gsize) columns * VALUES_PER_BLOCK);

  axis_coverage_init (&across, width, columns);
  axis_coverage_init (&down, height, rows);
  memset (stats, 0, sizeof (double) * rows * columns * VALUES_PER_BLOCK);

  for (guint r = 0; r < rows; r++)
    {
      double *block_row = stats + (gsize) r * columns * VALUES_PER_BLOCK;

      for (guint k = 0; k < down.count[r]; k++)
        {
          const guint8 *line = rgb + (down.first[r] + k) * rowstride;
          double row_weight = down.weights[r * down.stride + k];

          /* Sums of p and p^2 per channel, weighted across this line. */
          memset (row_sums, 0, sizeof (double) * columns * VALUES_PER_BLOCK);
          for (guint c = 0; c < columns; c++)
            {
              double *sums = row_sums + c * VALUES_PER_BLOCK;
              const guint8 *pixels = line + 3 * (gsize) across.first[c];
              const double *weights = across.weights + c * across.stride;
              guint count = across.count[c];
              guint64 inner_sums[VALUES_PER_BLOCK] = { 0 };

              /* Only the two edge pixels of a block can be partly inside
               * it; the ones between count whole, in exact integers. */
              add_weighted_pixel (sums, pixels, weights[0]);
              if (count > 1)
                add_weighted_pixel (sums, pixels + 3 * (gsize) (count - 1), weights[count - 1]);
              for (guint j = 1; j + 1 < count; j++)
                for (guint ch = 0; ch < 3; ch++)
                  {
                    guint value = pixels[3 * (gsize) j + ch];

                    inner_sums[ch] += value;
                    inner_sums[3 + ch] += value * value;
                  }
              for (guint ch = 0; ch < 3; ch++)
                {
                  sums[ch] += inner_sums[ch] / 255.0;
                  sums[3 + ch] += inner_sums[3 + ch] / (255.0 * 255.0);
                }
            }

          for (guint i = 0; i < columns * VALUES_PER_BLOCK; i++)
            block_row[i] += row_weight * row_sums[i];
        }

      for (guint c = 0; c < columns; c++)
        {
          double *block = block_row + c * VALUES_PER_BLOCK;

          for (guint ch = 0; ch < 3; ch++)
            {
              double mean = block[ch] / block_area;
              double mean_of_squares = block[3 + ch] / block_area;

              block[ch] = mean;
              block[3 + ch] = sqrt (MAX (mean_of_squares - mean * mean, 0.0));
            }
        }
    }

  axis_coverage_clear (&across);
  axis_coverage_clear (&down);
}

static double
stat_at (const double *stats, guint rows, guint columns, int r, int c, guint value)
{
  if (r < 0 || c < 0 || (guint) r >= rows || (guint) c >= columns)
    return 0.0;

  return stats[((gsize) r * columns + (guint) c) * VALUES_PER_BLOCK + value];
}

/**
 * dm_ndr_features:
 * @rgb: 8-bit RGB pixels, 3 bytes each, rows @rowstride bytes apart
 * @width: the image width, > 0
 * @height: the image height, > 0
 * @rowstride: bytes from one row to the next, >= 3 * @width
 * @params: the parameters (the block grid is read)
 * @out: (out caller-allocates): dm_ndr_feature_dim() floats
 *
 * Computes the gradient feature of one image; see the file comment of
 * dm-ndr.h for its layout. Pure, so callers may run it on many threads.
 */
void
dm_ndr_features (const guint8      *rgb,
                 int                width,
                 int                height,
                 int                rowstride,
                 const DmNdrParams *params,
                 float             *out)
{
  guint rows, columns;
  g_autofree double *stats = NULL;
  g_autofree double *feature = NULL;
  gsize dim;
  double norm_squared = 0.0;

  g_return_if_fail (rgb != NULL);
  g_return_if_fail (width > 0 && height > 0);
  g_return_if_fail (rowstride >= 3 * width);
  g_return_if_fail (params != NULL && params->block_rows > 0 && params->block_columns > 0);
  g_return_if_fail (out != NULL);

  rows = params->block_rows;
  columns = params->block_columns;
  dim = dm_ndr_feature_dim (params);
  stats = g_new (double, (gsize) rows * columns * VALUES_PER_BLOCK);
  feature = g_new (double, dim);

  block_statistics (rgb, (guint) width, (guint) height, (gsize) rowstride,
                    rows, columns, stats);

  for (guint r = 0; r < rows; r++)
    for (guint c = 0; c < columns; c++)
      {
        double *block = feature + ((gsize) r * columns + c) * FEATURES_PER_BLOCK;
        int y = (int) r, x = (int) c;

        for (guint v = 0; v < VALUES_PER_BLOCK; v++)
          {
            block[v] = stat_at (stats, rows, columns, y, x - 1, v)
                       - stat_at (stats, rows, columns, y, x + 1, v);
            block[VALUES_PER_BLOCK + v] = stat_at (stats, rows, columns, y - 1, x, v)
                                          - stat_at (stats, rows, columns, y + 1, x, v);
          }
      }

  for (gsize i = 0; i < dim; i++)
    norm_squared += feature[i] * feature[i];

  /* An all-black image has no gradient; its feature stays zero (see dm-ndr.h). */
  for (gsize i = 0; i < dim; i++)
    out[i] = norm_squared > 0.0 ? (float) (feature[i] / sqrt (norm_squared)) : 0.0f;
}

/* ------------------------------------------------------------------------
 * Selection
 */

/* A uniform(-1, 1) dim x hash_dim matrix, its columns orthonormalised by
 * modified Gram-Schmidt; column j at projection[j * dim]. */
static double *
random_orthonormal_projection (GRand *rand, gsize dim, guint hash_dim)
{
  double *projection = g_new (double, dim * hash_dim);

  for (guint j = 0; j < hash_dim; j++)
    {
      double *column = projection + j * dim;
      double norm = 0.0;

      /* A column (nearly) inside the span of the previous ones has no
       * direction of its own left; draw again, as Datumaro retries orth(). */
      for (guint attempt = 0; attempt < 100 && norm < 1e-6; attempt++)
        {
          for (gsize i = 0; i < dim; i++)
            column[i] = g_rand_double_range (rand, -1.0, 1.0);

          for (guint k = 0; k < j; k++)
            {
              const double *previous = projection + k * dim;
              double dot = 0.0;

              for (gsize i = 0; i < dim; i++)
                dot += column[i] * previous[i];
              for (gsize i = 0; i < dim; i++)
                column[i] -= dot * previous[i];
            }

          norm = 0.0;
          for (gsize i = 0; i < dim; i++)
            norm += column[i] * column[i];
          norm = sqrt (norm);
        }

      for (gsize i = 0; i < dim; i++)
        column[i] = norm > 0.0 ? column[i] / norm : 0.0;
    }

  return projection;
}

/* The hash as hexadecimal text of its MSB-first packed bits, like Datumaro's
 * key strings; bit j is set when the projection on column j is >= 0. */
static char *
hash_key (const float *feature, gsize dim, const double *projection, guint hash_dim)
{
  gsize n_bytes = (hash_dim + 7) / 8;
  g_autofree guint8 *bits = g_new0 (guint8, n_bytes);
  GString *hex = g_string_sized_new (2 * n_bytes);

  for (guint j = 0; j < hash_dim; j++)
    {
      const double *column = projection + (gsize) j * dim;
      double dot = 0.0;

      for (gsize i = 0; i < dim; i++)
        dot += feature[i] * column[i];
      if (dot >= 0.0)
        bits[j / 8] |= (guint8) (0x80u >> (j % 8));
    }

  for (gsize b = 0; b < n_bytes; b++)
    g_string_append_printf (hex, "%02x", bits[b]);

  return g_string_free (hex, FALSE);
}

static double
similarity (const float *a, double a_norm_squared,
            const float *b, double b_norm_squared, gsize dim)
{
  double dot = 0.0;

  if (a_norm_squared == 0.0 && b_norm_squared == 0.0)
    return 1.0;

  for (gsize i = 0; i < dim; i++)
    dot += (double) a[i] * b[i];

  return pow (dot, SIMILARITY_EXPONENT);
}

/* Moves a uniform random choice of @n_chosen of @values to its front. */
static void
partial_shuffle (GRand *rand, guint *values, gsize n_values, gsize n_chosen)
{
  for (gsize i = 0; i < n_chosen && i + 1 < n_values; i++)
    {
      gsize j = i + (gsize) g_rand_int_range (rand, 0, (gint32) (n_values - i));
      guint swap = values[i];

      values[i] = values[j];
      values[j] = swap;
    }
}

typedef struct {
  guint  item;
  double score;
} Scored;

#define ASCENDING GINT_TO_POINTER (1)
#define DESCENDING GINT_TO_POINTER (-1)

/* By score, in @direction (ASCENDING or DESCENDING). Sorted with
 * g_qsort_with_data(), which is stable, items of equal score keep the
 * order they were scored in. */
static int
compare_scores (gconstpointer a, gconstpointer b, gpointer direction)
{
  double x = ((const Scored *) a)->score, y = ((const Scored *) b)->score;

  if (x == y)
    return 0;
  return (x < y ? -1 : 1) * GPOINTER_TO_INT (direction);
}

static int
compare_guint (gconstpointer a, gconstpointer b)
{
  guint ua = *(const guint *) a, ub = *(const guint *) b;

  return (ua > ub) - (ua < ub);
}

/* Weighted sampling without replacement, each step drawing among the items
 * left with probability proportional to weight, as numpy's
 * choice(replace=False, p=...) does; by Efraimidis and Spirakis' keys
 * log(u) / weight, of which the n_chosen largest win. */
static void
weighted_sample (GRand *rand, const guint *items, const double *weights,
                 gsize n_items, gsize n_chosen, guint *chosen)
{
  g_autofree Scored *scored = g_new (Scored, n_items);

  for (gsize i = 0; i < n_items; i++)
    {
      double u = 1.0 - g_rand_double (rand);   /* in (0, 1] */

      scored[i] = (Scored) { items[i], log (u) / weights[i] };
    }

  g_qsort_with_data (scored, (gint) n_items, sizeof *scored, compare_scores, DESCENDING);
  for (gsize i = 0; i < n_chosen; i++)
    chosen[i] = scored[i].item;
}

/**
 * dm_ndr_select:
 * @request: the working subset's features, how many to keep, the parameters
 *   and the seed
 * @kept_out: (out caller-allocates): @request->n_keep item indices, ascending
 * @n_duplicates_out: (out) (optional): how many items the hash comparison
 *   judged near-duplicates, before the cut to @request->n_keep
 * @error: return location for a %DM_CORE_ERROR_INVALID_ARGUMENT
 *
 * Removes near-duplicates from one working subset and cuts the result to
 * exactly @request->n_keep items; see the file comment of dm-ndr.h.
 *
 * Returns: %TRUE on success
 */
gboolean
dm_ndr_select (const DmNdrRequest *request,
               guint              *kept_out,
               gsize              *n_duplicates_out,
               GError            **error)
{
  g_return_val_if_fail (request != NULL, FALSE);

  const float *features = request->features;
  const gsize n_items = request->n_items, dim = request->dim, n_keep = request->n_keep;
  const DmNdrParams *params = request->params;
  g_autoptr(GRand) rand = NULL;
  g_autofree double *projection = NULL;
  g_autofree double *norms_squared = NULL;
  g_autofree guint *order = NULL;
  g_autofree Scored *removed = NULL;
  g_autofree guint *kept = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GHashTable) buckets = NULL;   /* a key of keys -> GArray of kept items */
  gsize n_kept = 0, n_removed = 0;

  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (n_items == 0 || features != NULL, FALSE);
  g_return_val_if_fail (n_items <= G_MAXINT, FALSE);   /* g_qsort_with_data() counts in a gint */
  g_return_val_if_fail (n_keep == 0 || kept_out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!dm_ndr_params_validate (params, error))
    return FALSE;
  if (dim < params->hash_dim)
    {
      g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
                   "NDR hash_dim %u: larger than the feature size %" G_GSIZE_FORMAT,
                   params->hash_dim, dim);
      return FALSE;
    }
  if (n_keep > n_items)
    {
      g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
                   "NDR cannot keep %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " items",
                   n_keep, n_items);
      return FALSE;
    }
  if (n_items > G_MAXINT32)
    {
      g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
                   "NDR works on at most %d items per subset, not %" G_GSIZE_FORMAT,
                   G_MAXINT32, n_items);
      return FALSE;
    }

  if (n_duplicates_out != NULL)
    *n_duplicates_out = 0;
  if (n_items == 0)
    return TRUE;

  rand = g_rand_new_with_seed (request->seed);
  projection = random_orthonormal_projection (rand, dim, params->hash_dim);

  keys = g_ptr_array_new_full ((guint) n_items, g_free);
  norms_squared = g_new (double, n_items);
  for (gsize i = 0; i < n_items; i++)
    {
      const float *feature = features + i * dim;
      double sum = 0.0;

      g_ptr_array_add (keys, hash_key (feature, dim, projection, params->hash_dim));
      for (gsize k = 0; k < dim; k++)
        sum += (double) feature[k] * feature[k];
      norms_squared[i] = sum;
    }

  order = g_new (guint, n_items);
  for (gsize i = 0; i < n_items; i++)
    order[i] = (guint) i;
  partial_shuffle (rand, order, n_items, n_items);

  buckets = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                   (GDestroyNotify) g_array_unref);
  kept = g_new (guint, n_items);
  removed = g_new (Scored, n_items);

  for (gsize visit = 0; visit < n_items; visit++)
    {
      guint item = order[visit];
      const char *key = g_ptr_array_index (keys, item);
      GArray *bucket = g_hash_table_lookup (buckets, key);
      double max_similarity = -G_MAXDOUBLE;

      if (bucket == NULL)
        {
          bucket = g_array_new (FALSE, FALSE, sizeof (guint));
          g_hash_table_insert (buckets, (gpointer) key, bucket);
        }
      else
        {
          for (guint b = 0; b < bucket->len; b++)
            {
              guint other = g_array_index (bucket, guint, b);

              max_similarity = MAX (max_similarity,
                                    similarity (features + (gsize) other * dim,
                                                norms_squared[other],
                                                features + (gsize) item * dim,
                                                norms_squared[item], dim));
            }
        }

      if (bucket->len == 0 || max_similarity < params->sim_threshold)
        {
          g_array_append_val (bucket, item);
          kept[n_kept++] = item;
        }
      else
        removed[n_removed++] = (Scored) { item, max_similarity };
    }

  if (n_duplicates_out != NULL)
    *n_duplicates_out = n_removed;

  if (n_keep >= n_kept)
    {
      gsize n_missing = n_keep - n_kept;

      memcpy (kept_out, kept, n_kept * sizeof (guint));

      if (params->oversample == DM_NDR_OVERSAMPLE_SIMILARITY)
        {
          g_qsort_with_data (removed, (gint) n_removed, sizeof *removed, compare_scores, ASCENDING);
          for (gsize i = 0; i < n_missing; i++)
            kept_out[n_kept + i] = removed[i].item;
        }
      else
        {
          g_autofree guint *candidates = g_new (guint, MAX (n_removed, 1));

          /* Datumaro draws from the set of removed indices, in index order. */
          for (gsize i = 0; i < n_removed; i++)
            candidates[i] = removed[i].item;
          qsort (candidates, n_removed, sizeof (guint), compare_guint);
          partial_shuffle (rand, candidates, n_removed, n_missing);
          memcpy (kept_out + n_kept, candidates, n_missing * sizeof (guint));
        }
    }
  else if (params->undersample == DM_NDR_UNDERSAMPLE_INVERSE)
    {
      g_autofree double *weights = g_new (double, n_kept);

      /* A hash shared by c kept items gets probability proportional to 1/c,
       * split evenly among its items: 1/c^2 each. */
      for (gsize i = 0; i < n_kept; i++)
        {
          GArray *bucket = g_hash_table_lookup (buckets, g_ptr_array_index (keys, kept[i]));
          double count = bucket->len;

          weights[i] = 1.0 / (count * count);
        }
      weighted_sample (rand, kept, weights, n_kept, n_keep, kept_out);
    }
  else
    {
      partial_shuffle (rand, kept, n_kept, n_keep);
      memcpy (kept_out, kept, n_keep * sizeof (guint));
    }

  qsort (kept_out, n_keep, sizeof (guint), compare_guint);
  return TRUE;
}
