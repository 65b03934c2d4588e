/* prune-report.c: what the prune transform reports of a run.
 *
 * The report is the JSON object dm_transform_get_report() returns and
 * `dm prune --report` writes:
 *
 *   method, ratio, hash_type, seed
 *   items, kept                    totals over the input, skipped items included
 *   subsets: {name: {items, kept}}
 * and for the clustering methods:
 *   images_decoded                 keys computed from images in this run
 *   inertia, iterations, simd      of the k-means run
 *   seconds: {keys, seeding, lloyd, selecting}
 *   clusters: [{size, quota}]      quota = items kept from the cluster
 * and for prototype:
 *   prototype_keep                 the parameter: auto, easy or hard
 *   prototype_side                 the side kept, easy or hard: what auto chose
 * and, unless the host turned the per-item members off
 * (dm_transform_set_report_per_item(); `dm` does without --report and
 * --report-html):
 *   kept_items: [{subset, id, cluster, distance}]
 *   cluster_of_item: [c, ...]      every input item's cluster, -1 if skipped
 * and with --skip-broken:
 *   skipped: [{subset, id, reason}]
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "dm-select-beyond.h"
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

JsonNode *
prune_report_new (const char *method,
                  double      ratio,
                  const char *hash_type,
                  guint       seed,
                  DmDataset  *input,
                  DmDataset  *output)
{
  JsonObject *root = json_object_new ();
  JsonObject *subsets = json_object_new ();
  const char * const *names = dm_dataset_get_subsets (input);
  JsonNode *report;

  json_object_set_string_member (root, "method", method);
  json_object_set_double_member (root, "ratio", ratio);
  json_object_set_string_member (root, "hash_type", hash_type);
  json_object_set_int_member (root, "seed", seed);
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

  report = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (report, root);
  return report;
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
set_kept_entry (JsonObject           *entry,
                DmDataset            *clustered,
                const DmSelectResult *selection,
                guint                 k)
{
  guint index = selection->kept[k];
  DmItem *item = dm_dataset_get_item (clustered, index);

  json_object_set_string_member (entry, "subset", dm_item_get_subset (item));
  json_object_set_string_member (entry, "id", dm_item_get_id (item));
  json_object_set_int_member (entry, "cluster", selection->cluster_of_item[index]);
  json_object_set_double_member (entry, "distance", selection->distance[index]);
}

static void
add_kept_items (JsonObject           *root,
                DmDataset            *clustered,
                const DmSelectResult *selection)
{
  JsonArray *kept_items = json_array_sized_new (selection->n_kept);

  for (guint k = 0; k < selection->n_kept; k++)
    {
      JsonObject *entry = json_object_new ();

      set_kept_entry (entry, clustered, selection, k);
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

/* @clustered is the input without the @broken items (both in input
 * order), which is what the selection's indices refer to. The per-item
 * members only with @per_item: at a million items they are most of the
 * run's memory. */
void
prune_report_add_clusters (JsonNode             *report,
                           DmDataset            *clustered,
                           const DmSelectResult *selection,
                           GPtrArray            *broken,
                           double                seconds_keys,
                           guint                 n_decoded,
                           gboolean              per_item)
{
  JsonObject *root = json_node_get_object (report);
  JsonObject *seconds = json_object_new ();
  JsonArray *clusters = json_array_sized_new (selection->n_clusters);
  guint n_input = dm_dataset_get_n_items (clustered) + (broken != NULL ? broken->len : 0);

  json_object_set_int_member (root, "images_decoded", n_decoded);
  json_object_set_double_member (root, "inertia", selection->inertia);
  json_object_set_int_member (root, "iterations", selection->iterations);
  json_object_set_boolean_member (root, "simd", selection->used_simd);

  json_object_set_double_member (seconds, "keys", seconds_keys);
  json_object_set_double_member (seconds, "seeding", selection->seconds_seeding);
  json_object_set_double_member (seconds, "lloyd", selection->seconds_lloyd);
  json_object_set_double_member (seconds, "selecting", selection->seconds_select);
  json_object_set_object_member (root, "seconds", seconds);

  for (guint c = 0; c < selection->n_clusters; c++)
    {
      JsonObject *cluster = json_object_new ();

      json_object_set_int_member (cluster, DM_TRANSFORM_REPORT_CLUSTER_SIZE, selection->cluster_sizes[c]);
      json_object_set_int_member (cluster, DM_TRANSFORM_REPORT_CLUSTER_QUOTA, selection->quotas[c]);
      json_array_add_object_element (clusters, cluster);
    }
  json_object_set_array_member (root, DM_TRANSFORM_REPORT_CLUSTERS, clusters);

  if (!per_item)
    return;
  add_kept_items (root, clustered, selection);
  add_cluster_of_item (root, n_input, selection, broken);
}

/* The prototype method's choice as given and the side it kept, which
 * "auto" chooses by the ratio: a reader of the report (the HTML page
 * lists its scalar members) sees which. */
void
prune_report_add_prototype_side (JsonNode        *report,
                                 DmPrototypeKeep  keep,
                                 double           ratio)
{
  JsonObject *root = json_node_get_object (report);
  g_autoptr(GEnumClass) choices = g_type_class_ref (PRUNE_TYPE_PROTOTYPE_KEEP);

  json_object_set_string_member (root, "prototype_keep", g_enum_get_value (choices, keep)->value_nick);
  json_object_set_string_member (root, "prototype_side",
                                 g_enum_get_value (choices, dm_prototype_resolve (keep, ratio))->value_nick);
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

/* @report without its per-item members, followed by them as
 * prune_report_add_clusters() would have added them: written from the
 * selection, one entry at a time, instead of a tree of a million nodes. */
gboolean
prune_report_write (JsonNode              *report,
                    DmDataset             *clustered,
                    const DmSelectResult  *selection,
                    GPtrArray             *broken,
                    GOutputStream         *stream,
                    GCancellable          *cancellable,
                    GError               **error)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) entry_node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonObject) entry = json_object_new ();
  g_autoptr(GString) text = g_string_sized_new (WRITE_CHUNK + 4096);
  guint n_input = dm_dataset_get_n_items (clustered) + (broken != NULL ? broken->len : 0);
  guint next_broken = 0, next_clustered = 0;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, report);
  json_generator_to_gstring (generator, text);
  /* Reopen the object for the per-item members. */
  while (text->len > 0 && text->str[text->len - 1] != '}')
    g_string_truncate (text, text->len - 1);
  g_return_val_if_fail (text->len > 0, FALSE);
  g_string_truncate (text, text->len - 1);
  while (text->len > 0 && g_ascii_isspace (text->str[text->len - 1]))
    g_string_truncate (text, text->len - 1);

  g_string_append (text, ",\n  \"kept_items\" : [");
  json_generator_set_pretty (generator, FALSE);
  json_node_set_object (entry_node, entry);
  for (guint k = 0; k < selection->n_kept; k++)
    {
      set_kept_entry (entry, clustered, selection, k);
      json_generator_set_root (generator, entry_node);
      g_string_append (text, k > 0 ? ",\n    " : "\n    ");
      json_generator_to_gstring (generator, text);
      if (!flush_text (stream, text, WRITE_CHUNK, cancellable, error))
        return FALSE;
    }
  g_string_append (text, "\n  ],\n  \"" DM_TRANSFORM_REPORT_CLUSTER_OF_ITEM "\" : [");
  for (guint i = 0; i < n_input; i++)
    {
      g_string_append_printf (text, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "",
                              next_cluster_of_item (selection, broken, i, &next_broken, &next_clustered));
      if (!flush_text (stream, text, WRITE_CHUNK, cancellable, error))
        return FALSE;
    }
  g_string_append (text, "]\n}\n");
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
