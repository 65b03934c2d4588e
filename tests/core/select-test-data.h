/* select-test-data.h: what the tests of dm_cluster_select() share: their
 * items (keys and labels) and the request and result over them. Each test
 * file draws its items its own way (data_init), to the shape its methods
 * need.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "dm-cluster-select.h"

#define KEY_BYTES 64

typedef struct {
  gsize n;
  guint n_labels;
  guint8 *keys;    /* n * KEY_BYTES */
  int *labels;     /* n, -1 for none */
} Data;

void             data_clear  (Data          *data);

/* g_auto(Data), zero-initialised, frees the items at the end of a scope. */
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Data, data_clear)

/* A request to select from all of @data by @method and @ratio, with seed
 * 0, every thread, the SIMD path, SemDeDup's default threshold and
 * herding's default bandwidth. */
DmSelectRequest  request_for (const Data    *data,
                              DmSelectMethod method,
                              double         ratio);

/* Runs @request, asserting it succeeds. */
DmSelectResult  *select_ok   (const DmSelectRequest *request);

/* Asserts that @a and @b keep the same items. */
void             assert_same_kept (const DmSelectResult *a,
                                   const DmSelectResult *b);

/* Which of @n items @result keeps, asserting each is one of them. */
gboolean        *kept_flags  (const DmSelectResult *result,
                              gsize                 n);

/* Asserts that @result keeps exactly @total of @n items, ascending, as many
 * per cluster as its quota, and that the clusters' sizes are those of
 * cluster_of_item. */
void             check_counts (const DmSelectResult *result,
                               gsize                 n,
                               gsize                 total);

/* Asserts that the same request chooses the same items twice and that
 * @other_seed chooses other items. */
void             assert_seed_decides (const DmSelectRequest *request,
                                      guint32                other_seed);
