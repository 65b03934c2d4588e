/* dm-neighbours.h: exact nearest neighbours by Hamming distance, and how
 * many of each item's neighbours carry another label: the count behind
 * herding's label-noise filter (see dm-select-beyond.h), which is Wilson's
 * edited nearest neighbour rule (D. L. Wilson, "Asymptotic properties of
 * nearest neighbor rules using edited data", IEEE Trans. SMC, 1972) with a
 * threshold of one's choice instead of the majority.
 *
 * Plain C on arrays: no I/O, no GObject.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "dm-core-error.h"
#include "dm-kmeans.h"

G_BEGIN_DECLS

/* The most neighbours asked for: each item's list takes 8 bytes a
 * neighbour while the search runs. */
#define DM_NEIGHBOURS_MAX 1000

/* Called between the search's rounds with the fraction of the distances
 * computed; %FALSE (with @error set) stops the search. */
typedef gboolean (*DmNeighboursProgressFunc) (double fraction, gpointer data, GError **error);

typedef struct {
  const guint8 *keys;       /* n_items * key_bytes, packbits order */
  gsize n_items;            /* at most DM_KMEANS_MAX_ITEMS */
  gsize key_bytes;          /* a multiple of 8 (dm_keys_check_size()) */
  const int *labels;        /* n_items: a label >= 0, or -1 = none */
  guint k;                  /* neighbours per item, 1 .. DM_NEIGHBOURS_MAX */
  guint n_threads;          /* 0 = all cores */
  DmKmeansKernel kernel;    /* AUTO, or a path forced (see dm_kmeans_kernel_name()) */
  DmNeighboursProgressFunc progress;   /* may be NULL */
  gpointer progress_data;
} DmNeighboursRequest;

/**
 * dm_neighbours_count_disagreeing:
 * @request: the keys, labels and k
 * @disagreeing: (out caller-allocates): n_items counts
 * @error: return location for a #GError
 *
 * For every item, its min(k, n_items - 1) nearest other items by Hamming
 * distance, exactly, ties broken by the lower item index; @disagreeing[i]
 * is how many of them have another label than item i. An item without a
 * label disagrees with every labelled one and agrees with the unlabelled;
 * so to a labelled item an unlabelled neighbour is one of another label.
 *
 * Costs n_items (n_items - 1) / 2 Hamming distances (the core's SIMD
 * kernels, on request->n_threads threads) and 8 k bytes per item. The
 * counts depend neither on the kernel path nor on the thread count.
 *
 * Returns: %TRUE, or %FALSE with @error set: DM_CORE_ERROR_INVALID_ARGUMENT
 *   for a k out of range, a bad key size or a kernel path this CPU cannot
 *   run; the progress callback's error when it stopped the search (then
 *   @disagreeing is undefined)
 */
gboolean dm_neighbours_count_disagreeing (const DmNeighboursRequest *request,
                                          guint                     *disagreeing,
                                          GError                   **error);

G_END_DECLS
