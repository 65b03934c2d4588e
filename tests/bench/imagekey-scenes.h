/* imagekey-scenes.h: synthetic "photos" and their near-duplicate variants,
 * for the image key's tests and benchmark.
 *
 * A scene is a pure function of its seed: a two-colour gradient
 * background, a coloured value-noise texture, and a few discs and
 * rectangles of random colours. Images are packed 8-bit RGB (rowstride
 * 3 x width), freed with g_free().
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

guint8 *imagekey_scene_render (guint32       seed,
                               int           width,
                               int           height);

guint8 *imagekey_halve        (const guint8 *rgb,
                               int           width,
                               int           height);

guint8 *imagekey_brighten     (const guint8 *rgb,
                               int           width,
                               int           height,
                               double        factor);

guint8 *imagekey_crop_border  (const guint8 *rgb,
                               int           width,
                               int           height,
                               double        fraction,
                               int          *new_width,
                               int          *new_height);

G_END_DECLS
