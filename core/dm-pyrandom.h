/* dm-pyrandom.h: Python's random.sample, bit for bit.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Draws what CPython 3's `random.seed(seed); random.sample(range(n), k)`
 * draws, in the same order, so that the `random` method keeps exactly the
 * items Datumaro keeps.
 *
 * CPython seeds MT19937 with init_by_array over the seed's 32-bit words
 * (one word for seeds below 2^32), which is GRand's seed-array
 * initialisation; `sample` draws with _randbelow (getrandbits with
 * rejection) and picks its pool or its set algorithm by the sizes of n
 * and k. Needs k <= n; writes k indices below n to @out. */
void dm_pyrandom_sample (guint32  seed,
                         guint    n,
                         guint    k,
                         guint   *out);

G_END_DECLS
