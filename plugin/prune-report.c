/* prune-report.c: what the prune transform reports of a run (its members
 * are listed in prune-report.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "prune-enums.h"
#include "prune-image-hasher.h"
#include "prune-report.h"

static guint
count_in_subset (DmDataset  *dataset,
                 const char *subset)
{
  guint count = 0;

  /* Subset names are interned: the pointer stands for the name. */
  for (guint i = 0; i < dm_dataset_get_n_items (dataset); i++)
    count += dm_item_get_subset (dm_dataset_get_item (dataset, i)) == subset;

  return count;
}

/* @kept and @selection are taken; @broken is referenced. */
PruneReportItems *
prune_report_items_new (DmDataset      *chosen_from,
                        GArray         *kept,
                        DmSelectResult *selection,
                        GPtrArray      *broken)
{
  PruneReportItems *items = g_new0 (PruneReportItems, 1);

  g_return_val_if_fail ((kept == NULL) != (selection == NULL), NULL);

  items->chosen_from = g_object_ref (chosen_from);
  items->kept = kept;
  items->selection = selection;
  items->broken = broken != NULL ? g_ptr_array_ref (broken) : NULL;
  return items;
}

void
prune_report_items_free (PruneReportItems *items)
{
  g_clear_object (&items->chosen_from);
  g_clear_pointer (&items->kept, g_array_unref);
  g_clear_pointer (&items->selection, dm_select_result_free);
  g_clear_pointer (&items->broken, g_ptr_array_unref);
  g_free (items);
}

static guint
n_kept_items (const PruneReportItems *items)
{
  return items->selection != NULL ? items->selection->n_kept : items->kept->len;
}

/* The kept item @k's position in the dataset chosen from. */
static guint
kept_position (const PruneReportItems *items,
               guint                   k)
{
  return items->selection != NULL ? items->selection->kept[k] : g_array_index (items->kept, guint, k);
}

/* The report's members but the clustering methods' and the per-item
 * ones: the run's @parameters (taken), with its method, ratio and seed at
 * the top as well, and the totals. */
JsonNode *
prune_report_new (const char *method,
                  double      ratio,
                  guint       seed,
                  JsonObject *parameters,
                  DmDataset  *input,
                  DmDataset  *output)
{
  JsonObject *root = json_object_new ();
  JsonObject *subsets = json_object_new ();
  const char * const *names = dm_dataset_get_subsets (input);
  JsonNode *report;

  json_object_set_string_member (root, "method", method);
  json_object_set_double_member (root, "ratio", ratio);
  json_object_set_int_member (root, "seed", seed);
  json_object_set_object_member (root, "parameters", parameters);
  json_object_set_int_member (root, "items", dm_dataset_get_n_items (input));
  json_object_set_int_member (root, "kept", dm_dataset_get_n_items (output));

  for (guint s = 0; names[s] != NULL; s++)
    {
      JsonObject *subset = json_object_new ();

      json_object_set_int_member (subset, "items", count_in_subset (input, names[s]));
      json_object_set_int_member (subset, "kept", count_in_subset (output, names[s]));
      json_object_set_object_member (subsets, names[s], subset);
    }
  json_object_set_object_member (root, "subsets", subsets);
  json_object_set_object_member (root, "seconds", json_object_new ());

  report = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (report, root);
  return report;
}

/* Sets the report's time of @phase (a member of its "seconds"). */
void
prune_report_set_seconds (JsonNode   *report,
                          const char *phase,
                          double      seconds)
{
  json_object_set_double_member (json_object_get_object_member (json_node_get_object (report), "seconds"),
                                 phase, seconds);
}

static gboolean
is_broken (GPtrArray *broken,
           guint     *next_broken,
           guint      position)
{
  if (broken == NULL || *next_broken >= broken->len ||
      ((PruneBrokenItem *) g_ptr_array_index (broken, *next_broken))->position != position)
    return FALSE;

  (*next_broken)++;
  return TRUE;
}

/* Sets @entry to the kept item @k's member of "kept_items". */
static void
set_kept_entry (JsonObject             *entry,
                const PruneReportItems *items,
                guint                   k)
{
  guint position = kept_position (items, k);
  DmItem *item = dm_dataset_get_item (items->chosen_from, position);

  json_object_set_string_member (entry, "subset", dm_item_get_subset (item));
  json_object_set_string_member (entry, "id", dm_item_get_id (item));
  if (items->selection == NULL)
    return;
  json_object_set_int_member (entry, "cluster", items->selection->cluster_of_item[position]);
  json_object_set_double_member (entry, "distance", items->selection->distance[position]);
}

static void
add_kept_items (JsonObject             *root,
                const PruneReportItems *items)
{
  guint n_kept = n_kept_items (items);
  JsonArray *kept_items = json_array_sized_new (n_kept);

  for (guint k = 0; k < n_kept; k++)
    {
      JsonObject *entry = json_object_new ();

      set_kept_entry (entry, items, k);
      json_array_add_object_element (kept_items, entry);
    }
  json_object_set_array_member (root, "kept_items", kept_items);
}

/* Input item @i's cluster, -1 if it was skipped; called for i = 0, 1, ...
 * in turn, with the cursors zeroed before the first. */
static gint64
next_cluster_of_item (const DmSelectResult *selection,
                      GPtrArray            *broken,
                      guint                 i,
                      guint                *next_broken,
                      guint                *next_clustered)
{
  if (is_broken (broken, next_broken, i))
    return -1;
  return selection->cluster_of_item[(*next_clustered)++];
}

/* Every input item's cluster, so a report can show what each cluster
 * dropped as well as what it kept. */
static void
add_cluster_of_item (JsonObject           *root,
                     guint                 n_input,
                     const DmSelectResult *selection,
                     GPtrArray            *broken)
{
  JsonArray *cluster_of_item = json_array_sized_new (n_input);
  guint next_broken = 0, next_clustered = 0;

  for (guint i = 0; i < n_input; i++)
    json_array_add_int_element (cluster_of_item,
                                next_cluster_of_item (selection, broken, i, &next_broken, &next_clustered));
  json_object_set_array_member (root, DM_TRANSFORM_REPORT_CLUSTER_OF_ITEM, cluster_of_item);
}

/* The input's size: the items chosen from and the skipped ones. */
static guint
n_input_items (const PruneReportItems *items)
{
  return dm_dataset_get_n_items (items->chosen_from) + (items->broken != NULL ? items->broken->len : 0);
}

/* The clustering methods' members but the per-item ones. */
void
prune_report_add_clusters (JsonNode             *report,
                           const DmSelectResult *selection,
                           double                seconds_keys,
                           guint                 n_decoded)
{
  JsonObject *root = json_node_get_object (report);
  JsonArray *clusters = json_array_sized_new (selection->n_clusters);

  json_object_set_int_member (root, "images_decoded", n_decoded);
  json_object_set_double_member (root, "inertia", selection->inertia);
  json_object_set_int_member (root, "iterations", selection->iterations);
  json_object_set_boolean_member (root, "simd", selection->used_simd);

  prune_report_set_seconds (report, "keys", seconds_keys);
  prune_report_set_seconds (report, "seeding", selection->seconds_seeding);
  prune_report_set_seconds (report, "lloyd", selection->seconds_lloyd);
  prune_report_set_seconds (report, "selecting", selection->seconds_select);

  for (guint c = 0; c < selection->n_clusters; c++)
    {
      JsonObject *cluster = json_object_new ();

      json_object_set_int_member (cluster, DM_TRANSFORM_REPORT_CLUSTER_SIZE, selection->cluster_sizes[c]);
      json_object_set_int_member (cluster, DM_TRANSFORM_REPORT_CLUSTER_QUOTA, selection->quotas[c]);
      json_array_add_object_element (clusters, cluster);
    }
  json_object_set_array_member (root, DM_TRANSFORM_REPORT_CLUSTERS, clusters);
}

/* The per-item members, in the tree: at a million items they are most of
 * the run's memory, which is why a host may do without them. */
void
prune_report_add_items (JsonNode               *report,
                        const PruneReportItems *items)
{
  JsonObject *root = json_node_get_object (report);

  add_kept_items (root, items);
  if (items->selection != NULL)
    add_cluster_of_item (root, n_input_items (items), items->selection, items->broken);
}

/* The side of each cluster the prototype method kept, which its choice
 * "auto" (the parameters' prototype-keep) makes by the ratio: a reader
 * of the report (the HTML page lists its scalar members) sees which. */
void
prune_report_add_prototype_side (JsonNode        *report,
                                 DmPrototypeKeep  side)
{
  g_autoptr(GEnumClass) choices = g_type_class_ref (PRUNE_TYPE_PROTOTYPE_KEEP);

  json_object_set_string_member (json_node_get_object (report), "prototype_side",
                                 g_enum_get_value (choices, side)->value_nick);
}

/* Text is written out in pieces of about this size. */
#define WRITE_CHUNK (256 * 1024)

static gboolean
flush_text (GOutputStream  *stream,
            GString        *text,
            gsize           at_least,
            GCancellable   *cancellable,
            GError        **error)
{
  if (text->len < at_least)
    return TRUE;
  if (!g_output_stream_write_all (stream, text->str, text->len, NULL, cancellable, error))
    return FALSE;
  g_string_truncate (text, 0);
  return TRUE;
}

/* @head, the report's tree as JSON text (without its per-item members),
 * followed by them as prune_report_add_items() would have added them:
 * written from @items, one entry at a time, instead of a tree of a
 * million nodes. */
gboolean
prune_report_write (GBytes                 *head,
                    const PruneReportItems *items,
                    GOutputStream          *stream,
                    GCancellable           *cancellable,
                    GError                **error)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) entry_node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonObject) entry = json_object_new ();
  g_autoptr(GString) text = g_string_sized_new (WRITE_CHUNK + 4096);
  guint n_kept = n_kept_items (items);
  guint n_input = n_input_items (items);
  guint next_broken = 0, next_clustered = 0;
  gsize head_size;
  const char *head_text = g_bytes_get_data (head, &head_size);

  /* Reopen the object for the per-item members. */
  while (head_size > 0 && head_text[head_size - 1] != '}')
    head_size--;
  g_return_val_if_fail (head_size > 0, FALSE);
  head_size--;
  while (head_size > 0 && g_ascii_isspace (head_text[head_size - 1]))
    head_size--;
  g_string_append_len (text, head_text, head_size);

  g_string_append (text, ",\n  \"kept_items\" : [");
  json_node_set_object (entry_node, entry);
  for (guint k = 0; k < n_kept; k++)
    {
      set_kept_entry (entry, items, k);
      json_generator_set_root (generator, entry_node);
      g_string_append (text, k > 0 ? ",\n    " : "\n    ");
      json_generator_to_gstring (generator, text);
      if (!flush_text (stream, text, WRITE_CHUNK, cancellable, error))
        return FALSE;
    }
  g_string_append (text, "\n  ]");
  if (items->selection != NULL)
    {
      g_string_append (text, ",\n  \"" DM_TRANSFORM_REPORT_CLUSTER_OF_ITEM "\" : [");
      for (guint i = 0; i < n_input; i++)
        {
          g_string_append_printf (text, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "",
                                  next_cluster_of_item (items->selection, items->broken, i,
                                                        &next_broken, &next_clustered));
          if (!flush_text (stream, text, WRITE_CHUNK, cancellable, error))
            return FALSE;
        }
      g_string_append (text, "]");
    }
  g_string_append (text, "\n}\n");
  return flush_text (stream, text, 0, cancellable, error);
}

void
prune_report_add_skipped (JsonNode  *report,
                          DmDataset *input,
                          GPtrArray *broken)
{
  JsonArray *skipped = json_array_new ();

  for (guint i = 0; broken != NULL && i < broken->len; i++)
    {
      PruneBrokenItem *item_broken = g_ptr_array_index (broken, i);
      DmItem *item = dm_dataset_get_item (input, item_broken->position);
      JsonObject *entry = json_object_new ();

      json_object_set_string_member (entry, DM_TRANSFORM_REPORT_SUBSET, dm_item_get_subset (item));
      json_object_set_string_member (entry, DM_TRANSFORM_REPORT_ID, dm_item_get_id (item));
      json_object_set_string_member (entry, DM_TRANSFORM_REPORT_REASON, item_broken->error->message);
      json_array_add_object_element (skipped, entry);
    }
  json_object_set_array_member (json_node_get_object (report), DM_TRANSFORM_REPORT_SKIPPED, skipped);
}
