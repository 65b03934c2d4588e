/* dm-kmeans-assign.c: Lloyd's assignment pass: Yinyang group bounds that
 * let most items skip their scan, and the scans of the rest: over centre
 * counts (from each centre's reference key where it fits) or, with tiny
 * clusters, over members. Its own file: the pass is the hot loop of
 * Lloyd, and reads the centres (dm-kmeans-centres.c) without changing how
 * they are kept.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "dm-kmeans-private.h"

#include <math.h>

/* Bounds are rounded (lower ones to float) and updated over iterations; a
 * skip needs this margin so rounding never skips an item whose nearest
 * centre changed. */
#define BOUND_MARGIN 1e-3

/* Appends the internal feature numbers (64 * w + bit) of the set bits of
 * word w to features[n...]; returns the new count. */
static inline guint
append_features (guint64 word, gsize w, guint16 *features, guint n)
{
  while (word != 0)
    {
      features[n++] = (guint16) (64 * w + (guint) __builtin_ctzll (word));
      word &= word - 1;
    }
  return n;
}

/* Internal feature numbers of the set bits of a key. */
static guint
list_set_features (const Kmeans *km, gsize item, guint16 *features)
{
  const guint8 *key = key_of (km, item);
  guint n_set = 0;

  for (gsize w = 0; w < km->n_words; w++)
    n_set = append_features (load_word (key + 8 * w), w, features, n_set);
  return n_set;
}

/* Each centre's reference key: the features set in more than half of its
 * members (none for an empty centre). */
static void
update_references (Kmeans *km)
{
  for (guint j = 0; j < km->k; j++)
    for (gsize w = 0; w < km->n_words; w++)
      {
        guint64 word = 0;
        for (guint b = 0; b < 64; b++)
          if (2 * (guint64) *count_cell (km, j, 64 * w + b) > km->members[j])
            word |= G_GUINT64_CONSTANT (1) << b;
        km->reference[(gsize) j * km->n_words + w] = word;
      }
  km->pass_stamp++;
  for (guint w = 0; w < km->n_workers; w++)
    km->reference_listed[w] = G_MAXUINT;
}

/* A key against centre's reference: features it sets that the reference
 * does not (plus, first), then those the reference sets that it does not. */
static void
list_differences (const Kmeans *km, gsize item, guint centre, guint16 *features,
                  guint *n_plus, guint *n_minus)
{
  const guint8 *key = key_of (km, item);
  const guint64 *reference = km->reference + (gsize) centre * km->n_words;
  guint plus = 0, all = 0;

  for (gsize w = 0; w < km->n_words; w++)
    plus = append_features (load_word (key + 8 * w) & ~reference[w], w, features, plus);
  all = plus;
  for (gsize w = 0; w < km->n_words; w++)
    all = append_features (reference[w] & ~load_word (key + 8 * w), w, features, all);
  *n_plus = plus;
  *n_minus = all - plus;
}

/* The reference dot products of centre's reference key with the centres
 * of blocks [first, end), computed once per pass and worker; returns the
 * row (indexed by absolute centre) for DmKmeansKey.base. */
static const guint32 *
reference_sums (Kmeans *km, guint worker, guint centre, gsize first, gsize end)
{
  guint32 *row = km->reference_sums[worker]
                 + (gsize) centre * km->n_count_blocks * DM_KMEANS_CENTRE_BLOCK;
  guint *stamp = km->reference_stamp[worker] + (gsize) centre * km->n_count_blocks;
  guint16 *features = km->reference_features[worker];

  for (gsize c = first; c < end; c++)
    {
      if (stamp[c] == km->pass_stamp)
        continue;
      if (km->reference_listed[worker] != centre)
        {
          guint n = 0;
          for (gsize w = 0; w < km->n_words; w++)
            n = append_features (km->reference[(gsize) centre * km->n_words + w], w, features, n);
          km->reference_n_set[worker] = n;
          km->reference_listed[worker] = centre;
        }
      km->kernels->sums (&km->counts_view, features, km->reference_n_set[worker], c,
                         row + c * DM_KMEANS_CENTRE_BLOCK);
      stamp[c] = km->pass_stamp;
    }
  return row;
}

/* Yinyang's group filter: each item keeps, per group of centres, a lower
 * bound on its distance to the group's centres other than its own. A full
 * scan visits only the groups whose bound does not rule them out, home
 * groups in centre order, then the mobile group. A home block still holds
 * its mobile centres' lanes: its minimum over them too is still a bound
 * for the others. As with one pass over all centres in order, an item
 * moves only to a strictly nearer centre, and of equally near ones to the
 * lowest: a skipped group holds no centre as near as the best, and a
 * mobile centre, met last, also wins a tie with a higher best that is not
 * the item's own centre. */
static void
scan_batch (Kmeans *km, const guint *items, const double *own_distance,
            guint n_items, GArray *moves, guint worker)
{
  /* SCAN_BATCH lists of set features, n_features apart */
  guint16 *features = km->feature_scratch[worker];
  guint n_set[SCAN_BATCH], n_minus[SCAN_BATCH];
  double best[SCAN_BATCH], best_root[SCAN_BATCH];
  guint best_centre[SCAN_BATCH];
  double distances[SCAN_GROUP_BYTES / 64 * DM_KMEANS_CENTRE_BLOCK / 16];
  double block_min[SCAN_GROUP_BYTES / 64 / 16];
  gsize group_stride = km->bound_stride;

  g_assert (km->scan_group * DM_KMEANS_CENTRE_BLOCK <= G_N_ELEMENTS (distances));

  for (guint p = 0; p < n_items; p++)
    {
      if (km->use_reference)
        list_differences (km, items[p], km->label[items[p]], features + p * km->n_features,
                          &n_set[p], &n_minus[p]);
      else
        {
          n_set[p] = list_set_features (km, items[p], features + p * km->n_features);
          n_minus[p] = 0;
        }
      best[p] = own_distance[p];
      best_root[p] = sqrt (MAX (best[p], 0.0));
      best_centre[p] = km->label[items[p]];
    }
  for (guint g = 0; g < km->bound_stride; g++)
    {
      gboolean mobile = g == km->n_groups;
      gsize group_first = mobile ? km->n_cblocks : (gsize) g * km->group_cblocks;
      gsize group_end = mobile ? km->n_cblocks + 1
                               : MIN (group_first + km->group_cblocks, km->n_cblocks);

      for (guint p = 0; p < n_items; p++)
        {
          guint16 *lower = km->group_lower + items[p] * group_stride;
          guint own = km->label[items[p]];
          DmKmeansKey key = {
            features + p * km->n_features, features + p * km->n_features + n_set[p],
            n_set[p], n_minus[p], NULL, km->popcount[items[p]],
          };
          double group_min = INFINITY;

          if (mobile && km->n_mobile == 0)
            {
              lower[g] = G_MAXUINT16;   /* no centre to bound */
              continue;
            }
          if (bound_value (km, lower[g]) > best_root[p] + BOUND_MARGIN)
            continue;

          for (gsize part = group_first; part < group_end; part += km->scan_group)
            {
              gsize part_end = MIN (part + km->scan_group, group_end);
              if (km->use_reference)
                key.base = reference_sums (km, worker, own, part, part_end);
              km->kernels->distances (&km->counts_view, &key, part, part_end,
                                      km->inv_members, km->norm_term, distances, block_min);
              for (gsize c = part; c < part_end; c++)
                {
                  const double *d = distances + (c - part) * DM_KMEANS_CENTRE_BLOCK;
                  guint first = (guint) (c * DM_KMEANS_CENTRE_BLOCK), nearest = G_MAXUINT;
                  double smallest = INFINITY, next = INFINITY;

                  /* Mostly no centre of the block beats the best: then the
                   * block minimum is all the group bound needs. A mobile
                   * centre may win a tie, so its block needs more. */
                  if (mobile ? block_min[c - part] > best[p]
                             : (block_min[c - part] >= best[p]
                                && best_centre[p] - first >= DM_KMEANS_CENTRE_BLOCK))
                    {
                      group_min = MIN (group_min, block_min[c - part]);
                      continue;
                    }

                  /* Padding, unused mobile lanes and empty centres sit at
                   * infinity. */
                  for (guint lane = 0; lane < DM_KMEANS_CENTRE_BLOCK; lane++)
                    {
                      guint centre = mobile ? km->mobile_centre[lane] : first + lane;
                      if (centre == best_centre[p])
                        continue;
                      if (d[lane] < smallest)
                        {
                          next = smallest;
                          smallest = d[lane];
                          nearest = centre;
                        }
                      else if (d[lane] < next)
                        next = d[lane];
                    }
                  if (smallest < best[p]
                      || (mobile && smallest == best[p] && nearest < best_centre[p]
                          && best_centre[p] != own))
                    {
                      /* The centre it displaces is now one of "the others". */
                      guint old_group = group_of (km, best_centre[p]);
                      if (old_group == g)
                        group_min = MIN (group_min, best[p]);
                      else
                        lower[old_group] = MIN (lower[old_group], bound_floor (km, best_root[p]));
                      best[p] = smallest;
                      best_root[p] = sqrt (MAX (smallest, 0.0));
                      best_centre[p] = nearest;
                      group_min = MIN (group_min, next);
                    }
                  else
                    group_min = MIN (group_min, smallest);
                }
            }
          lower[g] = bound_floor (km, lower_bound (group_min));
        }
    }
  for (guint p = 0; p < n_items; p++)
    {
      guint item = items[p];
      km->upper[item] = best_root[p];
      if (best_centre[p] != km->label[item])
        {
          Move move = { item, km->label[item], best_centre[p] };
          g_array_append_val (moves, move);
          km->label[item] = best_centre[p];
        }
    }
}

static void
member_scan (Kmeans *km, const guint *items, const double *own_distance,
             guint n_items, GArray *moves, guint worker)
{
  /* SCAN_BATCH keys, n_words each */
  guint64 *candidates = km->candidate_scratch[worker];
  guint16 *distances = km->scratch[worker];
  guint32 *prefix = (guint32 *) (distances + SCAN_BATCH * km->n_padded);
  guint group_size = km->group_cblocks * DM_KMEANS_CENTRE_BLOCK;
  gsize piece_blocks = MEMBER_PIECE / DM_KMEANS_POINT_BLOCK;

  for (guint p = 0; p < n_items; p++)
    for (gsize w = 0; w < km->n_words; w++)
      candidates[p * km->n_words + w] = load_word (key_of (km, items[p]) + 8 * w);
  for (gsize b = 0; b < km->n_blocks; b += piece_blocks)
    for (guint p = 0; p < n_items; p++)
      km->kernels->hamming (km->sorted_t, km->n_words, b, MIN (b + piece_blocks, km->n_blocks),
                            candidates + p * km->n_words, km->zeros,
                            distances + p * km->n_padded + b * DM_KMEANS_POINT_BLOCK);

  for (guint p = 0; p < n_items; p++)
    {
      guint item = items[p];
      const guint16 *to_item = distances + p * km->n_padded;
      /* Member scans keep every centre in its home group: no mobile group
       * (use_mobile is FALSE, bound_stride n_groups). They run for small
       * data sets, where scans are cheap anyway. */
      guint16 *lower = km->group_lower + (gsize) item * km->bound_stride;
      guint popcount = km->popcount[item];
      double best = own_distance[p], best_root = sqrt (MAX (best, 0.0));
      guint best_centre = km->label[item];
      guint32 running = 0;

      /* Prefix sums make each centre's sum of distances branch-free. */
      for (gsize m = 0; m < km->n; m++)
        {
          prefix[m] = running;
          running += to_item[m];
        }
      prefix[km->n] = running;

      for (guint g = 0; g < km->n_groups; g++)
        {
          guint end = MIN ((g + 1) * group_size, km->k);
          double group_min = INFINITY;

          for (guint j = g * group_size; j < end; j++)
            {
              guint32 sum_distances = prefix[km->cluster_offsets[j + 1]]
                                      - prefix[km->cluster_offsets[j]];
              guint32 sum = (guint32) (((guint64) km->members[j] * popcount
                                        + km->popcount_sum[j] - sum_distances) / 2);
              /* Empty centres come out infinite (see update_centre_terms). */
              double d = distance_from_sum (km, popcount, sum, j);
              if (j == best_centre)
                continue;
              if (G_UNLIKELY (d < best))
                {
                  guint old_group = best_centre / group_size;
                  if (old_group == g)
                    group_min = MIN (group_min, best);
                  else if (old_group < g)
                    lower[old_group] = MIN (lower[old_group], bound_floor (km, best_root));
                  best = d;
                  best_root = sqrt (MAX (d, 0.0));
                  best_centre = j;
                }
              else
                group_min = MIN (group_min, d);
            }
          lower[g] = bound_floor (km, lower_bound (group_min));
        }

      km->upper[item] = best_root;
      if (best_centre != km->label[item])
        {
          Move move = { item, km->label[item], best_centre };
          g_array_append_val (moves, move);
          km->label[item] = best_centre;
        }
    }
}

/* Lays the points out in cluster order for member scans; the centre counts
 * are those of the current labels. */
static void
sort_by_cluster (Kmeans *km)
{
  g_autofree guint *fill = g_new (guint, km->k);

  km->cluster_offsets[0] = 0;
  for (guint j = 0; j < km->k; j++)
    {
      km->cluster_offsets[j + 1] = km->cluster_offsets[j] + km->members[j];
      fill[j] = km->cluster_offsets[j];
    }
  g_assert (km->cluster_offsets[km->k] == km->n);
  for (gsize i = 0; i < km->n; i++)
    {
      gsize position = fill[km->label[i]]++;
      gsize block = position / DM_KMEANS_POINT_BLOCK, lane = position % DM_KMEANS_POINT_BLOCK;
      for (gsize w = 0; w < km->n_words; w++)
        km->sorted_t[(block * km->n_words + w) * DM_KMEANS_POINT_BLOCK + lane] =
            load_word (key_of (km, i) + 8 * w);
    }
}

/* Moves the centres into and out of the mobile group in one item's bounds
 * (see choose_mobile, dm-kmeans-centres.c), from the bounds at the old
 * positions. */
static inline void
apply_mobile_changes (const Kmeans *km, guint16 *lower)
{
  guint16 old_mobile = lower[km->n_groups], mobile = old_mobile;

  for (guint64 mask = km->mobile_entered; mask != 0; mask &= mask - 1)
    mobile = MIN (mobile, lower[__builtin_ctzll (mask)]);
  for (guint64 mask = km->mobile_left; mask != 0; mask &= mask - 1)
    {
      guint g = (guint) __builtin_ctzll (mask);
      lower[g] = MIN (lower[g], old_mobile);
    }
  lower[km->n_groups] = mobile;
}

static void
assign_task (gsize chunk, guint worker, gpointer data)
{
  Kmeans *km = data;
  GArray *moves = km->chunk_moves[chunk];
  guint failing[SCAN_BATCH];
  double own_distance[SCAN_BATCH];
  guint n_failing = 0;

  g_array_set_size (moves, 0);
  if (km->use_reference)
    g_array_set_size (km->chunk_failing[chunk], 0);
  for (gsize i = chunk * LLOYD_CHUNK; i < MIN ((chunk + 1) * LLOYD_CHUNK, km->n); i++)
    {
      guint own = km->label[i];
      guint16 *lower = km->group_lower + i * km->bound_stride;
      guint16 lowest_units = G_MAXUINT16;
      double lowest, d_own;

      if (km->mobile_entered != 0 || km->mobile_left != 0)
        apply_mobile_changes (km, lower);
      /* In bound units: a saturating integer subtraction per group, the
       * cost of every item in every iteration. */
      km->upper[i] += km->shift[own];
      for (guint g = 0; g < km->bound_stride; g++)
        {
          guint16 shift = km->group_shift_units[g];
          lower[g] = lower[g] > shift ? lower[g] - shift : 0;
          lowest_units = MIN (lowest_units, lower[g]);
        }
      lowest = bound_value (km, lowest_units);
      if (km->upper[i] + BOUND_MARGIN < lowest)
        continue;
      d_own = kmeans_exact_distance (km, i, own);
      km->upper[i] = sqrt (MAX (d_own, 0.0));
      if (km->upper[i] + BOUND_MARGIN < lowest)
        continue;
      if (km->use_reference)
        {
          guint item = (guint) i;
          km->exact[i] = d_own;
          g_array_append_val (km->chunk_failing[chunk], item);
          continue;
        }
      own_distance[n_failing] = d_own;
      failing[n_failing++] = (guint) i;
      if (n_failing == SCAN_BATCH)
        {
          if (km->member_mode)
            member_scan (km, failing, own_distance, n_failing, moves, worker);
          else
            scan_batch (km, failing, own_distance, n_failing, moves, worker);
          n_failing = 0;
        }
    }
  if (n_failing > 0 && km->member_mode)
    member_scan (km, failing, own_distance, n_failing, moves, worker);
  else if (n_failing > 0)
    scan_batch (km, failing, own_distance, n_failing, moves, worker);
}

/* How many features the kernels may sum in 16-bit lanes before widening,
 * for a block whose largest centre has largest members: 0 (32-bit sums)
 * when a count may pass 65 535. */
static guint16
count_run (const Kmeans *km, guint largest)
{
  return (guint16) MIN (G_MAXUINT16 / MAX (largest, 1), km->n_features);
}

/* Per centre block, the mobile one included, its count_run(): a count is
 * at most its centre's members. */
static void
update_count_runs (Kmeans *km)
{
  for (guint c = 0; c < km->n_cblocks; c++)
    {
      guint largest = 0;
      for (guint j = c * DM_KMEANS_CENTRE_BLOCK;
           j < MIN ((c + 1) * DM_KMEANS_CENTRE_BLOCK, km->k); j++)
        largest = MAX (largest, km->members[j]);
      km->count_runs[c] = count_run (km, largest);
    }
  if (km->use_mobile)
    {
      guint largest = 0;
      for (guint lane = 0; lane < km->n_mobile; lane++)
        largest = MAX (largest, km->members[km->mobile_centre[lane]]);
      km->count_runs[km->n_cblocks] = count_run (km, largest);
    }
}

/* Scans task's share of the failing items (in cluster order), SCAN_BATCH
 * at a time. */
static void
scan_failing_task (gsize task, guint worker, gpointer data)
{
  Kmeans *km = data;
  gsize first = task * LLOYD_CHUNK, end = MIN (first + LLOYD_CHUNK, km->n_failing);
  GArray *moves = km->chunk_moves[task];

  for (gsize b = first; b < end; b += SCAN_BATCH)
    {
      guint items[SCAN_BATCH];
      double own_distance[SCAN_BATCH];
      guint n_items = (guint) MIN (SCAN_BATCH, end - b);

      for (guint p = 0; p < n_items; p++)
        {
          items[p] = km->failing[b + p];
          own_distance[p] = km->exact[items[p]];
        }
      scan_batch (km, items, own_distance, n_items, moves, worker);
    }
}

/* The failing items of all chunks, by own centre (counting sort: chunk
 * and item order within a centre), then scanned. */
static void
scan_failing (Kmeans *km)
{
  g_autofree guint *offset = g_new0 (guint, km->k + 1);

  km->n_failing = 0;
  for (gsize c = 0; c < km->n_lloyd_chunks; c++)
    {
      GArray *failing = km->chunk_failing[c];
      for (guint f = 0; f < failing->len; f++)
        offset[km->label[g_array_index (failing, guint, f)] + 1]++;
      km->n_failing += failing->len;
    }
  for (guint j = 0; j < km->k; j++)
    offset[j + 1] += offset[j];
  for (gsize c = 0; c < km->n_lloyd_chunks; c++)
    {
      GArray *failing = km->chunk_failing[c];
      for (guint f = 0; f < failing->len; f++)
        {
          guint item = g_array_index (failing, guint, f);
          km->failing[offset[km->label[item]]++] = item;
        }
    }
  dm_parallel_run (km->parallel, (km->n_failing + LLOYD_CHUNK - 1) / LLOYD_CHUNK,
                   scan_failing_task, km);
}

/* One assignment pass; with apply, moves update the centre counts. Returns
 * the number of items that changed cluster. */
gsize
kmeans_assign (Kmeans *km, Touched *touched, gboolean apply)
{
  gsize n_moves = 0;

  if (km->member_mode)
    sort_by_cluster (km);
  else
    update_count_runs (km);
  if (km->use_reference)
    update_references (km);
  dm_parallel_run (km->parallel, km->n_lloyd_chunks, assign_task, km);
  km->mobile_entered = km->mobile_left = 0;
  if (km->use_reference)
    scan_failing (km);
  for (gsize c = 0; c < km->n_lloyd_chunks; c++)
    {
      GArray *moves = km->chunk_moves[c];
      n_moves += moves->len;
      if (!apply)
        continue;
      for (guint m = 0; m < moves->len; m++)
        {
          const Move *move = &g_array_index (moves, Move, m);
          kmeans_touch (km, touched, move->from);
          kmeans_touch (km, touched, move->to);
          km->label[move->item] = move->from;
          kmeans_move_item (km, move->item, move->from, move->to);
        }
    }
  return n_moves;
}
