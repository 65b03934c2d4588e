/* dm-kmeans.c: k-means on packed keys, the public API: checks a request,
 * chooses the kernels, runs the seeding (dm-kmeans-seed.c), then bounded
 * Lloyd over the centres (dm-kmeans-centres.c) and the assignment pass
 * (dm-kmeans-assign.c), and hands back the result.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "dm-kmeans-private.h"

#include <math.h>
#include <string.h>

#include "dm-keys.h"

/* Distance evaluations k-means++ may spend by default (about 6 s on two
 * cores with AVX-512) before it uses fewer local trials than 2 + ln k. */
#define SEED_BUDGET  1.2e10

/* Per worker, the dot products of every centre's reference key with every
 * centre's counts may take this much (k = 1400 at most); beyond, scans sum
 * the keys' set features. */
#define REFERENCE_BYTES (8 * 1024 * 1024)

static void
kmeans_clear (Kmeans *km)
{
  g_clear_pointer (&km->parallel, dm_parallel_free);
  g_free (km->points_t);
  g_free (km->popcount);
  g_free (km->nearest);
  g_free (km->second);
  g_free (km->candidate_keys);
  g_free (km->pending_key);
  g_free (km->pending_dist);
  g_free (km->candidate_dist);
  g_free (km->pending_stamp);
  g_free (km->chunk_potential);
  g_free (km->chunk_sum);
  g_free (km->chunk_settled);
  g_free (km->candidate_nearest);
  g_free (km->finalists);
  g_free (km->chosen_nearest);
  g_free (km->dropped_second);
  g_free (km->dropped_after);
  g_free (km->active_item);
  if (km->seed_label != km->label)
    g_free (km->seed_label);
  g_free (km->counts16_t);
  g_free (km->count_runs);
  g_free (km->inv_members);
  g_free (km->norm_term);
  g_free (km->shift);
  g_free (km->upper);
  g_free (km->group_lower);
  g_free (km->group_shift_units);
  g_free (km->centre_group);
  g_free (km->exact);
  if (km->chunk_moves != NULL)
    for (gsize c = 0; c < km->n_lloyd_chunks; c++)
      g_array_unref (km->chunk_moves[c]);
  g_free (km->chunk_moves);
  g_free (km->sorted_t);
  g_free (km->cluster_offsets);
  g_free (km->popcount_sum);
  for (guint w = 0; w < km->n_workers; w++)
    {
      if (km->scratch != NULL)
        g_free (km->scratch[w]);
      g_free (km->feature_scratch[w]);
      g_free (km->candidate_scratch[w]);
    }
  if (km->use_reference)
    for (guint w = 0; w < km->n_workers; w++)
      {
        g_free (km->reference_sums[w]);
        g_free (km->reference_stamp[w]);
        g_free (km->reference_features[w]);
      }
  if (km->chunk_failing != NULL)
    for (gsize c = 0; c < km->n_lloyd_chunks; c++)
      g_array_unref (km->chunk_failing[c]);
  g_free (km->chunk_failing);
  g_free (km->failing);
  g_free (km->reference);
  g_free (km->reference_sums);
  g_free (km->reference_stamp);
  g_free (km->reference_features);
  g_free (km->reference_listed);
  g_free (km->reference_n_set);
  g_free (km->scratch);
  g_free (km->feature_scratch);
  g_free (km->candidate_scratch);
  g_free (km->zeros);
}

static gboolean
check_request (const DmKmeansRequest *request, GError **error)
{
  if (!dm_keys_check_size (request->key_bytes, error))
    return FALSE;
  if (request->n_items == 0 || request->n_items > DM_KMEANS_MAX_ITEMS)
    {
      g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
                   "k-means needs 1 to %u items, not %" G_GSIZE_FORMAT,
                   DM_KMEANS_MAX_ITEMS, request->n_items);
      return FALSE;
    }
  if (request->k == 0 || request->k > request->n_items)
    {
      g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
                   "cannot make %u clusters from %" G_GSIZE_FORMAT " items",
                   request->k, request->n_items);
      return FALSE;
    }
  if (request->kernel > DM_KMEANS_KERNEL_PORTABLE)
    {
      g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
                   "unknown k-means kernel path %d", (int) request->kernel);
      return FALSE;
    }
  if (!(request->tolerance >= 0))
    {
      g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
                   "k-means tolerance %g is not a non-negative number",
                   request->tolerance);
      return FALSE;
    }
  if (request->initial_items != NULL)
    for (guint j = 0; j < request->k; j++)
      if (request->initial_items[j] >= (gint64) request->n_items)
        {
          g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
                       "initial centre %u names item %" G_GINT64_FORMAT
                       " of %" G_GSIZE_FORMAT, j, request->initial_items[j],
                       request->n_items);
          return FALSE;
        }
  return TRUE;
}

guint64 *
dm_kmeans_transpose_points (const guint8 *keys, gsize n, gsize key_bytes)
{
  gsize n_words = key_bytes / 8;
  gsize n_padded = (n + DM_KMEANS_POINT_BLOCK - 1) / DM_KMEANS_POINT_BLOCK * DM_KMEANS_POINT_BLOCK;
  guint64 *points_t = g_new0 (guint64, MAX (n_padded * n_words, 1));

  for (gsize i = 0; i < n; i++)
    {
      gsize block = i / DM_KMEANS_POINT_BLOCK, lane = i % DM_KMEANS_POINT_BLOCK;
      for (gsize w = 0; w < n_words; w++)
        points_t[(block * n_words + w) * DM_KMEANS_POINT_BLOCK + lane] =
            load_word (keys + i * key_bytes + 8 * w);
    }
  return points_t;
}

void
dm_kmeans_key_words (const guint8 *key, gsize key_bytes, guint64 *words)
{
  for (gsize w = 0; w < key_bytes / 8; w++)
    words[w] = load_word (key + 8 * w);
}

void
dm_kmeans_point_words (const guint64 *points_t, gsize n_words, gsize item, guint64 *words)
{
  gsize block = item / DM_KMEANS_POINT_BLOCK, lane = item % DM_KMEANS_POINT_BLOCK;

  for (gsize w = 0; w < n_words; w++)
    words[w] = points_t[(block * n_words + w) * DM_KMEANS_POINT_BLOCK + lane];
}

void
dm_kmeans_set_point_words (guint64 *points_t, gsize n_words, gsize item, const guint64 *words)
{
  gsize block = item / DM_KMEANS_POINT_BLOCK, lane = item % DM_KMEANS_POINT_BLOCK;

  for (gsize w = 0; w < n_words; w++)
    points_t[(block * n_words + w) * DM_KMEANS_POINT_BLOCK + lane] = words[w];
}

static void
prepare_points (Kmeans *km)
{
  km->points_t = dm_kmeans_transpose_points (km->request->keys, km->n, km->request->key_bytes);
  km->popcount = g_new (guint16, km->n);
  for (gsize i = 0; i < km->n; i++)
    km->popcount[i] = (guint16) dm_keys_popcount (key_of (km, i), km->request->key_bytes);
}

/* scikit-learn's absolute tolerance: tol * mean feature variance. */
static double
absolute_tolerance (Kmeans *km)
{
  double variance_sum = 0;

  for (gsize f = 0; f < km->n_features; f++)
    {
      guint64 ones = 0;
      for (guint j = 0; j < km->k; j++)
        ones += *count_cell (km, j, f);
      double p = (double) ones / (double) km->n;
      variance_sum += p * (1 - p);
    }
  return km->request->tolerance * variance_sum / (double) km->n_features;
}

static gboolean
lloyd (Kmeans *km, DmKmeansResult *result, GError **error)
{
  const DmKmeansRequest *request = km->request;
  g_autofree guint32 *seed_counts = g_new (guint32, km->n_features);
  gboolean strict = FALSE, cancelled = FALSE;
  double tolerance;
  Touched touched = { 0 };

  km->member_mode = request->scan == DM_KMEANS_SCAN_MEMBERS
                    || (request->scan == DM_KMEANS_SCAN_AUTO && km->n < 8 * (gsize) km->k);
  km->group_cblocks = (km->n_cblocks + MAX_GROUPS - 1) / MAX_GROUPS;
  km->n_groups = (km->n_cblocks + km->group_cblocks - 1) / km->group_cblocks;
  /* With one group, its bound is the global one. */
  km->use_mobile = !km->member_mode && km->n_groups > 1 && !request->fixed_groups;
  km->n_count_blocks = km->n_cblocks + (km->use_mobile ? 1 : 0);
  km->bound_stride = km->n_groups + (km->use_mobile ? 1 : 0);
  km->centre_group = g_new (guint, km->k);
  for (guint j = 0; j < km->k; j++)
    km->centre_group[j] = home_group (km, j);
  for (guint l = 0; l < DM_KMEANS_CENTRE_BLOCK; l++)
    km->mobile_centre[l] = G_MAXUINT;

  km->counts_t = g_new0 (guint32, (gsize) km->n_count_blocks * DM_KMEANS_CENTRE_BLOCK
                                  * km->n_features);
  km->members = g_new0 (guint, km->k);
  km->inv_members = g_new0 (double, (gsize) km->n_count_blocks * DM_KMEANS_CENTRE_BLOCK);
  km->norm_term = g_new (double, (gsize) km->n_count_blocks * DM_KMEANS_CENTRE_BLOCK);
  for (gsize j = 0; j < (gsize) km->n_count_blocks * DM_KMEANS_CENTRE_BLOCK; j++)
    km->norm_term[j] = INFINITY;
  km->shift = g_new0 (double, km->k);
  km->upper = g_new (double, km->n);
  km->group_lower = g_new (guint16, km->n * km->bound_stride);
  /* No key is farther than sqrt(n_features) from a centre. */
  km->bound_scale = (G_MAXUINT16 - 1) / sqrt ((double) km->n_features);
  km->bound_unit = 1.0 / km->bound_scale;
  km->group_shift_units = g_new0 (guint16, km->bound_stride);
  km->exact = g_new (double, km->n);
  km->n_lloyd_chunks = (km->n + LLOYD_CHUNK - 1) / LLOYD_CHUNK;
  km->chunk_moves = g_new (GArray *, km->n_lloyd_chunks);
  for (gsize c = 0; c < km->n_lloyd_chunks; c++)
    km->chunk_moves[c] = g_array_new (FALSE, FALSE, sizeof (Move));
  km->popcount_sum = g_new0 (guint64, km->k);
  km->n_workers = dm_parallel_get_n_threads (km->parallel);
  km->feature_scratch = g_new (guint16 *, km->n_workers);
  km->candidate_scratch = g_new (guint64 *, km->n_workers);
  for (guint w = 0; w < km->n_workers; w++)
    {
      km->feature_scratch[w] = g_new (guint16, SCAN_BATCH * km->n_features);
      km->candidate_scratch[w] = g_new (guint64, SCAN_BATCH * km->n_words);
    }
  if (!km->member_mode)
    {
      km->counts16_t = g_new0 (guint16, (gsize) km->n_count_blocks * DM_KMEANS_CENTRE_BLOCK
                                        * km->n_features);
      km->count_runs = g_new (guint16, km->n_count_blocks);
      km->counts_view = (DmKmeansCounts) { km->counts_t, km->counts16_t, km->count_runs,
                                           km->n_features };
      km->use_reference = request->scan != DM_KMEANS_SCAN_SET_BITS
                          && (gsize) km->k * km->n_cblocks * DM_KMEANS_CENTRE_BLOCK
                             * sizeof (guint32) <= REFERENCE_BYTES;
    }
  if (km->use_reference)
    {
      km->reference = g_new (guint64, (gsize) km->k * km->n_words);
      km->reference_sums = g_new (guint32 *, km->n_workers);
      km->reference_stamp = g_new (guint *, km->n_workers);
      km->reference_features = g_new (guint16 *, km->n_workers);
      km->reference_listed = g_new (guint, km->n_workers);
      km->reference_n_set = g_new0 (guint, km->n_workers);
      km->failing = g_new (guint, km->n);
      km->chunk_failing = g_new (GArray *, km->n_lloyd_chunks);
      for (gsize c = 0; c < km->n_lloyd_chunks; c++)
        km->chunk_failing[c] = g_array_new (FALSE, FALSE, sizeof (guint));
      for (guint w = 0; w < km->n_workers; w++)
        {
          km->reference_sums[w] = g_new (guint32, (gsize) km->k * km->n_count_blocks
                                                  * DM_KMEANS_CENTRE_BLOCK);
          km->reference_stamp[w] = g_new0 (guint, (gsize) km->k * km->n_count_blocks);
          km->reference_features[w] = g_new (guint16, km->n_features);
        }
    }
  if (km->member_mode)
    {
      km->sorted_t = g_new0 (guint64, km->n_padded * km->n_words);
      km->cluster_offsets = g_new (guint, km->k + 1);
      km->scratch = g_new (guint16 *, km->n_workers);
      for (guint w = 0; w < km->n_workers; w++)
        /* distances to all items for a batch, then one row of prefix sums */
        km->scratch[w] = g_new (guint16, SCAN_BATCH * km->n_padded + 2 * (km->n + 2));
      km->zeros = g_new0 (guint16, MEMBER_PIECE);
    }
  km->scan_group = MAX (SCAN_GROUP_BYTES / (km->n_features * DM_KMEANS_CENTRE_BLOCK
                                            * sizeof (guint32)), 1);

  /* The seeding distances are exact bounds to the seeds themselves. */
  for (gsize i = 0; i < km->n; i++)
    {
      guint16 lower = km->second[i] == FAR ? G_MAXUINT16 : bound_floor (km, lower_bound (km->second[i]));
      km->upper[i] = sqrt ((double) km->nearest[i]);
      for (guint g = 0; g < km->n_groups; g++)
        km->group_lower[i * km->bound_stride + g] = lower;
      /* The mobile group starts empty. */
      if (km->use_mobile)
        km->group_lower[i * km->bound_stride + km->n_groups] = G_MAXUINT16;
      km->members[km->label[i]]++;
    }
  g_clear_pointer (&km->nearest, g_free);
  g_clear_pointer (&km->second, g_free);

  /* Iteration 1: the labels are those of the seeding pass. */
  kmeans_build_counts (km);
  kmeans_relocate_empty (km, NULL);
  tolerance = absolute_tolerance (km);
  {
    double shift_total = 0;
    for (guint j = 0; j < km->k; j++)
      {
        kmeans_update_centre_terms (km, j);
        kmeans_key_as_counts (km, result->seed_items[j], seed_counts);
        km->shift[j] = kmeans_centre_shift (km, j, seed_counts, 1);
        shift_total += km->shift[j] * km->shift[j];
      }
    kmeans_update_group_shifts (km);
    result->iterations = 1;
    if (!report (km, 0.5 + 0.5 / request->max_iterations, error))
      return FALSE;
    result->converged = shift_total <= tolerance;
  }

  touched.slot_of = g_new (gint, km->k);
  for (guint j = 0; j < km->k; j++)
    touched.slot_of[j] = -1;
  touched.centres = g_array_new (FALSE, FALSE, sizeof (guint));
  touched.old_counts = g_array_new (FALSE, FALSE, sizeof (guint32));
  touched.old_members = g_array_new (FALSE, FALSE, sizeof (guint));

  while (!result->converged && result->iterations < request->max_iterations)
    {
      double shift_total = 0;
      gsize n_moves = kmeans_assign (km, &touched, TRUE);

      result->iterations++;
      if (n_moves == 0)
        {
          strict = TRUE;
          break;
        }
      kmeans_relocate_empty (km, &touched);
      memset (km->shift, 0, km->k * sizeof *km->shift);
      for (guint t = 0; t < touched.centres->len; t++)
        {
          guint j = g_array_index (touched.centres, guint, t);
          kmeans_update_centre_terms (km, j);
          km->shift[j] = kmeans_centre_shift (km, j,
                                       &g_array_index (touched.old_counts, guint32,
                                                       t * km->n_features),
                                       g_array_index (touched.old_members, guint, t));
          shift_total += km->shift[j] * km->shift[j];
          touched.slot_of[j] = -1;
        }
      g_array_set_size (touched.centres, 0);
      g_array_set_size (touched.old_counts, 0);
      g_array_set_size (touched.old_members, 0);
      kmeans_update_group_shifts (km);
      if (!report (km, 0.5 + 0.5 * result->iterations / request->max_iterations, error))
        {
          cancelled = TRUE;
          break;
        }
      if (shift_total <= tolerance)
        {
          result->converged = TRUE;
          break;
        }
    }
  g_free (touched.slot_of);
  g_array_unref (touched.centres);
  g_array_unref (touched.old_counts);
  g_array_unref (touched.old_members);
  if (cancelled)
    return FALSE;
  result->converged = result->converged || strict;
  if (!strict)
    kmeans_assign (km, NULL, FALSE);   /* labels for the final centres */
  return TRUE;
}

typedef struct {
  const char *name;
  DmKmeansKernel kernel;
} KernelName;

static const KernelName kernel_names[] = {
  { "avx512", DM_KMEANS_KERNEL_AVX512 },
  { "avx2", DM_KMEANS_KERNEL_AVX2 },
  { "portable", DM_KMEANS_KERNEL_PORTABLE },
};

/* The kernels for a path, or NULL when this build or CPU cannot run it. */
static const DmKmeansKernels *
kernels_for (DmKmeansKernel kernel)
{
  switch (kernel)
    {
    case DM_KMEANS_KERNEL_AVX512:
#ifdef DM_HAVE_AVX512_KERNELS
      if (dm_kmeans_simd_available ())
        return &dm_kmeans_kernels_avx512;
#endif
      return NULL;
    case DM_KMEANS_KERNEL_AVX2:
#ifdef DM_HAVE_AVX2_KERNELS
      if (dm_kmeans_avx2_available ())
        return &dm_kmeans_kernels_avx2;
#endif
      return NULL;
    case DM_KMEANS_KERNEL_PORTABLE:
      return &dm_kmeans_kernels_portable;
    case DM_KMEANS_KERNEL_AUTO:
    default:
      return NULL;
    }
}

const DmKmeansKernels *
dm_kmeans_kernels_choose (DmKmeansKernel kernel, const char **name, GError **error)
{
  const char *forced = NULL;
  const DmKmeansKernels *kernels;

  if (kernel == DM_KMEANS_KERNEL_AUTO)
    {
      const char *variable = g_getenv ("DM_KERNEL");

      if (variable == NULL || *variable == '\0')
        for (gsize i = 0; i < G_N_ELEMENTS (kernel_names); i++)
          if ((kernels = kernels_for (kernel_names[i].kernel)) != NULL)
            {
              *name = kernel_names[i].name;
              return kernels;
            }
      forced = variable;
      for (gsize i = 0; i < G_N_ELEMENTS (kernel_names); i++)
        if (g_strcmp0 (variable, kernel_names[i].name) == 0)
          kernel = kernel_names[i].kernel;
      if (kernel == DM_KMEANS_KERNEL_AUTO)
        {
          g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
                       "DM_KERNEL=%s: expected avx512, avx2 or portable", variable);
          return NULL;
        }
    }
  for (gsize i = 0; i < G_N_ELEMENTS (kernel_names); i++)
    if (kernel_names[i].kernel == kernel)
      *name = kernel_names[i].name;
  kernels = kernels_for (kernel);
  if (kernels == NULL)
    g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
                 "%s%s: the %s k-means kernels are not built in or this CPU cannot run them",
                 forced != NULL ? "DM_KERNEL=" : "", forced != NULL ? forced : "",
                 *name);
  return kernels;
}

const char *
dm_kmeans_kernel_name (DmKmeansKernel kernel, GError **error)
{
  const char *name = NULL;

  g_return_val_if_fail (kernel <= DM_KMEANS_KERNEL_PORTABLE, NULL);
  return dm_kmeans_kernels_choose (kernel, &name, error) != NULL ? name : NULL;
}

gboolean
dm_kmeans_avx2_available (void)
{
#if defined(DM_HAVE_AVX2_KERNELS) && (defined(__x86_64__) || defined(__i386__))
  __builtin_cpu_init ();
  return __builtin_cpu_supports ("avx2");
#else
  return FALSE;
#endif
}

gboolean
dm_kmeans_simd_available (void)
{
#if defined(DM_HAVE_AVX512_KERNELS) && (defined(__x86_64__) || defined(__i386__))
  __builtin_cpu_init ();
  return __builtin_cpu_supports ("avx512f") && __builtin_cpu_supports ("avx512bw")
         && __builtin_cpu_supports ("avx512vpopcntdq");
#else
  return FALSE;
#endif
}

guint
dm_kmeans_default_trials (gsize n_items, guint k)
{
  guint trials = 2 + (guint) log ((double) MAX (k, 1));
  double work = (double) n_items * k;

  if (work * trials > SEED_BUDGET)
    trials = (guint) CLAMP (SEED_BUDGET / work, 1, trials);
  return trials;
}

void
dm_kmeans_request_init (DmKmeansRequest *request)
{
  memset (request, 0, sizeof *request);
  request->max_iterations = 300;
  request->tolerance = 1e-4;
}

gboolean
dm_kmeans_run (const DmKmeansRequest *request,
               DmKmeansResult       **result_out,
               GError               **error)
{
  Kmeans km = { 0 };
  const char *kernels_name;
  g_autoptr(DmKmeansResult) result = NULL;
  gint64 start;
  gboolean ok;

  g_return_val_if_fail (request != NULL, FALSE);
  g_return_val_if_fail (request->keys != NULL || request->n_items == 0, FALSE);
  g_return_val_if_fail (result_out != NULL, FALSE);

  if (!check_request (request, error))
    return FALSE;

  km.kernels = dm_kmeans_kernels_choose (request->force_portable ? DM_KMEANS_KERNEL_PORTABLE
                                                                : request->kernel,
                                         &kernels_name, error);
  if (km.kernels == NULL)
    return FALSE;
  km.request = request;
  km.parallel = dm_parallel_new (request->n_threads);
  km.n = request->n_items;
  km.n_words = request->key_bytes / 8;
  km.n_features = request->key_bytes * 8;
  km.n_blocks = (km.n + DM_KMEANS_POINT_BLOCK - 1) / DM_KMEANS_POINT_BLOCK;
  km.n_padded = km.n_blocks * DM_KMEANS_POINT_BLOCK;
  km.k = request->k;
  km.n_cblocks = (km.k + DM_KMEANS_CENTRE_BLOCK - 1) / DM_KMEANS_CENTRE_BLOCK;

  result = g_new0 (DmKmeansResult, 1);
  result->k = km.k;
  result->n_items = km.n;
  result->n_features = km.n_features;
  result->labels = g_new0 (guint, km.n);
  result->seed_items = g_new0 (guint, km.k);
  result->used_simd = km.kernels != &dm_kmeans_kernels_portable;
  result->kernels = kernels_name;
  km.label = result->labels;

  start = g_get_monotonic_time ();
  prepare_points (&km);
  ok = kmeans_seed (&km, result->seed_items, error);
  result->seconds_seeding = (g_get_monotonic_time () - start) / 1e6;
  if (ok)
    {
      start = g_get_monotonic_time ();
      ok = lloyd (&km, result, error);
      if (ok)
        {
          result->distance = g_new (double, km.n);
          result->sizes = g_new0 (guint, km.k);
          kmeans_exact_distances (&km);
          result->inertia = 0;
          for (gsize i = 0; i < km.n; i++)
            {
              double d = MAX (km.exact[i], 0.0);
              result->distance[i] = d;
              result->inertia += d;
              result->sizes[km.label[i]]++;
            }
        }
      result->seconds_lloyd = (g_get_monotonic_time () - start) / 1e6;
    }
  result->centre_counts = g_steal_pointer (&km.counts_t);
  result->centre_members = g_steal_pointer (&km.members);
  kmeans_clear (&km);
  if (!ok)
    return FALSE;
  *result_out = g_steal_pointer (&result);
  return TRUE;
}

void
dm_kmeans_result_get_centre (const DmKmeansResult *result,
                             guint                 cluster,
                             float                *centre)
{
  g_return_if_fail (result != NULL && cluster < result->k);

  for (gsize f = 0; f < result->n_features; f++)
    {
      /* Internal feature 8 * byte + LSB-first bit; packbits is MSB first. */
      gsize packbits_feature = (f & ~(gsize) 7) | (7 - (f & 7));
      guint32 count = result->centre_counts[((gsize) (cluster / DM_KMEANS_CENTRE_BLOCK)
                                             * result->n_features + f)
                                            * DM_KMEANS_CENTRE_BLOCK
                                            + cluster % DM_KMEANS_CENTRE_BLOCK];
      guint members = result->centre_members[cluster];
      centre[packbits_feature] = members > 0 ? (float) ((double) count / members) : 0.0f;
    }
}

void
dm_kmeans_result_free (DmKmeansResult *result)
{
  if (result == NULL)
    return;
  g_free (result->labels);
  g_free (result->distance);
  g_free (result->sizes);
  g_free (result->seed_items);
  g_free (result->centre_counts);
  g_free (result->centre_members);
  g_free (result);
}
