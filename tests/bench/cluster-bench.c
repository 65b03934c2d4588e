/* cluster-bench.c: runs dm_cluster_select on keys.bin + labels.bin as
 * written by shared/reference/keys.py and prints one JSON line (seconds,
 * kept, inertia, ...), for bench-cluster.sh to compare with the reference.
 *
 * usage: cluster-bench DIR METHOD RATIO [--threads N] [--portable] [--seed S]
 *                      [--clusters K]
 * DM_KERNEL=avx512|avx2|portable forces a kernel path; "kernels" in the
 * output names the one that ran.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm-cluster-select.h"
#include "dm-kmeans.h"
#include "dm-select-beyond.h"
#include "prune-enums.h"

#define KEY_BYTES 64

int
main (int argc, char **argv)
{
  int threads = 0, seed = 0, clusters = 0;
  gboolean portable = FALSE;
  GOptionEntry entries[] = {
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, "worker threads (0 = all cores)", "N" },
    { "portable", 0, 0, G_OPTION_ARG_NONE, &portable, "no SIMD kernels", NULL },
    { "seed", 0, 0, G_OPTION_ARG_INT, &seed, "random seed", "S" },
    { "clusters", 0, 0, G_OPTION_ARG_INT, &clusters, "number of clusters (0 = labels)", "K" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("DIR METHOD RATIO");
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *keys = NULL;
  g_autofree char *label_bytes = NULL;
  g_autofree int *labels = NULL;
  g_autoptr(DmSelectResult) result = NULL;
  gsize keys_size, labels_size, n;
  DmSelectRequest request = { 0 };
  PruneMethod method;
  const char *kernels;
  int max_label = -1;
  gint64 start;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 4)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "usage: cluster-bench DIR METHOD RATIO");
      return 2;
    }
  g_autofree char *keys_path = g_build_filename (argv[1], "keys.bin", NULL);
  g_autofree char *labels_path = g_build_filename (argv[1], "labels.bin", NULL);
  if (!g_file_get_contents (keys_path, (char **) &keys, &keys_size, &error)
      || !g_file_get_contents (labels_path, &label_bytes, &labels_size, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  n = keys_size / KEY_BYTES;
  if (labels_size != n * sizeof (gint32))
    {
      g_printerr ("%s: %" G_GSIZE_FORMAT " labels for %" G_GSIZE_FORMAT " keys\n",
                  labels_path, labels_size / sizeof (gint32), n);
      return 1;
    }
  labels = g_new (int, n);
  for (gsize i = 0; i < n; i++)
    {
      gint32 label;
      memcpy (&label, label_bytes + i * sizeof label, sizeof label);
      labels[i] = GINT32_FROM_LE (label);
      max_label = MAX (max_label, labels[i]);
    }

  /* The method names are the plugin's (PruneMethod's nicks), as dm prune -m takes them. */
  prune_enums_register (NULL);
  if (!prune_method_from_nick (argv[2], &method) ||
      !prune_method_to_select_method (method, &request.method))
    {
      g_printerr ("unknown method %s\n", argv[2]);
      return 2;
    }
  request.keys = keys;
  request.n_items = n;
  request.key_bytes = KEY_BYTES;
  request.labels = labels;
  request.n_labels = (guint) (max_label + 1);
  request.ratio = g_ascii_strtod (argv[3], NULL);
  request.seed = (guint32) seed;
  request.n_clusters = (guint) clusters;
  request.n_threads = (guint) threads;
  request.force_portable = portable;
  /* The methods beyond Datumaro's with the plugin's defaults. */
  request.dedup_threshold = DM_DEDUP_DEFAULT_THRESHOLD;
  request.herding_bandwidth = DM_HERDING_DEFAULT_BANDWIDTH;

  kernels = dm_kmeans_kernel_name (portable ? DM_KMEANS_KERNEL_PORTABLE : DM_KMEANS_KERNEL_AUTO,
                                   &error);
  if (kernels == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  start = g_get_monotonic_time ();
  if (!dm_cluster_select (&request, &result, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  /* Exact fingerprints of the result, so that a speed change can be
   * checked to change nothing: the inertia's bits and a hash of the
   * labels and the kept items. */
  guint32 result_hash = 2166136261u;
  for (gsize i = 0; i < n; i++)
    result_hash = (result_hash ^ result->cluster_of_item[i]) * 16777619u;
  for (guint i = 0; i < result->n_kept; i++)
    result_hash = (result_hash ^ result->kept[i]) * 16777619u;
  printf ("{\"seconds\": %.4f, \"seconds_seeding\": %.4f, \"seconds_lloyd\": %.4f, "
          "\"seconds_select\": %.4f, \"selected\": %u, \"inertia\": %.6f, "
          "\"inertia_bits\": \"%a\", \"result_hash\": \"%08x\", "
          "\"iterations\": %u, \"n\": %" G_GSIZE_FORMAT ", \"k\": %u, \"kernels\": \"%s\"}\n",
          (g_get_monotonic_time () - start) / 1e6, result->seconds_seeding,
          result->seconds_lloyd, result->seconds_select, result->n_kept,
          result->inertia, result->inertia, result_hash, result->iterations, n, result->n_clusters,
          kernels);
  return 0;
}
