/* imagekey-scenes.c: synthetic "photos" and their near-duplicate variants.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "imagekey-scenes.h"

#include <math.h>
#include <string.h>

#define NOISE_LATTICE 17
#define MAX_SHAPES 6

typedef struct
{
  double background[2][3];
  double direction[2];
  double texture_colour[3];
  double texture_strength;
  double texture_frequency;
  double lattice[NOISE_LATTICE][NOISE_LATTICE];
  int n_shapes;
  struct {
    gboolean disc;
    double centre[2];
    double size[2];
    double colour[3];
  } shapes[MAX_SHAPES];
} Scene;

static void
random_colour (GRand *rand, double colour[3])
{
  for (int c = 0; c < 3; c++)
    colour[c] = g_rand_double (rand);
}

static void
scene_init (Scene *scene, guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  double angle = g_rand_double_range (rand, 0.0, 2.0 * G_PI);

  random_colour (rand, scene->background[0]);
  random_colour (rand, scene->background[1]);
  scene->direction[0] = cos (angle);
  scene->direction[1] = sin (angle);
  random_colour (rand, scene->texture_colour);
  scene->texture_strength = g_rand_double_range (rand, 0.05, 0.4);
  scene->texture_frequency = g_rand_double_range (rand, 2.0, 12.0);
  for (int i = 0; i < NOISE_LATTICE; i++)
    for (int j = 0; j < NOISE_LATTICE; j++)
      scene->lattice[i][j] = g_rand_double_range (rand, -1.0, 1.0);

  scene->n_shapes = g_rand_int_range (rand, 1, MAX_SHAPES + 1);
  for (int s = 0; s < scene->n_shapes; s++)
    {
      scene->shapes[s].disc = g_rand_boolean (rand);
      scene->shapes[s].centre[0] = g_rand_double_range (rand, 0.1, 0.9);
      scene->shapes[s].centre[1] = g_rand_double_range (rand, 0.1, 0.9);
      scene->shapes[s].size[0] = g_rand_double_range (rand, 0.05, 0.3);
      scene->shapes[s].size[1] = g_rand_double_range (rand, 0.05, 0.3);
      random_colour (rand, scene->shapes[s].colour);
    }
}

static double
smoothstep (double t)
{
  return t * t * (3.0 - 2.0 * t);
}

/* Value noise on a wrapped lattice, at (u, v) in lattice units. */
static double
value_noise (const Scene *scene, double u, double v)
{
  int i = (int) floor (u), j = (int) floor (v);
  double fu = smoothstep (u - i), fv = smoothstep (v - j);
  int i0 = ((i % (NOISE_LATTICE - 1)) + NOISE_LATTICE - 1) % (NOISE_LATTICE - 1);
  int j0 = ((j % (NOISE_LATTICE - 1)) + NOISE_LATTICE - 1) % (NOISE_LATTICE - 1);
  double top = scene->lattice[j0][i0] * (1 - fu) + scene->lattice[j0][i0 + 1] * fu;
  double bottom = scene->lattice[j0 + 1][i0] * (1 - fu) + scene->lattice[j0 + 1][i0 + 1] * fu;

  return top * (1 - fv) + bottom * fv;
}

static void
scene_colour (const Scene *scene, double x, double y, double aspect, double out[3])
{
  double t = 0.5 + 0.5 * (scene->direction[0] * (x - 0.5) + scene->direction[1] * (y - 0.5)) * 1.4;
  double f = scene->texture_frequency;
  double noise = value_noise (scene, x * f * aspect, y * f)
                 + 0.5 * value_noise (scene, x * f * 2 * aspect + 3.1, y * f * 2 + 1.7);

  for (int c = 0; c < 3; c++)
    out[c] = scene->background[0][c] * (1 - t) + scene->background[1][c] * t
             + scene->texture_strength * noise * (scene->texture_colour[c] - 0.5) * 2;

  for (int s = 0; s < scene->n_shapes; s++)
    {
      double dx = (x - scene->shapes[s].centre[0]) / scene->shapes[s].size[0];
      double dy = (y - scene->shapes[s].centre[1]) / scene->shapes[s].size[1];
      gboolean inside = scene->shapes[s].disc ? dx * dx + dy * dy <= 1.0
                                              : fabs (dx) <= 1.0 && fabs (dy) <= 1.0;

      if (inside)
        for (int c = 0; c < 3; c++)
          out[c] = scene->shapes[s].colour[c];
    }
}

static guint8
to_byte (double value)
{
  return (guint8) CLAMP (lround (value * 255.0), 0, 255);
}

guint8 *
imagekey_scene_render (guint32 seed, int width, int height)
{
  Scene scene;
  guint8 *rgb = g_new (guint8, (gsize) width * height * 3);

  scene_init (&scene, seed);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        double colour[3];
        guint8 *pixel = rgb + ((gsize) y * width + x) * 3;

        scene_colour (&scene, (x + 0.5) / width, (y + 0.5) / height,
                      (double) width / height, colour);
        for (int c = 0; c < 3; c++)
          pixel[c] = to_byte (colour[c]);
      }

  return rgb;
}

/* Half the size in each dimension, each pixel the mean of a 2x2 block. */
guint8 *
imagekey_halve (const guint8 *rgb, int width, int height)
{
  int half_width = width / 2, half_height = height / 2;
  guint8 *out = g_new (guint8, (gsize) half_width * half_height * 3);

  for (int y = 0; y < half_height; y++)
    for (int x = 0; x < half_width; x++)
      for (int c = 0; c < 3; c++)
        {
          const guint8 *top = rgb + ((gsize) 2 * y * width + 2 * x) * 3 + c;
          const guint8 *bottom = top + (gsize) width * 3;

          out[((gsize) y * half_width + x) * 3 + c] =
            (guint8) ((top[0] + top[3] + bottom[0] + bottom[3] + 2) / 4);
        }

  return out;
}

/* Every channel times factor, clamped, as a photo editor's brightness. */
guint8 *
imagekey_brighten (const guint8 *rgb, int width, int height, double factor)
{
  gsize n = (gsize) width * height * 3;
  guint8 *out = g_new (guint8, n);

  for (gsize i = 0; i < n; i++)
    out[i] = to_byte (rgb[i] / 255.0 * factor);

  return out;
}

/* Removes fraction of the width and height, half from each side. */
guint8 *
imagekey_crop_border (const guint8 *rgb, int width, int height, double fraction,
                      int *new_width, int *new_height)
{
  int left = (int) lround (width * fraction / 2), top = (int) lround (height * fraction / 2);
  int cropped_width = width - 2 * left, cropped_height = height - 2 * top;
  guint8 *out = g_new (guint8, (gsize) cropped_width * cropped_height * 3);

  for (int y = 0; y < cropped_height; y++)
    memcpy (out + (gsize) y * cropped_width * 3,
            rgb + ((gsize) (y + top) * width + left) * 3,
            (gsize) cropped_width * 3);

  *new_width = cropped_width;
  *new_height = cropped_height;
  return out;
}
