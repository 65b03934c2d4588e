/* dm-select-beyond.h: prune methods beyond Datumaro's, and label
 * stratification for every clustering method.
 *
 * - prototype: Sorscher, Geirhos, Shekhar, Ganguli, Morcos, "Beyond neural
 *   scaling laws: beating power law scaling via data pruning", NeurIPS
 *   2022. Their self-supervised prototype metric: k-means in the embedding
 *   space, each item's difficulty is its distance to its cluster's centre.
 *   Their theory and experiments: when few items are kept, keeping the easy
 *   (prototypical) ones is best; when many are kept, the hard ones. Unlike
 *   the paper, which ranks globally, every cluster keeps its share of the
 *   total (as cluster_random does), so no cluster is dropped whole.
 * - dedup: Abbas, Tirumala, Simig, Ganguli, Morcos, "SemDeDup: data-efficient
 *   learning at web-scale through semantic deduplication", 2023. Within
 *   each k-means cluster, items closer than a threshold are duplicates, of
 *   which the one farthest from the centre is kept.
 * - herding: Chen, Welling, Smola, "Super-Samples from Kernel Herding",
 *   UAI 2010. Greedily keeps the items whose mean kernel embedding follows
 *   the whole set's (what minimising the maximum mean discrepancy between
 *   the kept items and all asks for, greedily), so the kept items are
 *   spread as the data is: dense regions keep more, and no item is
 *   kept twice as a "super-sample" of its neighbourhood. Its label-noise
 *   filter is Wilson's edited nearest neighbour rule (D. L. Wilson,
 *   "Asymptotic properties of nearest neighbor rules using edited data",
 *   IEEE Trans. SMC, 1972) with a threshold of one's choice: items whose
 *   nearest neighbours mostly carry another label are kept last.
 *
 * Plain C over the k-means result: no I/O, no GObject.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "dm-cluster-select.h"
#include "dm-kmeans.h"

G_BEGIN_DECLS

/* Key comparisons between progress reports of the methods whose work
 * grows with the square of the cluster sizes: a few milliseconds. */
#define DM_SELECT_REPORT_EVERY (1u << 20)

/* DM_PROTOTYPE_KEEP_AUTO keeps the hardest items from this kept fraction
 * on, the easiest below it. Measured on digits and Fashion-MNIST
 * (tests/bench/bench-quality.py): easy wins at 5 % and 10 %, hard at 30 %. */
#define DM_PROTOTYPE_HARD_FROM 0.3

/* Default dedup_threshold: SemDeDup's eps = 0.07 (1 - cosine similarity)
 * is an angle of 21.6 degrees; a sign-of-random-hyperplane key differs in
 * a fraction angle / 180 of its bits, so 0.12. */
#define DM_DEDUP_DEFAULT_THRESHOLD 0.12

/* Default herding_bandwidth: the kernel exp(-h / w) on Hamming distances
 * h, w = 0.25 times the median distance between the cluster's items.
 * Measured on Fashion-MNIST (stratified, 5 % kept): 0.15 to 0.4 do about
 * as well; 0.1 and below lose the logistic regression's gain, 1 the
 * 1-nearest-neighbour's. A sweep of 0.2 to 0.5 on validation splits of
 * train (tests/bench/bench-quality.py --validate; digits, the first 10 000
 * and all 60 000 Fashion-MNIST items) found no width better on all three. */
#define DM_HERDING_DEFAULT_BANDWIDTH 0.25

/* Default herding_neighbours where the filter is asked for (the plugin's
 * herding-neighbours). Chosen on validation splits of train
 * (tests/bench/bench-quality.py --validate; digits, the first 10 000 and
 * all 60 000 Fashion-MNIST items, stratified, 5 % kept): at a largest
 * disagreement of 0.4 and width 0.4, 20 neighbours did better than 10 and
 * 40. Measured once on the test split there, all 60 000 items: herding's
 * gain over random goes from +0.4 to +2.0 points of logistic regression
 * accuracy and from +1.1 to +2.0 of 1-nearest-neighbour on image keys
 * (+0.6 to +2.1 and +1.6 to +2.8 on raw-pixel keys); on digits it
 * changes less than two points. */
#define DM_HERDING_DEFAULT_NEIGHBOURS 20

/**
 * dm_select_beyond_check:
 * @request: a request
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the prototype, dedup, herding and stratify parameters are
 *   usable, else %FALSE with DM_CORE_ERROR_INVALID_ARGUMENT
 */
gboolean dm_select_beyond_check (const DmSelectRequest *request, GError **error);

/**
 * dm_select_herding_filter_on:
 * @request: a request
 *
 * Returns: %TRUE when @request asks for herding with its label filter
 *   (herding_neighbours > 0, herding_max_disagreement below 1) and gives
 *   no candidates yet: what dm_select_herding_candidates() is for
 */
gboolean dm_select_herding_filter_on (const DmSelectRequest *request);

/**
 * dm_select_herding_candidates:
 * @request: the keys and labels (valid label ids), herding_neighbours k,
 *   herding_max_disagreement t, n_threads, force_portable and the progress
 *   callback
 * @candidates: (out caller-allocates): n_items flags
 * @n_left_out: (out): how many items are not candidates
 * @error: return location for a #GError
 *
 * Herding's label-noise filter: for each item with a label, its
 * min(k, n_items - 1) nearest other items by Hamming distance over all
 * items (labelled or not, any label), exactly, ties to the lower item
 * index (dm_neighbours_count_disagreeing()); d of them carry another label
 * than the item's, an unlabelled neighbour counting as another label (it
 * does not support the item's). The item is a candidate when d / k <= t.
 * Items without a label are always candidates; so at t = 1 is every item.
 *
 * Costs n_items (n_items - 1) / 2 key distances on n_threads threads,
 * whatever the clusters or labels, and 8 k bytes per item; reports
 * progress in the phase "filtering".
 *
 * Returns: %TRUE, or %FALSE with @error set as by
 *   dm_neighbours_count_disagreeing() (DM_CORE_ERROR_CANCELLED when the
 *   progress callback returned %FALSE)
 */
gboolean dm_select_herding_candidates (const DmSelectRequest *request,
                                       gboolean              *candidates,
                                       guint                 *n_left_out,
                                       GError               **error);

/**
 * dm_prototype_resolve:
 * @keep: the choice asked for
 * @ratio: the fraction kept
 *
 * Returns: %DM_PROTOTYPE_KEEP_EASY or %DM_PROTOTYPE_KEEP_HARD
 */
DmPrototypeKeep dm_prototype_resolve (DmPrototypeKeep keep, double ratio);

/**
 * dm_select_farthest_first_by_cluster:
 * @clusters: the k-means result
 * @offsets_out: (out) (transfer full): k + 1 entries, where each cluster's
 *   items start
 *
 * Every cluster's items, cluster after cluster, the farthest from its
 * centre first within each (ranked by the negated distance, ties by the
 * lowest item): the order of prototype's hard choice and of dedup's scan.
 *
 * Returns: (transfer full): n_items ranked items
 */
DmRanked *dm_select_farthest_first_by_cluster (const DmKmeansResult *clusters,
                                               guint               **offsets_out);

/**
 * dm_select_keep_hardest:
 * @clusters: the k-means result
 * @quotas: items kept per cluster
 * @kept: (inout): n_items flags, set for the kept items
 *
 * Prototype's hard choice: each cluster keeps its quota of items in
 * descending squared distance to its centre; ties to the lowest item
 * index. (The easy choice is query_clust's: nearest first.)
 */
void dm_select_keep_hardest (const DmKmeansResult *clusters,
                             const guint          *quotas,
                             gboolean             *kept);

/**
 * dm_select_keep_deduplicated:
 * @clusters: the k-means result
 * @request: the keys clustered (keys, key_bytes), dedup_threshold (duplicates
 *   differ in at most dedup_threshold * 8 * key_bytes bits), the seed of
 *   the sampling and the progress callback
 * @total: exactly how many items to keep, at most n_items
 * @quotas: (out caller-allocates): items kept per cluster
 * @kept: (inout): n_items flags, set for the kept items
 * @n_duplicates: (out): how many items were found to be duplicates
 * @error: return location for a #GError
 *
 * SemDeDup within each cluster: its items, farthest from the centre first
 * (ties: lowest index), are kept unless within the threshold of an item of
 * the cluster kept before. Then the count is brought to @total:
 * - more survivors than @total: cluster-balanced sampling, each cluster
 *   its largest-remainder share of @total in proportion to its survivors
 *   (so clusters full of duplicates shrink), a seeded uniform sample of
 *   its survivors;
 * - fewer: every survivor, then the dropped items that were least
 *   duplicated (largest distance to the kept item that caught them; ties:
 *   lowest index) until @total.
 *
 * The comparisons grow with the square of the cluster sizes (each item
 * against its cluster's survivors), so the progress callback is called
 * (phase "selecting") every 2^20 comparisons or so. key_bytes must be a
 * multiple of 8 (dm_keys_check_size()).
 *
 * Returns: %TRUE, or %FALSE with DM_CORE_ERROR_CANCELLED when the progress
 *   callback returned %FALSE (then @quotas and @kept are undefined)
 */
gboolean dm_select_keep_deduplicated (const DmKmeansResult  *clusters,
                                      const DmSelectRequest *request,
                                      gsize                  total,
                                      guint                 *quotas,
                                      gboolean              *kept,
                                      guint                 *n_duplicates,
                                      GError               **error);

/**
 * dm_select_keep_herded:
 * @clusters: the k-means result
 * @request: the keys clustered (keys, key_bytes), herding_bandwidth,
 *   herding_candidates (%NULL: every item), n_threads, force_portable and
 *   the progress callback
 * @quotas: items kept per cluster
 * @kept: (inout): n_items flags, set for the kept items
 * @error: return location for a #GError
 *
 * Kernel herding within each cluster of n items: with the kernel
 * k(x, y) = exp(-hamming(x, y) / w), w = herding_bandwidth times the lower
 * median of the Hamming distances between the cluster's distinct items
 * (at least 1), and mu(x) = (1/n) sum over the cluster's items y of
 * k(x, y), the t-th item kept (t = 0, 1, ...) is the one not yet kept
 * that maximises mu(x) - (1/(t + 1)) sum over the kept items s of
 * k(x, s); ties to the lowest item index. The first is the item of
 * highest density; each next one where the data's density most exceeds
 * the kept items'. No randomness: the seed only moves the clusters.
 *
 * With herding_candidates, mu still averages over all the cluster's items,
 * but each step's maximum is taken over the candidates not yet kept only;
 * once the cluster has none left, over all its items not yet kept, so the
 * cluster still keeps exactly its quota.
 *
 * The comparisons grow with the square of the cluster sizes (about
 * 1.5 n^2 + quota * n key distances per cluster, all but the quota * n on
 * n_threads threads, with the SIMD kernels; the items kept are the same
 * on every kernel path and thread count), so the progress callback is
 * called (phase "selecting") every 2^20 comparisons or so.
 *
 * Returns: %TRUE, or %FALSE with DM_CORE_ERROR_CANCELLED when the progress
 *   callback returned %FALSE (then @kept is undefined)
 */
gboolean dm_select_keep_herded (const DmKmeansResult  *clusters,
                                const DmSelectRequest *request,
                                const guint           *quotas,
                                gboolean              *kept,
                                GError               **error);

/**
 * dm_select_stratified:
 * @request: a request with stratify set
 * @result: (out) (transfer full): the selection
 * @error: return location for a #GError
 *
 * Shares the total (ceil(n_items * ratio), or n_kept) among the labels by
 * the largest remainder method (dm_quota_compute()); items without a label
 * are a group of their own. Then the method runs within each group on its
 * items alone, as if the group were the dataset with a single label: the
 * number of clusters is `n_clusters` (clamped to the group's size), or 1
 * when 0; centroid makes one cluster per item kept; query_clust makes one
 * cluster, centred first on the group's first item. Herding's candidates
 * (herding_candidates), found over all items, go with each group's items. Groups that keep
 * nothing are one cluster of quota 0. Clusters are numbered group after
 * group in label order (unlabelled last); inertia, iterations and times
 * add up over the groups (iterations: the most).
 *
 * Returns: %TRUE on success, else %FALSE with @error set as by
 *   dm_cluster_select()
 */
gboolean dm_select_stratified (const DmSelectRequest *request,
                               DmSelectResult       **result,
                               GError               **error);

G_END_DECLS
