/* prune-transform.c: the "prune" transform.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <float.h>
#include <stdlib.h>

#include <glib/gi18n-lib.h>

#include "dm-cluster-select.h"
#include "dm-pyrandom.h"
#include "dm-neighbours.h"
#include "dm-quota.h"
#include "dm-select-beyond.h"
#include "prune-core-error.h"
#include "prune-define-transform.h"
#include "prune-enums.h"
#include "prune-image-decode.h"
#include "prune-image-hasher.h"
#include "prune-ndr.h"
#include "prune-property.h"
#include "prune-report.h"
#include "prune-text-keys.h"
#include "prune-transform.h"

/* Only this file uses the type; the host finds it by its name. */
G_DECLARE_FINAL_TYPE (PruneTransform, prune_transform, PRUNE, TRANSFORM, DmTransform)

/**
 * PruneTransform:
 *
 * Makes a representative, smaller subset of a dataset, the way Datumaro's
 * `prune` does: it keeps exactly ceil(N × ratio) of the N items, chosen by
 * one of several methods (see #PruneMethod).
 */
struct _PruneTransform
{
  DmTransform parent_instance;

  PruneMethod method;
  double ratio;
  PruneHashType hash_type;
  guint seed;
  guint clusters;
  guint threads;
  gboolean skip_broken;
  DmNdrParams ndr;
  DmPrototypeKeep prototype_keep;
  double dedup_threshold;
  double herding_bandwidth;
  double herding_max_disagreement;
  guint herding_neighbours;
  gboolean stratify;

  /* When the host left the per-item members out of the last run's
   * report tree, what writing them takes (see prune_report_write). */
  PruneReportItems *report_items;
};

PRUNE_DEFINE_TRANSFORM (PruneTransform, prune_transform, "prune")

static int
compare_uint (gconstpointer a,
              gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return (x > y) - (x < y);
}

static const char *
method_name (PruneMethod method)
{
  g_autoptr(GEnumClass) methods = g_type_class_ref (PRUNE_TYPE_METHOD);

  /* The enum class outlives this reference: the type is static or
   * belongs to a module that is never unloaded. */
  return g_enum_get_value (methods, method)->value_nick;
}

#define METHOD_BIT(method) (1u << (method))
#define CLUSTERING_METHODS \
  (METHOD_BIT (PRUNE_METHOD_CLUSTER_RANDOM) | METHOD_BIT (PRUNE_METHOD_CENTROID) | \
   METHOD_BIT (PRUNE_METHOD_QUERY_CLUST) | METHOD_BIT (PRUNE_METHOD_ENTROPY) | \
   METHOD_BIT (PRUNE_METHOD_PROTOTYPE) | METHOD_BIT (PRUNE_METHOD_DEDUP) | \
   METHOD_BIT (PRUNE_METHOD_HERDING))

/* The parameters that only some methods use, and those methods: a user
 * who gives one another value than its default for another method is
 * told, not ignored, and a report lists only the parameters its method
 * uses (centroid makes a
 * cluster per kept item, query_clust one per class; random and ndr hash
 * no keys to cluster; random decodes no image, with threads or without).
 * The others (ratio, seed, skip-broken) serve every method. */
static const struct
{
  const char *parameter;
  guint methods;   /* METHOD_BIT()s */
} method_parameters[] = {
  { "hash-type", CLUSTERING_METHODS },
  { "clusters", METHOD_BIT (PRUNE_METHOD_CLUSTER_RANDOM) | METHOD_BIT (PRUNE_METHOD_ENTROPY) |
                METHOD_BIT (PRUNE_METHOD_PROTOTYPE) | METHOD_BIT (PRUNE_METHOD_DEDUP) |
                METHOD_BIT (PRUNE_METHOD_HERDING) },
  { "stratify", CLUSTERING_METHODS },
  { "ndr-block-rows", METHOD_BIT (PRUNE_METHOD_NDR) },
  { "ndr-block-columns", METHOD_BIT (PRUNE_METHOD_NDR) },
  { "ndr-hash-dim", METHOD_BIT (PRUNE_METHOD_NDR) },
  { "ndr-sim-threshold", METHOD_BIT (PRUNE_METHOD_NDR) },
  { "ndr-oversample", METHOD_BIT (PRUNE_METHOD_NDR) },
  { "ndr-undersample", METHOD_BIT (PRUNE_METHOD_NDR) },
  { "prototype-keep", METHOD_BIT (PRUNE_METHOD_PROTOTYPE) },
  { "dedup-threshold", METHOD_BIT (PRUNE_METHOD_DEDUP) },
  { "herding-bandwidth", METHOD_BIT (PRUNE_METHOD_HERDING) },
  { "herding-max-disagreement", METHOD_BIT (PRUNE_METHOD_HERDING) },
  { "herding-neighbours", METHOD_BIT (PRUNE_METHOD_HERDING) },
  /* random decodes nothing. */
  { "threads", CLUSTERING_METHODS | METHOD_BIT (PRUNE_METHOD_NDR) },
};

/* Whether @method uses the parameter @name. */
static gboolean
method_uses (PruneMethod  method,
             const char  *name)
{
  for (guint p = 0; p < G_N_ELEMENTS (method_parameters); p++)
    if (g_str_equal (method_parameters[p].parameter, name))
      return (method_parameters[p].methods & METHOD_BIT (method)) != 0;
  return TRUE;
}

static gboolean
include_used (const char    *name,
              gconstpointer  method)
{
  return method_uses (*(const PruneMethod *) method, name);
}

/* The report's head: the parameters @self's method uses, as set. */
static JsonNode *
new_report (PruneTransform *self,
            DmDataset      *input,
            DmDataset      *output)
{
  return prune_report_new (method_name (self->method), self->ratio, self->seed,
                           prune_property_values (G_OBJECT (self), include_used, &self->method),
                           input, output);
}

/* skip-broken leaves nothing to prune when every item is broken: that
 * is an error, not an empty dataset. */
static gboolean
check_not_all_broken (DmDataset  *input,
                      GPtrArray  *broken,
                      GError    **error)
{
  PruneBrokenItem *first;
  g_autoptr(GError) named = NULL;

  if (broken == NULL || broken->len < dm_dataset_get_n_items (input))
    return TRUE;

  first = g_ptr_array_index (broken, 0);
  named = g_error_copy (first->error);
  prune_name_item (&named, dm_dataset_get_item (input, first->position));
  g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
               _("Every item of %s is broken; the first: %s"),
               dm_dataset_get_source_path (input) ? dm_dataset_get_source_path (input) : _("the dataset"),
               named->message);
  return FALSE;
}

/* @input without the items @broken lists (sorted by position), and
 * @image_keys (when given) without their keys; @input itself when nothing
 * is broken. */
static DmDataset *
without_broken_items (DmDataset  *input,
                      GPtrArray  *broken,
                      GBytes    **image_keys,
                      GError    **error)
{
  guint n = dm_dataset_get_n_items (input);
  const guint8 *keys = image_keys != NULL ? g_bytes_get_data (*image_keys, NULL) : NULL;
  g_autoptr(GByteArray) kept_keys = NULL;
  DmDataset *usable;
  guint next_broken = 0;

  if (broken == NULL || broken->len == 0)
    return g_object_ref (input);

  if (!check_not_all_broken (input, broken, error))
    return NULL;

  usable = dm_dataset_new_like (input);
  if (keys != NULL)
    kept_keys = g_byte_array_sized_new ((n - broken->len) * DM_IMAGE_KEY_BYTES);
  for (guint i = 0; i < n; i++)
    {
      if (next_broken < broken->len &&
          ((PruneBrokenItem *) g_ptr_array_index (broken, next_broken))->position == i)
        {
          next_broken++;
          continue;
        }
      dm_dataset_append_item (usable, dm_dataset_get_item (input, i));
      if (keys != NULL)
        g_byte_array_append (kept_keys, keys + (gsize) i * DM_IMAGE_KEY_BYTES, DM_IMAGE_KEY_BYTES);
    }

  if (keys != NULL)
    {
      g_bytes_unref (*image_keys);
      *image_keys = g_byte_array_free_to_bytes (g_steal_pointer (&kept_keys));
    }
  return usable;
}

/* The output: the input's metadata and the kept items, in input order.
 * With @image_keys (every input item's key), items whose keys were
 * computed in this run carry them into the output, so its cache spares
 * the next run the decoding; the input's items are not touched. */
static DmDataset *
dataset_from_kept (DmDataset   *input,
                   const guint *kept,
                   guint        n_kept,
                   GBytes      *image_keys,
                   guint        n_decoded)
{
  DmDataset *output = dm_dataset_new_like (input);
  const guint8 *keys = image_keys != NULL ? g_bytes_get_data (image_keys, NULL) : NULL;

  if (n_decoded > 0)
    dm_dataset_set_hash_key_origin (output, prune_image_hasher_origin ());

  for (guint i = 0; i < n_kept; i++)
    {
      DmItem *item = dm_dataset_get_item (input, kept[i]);
      g_autoptr(DmItem) copy = NULL;
      g_autoptr(GBytes) key = NULL;

      /* Stale keys were all recomputed (see prune-image-hasher.h). */
      if (keys == NULL || (dm_item_get_hash_key (item) != NULL
                           && !prune_image_hasher_keys_are_stale (input)))
        {
          dm_dataset_append_item (output, item);
          continue;
        }
      copy = dm_item_copy (item);
      key = g_bytes_new (keys + (gsize) kept[i] * DM_IMAGE_KEY_BYTES, DM_IMAGE_KEY_BYTES);
      dm_item_set_hash_key (copy, key);
      dm_dataset_append_item (output, copy);
    }

  return output;
}

/* Finishes @report, of a run of @input that started at @start: its
 * skipped items, its total time, and its per-item members from @items
 * (taken), in the tree or kept for prune_transform_write_report() when
 * the host does without them there; and sets it on the transform. */
static void
finish_report (PruneTransform   *self,
               DmDataset        *input,
               JsonNode         *report,
               PruneReportItems *items,
               gint64            start)
{
  if (items->broken != NULL)
    prune_report_add_skipped (report, input, items->broken);
  prune_report_set_seconds (report, "total", (g_get_monotonic_time () - start) / 1e6);
  if (dm_transform_get_report_per_item (DM_TRANSFORM (self)))
    {
      prune_report_add_items (report, items);
      prune_report_items_free (items);
    }
  else
    self->report_items = items;
  dm_transform_set_report (DM_TRANSFORM (self), report);
}

/* Why the first media file of @item that is not a regular file cannot be
 * read, or %NULL when all are. */
static GError *
broken_media_error (DmItem *item)
{
  guint n = dm_item_get_n_media_files (item);
  GError *error = NULL;

  if (n == 0)
    {
      const char *image = dm_item_get_image_path (item);

      return image != NULL ? prune_media_file_error (item, image) : NULL;
    }
  for (guint f = 0; f < n && error == NULL; f++)
    error = prune_media_file_error (item, dm_item_get_media_file_source (item, f));
  return error;
}

/* Where a method lists the items it leaves out with skip-broken; NULL
 * without it, so that the first broken item stops the run. */
static GPtrArray *
new_broken_list (PruneTransform *self)
{
  return self->skip_broken ? g_ptr_array_new_with_free_func ((GDestroyNotify) prune_broken_item_free) : NULL;
}

static gint
compare_broken_positions (gconstpointer a,
                          gconstpointer b)
{
  guint pa = (*(PruneBrokenItem *const *) a)->position;
  guint pb = (*(PruneBrokenItem *const *) b)->position;

  return (pa > pb) - (pa < pb);
}

/* With skip-broken, the items whose media files are missing are left out
 * by every method, as the methods that decode images leave out those they
 * cannot read: random reads no file, and the others none of an item whose
 * key is cached, yet a save to DEST needs the files. Adds them to @broken
 * (in dataset order, as it stays), once: an item already there is not
 * looked at again. */
static void
add_missing_media (DmDataset *input,
                   GPtrArray *broken)
{
  guint n_listed = broken->len, next = 0;

  for (guint i = 0; i < dm_dataset_get_n_items (input); i++)
    {
      GError *reason;

      while (next < n_listed && ((PruneBrokenItem *) g_ptr_array_index (broken, next))->position < i)
        next++;
      if (next < n_listed && ((PruneBrokenItem *) g_ptr_array_index (broken, next))->position == i)
        continue;
      reason = broken_media_error (dm_dataset_get_item (input, i));
      if (reason != NULL)
        g_ptr_array_add (broken, prune_broken_item_new (i, reason));
    }
  if (broken->len > n_listed)
    g_ptr_array_sort (broken, compare_broken_positions);
}

/* random's choice is all it does: its "selecting" is its whole run. */
static DmDataset *
prune_random (PruneTransform  *self,
              DmDataset       *input,
              GError         **error)
{
  g_autoptr(GPtrArray) broken = new_broken_list (self);
  g_autoptr(DmDataset) usable = NULL;
  g_autoptr(JsonNode) report = NULL;
  DmDataset *output;
  GArray *kept;
  gint64 start = g_get_monotonic_time ();
  guint n, k;

  if (broken != NULL)
    add_missing_media (input, broken);
  usable = without_broken_items (input, broken, NULL, error);
  if (usable == NULL)
    return NULL;

  n = dm_dataset_get_n_items (usable);
  k = (guint) dm_quota_total (n, self->ratio);
  kept = g_array_sized_new (FALSE, FALSE, sizeof (guint), k);
  g_array_set_size (kept, k);
  dm_transform_report_progress (DM_TRANSFORM (self), "selecting", 0.0);
  dm_pyrandom_sample (self->seed, n, k, (guint *) (gpointer) kept->data);
  g_array_sort (kept, compare_uint);
  dm_transform_report_progress (DM_TRANSFORM (self), "selecting", 1.0);

  output = dataset_from_kept (usable, (const guint *) (gpointer) kept->data, kept->len, NULL, 0);
  report = new_report (self, input, output);
  prune_report_set_seconds (report, "selecting", (g_get_monotonic_time () - start) / 1e6);
  finish_report (self, input, report, prune_report_items_new (usable, kept, NULL, broken), start);
  return output;
}

typedef struct
{
  PruneTransform *self;
  GCancellable *cancellable;
} ProgressRelay;

static gboolean
relay_progress (const char *phase,
                double      fraction,
                gpointer    user_data)
{
  ProgressRelay *relay = user_data;

  dm_transform_report_progress (DM_TRANSFORM (relay->self), phase, fraction);
  return !g_cancellable_is_cancelled (relay->cancellable);
}

/* Every item's label for the core: its first label id, -1 for none. A
 * label id outside the dataset's labels (Datumaro loads those) is a label
 * of its own, numbered after the dataset's in ascending order of id.
 * Returns the labels; @n_labels_out receives how many there are. */
static int *
labels_for_core (DmDataset *dataset,
                 guint     *n_labels_out)
{
  guint n = dm_dataset_get_n_items (dataset);
  guint n_categories = dm_dataset_get_n_labels (dataset);
  int *labels = g_new (int, MAX (n, 1));
  g_autoptr(GArray) extra = g_array_new (FALSE, FALSE, sizeof (guint));
  guint *ids;
  guint n_distinct = 0;

  for (guint i = 0; i < n; i++)
    {
      int label = dm_item_get_label (dm_dataset_get_item (dataset, i));
      guint id = (guint) label;

      labels[i] = label;
      if (label >= 0 && id >= n_categories)
        g_array_append_val (extra, id);
    }

  g_array_sort (extra, compare_uint);
  ids = (guint *) (gpointer) extra->data;
  for (guint e = 0; e < extra->len; e++)
    if (n_distinct == 0 || ids[e] != ids[n_distinct - 1])
      ids[n_distinct++] = ids[e];

  for (guint i = 0; i < n; i++)
    if (labels[i] >= 0 && (guint) labels[i] >= n_categories)
      {
        guint id = (guint) labels[i];
        const guint *found = bsearch (&id, ids, n_distinct, sizeof (guint), compare_uint);

        labels[i] = (int) (n_categories + (guint) (found - ids));
      }

  *n_labels_out = n_categories + n_distinct;
  return labels;
}

static DmDataset *
prune_by_clusters (PruneTransform  *self,
                   DmDataset       *input,
                   GCancellable    *cancellable,
                   GError         **error)
{
  g_autoptr(GPtrArray) broken = new_broken_list (self);
  g_autoptr(DmDataset) usable = NULL;
  g_autoptr(GBytes) keys = NULL;
  g_autoptr(GBytes) image_keys = NULL;
  guint n_decoded = 0;
  g_autofree int *labels = NULL;
  g_autoptr(DmSelectResult) selection = NULL;
  g_autoptr(GError) core_error = NULL;
  g_autoptr(JsonNode) report = NULL;
  ProgressRelay relay = { self, cancellable };
  DmSelectRequest request = { 0 };
  gint64 start = g_get_monotonic_time ();
  double seconds_keys;
  DmDataset *output;
  guint n, n_labels;

  image_keys = prune_image_hasher_keys_for_dataset (input, DM_TRANSFORM (self), self->threads,
                                                    &n_decoded, broken, cancellable, error);
  if (image_keys == NULL)
    return NULL;
  if (broken != NULL)
    add_missing_media (input, broken);

  usable = without_broken_items (input, broken, &image_keys, error);
  if (usable == NULL)
    return NULL;

  if (self->hash_type == PRUNE_HASH_TYPE_TXT)
    keys = prune_text_keys_append (image_keys, usable, error);
  else
    keys = g_bytes_ref (image_keys);
  if (keys == NULL)
    return NULL;
  seconds_keys = (g_get_monotonic_time () - start) / 1e6;

  n = dm_dataset_get_n_items (usable);
  labels = labels_for_core (usable, &n_labels);

  request.keys = g_bytes_get_data (keys, NULL);
  request.n_items = n;
  request.key_bytes = g_bytes_get_size (keys) / n;
  request.labels = labels;
  request.n_labels = n_labels;
  request.ratio = self->ratio;
  request.seed = self->seed;
  request.n_clusters = self->clusters;
  request.n_threads = self->threads;
  request.force_portable = g_strcmp0 (g_getenv ("DM_CORE_FORCE_PORTABLE"), "1") == 0;
  request.progress = relay_progress;
  request.progress_data = &relay;
  request.prototype_keep = self->prototype_keep;
  request.dedup_threshold = self->dedup_threshold;
  request.herding_bandwidth = self->herding_bandwidth;
  request.herding_max_disagreement = self->herding_max_disagreement;
  request.herding_neighbours = self->herding_neighbours;
  request.stratify = self->stratify;
  if (!prune_method_to_select_method (self->method, &request.method))
    g_assert_not_reached ();

  if (!dm_cluster_select (&request, &selection, &core_error))
    {
      g_autofree char *message =
        g_strdup_printf (_("Cannot prune %s with the method “%s”: %s"),
                         dm_dataset_get_source_path (input) ? dm_dataset_get_source_path (input) : _("the dataset"),
                         method_name (self->method), core_error->message);

      prune_set_error_from_core (error, core_error, message);
      return NULL;
    }

  output = dataset_from_kept (usable, selection->kept, selection->n_kept, image_keys, n_decoded);
  /* The keys are in the output now; the report's peak need not hold them. */
  g_clear_pointer (&keys, g_bytes_unref);
  g_clear_pointer (&image_keys, g_bytes_unref);
  g_clear_pointer (&labels, g_free);
  report = new_report (self, input, output);
  prune_report_add_clusters (report, selection, seconds_keys, n_decoded);
  if (self->method == PRUNE_METHOD_DEDUP)
    json_object_set_int_member (json_node_get_object (report), "duplicates", selection->n_duplicates);
  if (self->method == PRUNE_METHOD_HERDING)
    {
      json_object_set_int_member (json_node_get_object (report), "filtered_out", selection->n_filtered_out);
      if (dm_select_herding_filter_on (&request))
        prune_report_set_seconds (report, "filtering", selection->seconds_filter);
    }
  if (self->method == PRUNE_METHOD_PROTOTYPE)
    prune_report_add_prototype_side (report, dm_prototype_resolve (self->prototype_keep, self->ratio));
  finish_report (self, input, report, prune_report_items_new (usable, NULL, g_steal_pointer (&selection), broken),
                 start);

  return output;
}

static DmDataset *
prune_ndr (PruneTransform  *self,
           DmDataset       *input,
           GCancellable    *cancellable,
           GError         **error)
{
  g_autoptr(GPtrArray) broken = new_broken_list (self);
  g_autoptr(GArray) kept = NULL;
  PruneNdrSeconds seconds = { 0 };
  gint64 start = g_get_monotonic_time ();
  g_autoptr(JsonNode) report = NULL;
  DmDataset *output;
  const PruneNdrRequest request = {
    .dataset = input, .params = &self->ndr, .ratio = self->ratio, .seed = self->seed,
    .n_threads = self->threads, .reporter = DM_TRANSFORM (self), .broken = broken,
    .seconds = &seconds,
  };

  if (!prune_ndr_select (&request, cancellable, &kept, error))
    return NULL;
  if (!check_not_all_broken (input, broken, error))
    return NULL;

  /* NDR chooses among the input's items, passing over the broken ones. */
  output = dataset_from_kept (input, (const guint *) (gpointer) kept->data, kept->len, NULL, 0);
  report = new_report (self, input, output);
  prune_report_set_seconds (report, "features", seconds.features);
  prune_report_set_seconds (report, "selecting", seconds.selecting);
  finish_report (self, input, report, prune_report_items_new (input, g_steal_pointer (&kept), NULL, broken), start);
  return output;
}

/* Refuses a parameter that the chosen method does not use and that holds
 * another value than its default, naming the methods that do: at its
 * default it is as good as not given, so a caller that switches methods
 * or sets a parameter back takes it back. */
static gboolean
check_parameters_used (PruneTransform  *self,
                       GError         **error)
{
  g_autoptr(GEnumClass) methods = g_type_class_ref (PRUNE_TYPE_METHOD);

  for (guint p = 0; p < G_N_ELEMENTS (method_parameters); p++)
    {
      g_autoptr(GString) users = NULL;

      if (method_uses (self->method, method_parameters[p].parameter) ||
          prune_property_is_default (G_OBJECT (self), method_parameters[p].parameter))
        continue;

      users = g_string_new (NULL);
      for (guint m = 0; m < methods->n_values; m++)
        if ((method_parameters[p].methods & METHOD_BIT (methods->values[m].value)) != 0)
          g_string_append_printf (users, "%s%s", users->len > 0 ? ", " : "", methods->values[m].value_nick);
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_ARGUMENT,
                   _("The method “%s” does not use the parameter “%s” (the methods that do: %s)"),
                   method_name (self->method), method_parameters[p].parameter, users->str);
      return FALSE;
    }
  return TRUE;
}

/* NDR hashes a projection of each image's features, 12 per block of the
 * grid: a hash of more bits than there are features has nothing to
 * project from. The options' ranges cannot say it, each alone. */
static gboolean
check_ndr_grid (const DmNdrParams  *params,
                GError            **error)
{
  /* At most 12 × 64 × 64: the blocks' ranges are 1 to 64. */
  guint n_features = (guint) dm_ndr_feature_dim (params);

  if (params->hash_dim <= n_features)
    return TRUE;

  g_set_error (error, DM_ERROR, DM_ERROR_INVALID_ARGUMENT,
               _("The parameter “ndr-hash-dim” (%u) must be at most the number of features of the "
                 "ndr-block-rows × ndr-block-columns grid (%u × %u blocks, %u features)"),
               params->hash_dim, params->block_rows, params->block_columns, n_features);
  return FALSE;
}

/* What the parameters' ranges cannot refuse (the ratio's, above 0 and at
 * most 1, and every other one's are their GParamSpecs', which every
 * setter is held to): a parameter the method does not use, and NDR
 * options that do not fit together. Before any dataset is read. */
static gboolean
prune_transform_check_parameters (DmTransform  *transform,
                                  GError      **error)
{
  PruneTransform *self = PRUNE_TRANSFORM (transform);

  if (!check_parameters_used (self, error))
    return FALSE;
  return self->method != PRUNE_METHOD_NDR || check_ndr_grid (&self->ndr, error);
}

/* What only the dataset can make wrong. */
static gboolean
check_input (DmDataset  *input,
             GError    **error)
{
  if (dm_dataset_get_n_items (input) > 0)
    return TRUE;

  g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
               _("The dataset %s has no items to prune"),
               dm_dataset_get_source_path (input) ? dm_dataset_get_source_path (input) : "");
  return FALSE;
}

static DmDataset *
prune_transform_apply (DmTransform   *transform,
                       DmDataset     *input,
                       GCancellable  *cancellable,
                       GError       **error)
{
  PruneTransform *self = PRUNE_TRANSFORM (transform);
  g_autoptr(DmDataset) output = NULL;

  g_clear_pointer (&self->report_items, prune_report_items_free);
  if (!check_input (input, error))
    return NULL;

  switch (self->method)
    {
    case PRUNE_METHOD_RANDOM:
      output = prune_random (self, input, error);
      break;
    case PRUNE_METHOD_CLUSTER_RANDOM:
    case PRUNE_METHOD_CENTROID:
    case PRUNE_METHOD_QUERY_CLUST:
    case PRUNE_METHOD_ENTROPY:
    case PRUNE_METHOD_PROTOTYPE:
    case PRUNE_METHOD_DEDUP:
    case PRUNE_METHOD_HERDING:
      output = prune_by_clusters (self, input, cancellable, error);
      break;
    case PRUNE_METHOD_NDR:
      output = prune_ndr (self, input, cancellable, error);
      break;
    default:
      g_assert_not_reached ();
    }

  return g_steal_pointer (&output);
}

static gboolean
prune_transform_write_report (DmTransform    *transform,
                              GOutputStream  *stream,
                              GCancellable   *cancellable,
                              GError        **error)
{
  PruneTransform *self = PRUNE_TRANSFORM (transform);
  DmTransformClass *parent_class = DM_TRANSFORM_CLASS (prune_transform_parent_class);
  g_autoptr(GOutputStream) head = NULL;
  g_autoptr(GBytes) head_text = NULL;

  if (self->report_items == NULL)
    return parent_class->write_report (transform, stream, cancellable, error);

  /* The tree as the host writes any report, then the per-item members. */
  head = g_memory_output_stream_new_resizable ();
  if (!parent_class->write_report (transform, head, cancellable, error) ||
      !g_output_stream_close (head, cancellable, error))
    return FALSE;
  head_text = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (head));
  return prune_report_write (head_text, self->report_items, stream, cancellable, error);
}

static void
prune_transform_finalize (GObject *object)
{
  g_clear_pointer (&PRUNE_TRANSFORM (object)->report_items, prune_report_items_free);
  prune_property_clear_fields (object);

  G_OBJECT_CLASS (prune_transform_parent_class)->finalize (object);
}

/* Enum fields are int-sized, as prune-property.h requires. */
G_STATIC_ASSERT (sizeof (PruneMethod) == sizeof (gint));
G_STATIC_ASSERT (sizeof (PruneHashType) == sizeof (gint));
G_STATIC_ASSERT (sizeof (DmNdrOversample) == sizeof (gint));
G_STATIC_ASSERT (sizeof (DmNdrUndersample) == sizeof (gint));
G_STATIC_ASSERT (sizeof (DmPrototypeKeep) == sizeof (gint));

#define FIELD(member) G_STRUCT_OFFSET (PruneTransform, member)

static void
prune_transform_class_init (PruneTransformClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  DmTransformClass *transform_class = DM_TRANSFORM_CLASS (klass);
  const PruneProperty properties[] = {
    /**
     * PruneTransform:method:
     *
     * How the kept items are chosen.
     */
    { "method", N_("Method"), N_("How the kept items are chosen"),
      FIELD (method), PRUNE_TYPE_METHOD, .default_value = PRUNE_METHOD_RANDOM },
    /**
     * PruneTransform:ratio:
     *
     * The fraction of the items kept: ceil(N × ratio) of N. Must be greater
     * than 0: the smallest positive double is its minimum, which the host
     * shows as "greater than 0".
     */
    { "ratio", N_("Ratio"), N_("The fraction of the items kept, greater than 0 and at most 1"),
      FIELD (ratio), G_TYPE_DOUBLE, DBL_TRUE_MIN, 1.0, 0.5 },
    /**
     * PruneTransform:hash-type:
     *
     * What the clustering methods cluster: image keys, or image keys
     * followed by a key of each item's label text.
     */
    { "hash-type", N_("Hash type"),
      N_("What the clustering methods cluster: image keys, or image and label text keys"),
      FIELD (hash_type), PRUNE_TYPE_HASH_TYPE, .default_value = PRUNE_HASH_TYPE_IMG },
    /**
     * PruneTransform:seed:
     *
     * Seeds every random choice, so the same seed keeps the same items.
     */
    { "seed", N_("Seed"), N_("Seeds every random choice: the same seed keeps the same items"),
      FIELD (seed), G_TYPE_UINT, 0, G_MAXUINT32, 0 },
    /**
     * PruneTransform:clusters:
     *
     * The number of clusters for cluster_random, entropy, prototype,
     * dedup and herding; 0 means the number of labels, as Datumaro does. centroid
     * (a cluster per kept item) and query_clust (one per class) refuse
     * any other value than 0.
     */
    { "clusters", N_("Clusters"), N_("Number of clusters; 0 uses the number of labels"),
      FIELD (clusters), G_TYPE_UINT, 0, G_MAXINT32, 0 },
    /**
     * PruneTransform:threads:
     *
     * How many threads hashing and clustering use; 0 means one per core.
     * The result does not depend on it.
     */
    prune_property_threads (FIELD (threads), N_("Threads used for hashing and clustering; 0 uses every core")),
    /**
     * PruneTransform:skip-broken:
     *
     * Whether items whose hash key cannot be had (no key and no image, an
     * image that is missing or cannot be decoded) are left out, listed in
     * the report's "skipped" array, instead of stopping the run.
     */
    { "skip-broken", N_("Skip broken items"),
      N_("Leave out items whose image cannot be read, instead of stopping"),
      FIELD (skip_broken), G_TYPE_BOOLEAN, .default_value = FALSE },

    /* NDR's parameters, with Datumaro's defaults. */
    { "ndr-block-rows", N_("NDR block rows"), N_("ndr: rows of the grid each image is averaged into"),
      FIELD (ndr.block_rows), G_TYPE_UINT, 1, 64, DM_NDR_DEFAULT_BLOCK_ROWS },
    { "ndr-block-columns", N_("NDR block columns"), N_("ndr: columns of the grid each image is averaged into"),
      FIELD (ndr.block_columns), G_TYPE_UINT, 1, 64, DM_NDR_DEFAULT_BLOCK_COLUMNS },
    { "ndr-hash-dim", N_("NDR hash bits"), N_("ndr: bits of the hash that groups candidate duplicates"),
      FIELD (ndr.hash_dim), G_TYPE_UINT, 1, 64, DM_NDR_DEFAULT_HASH_DIM },
    /* NDR takes any similarity above 0: the smallest positive double as
     * the minimum. */
    { "ndr-sim-threshold", N_("NDR similarity threshold"), N_("ndr: similarity from which an image is a duplicate"),
      FIELD (ndr.sim_threshold), G_TYPE_DOUBLE, DBL_TRUE_MIN, 1.0, DM_NDR_DEFAULT_SIM_THRESHOLD },
    { "ndr-oversample", N_("NDR oversampling"), N_("ndr: how removed images are taken back when too few remain"),
      FIELD (ndr.oversample), PRUNE_TYPE_NDR_OVERSAMPLE, .default_value = DM_NDR_OVERSAMPLE_RANDOM },
    { "ndr-undersample", N_("NDR undersampling"), N_("ndr: how remaining images are thinned when too many remain"),
      FIELD (ndr.undersample), PRUNE_TYPE_NDR_UNDERSAMPLE, .default_value = DM_NDR_UNDERSAMPLE_UNIFORM },

    /* The methods beyond Datumaro's (see dm-select-beyond.h). */
    { "prototype-keep", N_("Prototype choice"),
      N_("prototype: keep each cluster's easiest items, its hardest, or choose by the ratio"),
      FIELD (prototype_keep), PRUNE_TYPE_PROTOTYPE_KEEP, .default_value = DM_PROTOTYPE_KEEP_AUTO },
    { "dedup-threshold", N_("Deduplication threshold"),
      N_("dedup: items whose keys differ in at most this fraction of bits are duplicates"),
      FIELD (dedup_threshold), G_TYPE_DOUBLE, 0.0, 1.0, DM_DEDUP_DEFAULT_THRESHOLD },
    /* Any width above 0: the smallest positive double as the minimum.
     * Widths far above 1 make every kernel value nearly 1 and the choice
     * meaningless: 1000 is beyond any use. */
    { "herding-bandwidth", N_("Herding bandwidth"),
      N_("herding: the kernel's width, as a fraction of the median distance between keys"),
      FIELD (herding_bandwidth), G_TYPE_DOUBLE, DBL_TRUE_MIN, 1000.0, DM_HERDING_DEFAULT_BANDWIDTH },
    /**
     * PruneTransform:herding-max-disagreement:
     *
     * Herding's label-noise filter: an item whose herding-neighbours
     * nearest keys carry another label more than this fraction of the
     * time is kept only when its cluster has no other candidate left.
     * 1 (the default) keeps every item a candidate: no filter.
     */
    { "herding-max-disagreement", N_("Herding largest disagreement"),
      N_("herding: leave out items whose nearest neighbours carry another label more than this "
         "fraction of the time (1 leaves out none)"),
      FIELD (herding_max_disagreement), G_TYPE_DOUBLE, 0.0, 1.0, 1.0 },
    /**
     * PruneTransform:herding-neighbours:
     *
     * How many nearest neighbours herding's label filter looks at.
     */
    { "herding-neighbours", N_("Herding neighbours"),
      N_("herding: how many nearest neighbours the label filter looks at"),
      FIELD (herding_neighbours), G_TYPE_UINT, 1, DM_NEIGHBOURS_MAX, DM_HERDING_DEFAULT_NEIGHBOURS },
    /**
     * PruneTransform:stratify:
     *
     * For the clustering methods: each label keeps its share of the kept
     * items, and the method runs within each label.
     */
    { "stratify", N_("Stratify by label"),
      N_("Clustering methods: each label keeps its share, the method runs within each label"),
      FIELD (stratify), G_TYPE_BOOLEAN, .default_value = FALSE },
  };

  object_class->finalize = prune_transform_finalize;
  transform_class->apply = prune_transform_apply;
  transform_class->write_report = prune_transform_write_report;
  transform_class->check_parameters = prune_transform_check_parameters;

  dm_transform_class_set_metadata (transform_class,
                                   N_("Prune"),
                                   N_("Keep a representative subset of the items: at random, by clustering their hash keys, or without near-duplicates"),
                                   GETTEXT_PACKAGE);
  prune_property_install (object_class, properties, G_N_ELEMENTS (properties));

  /* `datum prune`'s short options; it has no default method either. */
  dm_transform_class_add_alias (transform_class, 'm', "method");
  dm_transform_class_add_alias (transform_class, 'r', "ratio");
  dm_transform_class_require_parameter (transform_class, "method");

  /* The phases a run reports progress in: the image keys', NDR's, and the
   * core's selection's (dm-cluster-select.h), which counts no items. */
  prune_image_hasher_add_phase (transform_class);
  prune_ndr_add_phase (transform_class);
  /* TRANSLATORS: the phase in which the methods cluster the hash keys */
  dm_transform_class_add_phase (transform_class, "clustering", N_("clustering"), NULL, NULL);
  /* TRANSLATORS: the phase in which a method chooses the items it keeps */
  dm_transform_class_add_phase (transform_class, "selecting", N_("selecting"), NULL, NULL);
  /* TRANSLATORS: the phase in which herding's label filter compares each
   * item's label with its nearest neighbours' */
  dm_transform_class_add_phase (transform_class, "filtering", N_("filtering"), NULL, NULL);
}
