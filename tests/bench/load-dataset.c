/* load-dataset: loads a dataset the way dm does, for bench-load.sh to time
 * under /usr/bin/time -v.
 *
 * usage: load-dataset DIR [FORMAT]
 * prints: items=N keys=K subsets=S labels=L seconds=T
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>

#include <dm.h>
#include <dm-dataset-io.h>

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DmDataset) dataset = NULL;
  gint64 start;
  guint n_keys = 0, n_subsets = 0;

  if (argc < 2 || argc > 3)
    {
      fprintf (stderr, "usage: %s DIR [FORMAT]\n", argv[0]);
      return 2;
    }

  start = g_get_monotonic_time ();
  dataset = dm_dataset_load (argv[1], argc == 3 ? argv[2] : NULL, NULL, &error);
  if (dataset == NULL)
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      return 1;
    }

  for (guint i = 0; i < dm_dataset_get_n_items (dataset); i++)
    if (dm_item_get_hash_key (dm_dataset_get_item (dataset, i)) != NULL)
      n_keys++;
  for (const char * const *s = dm_dataset_get_subsets (dataset); *s != NULL; s++)
    n_subsets++;

  printf ("items=%u keys=%u subsets=%u labels=%u seconds=%.2f\n",
          dm_dataset_get_n_items (dataset), n_keys, n_subsets,
          dm_dataset_get_n_labels (dataset),
          (g_get_monotonic_time () - start) / 1e6);
  return 0;
}
