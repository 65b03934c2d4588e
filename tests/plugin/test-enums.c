/* test-enums.c: the prune transform's method names, the one list that the
 * plugin, the bench and the core's callers read.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "prune-enums.h"

static void
test_method_nicks (void)
{
  static const struct { const char *nick; PruneMethod method; gboolean clusters; DmSelectMethod select; } cases[] = {
    { "random", PRUNE_METHOD_RANDOM, FALSE, 0 },
    { "cluster_random", PRUNE_METHOD_CLUSTER_RANDOM, TRUE, DM_SELECT_CLUSTER_RANDOM },
    { "centroid", PRUNE_METHOD_CENTROID, TRUE, DM_SELECT_CENTROID },
    { "query_clust", PRUNE_METHOD_QUERY_CLUST, TRUE, DM_SELECT_QUERY_CLUST },
    { "entropy", PRUNE_METHOD_ENTROPY, TRUE, DM_SELECT_ENTROPY },
    { "ndr", PRUNE_METHOD_NDR, FALSE, 0 },
    { "prototype", PRUNE_METHOD_PROTOTYPE, TRUE, DM_SELECT_PROTOTYPE },
    { "dedup", PRUNE_METHOD_DEDUP, TRUE, DM_SELECT_DEDUP },
    { "herding", PRUNE_METHOD_HERDING, TRUE, DM_SELECT_HERDING },
  };
  g_autoptr(GEnumClass) methods = NULL;

  prune_enums_register (NULL);
  methods = g_type_class_ref (PRUNE_TYPE_METHOD);
  g_assert_cmpuint (methods->n_values, ==, G_N_ELEMENTS (cases));

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      PruneMethod method = (PruneMethod) -1;
      DmSelectMethod select = (DmSelectMethod) -1;

      g_assert_true (prune_method_from_nick (cases[i].nick, &method));
      g_assert_cmpint (method, ==, cases[i].method);
      g_assert_cmpint (prune_method_to_select_method (method, &select), ==, cases[i].clusters);
      if (cases[i].clusters)
        g_assert_cmpint (select, ==, cases[i].select);
    }
}

static void
test_unknown_method (void)
{
  PruneMethod method = PRUNE_METHOD_CENTROID;

  prune_enums_register (NULL);
  g_assert_false (prune_method_from_nick ("Centroid", &method));
  g_assert_false (prune_method_from_nick ("kmeans", &method));
  g_assert_false (prune_method_from_nick ("", &method));
  g_assert_cmpint (method, ==, PRUNE_METHOD_CENTROID);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/enums/method-nicks", test_method_nicks);
  g_test_add_func ("/enums/unknown-method", test_unknown_method);
  return g_test_run ();
}
