/* load-dataset: loads a dataset the way dm does, for bench-load.sh to time
 * under /usr/bin/time -v.
 *
 * usage: load-dataset DIR [FORMAT] [--save DEST]
 * prints: items=N keys=K subsets=S labels=L seconds=T
 * and with --save, the seconds dm_dataset_save() takes to write DEST.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>

#include <dm.h>

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DmDataset) dataset = NULL;
  gint64 start;
  guint n_keys = 0, n_subsets = 0;

  const char *format = NULL;
  const char *save_to = NULL;

  for (int i = 2; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--save") && i + 1 < argc)
        save_to = argv[++i];
      else if (format == NULL)
        format = argv[i];
      else
        argc = 0;
    }
  if (argc < 2)
    {
      fprintf (stderr, "usage: %s DIR [FORMAT] [--save DEST]\n", argv[0]);
      return 2;
    }

  start = g_get_monotonic_time ();
  dataset = dm_dataset_load (argv[1], format, NULL, &error);
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

  if (save_to != NULL)
    {
      start = g_get_monotonic_time ();
      if (!dm_dataset_save (dataset, save_to, DM_SAVE_OVERWRITE, NULL, &error))
        {
          fprintf (stderr, "%s: %s\n", argv[0], error->message);
          return 1;
        }
      printf ("saved to %s in %.2f s\n", save_to, (g_get_monotonic_time () - start) / 1e6);
    }
  return 0;
}
