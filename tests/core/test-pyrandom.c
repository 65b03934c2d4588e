/* Parity of dm_pyrandom_sample with CPython's random.sample, against draws
 * recorded from Python (tests/data/pyrandom-samples.txt). */
#include <math.h>

#include "dm-pyrandom.h"

static void
test_pyrandom_parity (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "pyrandom-samples.txt", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  guint cases = 0, large_cases = 0;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);

  for (guint l = 0; lines[l] != NULL; l++)
    {
      g_auto(GStrv) head_tail = NULL;
      g_auto(GStrv) head = NULL;
      g_auto(GStrv) expected = NULL;
      g_autofree guint *drawn = NULL;
      guint64 seed, n, k;
      double ratio;

      if (lines[l][0] == '#' || lines[l][0] == '\0')
        continue;

      head_tail = g_strsplit (lines[l], ":", 2);
      g_assert_cmpuint (g_strv_length (head_tail), ==, 2);
      head = g_strsplit (head_tail[0], " ", -1);
      g_assert_cmpuint (g_strv_length (head), ==, 4);
      g_assert_true (g_ascii_string_to_unsigned (head[0], 10, 0, G_MAXUINT32, &seed, NULL));
      g_assert_true (g_ascii_string_to_unsigned (head[1], 10, 1, G_MAXUINT, &n, NULL));
      ratio = g_ascii_strtod (head[2], NULL);
      g_assert_true (g_ascii_string_to_unsigned (head[3], 10, 0, n, &k, NULL));

      /* The kept count: Python's math.ceil(n * ratio) in doubles. */
      g_assert_cmpuint ((guint) ceil ((double) n * ratio), ==, k);

      expected = g_strsplit (g_strstrip (head_tail[1]), " ", -1);
      g_assert_cmpuint (g_strv_length (expected), ==, k);

      drawn = g_new (guint, k);
      dm_pyrandom_sample ((guint32) seed, (guint) n, (guint) k, drawn);
      for (guint i = 0; i < k; i++)
        {
          guint64 want;

          g_assert_true (g_ascii_string_to_unsigned (expected[i], 10, 0, n - 1, &want, NULL));
          if (drawn[i] != want)
            g_error ("line %u (seed %" G_GUINT64_FORMAT ", n %" G_GUINT64_FORMAT
                     ", k %" G_GUINT64_FORMAT "): draw %u is %u, Python drew %" G_GUINT64_FORMAT,
                     l + 1, seed, n, k, i, drawn[i], want);
        }
      cases++;
      if (n > 1000)
        large_cases++;
    }

  /* Both of CPython's algorithms (pool for small n, set for large) ran. */
  g_assert_cmpuint (cases, >, 100);
  g_assert_cmpuint (large_cases, >, 10);
}

static void
test_pyrandom_full_sample_is_permutation (void)
{
  guint n = 1000;
  g_autofree guint *drawn = g_new (guint, n);
  g_autofree guint8 *seen = g_new0 (guint8, n);

  dm_pyrandom_sample (3, n, n, drawn);
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpuint (drawn[i], <, n);
      g_assert_false (seen[drawn[i]]);
      seen[drawn[i]] = 1;
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pyrandom/parity-with-python", test_pyrandom_parity);
  g_test_add_func ("/pyrandom/full-sample-is-permutation", test_pyrandom_full_sample_is_permutation);

  return g_test_run ();
}
