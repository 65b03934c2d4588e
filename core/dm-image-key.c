/* dm-image-key.c: a 512-bit perceptual key of an image's decoded pixels.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "dm-image-key.h"

#include <math.h>
#include <string.h>

#include "dm-keys.h"

#define GRID DM_IMAGE_KEY_GRID

#define LAYOUT_SIDE   8                         /* luma layout: 8x8 cells of 4x4 */
#define DCT_SIDE      8                         /* DCT coefficients u, v < 8 */
#define CELL_SIDE     4                         /* gradients, colour: 4x4 cells of 8x8 */
#define N_ORIENTATIONS 8

#define N_LAYOUT    (LAYOUT_SIDE * LAYOUT_SIDE)
#define N_DCT       (DCT_SIDE * DCT_SIDE - 1)
#define N_GRADIENT  (CELL_SIDE * CELL_SIDE * N_ORIENTATIONS)
#define N_COLOUR    (CELL_SIDE * CELL_SIDE * 2)
#define N_TONE      9                           /* mean-luma bumps at 0, 1/8, ..., 1 */
#define N_FEATURES  (N_LAYOUT + N_DCT + N_GRADIENT + N_COLOUR + N_TONE)

/* Scales the absolute opponent chroma against the unit-norm luma groups: a
 * strongly coloured image (chroma around 0.2) gives the colour group about
 * the weight of one luma group, a grey one none. */
#define COLOUR_GAIN 4.5

/* The weight of the tone group against the unit-norm luma groups: enough
 * to set flat images of different greys apart (their other groups are
 * all zero), little enough that +-10 % brightness moves few bits of a
 * textured image. */
#define TONE_GAIN 0.35
/* The width of a tone bump, in luma units: brightness levels this far
 * apart share about half their tone code. */
#define TONE_WIDTH 0.125

/* The norms under which a luma group counts as faint (see normalise()),
 * about 3% of a typical photo's. */
#define LAYOUT_FLOOR   0.03
#define DCT_FLOOR      0.06
#define GRADIENT_FLOOR 0.15

/* Changing the seed changes every key: it is part of DM_IMAGE_KEY_VERSION. */
#define PROJECTION_SEED G_GUINT64_CONSTANT (0x646d2d696d616765)  /* "dm-image" */

struct _DmImageKeyer
{
  /* Stored by feature, so projecting is a sum of 512-wide scaled rows
   * (vectorised, in the same order for every bit). */
  float projection[N_FEATURES][DM_IMAGE_KEY_BITS];
  /* dct_basis[u][x] = cos (pi (2x + 1) u / (2 GRID)) */
  double dct_basis[DCT_SIDE][GRID];
};

/* A uniform double in (0, 1]: never 0, so its logarithm is finite. */
static double
uniform_open (guint64 *state)
{
  return ((double) (dm_keys_splitmix64_next (state) >> 11) + 1.0) / 9007199254740992.0;
}

/**
 * dm_image_keyer_new:
 *
 * Draws the fixed random projection of the key and the DCT basis.
 *
 * Returns: (transfer full): a keyer, freed with dm_image_keyer_free()
 */
DmImageKeyer *
dm_image_keyer_new (void)
{
  DmImageKeyer *keyer = g_new (DmImageKeyer, 1);
  float *matrix = &keyer->projection[0][0];
  gsize n = (gsize) DM_IMAGE_KEY_BITS * N_FEATURES;
  guint64 state = PROJECTION_SEED;

  /* Box-Muller gives two independent normals per pair of uniforms. */
  for (gsize i = 0; i < n; i += 2)
    {
      double radius = sqrt (-2.0 * log (uniform_open (&state)));
      double angle = 2.0 * G_PI * uniform_open (&state);

      matrix[i] = (float) (radius * cos (angle));
      if (i + 1 < n)
        matrix[i + 1] = (float) (radius * sin (angle));
    }

  for (int u = 0; u < DCT_SIDE; u++)
    for (int x = 0; x < GRID; x++)
      keyer->dct_basis[u][x] = cos (G_PI * (2 * x + 1) * u / (2.0 * GRID));

  return keyer;
}

void
dm_image_keyer_free (DmImageKeyer *keyer)
{
  g_free (keyer);
}

/* One source pixel's share of one grid cell along an axis. */
typedef struct
{
  int src;
  int dst;
  double weight;
} Tap;

/* The taps of an exact area resampling of n_src pixels into GRID cells,
 * ordered by source pixel: cell j covers [j n_src / GRID, (j+1) n_src / GRID)
 * and weighs each pixel by the fraction of the cell it covers. Returns the
 * number of taps, at most n_src + GRID. */
static int
area_taps (int  n_src,
           Tap *taps)
{
  int n_taps = 0;

  for (int j = 0; j < GRID; j++)
    {
      double start = (double) j * n_src / GRID;
      double end = (double) (j + 1) * n_src / GRID;
      int first = (int) floor (start);
      int last = MIN ((int) ceil (end), n_src);

      for (int i = first; i < last; i++)
        {
          double overlap = MIN (end, (double) i + 1) - MAX (start, (double) i);

          if (overlap <= 0.0)
            continue;
          taps[n_taps++] = (Tap) { i, j, overlap / (end - start) };
        }
    }

  return n_taps;
}

/* Resamples the image to GRID x GRID and converts each cell to luma and
 * opponent chroma; conversion after averaging is exact, it is linear. */
static void
resample (const guint8 *rgb,
          int           width,
          int           height,
          int           rowstride,
          double        luma[GRID][GRID],
          double        chroma1[GRID][GRID],
          double        chroma2[GRID][GRID])
{
  g_autofree Tap *x_taps = g_new (Tap, width + GRID);
  g_autofree Tap *y_taps = g_new (Tap, height + GRID);
  int n_x_taps = area_taps (width, x_taps);
  int n_y_taps = area_taps (height, y_taps);
  double sums[GRID][GRID][3] = { { { 0 } } };
  int y_tap = 0;

  for (int y = 0; y < height && y_tap < n_y_taps; y++)
    {
      const guint8 *row = rgb + (gsize) y * rowstride;
      double row_cells[GRID][3] = { { 0 } };

      if (y_taps[y_tap].src != y)
        continue;

      for (int t = 0; t < n_x_taps; t++)
        {
          const guint8 *pixel = row + (gsize) x_taps[t].src * 3;
          double *cell = row_cells[x_taps[t].dst];

          cell[0] += x_taps[t].weight * pixel[0];
          cell[1] += x_taps[t].weight * pixel[1];
          cell[2] += x_taps[t].weight * pixel[2];
        }

      for (; y_tap < n_y_taps && y_taps[y_tap].src == y; y_tap++)
        {
          double weight = y_taps[y_tap].weight;
          double (*out)[3] = sums[y_taps[y_tap].dst];

          for (int j = 0; j < GRID; j++)
            for (int c = 0; c < 3; c++)
              out[j][c] += weight * row_cells[j][c];
        }
    }

  for (int i = 0; i < GRID; i++)
    for (int j = 0; j < GRID; j++)
      {
        double r = sums[i][j][0] / 255.0, g = sums[i][j][1] / 255.0, b = sums[i][j][2] / 255.0;

        luma[i][j] = 0.299 * r + 0.587 * g + 0.114 * b;
        chroma1[i][j] = (r - g) / 2.0;
        chroma2[i][j] = (r + g - 2.0 * b) / 4.0;
      }
}

/* The mean of a plane over a side x side grid of square cells. */
static void
cell_means (double  plane[GRID][GRID],
            int     side,
            double *out)
{
  int cell = GRID / side;

  for (int cy = 0; cy < side; cy++)
    for (int cx = 0; cx < side; cx++)
      {
        double sum = 0.0;

        for (int y = cy * cell; y < (cy + 1) * cell; y++)
          for (int x = cx * cell; x < (cx + 1) * cell; x++)
            sum += plane[y][x];
        out[cy * side + cx] = sum / (cell * cell);
      }
}

static void
luma_dct (const DmImageKeyer *keyer,
          double              luma[GRID][GRID],
          double             *out)
{
  double rows[GRID][DCT_SIDE];   /* rows[y][u]: DCT along x of row y */
  int n = 0;

  for (int y = 0; y < GRID; y++)
    for (int u = 0; u < DCT_SIDE; u++)
      {
        double sum = 0.0;

        for (int x = 0; x < GRID; x++)
          sum += luma[y][x] * keyer->dct_basis[u][x];
        rows[y][u] = sum;
      }

  for (int v = 0; v < DCT_SIDE; v++)
    for (int u = 0; u < DCT_SIDE; u++)
      {
        double sum = 0.0;

        if (u == 0 && v == 0)
          continue;
        for (int y = 0; y < GRID; y++)
          sum += rows[y][u] * keyer->dct_basis[v][y];
        out[n++] = sum / GRID;
      }
}

/* The unsigned orientation of (dx, dy), in [0, pi), to within 3e-4: a
 * polynomial arctangent, exact enough for histogram votes and much cheaper
 * than atan2(). */
static double
unsigned_orientation (double dx,
                      double dy)
{
  double ax = fabs (dx), ay = fabs (dy);
  double ratio = MIN (ax, ay) / MAX (ax, ay);
  double square = ratio * ratio;
  double angle = ((-0.0464964749 * square + 0.15931422) * square - 0.327622764) * square * ratio + ratio;

  if (ay > ax)
    angle = G_PI / 2 - angle;
  /* Folding opposite directions together: only dx dy's sign matters. */
  if ((dx < 0) != (dy < 0) && angle > 0.0)
    angle = G_PI - angle;
  return angle < G_PI ? angle : 0.0;
}

static void
gradient_histograms (double  luma[GRID][GRID],
                     double *out)
{
  int cell = GRID / CELL_SIDE;

  memset (out, 0, sizeof (double) * N_GRADIENT);

  for (int y = 0; y < GRID; y++)
    for (int x = 0; x < GRID; x++)
      {
        double dx = luma[y][MIN (x + 1, GRID - 1)] - luma[y][MAX (x - 1, 0)];
        double dy = luma[MIN (y + 1, GRID - 1)][x] - luma[MAX (y - 1, 0)][x];
        double magnitude = sqrt (dx * dx + dy * dy);
        double angle, position, fraction;
        double *histogram;
        int bin;

        /* Below 1e-6 it is rounding, not an edge (a grey level step is 4e-3). */
        if (magnitude < 1e-6)
          continue;

        /* In bins centred on k pi / 8. */
        angle = unsigned_orientation (dx, dy);
        position = angle / G_PI * N_ORIENTATIONS;
        bin = (int) floor (position);
        fraction = position - bin;

        histogram = out + ((y / cell) * CELL_SIDE + x / cell) * N_ORIENTATIONS;
        histogram[bin % N_ORIENTATIONS] += magnitude * (1.0 - fraction);
        histogram[(bin + 1) % N_ORIENTATIONS] += magnitude * fraction;
      }

  for (int i = 0; i < N_GRADIENT; i++)
    out[i] = sqrt (out[i]);
}

/* Scales a group to unit norm, or less when its norm is near the floor:
 * a low-contrast image's faint structure (noise, compression artefacts)
 * is not blown up to full weight. Exactly flat groups stay 0. */
static void
normalise (double   *values,
           int       n,
           gboolean  centre,
           double    floor_norm)
{
  double mean = 0.0, norm = 0.0;

  if (centre)
    {
      for (int i = 0; i < n; i++)
        mean += values[i];
      mean /= n;
    }

  for (int i = 0; i < n; i++)
    {
      values[i] -= mean;
      norm += values[i] * values[i];
    }
  norm = sqrt (norm);

  /* Rounding leaves ~1e-16 in the groups of a uniform image, which must
   * not decide bits. */
  for (int i = 0; i < n; i++)
    values[i] = norm > 1e-9 ? values[i] / sqrt (norm * norm + floor_norm * floor_norm) : 0.0;
}

/* The mean luma as a row of Gaussian bumps centred on 0, 1/(N_TONE - 1),
 * ..., 1, scaled to a fixed norm: nearby levels share most of the code,
 * levels far apart (white and black) share almost none. The image's
 * absolute brightness, which the normalised luma groups leave out. */
static void
tone_code (double  luma[GRID][GRID],
           double *out)
{
  double mean = 0.0, norm = 0.0;

  for (int y = 0; y < GRID; y++)
    for (int x = 0; x < GRID; x++)
      mean += luma[y][x];
  mean /= GRID * GRID;

  for (int i = 0; i < N_TONE; i++)
    {
      double offset = (mean - (double) i / (N_TONE - 1)) / TONE_WIDTH;

      out[i] = exp (-0.5 * offset * offset);
      norm += out[i] * out[i];
    }
  for (int i = 0; i < N_TONE; i++)
    out[i] *= TONE_GAIN / sqrt (norm);
}

static void
image_features (const DmImageKeyer *keyer,
                const guint8       *rgb,
                int                 width,
                int                 height,
                int                 rowstride,
                double              features[N_FEATURES])
{
  double luma[GRID][GRID], chroma1[GRID][GRID], chroma2[GRID][GRID];
  double *layout = features;
  double *dct = layout + N_LAYOUT;
  double *gradients = dct + N_DCT;
  double *colour = gradients + N_GRADIENT;
  double *tone = colour + N_COLOUR;

  resample (rgb, width, height, rowstride, luma, chroma1, chroma2);

  cell_means (luma, LAYOUT_SIDE, layout);
  normalise (layout, N_LAYOUT, TRUE, LAYOUT_FLOOR);

  luma_dct (keyer, luma, dct);
  normalise (dct, N_DCT, FALSE, DCT_FLOOR);

  gradient_histograms (luma, gradients);
  normalise (gradients, N_GRADIENT, TRUE, GRADIENT_FLOOR);

  cell_means (chroma1, CELL_SIDE, colour);
  cell_means (chroma2, CELL_SIDE, colour + N_COLOUR / 2);
  for (int i = 0; i < N_COLOUR; i++)
    colour[i] *= COLOUR_GAIN / sqrt (N_COLOUR);

  tone_code (luma, tone);
}

/**
 * dm_image_keyer_project:
 * @keyer: the projection
 * @rgb: 8-bit RGB pixels, 3 bytes per pixel, upright
 * @width: pixels per row, at least 1
 * @height: rows, at least 1
 * @rowstride: bytes from one row to the next, at least 3 @width
 * @projections: (out caller-allocates): the 512 projections the key's bits
 *   are the signs of
 *
 * Steps 1 to 4 of the key (see the top of dm-image-key.h): what the key
 * binarises, for callers that want more than its signs.
 */
void
dm_image_keyer_project (const DmImageKeyer *keyer,
                        const guint8       *rgb,
                        int                 width,
                        int                 height,
                        int                 rowstride,
                        float               projections[DM_IMAGE_KEY_BITS])
{
  double features[N_FEATURES];
  /* A local sum: it cannot alias the matrix, so the loop vectorises. */
  float sums[DM_IMAGE_KEY_BITS] = { 0 };

  g_return_if_fail (keyer != NULL);
  g_return_if_fail (rgb != NULL);
  g_return_if_fail (width > 0 && height > 0);
  g_return_if_fail (rowstride >= width * 3);

  image_features (keyer, rgb, width, height, rowstride, features);

  for (int d = 0; d < N_FEATURES; d++)
    {
      const float *row = keyer->projection[d];
      float feature = (float) features[d];

      for (int k = 0; k < DM_IMAGE_KEY_BITS; k++)
        sums[k] += row[k] * feature;
    }
  memcpy (projections, sums, sizeof sums);
}

/**
 * dm_image_keyer_compute:
 * @keyer: the projection
 * @rgb: 8-bit RGB pixels, 3 bytes per pixel, upright
 * @width: pixels per row, at least 1
 * @height: rows, at least 1
 * @rowstride: bytes from one row to the next, at least 3 @width
 * @key: (out caller-allocates): the 64-byte key
 *
 * Computes the image's key, as described at the top of dm-image-key.h. The
 * key depends only on the pixels: not on @rowstride, the thread, or the
 * keyer instance.
 */
void
dm_image_keyer_compute (const DmImageKeyer *keyer,
                        const guint8       *rgb,
                        int                 width,
                        int                 height,
                        int                 rowstride,
                        guint8              key[DM_IMAGE_KEY_BYTES])
{
  float projections[DM_IMAGE_KEY_BITS];

  dm_image_keyer_project (keyer, rgb, width, height, rowstride, projections);
  dm_image_key_pack_signs (projections, key);
}

/**
 * dm_image_key_pack_signs:
 * @projections: 512 values
 * @key: (out caller-allocates): 64 bytes
 *
 * Sets bit i of @key when @projections[i] > 0, packed most significant bit
 * first like numpy.packbits: bit i is (key[i / 8] >> (7 - i % 8)) & 1.
 */
void
dm_image_key_pack_signs (const float projections[DM_IMAGE_KEY_BITS],
                         guint8      key[DM_IMAGE_KEY_BYTES])
{
  for (int byte = 0; byte < DM_IMAGE_KEY_BYTES; byte++)
    {
      guint8 packed = 0;

      for (int bit = 0; bit < 8; bit++)
        if (projections[byte * 8 + bit] > 0.0f)
          packed |= (guint8) (0x80u >> bit);
      key[byte] = packed;
    }
}

/**
 * dm_image_key_distance:
 * @a: a 64-byte key
 * @b: another
 *
 * Returns: the number of bits in which @a and @b differ, 0 to 512
 */
guint
dm_image_key_distance (const guint8 *a,
                       const guint8 *b)
{
  guint distance = 0;

  for (int i = 0; i < DM_IMAGE_KEY_BYTES; i++)
    distance += (guint) __builtin_popcount ((unsigned) (a[i] ^ b[i]));

  return distance;
}
