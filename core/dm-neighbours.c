/* dm-neighbours.c: exact k nearest neighbours over all pairs of keys.
 *
 * The items are cut into tiles of whole point blocks; every pair of tiles
 * is compared once, each distance offered to both items' lists, so the
 * n (n - 1) / 2 distances are computed once each. The pairs are run in
 * rounds of a round-robin tournament (the circle method): within a round
 * no tile is in two pairs, so the tasks of a round write disjoint lists
 * and need no lock. A list keeps the k smallest (distance, item) pairs,
 * a total order, so what it ends with does not depend on the order the
 * pairs came in: neither the tiling nor the thread count changes a count.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "dm-neighbours.h"

#include <string.h>

#include "dm-keys.h"
#include "dm-kmeans-kernels.h"
#include "dm-kmeans-parallel.h"

/* Point blocks per tile at most (256 items): a pair of tiles' lists, at
 * the default 20 neighbours, stay within a core's L2 cache. */
#define TILE_MAX_BLOCKS 32

typedef struct {
  const DmNeighboursRequest *request;
  const DmKmeansKernels *kernels;
  guint64 *points_t;
  gsize n, n_words, n_blocks;
  guint k;                  /* neighbours listed per item */
  gsize tile_blocks, n_tiles;
  gsize n_slots;            /* tiles rounded up to even: the tournament's */
  /* Per item its k nearest so far, ascending: distance << 32 | item. */
  guint64 *lists;
  guint *n_listed;
  guint16 *zeros;           /* tile_blocks * 8 "nearest" for the kernel */
  guint16 **out;            /* per worker: a tile's distances */
  guint64 **candidate;      /* per worker: one key's words */
  guint n_workers;
  gsize round;              /* the round running; n_slots - 1: the diagonal */
} Search;

static void
search_clear (Search *search)
{
  for (guint w = 0; w < search->n_workers; w++)
    {
      g_free (search->out[w]);
      g_free (search->candidate[w]);
    }
  g_free (search->out);
  g_free (search->candidate);
  g_free (search->zeros);
  g_free (search->lists);
  g_free (search->n_listed);
  g_free (search->points_t);
}

/* Offers @item another item at a distance (@entry = distance << 32 |
 * other): it enters the list when the list has room or @entry ranks
 * below its last. */
static inline void
offer (Search *search, gsize item, guint64 entry)
{
  guint64 *list = search->lists + item * search->k;
  guint at = search->n_listed[item];

  if (at == search->k)
    {
      if (entry >= list[at - 1])
        return;
      at--;
    }
  else
    search->n_listed[item]++;
  for (; at > 0 && list[at - 1] > entry; at--)
    list[at] = list[at - 1];
  list[at] = entry;
}

/* Every item of tile @a against every item of tile @b (the later items
 * of its own tile when @a = @b), each distance offered both ways. */
static void
compare_tiles (Search *search, gsize a, gsize b, guint worker)
{
  gsize a_begin = a * search->tile_blocks * DM_KMEANS_POINT_BLOCK;
  gsize a_end = MIN (search->n, a_begin + search->tile_blocks * DM_KMEANS_POINT_BLOCK);
  gsize b_block_end = MIN (search->n_blocks, (b + 1) * search->tile_blocks);
  gsize b_end = MIN (search->n, b_block_end * DM_KMEANS_POINT_BLOCK);
  guint16 *out = search->out[worker];
  guint64 *candidate = search->candidate[worker];

  for (gsize i = a_begin; i < a_end; i++)
    {
      gsize first = a == b ? i + 1 : b * search->tile_blocks * DM_KMEANS_POINT_BLOCK;
      gsize block_begin = first / DM_KMEANS_POINT_BLOCK;
      gsize offset = block_begin * DM_KMEANS_POINT_BLOCK;

      if (first >= b_end)
        continue;
      dm_kmeans_point_words (search->points_t, search->n_words, i, candidate);
      search->kernels->hamming (search->points_t, search->n_words, block_begin, b_block_end,
                                candidate, search->zeros, out);
      for (gsize j = first; j < b_end; j++)
        {
          guint64 distance = out[j - offset];
          offer (search, i, distance << 32 | j);
          offer (search, j, distance << 32 | i);
        }
    }
}

/* Task @task of the current round: the diagonal round's task t is tile t
 * with itself; another round's are the circle method's pairs, the last
 * slot fixed and the others turning. A pair with the slot past the last
 * tile (an odd number of tiles) sits out. */
static void
round_task (gsize task, guint worker, gpointer data)
{
  Search *search = data;
  gsize turning = search->n_slots - 1, a, b;

  if (search->round == turning)
    a = b = task;
  else if (task == 0)
    {
      a = search->round;
      b = turning;
    }
  else
    {
      a = (search->round + task) % turning;
      b = (search->round + turning - task) % turning;
    }
  if (a < search->n_tiles && b < search->n_tiles)
    compare_tiles (search, a, b, worker);
}

static gboolean
check_request (const DmNeighboursRequest *request, GError **error)
{
  if (!dm_keys_check_size (request->key_bytes, error))
    return FALSE;
  if (request->k == 0 || request->k > DM_NEIGHBOURS_MAX)
    {
      g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
                   "the neighbours must be 1 to %u, not %u", DM_NEIGHBOURS_MAX, request->k);
      return FALSE;
    }
  if (request->n_items > DM_KMEANS_MAX_ITEMS)
    {
      g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
                   "the neighbour search takes at most %u items, not %" G_GSIZE_FORMAT,
                   DM_KMEANS_MAX_ITEMS, request->n_items);
      return FALSE;
    }
  return TRUE;
}

/* Tiles small enough that every thread has a few pairs a round. */
static void
search_init (Search *search, const DmNeighboursRequest *request, guint n_workers)
{
  gsize per_tile;

  search->request = request;
  search->n = request->n_items;
  search->n_words = request->key_bytes / 8;
  search->n_blocks = (search->n + DM_KMEANS_POINT_BLOCK - 1) / DM_KMEANS_POINT_BLOCK;
  search->k = (guint) MIN (request->k, search->n - 1);
  per_tile = (search->n_blocks + 4 * n_workers - 1) / (4 * n_workers);
  search->tile_blocks = CLAMP (per_tile, 1, TILE_MAX_BLOCKS);
  search->n_tiles = (search->n_blocks + search->tile_blocks - 1) / search->tile_blocks;
  search->n_slots = search->n_tiles + search->n_tiles % 2;
  search->points_t = dm_kmeans_transpose_points (request->keys, search->n, request->key_bytes);
  search->lists = g_new (guint64, search->n * search->k);
  search->n_listed = g_new0 (guint, search->n);
  search->zeros = g_new0 (guint16, search->tile_blocks * DM_KMEANS_POINT_BLOCK);
  search->n_workers = n_workers;
  search->out = g_new (guint16 *, n_workers);
  search->candidate = g_new (guint64 *, n_workers);
  for (guint w = 0; w < n_workers; w++)
    {
      search->out[w] = g_new (guint16, search->tile_blocks * DM_KMEANS_POINT_BLOCK);
      search->candidate[w] = g_new (guint64, search->n_words);
    }
}

/* The rounds: the diagonal (n_tiles tasks) first, then n_slots - 1 of
 * pairs (n_slots / 2 tasks each), progress reported after each. */
static gboolean
search_run (Search *search, DmParallel *parallel, GError **error)
{
  const DmNeighboursRequest *request = search->request;
  gsize turning = search->n_slots - 1, n_rounds = search->n_slots;

  for (gsize r = 0; r < n_rounds; r++)
    {
      search->round = r == 0 ? turning : r - 1;
      dm_parallel_run (parallel, r == 0 ? search->n_tiles : search->n_slots / 2, round_task, search);
      if (request->progress != NULL
          && !request->progress ((double) (r + 1) / n_rounds, request->progress_data, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
dm_neighbours_count_disagreeing (const DmNeighboursRequest *request,
                                 guint                     *disagreeing,
                                 GError                   **error)
{
  Search search = { 0 };
  const char *kernels_name;
  g_autoptr(DmParallel) parallel = NULL;
  gboolean ok;

  g_return_val_if_fail (request != NULL, FALSE);
  g_return_val_if_fail (request->keys != NULL || request->n_items == 0, FALSE);
  g_return_val_if_fail (request->labels != NULL || request->n_items == 0, FALSE);

  if (!check_request (request, error))
    return FALSE;
  search.kernels = dm_kmeans_kernels_choose (request->kernel, &kernels_name, error);
  if (search.kernels == NULL)
    return FALSE;
  memset (disagreeing, 0, request->n_items * sizeof *disagreeing);
  if (request->n_items < 2)
    return TRUE;

  parallel = dm_parallel_new (request->n_threads);
  search_init (&search, request, dm_parallel_get_n_threads (parallel));
  ok = search_run (&search, parallel, error);
  if (ok)
    for (gsize i = 0; i < search.n; i++)
      for (guint m = 0; m < search.k; m++)
        {
          gsize other = (gsize) (search.lists[i * search.k + m] & G_MAXUINT32);
          disagreeing[i] += request->labels[other] != request->labels[i];
        }
  search_clear (&search);
  return ok;
}
