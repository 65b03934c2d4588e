/* test-ndr.c: near-duplicate removal, features and selection.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <string.h>

#include "dm-core-error.h"
#include "dm-ndr.h"

#define FEATURE_TOLERANCE 1e-5

static void
assert_features_equal (const float *actual, const double *expected, gsize dim)
{
  for (gsize i = 0; i < dim; i++)
    if (fabs (actual[i] - expected[i]) > FEATURE_TOLERANCE)
      g_error ("feature %" G_GSIZE_FORMAT ": got %.7f, expected %.7f",
               i, actual[i], expected[i]);
}

static void
normalize (double *values, gsize n)
{
  double norm = 0.0;

  for (gsize i = 0; i < n; i++)
    norm += values[i] * values[i];
  for (gsize i = 0; i < n; i++)
    values[i] /= sqrt (norm);
}

static void
test_params (void)
{
  DmNdrParams params;
  g_autoptr(GError) error = NULL;

  dm_ndr_params_init (&params);
  g_assert_cmpuint (params.block_rows, ==, 8);
  g_assert_cmpuint (params.block_columns, ==, 8);
  g_assert_cmpuint (params.hash_dim, ==, 32);
  g_assert_cmpfloat (params.sim_threshold, ==, 0.5);
  g_assert_cmpint (params.oversample, ==, DM_NDR_OVERSAMPLE_RANDOM);
  g_assert_cmpint (params.undersample, ==, DM_NDR_UNDERSAMPLE_UNIFORM);
  g_assert_cmpuint (dm_ndr_feature_dim (&params), ==, 8 * 8 * 12);
  g_assert_true (dm_ndr_params_validate (&params, &error));
  g_assert_no_error (error);

  params.hash_dim = 8 * 8 * 12 + 1;
  g_assert_false (dm_ndr_params_validate (&params, &error));
  g_assert_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "hash_dim"));
  g_clear_error (&error);

  dm_ndr_params_init (&params);
  params.block_columns = 0;
  g_assert_false (dm_ndr_params_validate (&params, &error));
  g_assert_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  dm_ndr_params_init (&params);
  params.sim_threshold = 0.0;
  g_assert_false (dm_ndr_params_validate (&params, &error));
  g_assert_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
}

/* A 3x1 image into 1x2 blocks: each block covers one and a half pixels, so
 * the middle pixel counts half in each (cv2 INTER_AREA). */
static void
test_features_area_average (void)
{
  const guint8 rgb[] = {
    0, 255, 128,    51, 204, 128,    255, 0, 128,
  };
  DmNdrParams params;
  float actual[24];
  double expected[24] = { 0 };
  double f0[6], f1[6];
  double b = 128 / 255.0;

  dm_ndr_params_init (&params);
  params.block_rows = 1;
  params.block_columns = 2;
  params.hash_dim = 8;
  g_assert_cmpuint (dm_ndr_feature_dim (&params), ==, 24);

  /* Red is 0, 0.2, 1; green 1, 0.8, 0; blue constant. Block 0 takes pixel 0
   * whole and half of pixel 1, block 1 the other half and pixel 2. */
  f0[0] = (0.0 + 0.5 * 0.2) / 1.5;
  f0[1] = (1.0 + 0.5 * 0.8) / 1.5;
  f0[2] = b;
  f0[3] = sqrt ((0.0 + 0.5 * 0.04) / 1.5 - f0[0] * f0[0]);
  f0[4] = sqrt ((1.0 + 0.5 * 0.64) / 1.5 - f0[1] * f0[1]);
  f0[5] = 0.0;
  f1[0] = (0.5 * 0.2 + 1.0) / 1.5;
  f1[1] = (0.5 * 0.8 + 0.0) / 1.5;
  f1[2] = b;
  f1[3] = sqrt ((0.5 * 0.04 + 1.0) / 1.5 - f1[0] * f1[0]);
  f1[4] = sqrt ((0.5 * 0.64 + 0.0) / 1.5 - f1[1] * f1[1]);
  f1[5] = 0.0;

  /* x gradient f(x-1) - f(x+1) with zero padding; one row, so no y one. */
  for (int v = 0; v < 6; v++)
    {
      expected[v] = 0.0 - f1[v];
      expected[12 + v] = f0[v] - 0.0;
    }
  normalize (expected, 24);

  dm_ndr_features (rgb, 3, 1, 9, &params, actual);
  assert_features_equal (actual, expected, 24);
}

/* A 2x2 image into 2x2 blocks: each block is one pixel, with no spread. */
static void
test_features_gradient (void)
{
  guint8 rgb[2 * 11];
  DmNdrParams params;
  float actual[48];
  double expected[48] = { 0 };

  /* Rows 11 bytes apart; the padding must be ignored. */
  memset (rgb, 0xab, sizeof rgb);
  memset (rgb, 0, 6);
  memset (rgb + 11, 0, 6);
  rgb[3] = 51;        /* red of (row 0, column 1) = 0.2 */
  rgb[11] = 102;      /* red of (row 1, column 0) = 0.4 */
  rgb[11 + 3] = 255;  /* red of (row 1, column 1) = 1.0 */

  dm_ndr_params_init (&params);
  params.block_rows = 2;
  params.block_columns = 2;

  /* Block (r, c) starts at 12 * (2r + c); x gradient of mean red at +0,
   * y gradient of mean red at +6. Red means: [[0, .2], [.4, 1]]. */
  expected[0] = 0.0 - 0.2;         /* x: left pad - right neighbour */
  expected[6] = 0.0 - 0.4;         /* y: top pad - bottom neighbour */
  expected[12] = 0.0 - 0.0;
  expected[18] = 0.0 - 1.0;
  expected[24] = 0.0 - 1.0;
  expected[30] = 0.0 - 0.0;
  expected[36] = 0.4 - 0.0;
  expected[42] = 0.2 - 0.0;
  for (int i = 0; i < 48; i++)
    expected[i] /= sqrt (2.4);

  dm_ndr_features (rgb, 2, 2, 11, &params, actual);
  assert_features_equal (actual, expected, 48);
}

/* Doubling an image in both directions leaves its 2x2-block feature alone:
 * every block covers four times the pixels, with the same mean and spread.
 * A black image has no gradient, and its feature is zero rather than NaN;
 * flat grey ones differ only at the zero-padded border, by their level. */
static void
test_features_scale_invariant_and_flat (void)
{
  guint8 rgb[4 * 4 * 3];
  guint8 doubled[8 * 8 * 3];
  guint8 flat[5 * 3 * 3];
  DmNdrParams params;
  float original_feature[48];
  float doubled_feature[48];
  float flat_feature[48];
  double spread = 0.0;

  for (guint i = 0; i < sizeof rgb; i++)
    rgb[i] = (guint8) ((i * 37) % 251);
  for (guint y = 0; y < 8; y++)
    for (guint x = 0; x < 8; x++)
      memcpy (doubled + (y * 8 + x) * 3, rgb + ((y / 2) * 4 + x / 2) * 3, 3);

  dm_ndr_params_init (&params);
  params.block_rows = 2;
  params.block_columns = 2;

  dm_ndr_features (rgb, 4, 4, 12, &params, original_feature);
  dm_ndr_features (doubled, 8, 8, 24, &params, doubled_feature);
  for (guint i = 0; i < 48; i++)
    g_assert_cmpfloat_with_epsilon (doubled_feature[i], original_feature[i], FEATURE_TOLERANCE);

  /* This textured image has spread within blocks, so the std gradients
   * (values 3..5 of each half) are not all zero. */
  for (guint b = 0; b < 4; b++)
    for (guint v = 3; v < 6; v++)
      spread += fabs (original_feature[b * 12 + v]) + fabs (original_feature[b * 12 + 6 + v]);
  g_assert_cmpfloat (spread, >, 0.01);

  memset (flat, 0, sizeof flat);
  dm_ndr_features (flat, 5, 3, 15, &params, flat_feature);
  for (guint i = 0; i < 48; i++)
    g_assert_cmpfloat (flat_feature[i], ==, 0.0f);

  memset (flat, 77, sizeof flat);
  dm_ndr_features (flat, 5, 3, 15, &params, flat_feature);
  memset (flat, 200, sizeof flat);
  dm_ndr_features (flat, 5, 3, 15, &params, original_feature);
  for (guint i = 0; i < 48; i++)
    g_assert_cmpfloat_with_epsilon (flat_feature[i], original_feature[i], FEATURE_TOLERANCE);
  /* Mean red, x gradient, left column: 0 - level, normalised over the 8
   * border gradients of the 3 mean channels. */
  g_assert_cmpfloat_with_epsilon (flat_feature[0], -1.0 / sqrt (24.0), FEATURE_TOLERANCE);
}

/* Random unit vectors in 768 dimensions are nearly orthogonal: their
 * similarity dot^50 is far below any threshold. */
static float *
random_features (guint32 seed, gsize n, gsize dim)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  float *features = g_new (float, n * dim);

  for (gsize i = 0; i < n; i++)
    {
      double norm = 0.0;

      for (gsize k = 0; k < dim; k++)
        {
          features[i * dim + k] = (float) g_rand_double_range (rand, -1.0, 1.0);
          norm += features[i * dim + k] * features[i * dim + k];
        }
      for (gsize k = 0; k < dim; k++)
        features[i * dim + k] /= (float) sqrt (norm);
    }

  return features;
}

static void
assert_kept_valid (const guint *kept, gsize n_keep, gsize n_items)
{
  for (gsize i = 0; i < n_keep; i++)
    {
      g_assert_cmpuint (kept[i], <, n_items);
      if (i > 0)
        g_assert_cmpuint (kept[i - 1], <, kept[i]);
    }
}

#define N_GROUPS 30

/* Items 0 .. N_GROUPS-1 are distinct; the rest copy one of them each. */
typedef struct {
  float *features;
  guint *group;
  gsize  n_items;
  gsize  dim;
} DuplicateSet;

static void
duplicate_set_init (DuplicateSet *set, gsize dim)
{
  g_autofree float *distinct = random_features (7, N_GROUPS, dim);
  g_autoptr(GArray) groups = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint g = 0; g < N_GROUPS; g++)
    for (guint copy = 0; copy <= g % 3; copy++)
      g_array_append_val (groups, g);

  set->dim = dim;
  set->n_items = groups->len;
  set->group = g_new (guint, groups->len);
  set->features = g_new (float, groups->len * dim);
  for (guint i = 0; i < groups->len; i++)
    {
      set->group[i] = g_array_index (groups, guint, i);
      memcpy (set->features + i * dim, distinct + set->group[i] * dim, dim * sizeof (float));
    }
}

static void
duplicate_set_clear (DuplicateSet *set)
{
  g_clear_pointer (&set->features, g_free);
  g_clear_pointer (&set->group, g_free);
}

static gboolean
select_set (const DuplicateSet *set, gsize n_keep, const DmNdrParams *params, guint32 seed,
            guint *kept, gsize *n_duplicates)
{
  const DmNdrRequest request = {
    .features = set->features, .n_items = set->n_items, .dim = set->dim,
    .n_keep = n_keep, .params = params, .seed = seed,
  };

  return dm_ndr_select (&request, kept, n_duplicates, NULL);
}

static void
count_groups (const DuplicateSet *set, const guint *kept, gsize n_keep, guint counts[N_GROUPS])
{
  memset (counts, 0, N_GROUPS * sizeof counts[0]);
  for (gsize i = 0; i < n_keep; i++)
    counts[set->group[kept[i]]]++;
}

static void
test_select_exact_duplicates_first (void)
{
  DmNdrParams params;
  DuplicateSet set;
  guint counts[N_GROUPS];
  gsize n_duplicates = 0;
  g_autofree guint *kept = NULL;

  dm_ndr_params_init (&params);
  duplicate_set_init (&set, dm_ndr_feature_dim (&params));
  kept = g_new (guint, set.n_items);
  g_assert_cmpuint (set.n_items, ==, 60);

  for (guint32 seed = 1; seed <= 5; seed++)
    {
      /* Exactly as many as there are distinct images: one of each. */
      g_assert_true (select_set (&set, N_GROUPS, &params, seed, kept, &n_duplicates));
      g_assert_cmpuint (n_duplicates, ==, set.n_items - N_GROUPS);
      count_groups (&set, kept, N_GROUPS, counts);
      for (guint g = 0; g < N_GROUPS; g++)
        g_assert_cmpuint (counts[g], ==, 1);

      /* Fewer: never two copies of one image. */
      g_assert_true (select_set (&set, N_GROUPS - 7, &params, seed, kept, NULL));
      count_groups (&set, kept, N_GROUPS - 7, counts);
      for (guint g = 0; g < N_GROUPS; g++)
        g_assert_cmpuint (counts[g], <=, 1);

      /* More: every image at least once, duplicates only on top. */
      g_assert_true (select_set (&set, N_GROUPS + 7, &params, seed, kept, NULL));
      count_groups (&set, kept, N_GROUPS + 7, counts);
      for (guint g = 0; g < N_GROUPS; g++)
        g_assert_cmpuint (counts[g], >=, 1);
    }

  duplicate_set_clear (&set);
}

static void
test_select_counts_exact (void)
{
  DmNdrParams params;
  DuplicateSet set;
  g_autofree guint *kept = NULL;

  dm_ndr_params_init (&params);
  duplicate_set_init (&set, dm_ndr_feature_dim (&params));
  kept = g_new (guint, set.n_items);

  for (int over = DM_NDR_OVERSAMPLE_RANDOM; over <= DM_NDR_OVERSAMPLE_SIMILARITY; over++)
    for (int under = DM_NDR_UNDERSAMPLE_UNIFORM; under <= DM_NDR_UNDERSAMPLE_INVERSE; under++)
      for (gsize n_keep = 0; n_keep <= set.n_items; n_keep++)
        {
          params.oversample = over;
          params.undersample = under;
          memset (kept, 0xff, set.n_items * sizeof (guint));
          g_assert_true (select_set (&set, n_keep, &params, 42, kept, NULL));
          assert_kept_valid (kept, n_keep, set.n_items);
          if (n_keep < set.n_items)
            g_assert_cmpuint (kept[n_keep], ==, G_MAXUINT);
        }

  duplicate_set_clear (&set);
}

/* Pairs {v, c v}: one of each pair is kept, the other removed with
 * similarity c^50 whichever comes first. "similarity" brings back the
 * least similar ones first. */
static void
test_select_oversample_similarity (void)
{
  const double scales[] = { 0.9990, 0.9870, 0.9975, 0.9890, 0.9950, 0.9910, 0.9930, 0.9880 };
  const gsize n_pairs = G_N_ELEMENTS (scales);
  DmNdrParams params;
  gsize dim;
  g_autofree float *base = NULL;
  g_autofree float *features = NULL;
  guint kept[2 * G_N_ELEMENTS (scales)];
  gsize n_duplicates;

  dm_ndr_params_init (&params);
  params.oversample = DM_NDR_OVERSAMPLE_SIMILARITY;
  dim = dm_ndr_feature_dim (&params);
  base = random_features (11, n_pairs, dim);
  features = g_new (float, 2 * n_pairs * dim);
  for (gsize p = 0; p < n_pairs; p++)
    for (gsize k = 0; k < dim; k++)
      {
        features[(2 * p) * dim + k] = base[p * dim + k];
        features[(2 * p + 1) * dim + k] = (float) (scales[p] * base[p * dim + k]);
      }

  for (gsize extra = 0; extra <= n_pairs; extra++)
    {
      guint pairs_with_both = 0;

      g_assert_true (dm_ndr_select (&(DmNdrRequest) { .features = features, .n_items = 2 * n_pairs,
                                                    .dim = dim, .n_keep = n_pairs + extra,
                                                    .params = &params, .seed = 3 },
                                    kept, &n_duplicates, NULL));
      g_assert_cmpuint (n_duplicates, ==, n_pairs);

      /* Both members of pair p are back iff c_p is among the `extra`
       * smallest scales. */
      for (gsize p = 0; p < n_pairs; p++)
        {
          gboolean both = FALSE;
          gsize n_smaller = 0;

          for (gsize i = 0; i + 1 < n_pairs + extra; i++)
            if (kept[i] == 2 * p && kept[i + 1] == 2 * p + 1)
              both = TRUE;
          for (gsize q = 0; q < n_pairs; q++)
            n_smaller += scales[q] < scales[p];

          g_assert_cmpint (both, ==, n_smaller < extra);
          pairs_with_both += both;
        }
      g_assert_cmpuint (pairs_with_both, ==, extra);
    }
}

/* A bucket of 8 items sharing one hash (positive multiples of one vector,
 * too different in length to be duplicates) beside 16 lone items.
 * "inverse" gives each of the 8 a weight 1/64 of a lone item's. */
static void
test_select_undersample_inverse (void)
{
  const gsize n_shared = 8, n_lone = 16, n_items = 24;
  DmNdrParams params;
  gsize dim;
  g_autofree float *features = NULL;
  guint kept[16];
  guint shared_kept[2] = { 0, 0 };

  dm_ndr_params_init (&params);
  dim = dm_ndr_feature_dim (&params);
  features = random_features (5, n_items, dim);
  for (gsize i = 1; i < n_shared; i++)
    for (gsize k = 0; k < dim; k++)
      features[i * dim + k] = (float) ((1.0 - 0.1 * i) * features[k]);

  for (int under = DM_NDR_UNDERSAMPLE_UNIFORM; under <= DM_NDR_UNDERSAMPLE_INVERSE; under++)
    for (guint32 seed = 1; seed <= 20; seed++)
      {
        gsize n_duplicates;

        params.undersample = under;
        g_assert_true (dm_ndr_select (&(DmNdrRequest) { .features = features, .n_items = n_items,
                                                      .dim = dim, .n_keep = n_lone,
                                                      .params = &params, .seed = seed },
                                      kept, &n_duplicates, NULL));
        g_assert_cmpuint (n_duplicates, ==, 0);
        assert_kept_valid (kept, n_lone, n_items);
        for (gsize i = 0; i < n_lone; i++)
          shared_kept[under] += kept[i] < n_shared;
      }

  /* Uniform keeps 16 * 8 / 24 of the shared ones on average, 107 over 20
   * runs; inverse about one in all. */
  g_test_message ("shared items kept: uniform %u, inverse %u",
                  shared_kept[DM_NDR_UNDERSAMPLE_UNIFORM],
                  shared_kept[DM_NDR_UNDERSAMPLE_INVERSE]);
  g_assert_cmpuint (shared_kept[DM_NDR_UNDERSAMPLE_UNIFORM], >, 60);
  g_assert_cmpuint (shared_kept[DM_NDR_UNDERSAMPLE_INVERSE] * 4, <,
                    shared_kept[DM_NDR_UNDERSAMPLE_UNIFORM]);
}

static void
test_select_black_images_are_duplicates (void)
{
  DmNdrParams params;
  gsize dim;
  g_autofree float *features = NULL;
  guint kept[4];
  gsize n_duplicates;

  dm_ndr_params_init (&params);
  dim = dm_ndr_feature_dim (&params);
  /* Items 0 and 1 distinct; 2 and 3 black (all-zero features). */
  features = random_features (9, 4, dim);
  memset (features + 2 * dim, 0, 2 * dim * sizeof (float));

  g_assert_true (dm_ndr_select (&(DmNdrRequest) { .features = features, .n_items = 4, .dim = dim,
                                                  .n_keep = 3, .params = &params, .seed = 1 },
                                kept, &n_duplicates, NULL));
  g_assert_cmpuint (n_duplicates, ==, 1);
  g_assert_cmpuint (kept[0], ==, 0);
  g_assert_cmpuint (kept[1], ==, 1);
  g_assert_cmpuint (kept[2], >=, 2);
}

static void
test_select_deterministic (void)
{
  DmNdrParams params;
  gsize dim, n_items = 200, n_keep = 100;
  g_autofree float *features = NULL;
  g_autofree guint *first = g_new (guint, n_keep);
  g_autofree guint *again = g_new (guint, n_keep);
  g_autofree guint *other = g_new (guint, n_keep);
  gboolean some_seed_differs = FALSE;
  DmNdrRequest request;

  dm_ndr_params_init (&params);
  dim = dm_ndr_feature_dim (&params);
  features = random_features (13, n_items, dim);
  request = (DmNdrRequest) { .features = features, .n_items = n_items, .dim = dim,
                            .n_keep = n_keep, .params = &params, .seed = 1234 };

  g_assert_true (dm_ndr_select (&request, first, NULL, NULL));
  g_assert_true (dm_ndr_select (&request, again, NULL, NULL));
  g_assert_cmpmem (first, n_keep * sizeof (guint), again, n_keep * sizeof (guint));

  for (guint32 seed = 1; seed <= 3; seed++)
    {
      request.seed = seed;
      g_assert_true (dm_ndr_select (&request, other, NULL, NULL));
      some_seed_differs |= memcmp (first, other, n_keep * sizeof (guint)) != 0;
    }
  g_assert_true (some_seed_differs);
}

static void
test_select_errors (void)
{
  DmNdrParams params;
  float features[2 * 24] = { 0 };
  guint kept[3];
  g_autoptr(GError) error = NULL;

  dm_ndr_params_init (&params);
  params.block_rows = 1;
  params.block_columns = 2;
  params.hash_dim = 8;

  g_assert_false (dm_ndr_select (&(DmNdrRequest) { .features = features, .n_items = 2, .dim = 24,
                                                   .n_keep = 3, .params = &params }, kept, NULL, &error));
  g_assert_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "keep 3 of 2"));
  g_clear_error (&error);

  g_assert_false (dm_ndr_select (&(DmNdrRequest) { .features = features, .n_items = 2, .dim = 4,
                                                   .n_keep = 1, .params = &params }, kept, NULL, &error));
  g_assert_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_true (dm_ndr_select (&(DmNdrRequest) { .dim = 24, .params = &params }, NULL, NULL, &error));
  g_assert_no_error (error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ndr/params", test_params);
  g_test_add_func ("/ndr/features/area-average", test_features_area_average);
  g_test_add_func ("/ndr/features/gradient", test_features_gradient);
  g_test_add_func ("/ndr/features/scale-invariant-and-flat", test_features_scale_invariant_and_flat);
  g_test_add_func ("/ndr/select/exact-duplicates-first", test_select_exact_duplicates_first);
  g_test_add_func ("/ndr/select/counts-exact", test_select_counts_exact);
  g_test_add_func ("/ndr/select/oversample-similarity", test_select_oversample_similarity);
  g_test_add_func ("/ndr/select/undersample-inverse", test_select_undersample_inverse);
  g_test_add_func ("/ndr/select/black-images", test_select_black_images_are_duplicates);
  g_test_add_func ("/ndr/select/deterministic", test_select_deterministic);
  g_test_add_func ("/ndr/select/errors", test_select_errors);

  return g_test_run ();
}
