/* dm-pyrandom.c: Python's random.sample, bit for bit.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>

#include "dm-pyrandom.h"

static guint
bit_length (guint n)
{
  return n == 0 ? 0 : 32 - (guint) __builtin_clz (n);
}

/* CPython's _randbelow_with_getrandbits: getrandbits(k) for k <= 32 is the
 * top k bits of one 32-bit output. */
static guint
rand_below (GRand *rand,
            guint  n)
{
  guint k = bit_length (n);
  guint r;

  if (k == 0)
    return 0;
  do
    r = g_rand_int (rand) >> (32 - k);
  while (r >= n);

  return r;
}

void
dm_pyrandom_sample (guint32  seed,
                    guint    n,
                    guint    k,
                    guint   *out)
{
  g_autoptr(GRand) rand = NULL;
  guint64 setsize = 21;

  g_return_if_fail (k <= n);
  g_return_if_fail (out != NULL || k == 0);

  rand = g_rand_new_with_seed_array (&seed, 1);

  /* The same floating-point expression as CPython's
   * `4 ** _ceil(_log(k * 3, 4))`, whose rounding decides the algorithm. */
  if (k > 5)
    {
      double exponent = ceil (log ((double) k * 3.0) / log (4.0));

      setsize += exponent >= 63 ? G_MAXUINT64 / 2 : (guint64) 1 << (guint) (2 * exponent);
    }

  if (n <= setsize)
    {
      g_autofree guint *pool = g_new (guint, n);

      for (guint i = 0; i < n; i++)
        pool[i] = i;
      for (guint i = 0; i < k; i++)
        {
          guint j = rand_below (rand, n - i);

          out[i] = pool[j];
          pool[j] = pool[n - i - 1];
        }
    }
  else
    {
      g_autofree guint8 *selected = g_new0 (guint8, n);

      for (guint i = 0; i < k; i++)
        {
          guint j = rand_below (rand, n);

          while (selected[j])
            j = rand_below (rand, n);
          selected[j] = 1;
          out[i] = j;
        }
    }
}
