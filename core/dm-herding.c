/* dm-herding.c: kernel herding within each cluster (dm_select_keep_herded(),
 * declared in dm-select-beyond.h), on the core's SIMD Hamming kernels and
 * its parallel loop.
 *
 * A cluster of n items takes three passes over rows of key distances (one
 * item's key against every key of the cluster, the hamming kernel's job):
 * 1. the kernel's width: the median of the n (n - 1) / 2 distances, from
 *    per-worker histograms of the upper triangle's rows (integer counts,
 *    so any split among threads gives the same median);
 * 2. the mean embedding: every item's whole row, summed by one task in
 *    item order (itself first), the order the one-thread loop that came
 *    before added them in: the sums, and so the items kept, are the same
 *    to the bit on every kernel path and thread count;
 * 3. the herding steps, one row each (the item just kept), on the calling
 *    thread: quota rows against n (n - 1) for the passes before.
 * The whole rows of pass 2 cost twice the distances of a triangle, which
 * would need its halves added out of order; they run on every thread.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "dm-select-beyond.h"

#include <math.h>
#include <string.h>

#include "dm-kmeans-kernels.h"
#include "dm-kmeans-parallel.h"

/* Rows one task computes: a point block's. */
#define ROWS_PER_TASK DM_KMEANS_POINT_BLOCK
/* A cluster with fewer pairs runs on the calling thread: starting the
 * threads would cost more than its work. */
#define PARALLEL_MIN_PAIRS (1u << 16)

typedef struct {
  const DmSelectRequest *request;
  const DmKmeansKernels *kernels;
  DmParallel *parallel;          /* NULL: every cluster is small */
  guint n_workers;
  gsize n_words;
  guint bits;
  /* Per worker: a row of distances, one key's words, a histogram. */
  guint16 **out;
  guint64 **words;
  guint64 **histograms;
  guint16 *zeros;                /* the kernel's "nearest": none */
  /* The cluster at work: its keys in the kernel's layout. */
  guint64 *points_t;
  gsize n, n_blocks;
  const double *kernel;          /* bits + 1 values, pass 2 */
  double *mean;                  /* pass 2's row sums */
  gsize first_task;              /* of the batch running */
  /* Progress: comparisons done of all, reported every
   * DM_SELECT_REPORT_EVERY. */
  guint64 done, total, next;
} Herding;

/* Threads only when the largest cluster is worth them. */
static void
herding_init (Herding *h, const DmSelectRequest *request, const DmKmeansKernels *kernels,
              gsize largest)
{
  gsize row = (largest + DM_KMEANS_POINT_BLOCK - 1) / DM_KMEANS_POINT_BLOCK * DM_KMEANS_POINT_BLOCK;

  h->request = request;
  h->kernels = kernels;
  h->n_words = request->key_bytes / 8;
  h->bits = (guint) (8 * request->key_bytes);
  if ((guint64) largest * (largest - 1) / 2 >= PARALLEL_MIN_PAIRS && request->n_threads != 1)
    h->parallel = dm_parallel_new (request->n_threads);
  h->n_workers = h->parallel != NULL ? dm_parallel_get_n_threads (h->parallel) : 1;
  h->out = g_new0 (guint16 *, h->n_workers);
  h->words = g_new0 (guint64 *, h->n_workers);
  h->histograms = g_new0 (guint64 *, h->n_workers);
  for (guint w = 0; w < h->n_workers; w++)
    {
      h->out[w] = g_new (guint16, MAX (row, 1));
      h->words[w] = g_new (guint64, h->n_words);
      h->histograms[w] = g_new (guint64, h->bits + 1);
    }
  h->zeros = g_new0 (guint16, MAX (row, 1));
  h->next = DM_SELECT_REPORT_EVERY;
}

static void
herding_clear (Herding *h)
{
  for (guint w = 0; w < h->n_workers; w++)
    {
      g_free (h->out[w]);
      g_free (h->words[w]);
      g_free (h->histograms[w]);
    }
  g_free (h->out);
  g_free (h->words);
  g_free (h->histograms);
  g_free (h->zeros);
  g_free (h->points_t);
  g_clear_pointer (&h->parallel, dm_parallel_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Herding, herding_clear)

static gboolean
herding_step (Herding *h, guint64 comparisons, GError **error)
{
  h->done += comparisons;
  if (h->done < h->next)
    return TRUE;
  h->next = h->done + DM_SELECT_REPORT_EVERY;
  return dm_select_report_selecting (h->request, (double) h->done / MAX (h->total, 1),
                                     "herding", error);
}

/* Makes the cluster of @n items @items the one at work. */
static void
herding_load_cluster (Herding *h, const guint *items, gsize n)
{
  gsize key_bytes = h->request->key_bytes;
  g_autofree guint8 *keys = g_new (guint8, MAX (n * key_bytes, 1));

  for (gsize a = 0; a < n; a++)
    memcpy (keys + a * key_bytes, h->request->keys + (gsize) items[a] * key_bytes, key_bytes);
  g_free (h->points_t);
  h->points_t = dm_kmeans_transpose_points (keys, n, key_bytes);
  h->n = n;
  h->n_blocks = (n + DM_KMEANS_POINT_BLOCK - 1) / DM_KMEANS_POINT_BLOCK;
}

/* The distances of item @a to the cluster's items from block @block on:
 * item b's at [b - 8 * block]. */
static const guint16 *
row_distances (Herding *h, gsize a, gsize block, guint worker)
{
  dm_kmeans_point_words (h->points_t, h->n_words, a, h->words[worker]);
  h->kernels->hamming (h->points_t, h->n_words, block, h->n_blocks, h->words[worker],
                       h->zeros, h->out[worker]);
  return h->out[worker];
}

/* Pass 1, one task's rows: the distances to the later items, counted. */
static void
width_task (gsize task, guint worker, gpointer data)
{
  Herding *h = data;
  gsize begin = (h->first_task + task) * ROWS_PER_TASK, end = MIN (h->n, begin + ROWS_PER_TASK);
  guint64 *counts = h->histograms[worker];

  for (gsize a = begin; a < end && a + 1 < h->n; a++)
    {
      gsize block = (a + 1) / DM_KMEANS_POINT_BLOCK, offset = block * DM_KMEANS_POINT_BLOCK;
      const guint16 *row = row_distances (h, a, block, worker);

      for (gsize b = a + 1; b < h->n; b++)
        counts[row[b - offset]]++;
    }
}

/* Pass 2, one task's rows: each item's kernel values summed in item
 * order, itself first. */
static void
mean_task (gsize task, guint worker, gpointer data)
{
  Herding *h = data;
  gsize begin = (h->first_task + task) * ROWS_PER_TASK, end = MIN (h->n, begin + ROWS_PER_TASK);

  for (gsize a = begin; a < end; a++)
    {
      const guint16 *row = row_distances (h, a, 0, worker);
      double sum = h->kernel[0];

      for (gsize b = 0; b < a; b++)
        sum += h->kernel[row[b]];
      for (gsize b = a + 1; b < h->n; b++)
        sum += h->kernel[row[b]];
      h->mean[a] = sum;
    }
}

/* Runs @task over every row of the cluster, in batches of about
 * DM_SELECT_REPORT_EVERY comparisons (@triangle: rows cost n - 1 - a,
 * else n - 1) with the progress reported after each. */
static gboolean
run_rows (Herding *h, DmParallelTaskFunc task, gboolean triangle, GError **error)
{
  gsize n_tasks = (h->n + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
  gsize per_batch = MAX (DM_SELECT_REPORT_EVERY / (MAX (h->n, 1) * ROWS_PER_TASK),
                         4 * (gsize) h->n_workers);

  for (h->first_task = 0; h->first_task < n_tasks; h->first_task += per_batch)
    {
      gsize batch = MIN (per_batch, n_tasks - h->first_task);
      gsize row_begin = h->first_task * ROWS_PER_TASK;
      gsize row_end = MIN (h->n, row_begin + batch * ROWS_PER_TASK);
      guint64 comparisons = 0;

      if (h->parallel != NULL)
        dm_parallel_run (h->parallel, batch, task, h);
      else
        for (gsize t = 0; t < batch; t++)
          task (t, 0, h);
      for (gsize a = row_begin; a < row_end; a++)
        comparisons += triangle ? h->n - 1 - a : h->n - 1;
      if (!herding_step (h, comparisons, error))
        return FALSE;
    }
  return TRUE;
}

/* The kernel's width for the cluster at work: bandwidth times the lower
 * median of the Hamming distances between its distinct items (at least
 * 1 bit, so that identical keys leave a kernel to work with). */
static gboolean
herding_width (Herding *h, double *width, GError **error)
{
  guint64 pairs = (guint64) h->n * (h->n - 1) / 2, below = 0;
  guint median = 0;

  for (guint w = 0; w < h->n_workers; w++)
    memset (h->histograms[w], 0, (h->bits + 1) * sizeof (guint64));
  if (!run_rows (h, width_task, TRUE, error))
    return FALSE;
  for (guint w = 1; w < h->n_workers; w++)
    for (guint d = 0; d <= h->bits; d++)
      h->histograms[0][d] += h->histograms[w][d];
  if (pairs > 0)
    for (median = 0; below + h->histograms[0][median] < (pairs + 1) / 2; median++)
      below += h->histograms[0][median];
  *width = h->request->herding_bandwidth * MAX (median, 1);
  return TRUE;
}

/* Herding in the cluster at work (@items, ascending), with h->kernel and
 * h->mean (its mean embedding up to the factor 1/n): the next item is the one where the
 * cluster's mean embedding most exceeds the kept items' mean, so the kept
 * items' mean follows the cluster's; among the candidates while any is
 * left. */
static gboolean
herd_cluster (Herding *h, const guint *items, guint quota, double *herded, gboolean *kept,
              GError **error)
{
  const gboolean *candidates = h->request->herding_candidates;
  const double *kernel = h->kernel, *mean = h->mean;
  gsize n = h->n;
  guint open = 0;   /* candidates not yet kept */

  memset (herded, 0, n * sizeof *herded);
  for (gsize a = 0; a < n; a++)
    open += candidates == NULL || candidates[items[a]];
  for (guint t = 0; t < quota; t++)
    {
      gsize best = G_MAXSIZE;
      double best_score = -INFINITY;
      const guint16 *row;

      for (gsize a = 0; a < n; a++)
        {
          double score = mean[a] / n - herded[a] / (t + 1);
          gboolean eligible = !kept[items[a]]
                              && (open == 0 || candidates == NULL || candidates[items[a]]);
          if (eligible && (best == G_MAXSIZE || score > best_score))
            {
              best = a;
              best_score = score;
            }
        }
      kept[items[best]] = TRUE;
      if (open > 0)
        open--;
      row = row_distances (h, best, 0, 0);
      for (gsize a = 0; a < n; a++)
        herded[a] += kernel[row[a]];
      if (!herding_step (h, n, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
herd_clusters (Herding *h, const DmKmeansResult *clusters, const guint *quotas,
               const guint *offsets, const guint *items, gboolean *kept, GError **error)
{
  g_autofree double *kernel = g_new (double, h->bits + 1);
  g_autofree double *mean = g_new (double, MAX (clusters->n_items, 1));
  g_autofree double *herded = g_new (double, MAX (clusters->n_items, 1));

  h->kernel = kernel;
  h->mean = mean;
  for (guint j = 0; j < clusters->k; j++)
    {
      double width;

      if (quotas[j] == 0)
        continue;
      herding_load_cluster (h, items + offsets[j], offsets[j + 1] - offsets[j]);
      if (!herding_width (h, &width, error))
        return FALSE;
      for (guint d = 0; d <= h->bits; d++)
        kernel[d] = exp (-(double) d / width);
      if (!run_rows (h, mean_task, FALSE, error)
          || !herd_cluster (h, items + offsets[j], quotas[j], herded, kept, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
dm_select_keep_herded (const DmKmeansResult  *clusters,
                       const DmSelectRequest *request,
                       const guint           *quotas,
                       gboolean              *kept,
                       GError               **error)
{
  g_autofree guint *offsets = g_new0 (guint, clusters->k + 1);
  g_autofree guint *fill = g_new0 (guint, clusters->k);
  g_autofree guint *items = g_new (guint, MAX (clusters->n_items, 1));
  const DmKmeansKernels *kernels;
  const char *kernels_name;
  g_auto(Herding) h = { 0 };
  gsize largest = 0;
  guint64 total = 0;

  kernels = dm_kmeans_kernels_choose (dm_select_kernel (request), &kernels_name, error);
  if (kernels == NULL)
    return FALSE;
  /* Each cluster's items in ascending order, so ties go to the lowest. */
  for (guint j = 0; j < clusters->k; j++)
    offsets[j + 1] = offsets[j] + clusters->sizes[j];
  for (gsize i = 0; i < clusters->n_items; i++)
    {
      guint j = clusters->labels[i];
      items[offsets[j] + fill[j]++] = (guint) i;
    }

  for (guint j = 0; j < clusters->k; j++)
    if (quotas[j] > 0)
      {
        guint64 n = clusters->sizes[j];
        /* Pass 1's triangle, pass 2's whole rows, the steps' rows. */
        total += n * (n - 1) / 2 + n * (n - 1) + (guint64) quotas[j] * n;
        largest = MAX (largest, n);
      }
  herding_init (&h, request, kernels, largest);
  h.total = total;
  return herd_clusters (&h, clusters, quotas, offsets, items, kept, error);
}
