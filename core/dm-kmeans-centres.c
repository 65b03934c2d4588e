/* dm-kmeans-centres.c: Lloyd's centres as counts of their members' set
 * features: building and moving the counts, each centre's distance terms
 * and shift, relocating empty clusters, and the groups of centres whose
 * shifts lower the assignment's bounds (the mobile group among them). Its
 * own file: what the assignment pass reads, kept apart from how it scans.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "dm-kmeans-private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  Kmeans *km;
  gsize n_tasks;
} BuildJob;

/* Task t owns a range of centre blocks, so no two tasks write one cell. */
static void
build_counts_task (gsize task, guint worker, gpointer data)
{
  BuildJob *job = data;
  Kmeans *km = job->km;
  guint first = (guint) (task * km->n_cblocks / job->n_tasks) * DM_KMEANS_CENTRE_BLOCK;
  guint end = (guint) ((task + 1) * km->n_cblocks / job->n_tasks) * DM_KMEANS_CENTRE_BLOCK;

  for (gsize i = 0; i < km->n; i++)
    {
      guint j = km->label[i];
      if (j < first || j >= end)
        continue;
      const guint8 *key = key_of (km, i);
      km->popcount_sum[j] += km->popcount[i];
      for (gsize w = 0; w < km->n_words; w++)
        {
          guint64 word = load_word (key + 8 * w);
          while (word != 0)
            {
              gsize f = 64 * w + (guint) __builtin_ctzll (word);
              (*count_cell (km, j, f))++;
              if (km->counts16_t != NULL)
                km->counts16_t[count_offset (km, j, f)]++;
              word &= word - 1;
            }
        }
    }
}

/* Counts the members of the current labels into counts_t, counts16_t and
 * popcount_sum, which start at zero. */
void
kmeans_build_counts (Kmeans *km)
{
  BuildJob job = { km, MIN (km->n_cblocks, 4 * dm_parallel_get_n_threads (km->parallel)) };

  dm_parallel_run (km->parallel, job.n_tasks, build_counts_task, &job);
}

void
kmeans_update_centre_terms (Kmeans *km, guint centre)
{
  guint64 square_sum = 0;
  double n = km->members[centre];

  for (gsize f = 0; f < km->n_features; f++)
    {
      guint64 count = *count_cell (km, centre, f);
      square_sum += count * count;
    }
  /* An empty centre is infinitely far from every key. */
  km->inv_members[centre] = n > 0 ? 1.0 / n : 0.0;
  km->norm_term[centre] = n > 0 ? (double) square_sum / (n * n) : INFINITY;
}

/* Euclidean distance between a centre and its earlier position given as
 * counts over members (internal feature order). */
double
kmeans_centre_shift (Kmeans *km, guint centre, const guint32 *old_counts, guint old_members)
{
  double sum = 0;

  if (old_members == 0 || km->members[centre] == 0)
    return old_members == km->members[centre] ? 0.0 : 2 * BOUND_FAR;
  for (gsize f = 0; f < km->n_features; f++)
    {
      double delta = (double) *count_cell (km, centre, f) * km->inv_members[centre]
                     - (double) old_counts[f] / old_members;
      sum += delta * delta;
    }
  return sqrt (sum);
}

void
kmeans_key_as_counts (Kmeans *km, gsize item, guint32 *counts)
{
  memset (counts, 0, km->n_features * sizeof *counts);
  for (gsize w = 0; w < km->n_words; w++)
    for (guint b = 0; b < 64; b++)
      counts[64 * w + b] = (guint32) ((load_word (key_of (km, item) + 8 * w) >> b) & 1u);
}

double
kmeans_exact_distance (const Kmeans *km, gsize item, guint centre)
{
  const guint8 *key = key_of (km, item);
  guint32 sum = 0;

  if (km->members[centre] == 0)
    return INFINITY;
  for (gsize w = 0; w < km->n_words; w++)
    {
      guint64 word = load_word (key + 8 * w);
      while (word != 0)
        {
          sum += *count_cell (km, centre, 64 * w + (guint) __builtin_ctzll (word));
          word &= word - 1;
        }
    }
  return distance_from_sum (km, km->popcount[item], sum, centre);
}

static void
exact_distance_task (gsize chunk, guint worker, gpointer data)
{
  Kmeans *km = data;

  for (gsize i = chunk * LLOYD_CHUNK; i < MIN ((chunk + 1) * LLOYD_CHUNK, km->n); i++)
    km->exact[i] = kmeans_exact_distance (km, i, km->label[i]);
}

/* Every item's squared distance to its own centre, into km->exact. */
void
kmeans_exact_distances (Kmeans *km)
{
  dm_parallel_run (km->parallel, km->n_lloyd_chunks, exact_distance_task, km);
}

void
kmeans_touch (Kmeans *km, Touched *touched, guint centre)
{
  if (touched->slot_of[centre] >= 0)
    return;
  touched->slot_of[centre] = (gint) touched->centres->len;
  g_array_append_val (touched->centres, centre);
  g_array_append_val (touched->old_members, km->members[centre]);
  g_array_set_size (touched->old_counts, touched->old_counts->len + km->n_features);
  guint32 *saved = &g_array_index (touched->old_counts, guint32,
                                   touched->old_counts->len - km->n_features);
  for (gsize f = 0; f < km->n_features; f++)
    saved[f] = *count_cell (km, centre, f);
}

void
kmeans_move_item (Kmeans *km, gsize item, guint from, guint to)
{
  const guint8 *key = key_of (km, item);

  for (gsize w = 0; w < km->n_words; w++)
    {
      guint64 word = load_word (key + 8 * w);
      while (word != 0)
        {
          gsize f = 64 * w + (guint) __builtin_ctzll (word);
          (*count_cell (km, from, f))--;
          (*count_cell (km, to, f))++;
          if (km->counts16_t != NULL)
            {
              km->counts16_t[count_offset (km, from, f)]--;
              km->counts16_t[count_offset (km, to, f)]++;
            }
          word &= word - 1;
        }
    }
  km->members[from]--;
  km->members[to]++;
  km->popcount_sum[from] -= km->popcount[item];
  km->popcount_sum[to] += km->popcount[item];
  km->label[item] = to;
}

/* scikit-learn's rule: an empty cluster takes the item farthest from its
 * centre (ties: lowest index), from a cluster that keeps a member. */
void
kmeans_relocate_empty (Kmeans *km, Touched *touched)
{
  gboolean have_distances = FALSE;

  for (guint j = 0; j < km->k; j++)
    {
      if (km->members[j] != 0)
        continue;
      if (!have_distances)
        {
          for (guint c = 0; c < km->k; c++)
            kmeans_update_centre_terms (km, c);
          kmeans_exact_distances (km);
          have_distances = TRUE;
        }
      gsize far = G_MAXSIZE;
      for (gsize i = 0; i < km->n; i++)
        if (km->members[km->label[i]] > 1 && km->exact[i] > 0
            && (far == G_MAXSIZE || km->exact[i] > km->exact[far]))
          far = i;
      if (far == G_MAXSIZE)
        return;   /* every remaining item duplicates its centre */
      if (touched != NULL)
        {
          kmeans_touch (km, touched, km->label[far]);
          kmeans_touch (km, touched, j);
        }
      kmeans_move_item (km, far, km->label[far], j);
      km->exact[far] = -1;
      km->upper[far] = 0;
      /* Forces a full scan next time. */
      for (guint g = 0; g < km->bound_stride; g++)
        km->group_lower[far * km->bound_stride + g] = 0;
    }
}

/* Copies the mobile centres' counts and terms into block n_cblocks, lane
 * by lane; unused lanes get what padding has: no counts, infinitely far. */
static void
copy_mobile_block (Kmeans *km)
{
  for (guint lane = 0; lane < DM_KMEANS_CENTRE_BLOCK; lane++)
    {
      guint to = km->n_cblocks * DM_KMEANS_CENTRE_BLOCK + lane;
      gboolean used = lane < km->n_mobile;
      guint from = used ? km->mobile_centre[lane] : 0;

      for (gsize f = 0; f < km->n_features; f++)
        {
          gsize target = count_offset (km, to, f), source = count_offset (km, from, f);
          km->counts_t[target] = used ? km->counts_t[source] : 0;
          km->counts16_t[target] = used ? km->counts16_t[source] : 0;
        }
      km->inv_members[to] = used ? km->inv_members[from] : 0.0;
      km->norm_term[to] = used ? km->norm_term[from] : INFINITY;
    }
}

static gboolean
is_listed (const guint *centres, guint n, guint centre)
{
  for (guint l = 0; l < n; l++)
    if (centres[l] == centre)
      return TRUE;
  return FALSE;
}

/* The mobile group. A group's bounds drop by the largest shift of its
 * centres, and late in Lloyd one or two unstable centres set that for
 * every group while most centres stay put (50k keys, k = 1000: group
 * shifts 0.8-1.4 against a median nonzero shift of 0.3, so every item
 * failed the bound test in every iteration; at 1.28M keys, iteration 3:
 * median nonzero shift 0.09, mean group maximum 2.15). The 16 centres
 * that moved most (nonzero shifts; ties: the lower index) therefore leave
 * their home groups' bounds for one bound of their own. Bounds are still
 * at the old positions here: a centre entering from group g is covered
 * by g's bound, so the mobile bound becomes the smaller of the two; one
 * leaving back to g lowers g's bound to the mobile one. assign_task
 * applies that to every item, just before it lowers the bounds. */
static void
choose_mobile (Kmeans *km)
{
  guint chosen[DM_KMEANS_CENTRE_BLOCK], n_chosen = 0;

  for (guint j = 0; j < km->k; j++)
    {
      guint at;

      if (!(km->shift[j] > 0)
          || (n_chosen == DM_KMEANS_CENTRE_BLOCK
              && !(km->shift[j] > km->shift[chosen[n_chosen - 1]])))
        continue;
      /* Insertion into the list by decreasing shift: the last drops out. */
      at = n_chosen < DM_KMEANS_CENTRE_BLOCK ? n_chosen++ : n_chosen - 1;
      while (at > 0 && km->shift[chosen[at - 1]] < km->shift[j])
        {
          chosen[at] = chosen[at - 1];
          at--;
        }
      chosen[at] = j;
    }
  /* Lanes in centre order, so that a scan meets equally near mobile
   * centres lowest first, as in their home blocks. */
  qsort (chosen, n_chosen, sizeof *chosen, compare_items);

  for (guint l = 0; l < km->n_mobile; l++)
    {
      guint j = km->mobile_centre[l];
      if (is_listed (chosen, n_chosen, j))
        continue;
      km->centre_group[j] = home_group (km, j);
      km->mobile_left |= G_GUINT64_CONSTANT (1) << km->centre_group[j];
    }
  for (guint l = 0; l < n_chosen; l++)
    {
      guint j = chosen[l];
      if (km->centre_group[j] == km->n_groups)
        continue;
      km->mobile_entered |= G_GUINT64_CONSTANT (1) << km->centre_group[j];
      km->centre_group[j] = km->n_groups;
    }
  for (guint l = 0; l < DM_KMEANS_CENTRE_BLOCK; l++)
    km->mobile_centre[l] = l < n_chosen ? chosen[l] : G_MAXUINT;
  km->n_mobile = n_chosen;
  copy_mobile_block (km);
}

/* Per group of centres (the mobile one included), the largest shift of a
 * centre it covers: how much the group's lower bounds must drop, in bound
 * units. */
void
kmeans_update_group_shifts (Kmeans *km)
{
  double largest[MAX_GROUPS + 1] = { 0 };

  if (km->use_mobile)
    choose_mobile (km);
  for (guint j = 0; j < km->k; j++)
    largest[group_of (km, j)] = MAX (largest[group_of (km, j)], km->shift[j]);
  for (guint g = 0; g < km->bound_stride; g++)
    {
      /* Rounded up, so that bounds lowered by it stay bounds; a shift
       * beyond any key distance takes every bound to 0. */
      double units = ceil (largest[g] * km->bound_scale);
      km->group_shift_units[g] = units >= G_MAXUINT16 ? G_MAXUINT16 : (guint16) units;
    }
}
