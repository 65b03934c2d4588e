/* dm-dedup.c: SemDeDup within each cluster (dm_select_keep_deduplicated(),
 * declared in dm-select-beyond.h), on the core's SIMD Hamming kernels and
 * its parallel loop.
 *
 * A cluster's scan is sequential: an item is compared with the survivors
 * before it, in order, up to the first within the threshold. It runs in
 * batches of items, each in two passes that together make exactly those
 * comparisons:
 * 1. every item of the batch against the survivors from before the batch,
 *    on every thread (the items are independent here);
 * 2. on the calling thread, in order, each item the first pass did not
 *    catch against the survivors the batch has added so far.
 * So the survivors, the dropped items and their distances are the
 * one-thread scan's on every thread count, and a cluster of any size (one
 * per label group with stratify, say) uses every thread. Progress and
 * cancellation are between batches, on the calling thread.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "dm-select-beyond.h"

#include <stdlib.h>

#include "dm-keys.h"
#include "dm-kmeans-kernels.h"
#include "dm-kmeans-parallel.h"
#include "dm-quota.h"

/* Survivors compared per kernel call: 8 point blocks, 64 survivors.
 * Between calls the scan stops at the first survivor within the
 * threshold, as a loop over single survivors would. */
#define DEDUP_SCAN_BLOCKS 8
/* Items per batch and per task of its first pass. The second pass costs
 * up to BATCH_ITEMS / 2 comparisons an item on one thread, against the
 * survivors before the batch on every thread in the first. */
#define BATCH_ITEMS 256
#define ITEMS_PER_TASK 16
/* A first pass with fewer comparisons runs on the calling thread: waking
 * the others would cost more than its work. */
#define PARALLEL_MIN_COMPARISONS (1u << 16)

/* The kernel's distances and caps are 16-bit lanes. */
G_STATIC_ASSERT (8 * DM_KEYS_BYTES_MAX + 1 <= G_MAXUINT16);

/* One worker's buffers: the item compared, the kernel's distances. */
typedef struct {
  guint64 *words;
  guint16 *out;
} DedupWorker;

typedef struct {
  const DmSelectRequest *request;
  const DmKmeansResult *clusters;
  const DmKmeansKernels *kernels;
  gsize n_words;
  guint max_bits;
  /* The kernel's "nearest", max_bits + 1 in every lane: the sum it
   * returns is then at its largest exactly when no distance is within. */
  guint16 *limits;
  DmParallel *parallel;
  DedupWorker *workers;
  guint n_workers;
  /* Every cluster's items, farthest from the centre first, at offsets[j]. */
  guint *offsets;
  DmRanked *scored;
  /* The cluster at work: its survivors in the kernel's layout. */
  guint64 *survivors_t;       /* room for the largest cluster */
  gsize n_survivors_t;
  /* The batch at work: its items, the survivors before it, and per item
   * the first pass's distance (at most max_bits: caught) and comparisons. */
  const DmRanked *batch;
  gsize batch_len;
  guint *first_pass;
  guint *first_comparisons;
  /* Per cluster j, from offsets[j]: its survivors and its dropped items
   * (the distance to the survivor that caught each, negated). */
  guint *survivors, *n_survivors;
  DmRanked *dropped;
  guint *n_dropped;
  guint64 comparisons, next_report;
} Dedup;

static void
dedup_init (Dedup *d, const DmKmeansResult *clusters, const DmSelectRequest *request,
            const DmKmeansKernels *kernels)
{
  gsize largest_blocks = 0;

  d->request = request;
  d->clusters = clusters;
  d->kernels = kernels;
  d->n_words = request->key_bytes / 8;
  d->max_bits = (guint) (request->dedup_threshold * 8 * request->key_bytes);
  d->limits = g_new (guint16, DEDUP_SCAN_BLOCKS * DM_KMEANS_POINT_BLOCK);
  for (gsize i = 0; i < DEDUP_SCAN_BLOCKS * DM_KMEANS_POINT_BLOCK; i++)
    d->limits[i] = (guint16) (d->max_bits + 1);
  d->parallel = dm_parallel_new (request->n_threads);
  d->n_workers = dm_parallel_get_n_threads (d->parallel);
  d->workers = g_new0 (DedupWorker, d->n_workers);
  for (guint w = 0; w < d->n_workers; w++)
    {
      d->workers[w].words = g_new (guint64, d->n_words);
      d->workers[w].out = g_new (guint16, DEDUP_SCAN_BLOCKS * DM_KMEANS_POINT_BLOCK);
    }
  d->scored = dm_select_farthest_first_by_cluster (clusters, &d->offsets);
  for (guint j = 0; j < clusters->k; j++)
    largest_blocks = MAX (largest_blocks, (clusters->sizes[j] + DM_KMEANS_POINT_BLOCK - 1)
                                          / DM_KMEANS_POINT_BLOCK);
  d->survivors_t = g_new0 (guint64, MAX (largest_blocks * d->n_words * DM_KMEANS_POINT_BLOCK, 1));
  d->first_pass = g_new (guint, BATCH_ITEMS);
  d->first_comparisons = g_new (guint, BATCH_ITEMS);
  d->survivors = g_new (guint, MAX (clusters->n_items, 1));
  d->n_survivors = g_new0 (guint, MAX (clusters->k, 1));
  d->dropped = g_new (DmRanked, MAX (clusters->n_items, 1));
  d->n_dropped = g_new0 (guint, MAX (clusters->k, 1));
  d->next_report = DM_SELECT_REPORT_EVERY;
}

static void
dedup_clear (Dedup *d)
{
  for (guint w = 0; w < d->n_workers; w++)
    {
      g_free (d->workers[w].words);
      g_free (d->workers[w].out);
    }
  g_free (d->workers);
  g_clear_pointer (&d->parallel, dm_parallel_free);
  g_free (d->limits);
  g_free (d->scored);
  g_free (d->offsets);
  g_free (d->survivors_t);
  g_free (d->first_pass);
  g_free (d->first_comparisons);
  g_free (d->survivors);
  g_free (d->n_survivors);
  g_free (d->dropped);
  g_free (d->n_dropped);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Dedup, dedup_clear)

/* The first of survivor distances @out[0, n) within max_bits, else n. */
static gsize
first_within (const guint16 *out, gsize n, guint max_bits)
{
  for (gsize s = 0; s < n; s++)
    if (out[s] <= max_bits)
      return s;
  return n;
}

/* The distance from the key in @worker's words to the first of survivors
 * [from, to) within max_bits, else a value above max_bits; @compared
 * counts the survivors it was compared with. */
static guint
scan_survivors (const Dedup *d, DedupWorker *worker, gsize from, gsize to, guint *compared)
{
  gsize block_end = (to + DM_KMEANS_POINT_BLOCK - 1) / DM_KMEANS_POINT_BLOCK;
  guint max_bits = d->max_bits;
  gsize n_compared = 0;

  for (gsize block = from / DM_KMEANS_POINT_BLOCK; block < block_end; block += DEDUP_SCAN_BLOCKS)
    {
      gsize end = MIN (block_end, block + DEDUP_SCAN_BLOCKS), first = block * DM_KMEANS_POINT_BLOCK;
      gsize begin = MAX (first, from), stop = MIN (to, end * DM_KMEANS_POINT_BLOCK);
      guint64 capped = d->kernels->hamming (d->survivors_t, d->n_words, block, end, worker->words,
                                            d->limits, worker->out);
      gsize found;

      /* Most runs hold no duplicate: every lane at its cap says so without
       * a look at the distances. Lanes outside [begin, stop) (padding, an
       * earlier batch's survivors) may be within and send us looking. */
      if (capped == (guint64) (end - block) * DM_KMEANS_POINT_BLOCK * (max_bits + 1))
        {
          n_compared += stop - begin;
          continue;
        }
      found = first_within (worker->out + (begin - first), stop - begin, max_bits);
      if (found < stop - begin)
        {
          /* The survivor within the threshold counts as compared too. */
          *compared += (guint) (n_compared + found + 1);
          return worker->out[begin - first + found];
        }
      n_compared += stop - begin;
    }
  *compared += (guint) n_compared;
  return max_bits + 1;
}

static void
load_item (const Dedup *d, DedupWorker *worker, guint item)
{
  gsize key_bytes = d->request->key_bytes;

  dm_kmeans_key_words (d->request->keys + (gsize) item * key_bytes, key_bytes, worker->words);
}

/* The first pass over task @task's items of the batch: each against the
 * survivors from before the batch. */
static void
first_pass_task (gsize task, guint worker, gpointer data)
{
  Dedup *d = data;

  for (gsize i = task * ITEMS_PER_TASK; i < MIN (d->batch_len, (task + 1) * ITEMS_PER_TASK); i++)
    {
      d->first_comparisons[i] = 0;
      load_item (d, &d->workers[worker], d->batch[i].item);
      d->first_pass[i] = scan_survivors (d, &d->workers[worker], 0, d->n_survivors_t,
                                         &d->first_comparisons[i]);
    }
}

/* The second pass, in order: the items the first did not catch against
 * the survivors the batch added before them; survivors join cluster @j. */
static void
second_pass (Dedup *d, guint j)
{
  guint *survivors = d->survivors + d->offsets[j];
  DmRanked *dropped = d->dropped + d->offsets[j];
  DedupWorker *caller = &d->workers[0];
  gsize batch_start = d->n_survivors_t;

  for (gsize i = 0; i < d->batch_len; i++)
    {
      guint item = d->batch[i].item, compared = 0, nearest = d->first_pass[i];

      d->comparisons += d->first_comparisons[i];
      if (nearest > d->max_bits)
        {
          load_item (d, caller, item);
          nearest = MIN (nearest, scan_survivors (d, caller, batch_start, d->n_survivors_t, &compared));
          d->comparisons += compared;
        }
      if (nearest > d->max_bits)
        {
          dm_kmeans_set_point_words (d->survivors_t, d->n_words, d->n_survivors_t++, caller->words);
          survivors[d->n_survivors[j]++] = item;
        }
      else
        dropped[d->n_dropped[j]++] = (DmRanked) { -(double) nearest, item };
    }
}

/* Cluster @j's scan, batch after batch; FALSE with @error set once the
 * progress callback asked to stop. */
static gboolean
dedup_cluster (Dedup *d, guint j, GError **error)
{
  d->n_survivors_t = 0;
  for (gsize start = d->offsets[j]; start < d->offsets[j + 1]; start += BATCH_ITEMS)
    {
      gsize n_tasks;

      d->batch = d->scored + start;
      d->batch_len = MIN (BATCH_ITEMS, d->offsets[j + 1] - start);
      n_tasks = (d->batch_len + ITEMS_PER_TASK - 1) / ITEMS_PER_TASK;
      if ((guint64) d->batch_len * d->n_survivors_t >= PARALLEL_MIN_COMPARISONS)
        dm_parallel_run (d->parallel, n_tasks, first_pass_task, d);
      else
        for (gsize t = 0; t < n_tasks; t++)
          first_pass_task (t, 0, d);
      second_pass (d, j);

      if (d->comparisons >= d->next_report)
        {
          double fraction = (double) (start + d->batch_len) / MAX (d->clusters->n_items, 1);

          d->next_report = d->comparisons + DM_SELECT_REPORT_EVERY;
          if (!dm_select_report_selecting (d->request, fraction, "deduplication", error))
            return FALSE;
        }
    }
  return TRUE;
}

/* More survivors than @total: each cluster its largest-remainder share in
 * proportion to its survivors, a seeded uniform sample of them. */
static void
keep_sampled_survivors (Dedup *d, gsize total, guint *quotas, gboolean *kept)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (d->request->seed);

  /* The sum of the survivors is at least @total: this cannot fail. */
  dm_quota_compute (d->n_survivors, d->clusters->k, total, quotas, NULL);
  for (guint j = 0; j < d->clusters->k; j++)
    {
      guint *items = d->survivors + d->offsets[j];

      /* A partial Fisher-Yates shuffle: the first quota items. */
      for (guint m = 0; m < quotas[j]; m++)
        {
          guint other = m + (guint) g_rand_int_range (rand, 0, (gint32) (d->n_survivors[j] - m));
          guint swap = items[m];
          items[m] = items[other];
          items[other] = swap;
          kept[items[m]] = TRUE;
        }
    }
}

/* Fewer survivors than @total: every survivor, then the dropped items
 * least duplicated first until @total. */
static void
keep_survivors_and_least_duplicated (Dedup *d, gsize n_survivors, gsize total, guint *quotas,
                                     gboolean *kept)
{
  g_autofree DmRanked *dropped = g_new (DmRanked, MAX (d->clusters->n_items - n_survivors, 1));
  gsize n_dropped = 0;

  for (guint j = 0; j < d->clusters->k; j++)
    {
      quotas[j] = d->n_survivors[j];
      for (guint s = 0; s < d->n_survivors[j]; s++)
        kept[d->survivors[d->offsets[j] + s]] = TRUE;
      for (guint r = 0; r < d->n_dropped[j]; r++)
        dropped[n_dropped++] = d->dropped[d->offsets[j] + r];
    }
  qsort (dropped, n_dropped, sizeof *dropped, dm_ranked_compare);
  for (gsize r = 0; n_survivors + r < total; r++)
    {
      kept[dropped[r].item] = TRUE;
      quotas[d->clusters->labels[dropped[r].item]]++;
    }
}

gboolean
dm_select_keep_deduplicated (const DmKmeansResult  *clusters,
                             const DmSelectRequest *request,
                             gsize                  total,
                             guint                 *quotas,
                             gboolean              *kept,
                             guint                 *n_duplicates,
                             GError               **error)
{
  const DmKmeansKernels *kernels;
  const char *kernels_name;
  g_auto(Dedup) d = { 0 };
  gsize n_survivors = 0;

  kernels = dm_kmeans_kernels_choose (dm_select_kernel (request), &kernels_name, error);
  if (kernels == NULL)
    return FALSE;
  dedup_init (&d, clusters, request, kernels);
  for (guint j = 0; j < clusters->k; j++)
    if (!dedup_cluster (&d, j, error))
      return FALSE;

  *n_duplicates = 0;
  for (guint j = 0; j < clusters->k; j++)
    {
      n_survivors += d.n_survivors[j];
      *n_duplicates += d.n_dropped[j];
    }
  if (n_survivors >= total)
    keep_sampled_survivors (&d, total, quotas, kept);
  else
    keep_survivors_and_least_duplicated (&d, n_survivors, total, quotas, kept);
  return TRUE;
}
