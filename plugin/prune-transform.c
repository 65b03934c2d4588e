/* prune-transform.c: the "prune" transform.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>

#include <glib/gi18n-lib.h>

#include "dm-pyrandom.h"
#include "prune-enums.h"
#include "prune-transform.h"

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
};

G_DEFINE_DYNAMIC_TYPE (PruneTransform, prune_transform, DM_TYPE_TRANSFORM)

enum {
  PROP_0,
  PROP_METHOD,
  PROP_RATIO,
  PROP_HASH_TYPE,
  PROP_SEED,
  PROP_CLUSTERS,
  PROP_THREADS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ceil(n × ratio) in doubles, which is what Python's math.ceil(n * ratio)
 * computes, so the kept count matches Datumaro's to the item. */
static guint
kept_count (guint  n,
            double ratio)
{
  return (guint) MIN (ceil ((double) n * ratio), (double) n);
}

static int
compare_uint (gconstpointer a,
              gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return (x > y) - (x < y);
}

/* The output: the input's metadata and the kept items, in input order. */
static DmDataset *
dataset_from_kept (DmDataset   *input,
                   const guint *kept,
                   guint        n_kept)
{
  DmDataset *output = dm_dataset_new_like (input);

  for (guint i = 0; i < n_kept; i++)
    dm_dataset_append_item (output, dm_dataset_get_item (input, kept[i]));

  return output;
}

static JsonNode *
build_report (PruneTransform *self,
              DmDataset      *input,
              DmDataset      *output)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GEnumClass) methods = g_type_class_ref (PRUNE_TYPE_METHOD);
  g_autoptr(GEnumClass) hash_types = g_type_class_ref (PRUNE_TYPE_HASH_TYPE);
  const char * const *subsets = dm_dataset_get_subsets (input);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "method");
  json_builder_add_string_value (builder, g_enum_get_value (methods, self->method)->value_nick);
  json_builder_set_member_name (builder, "ratio");
  json_builder_add_double_value (builder, self->ratio);
  json_builder_set_member_name (builder, "hash_type");
  json_builder_add_string_value (builder, g_enum_get_value (hash_types, self->hash_type)->value_nick);
  json_builder_set_member_name (builder, "seed");
  json_builder_add_int_value (builder, self->seed);
  json_builder_set_member_name (builder, "items");
  json_builder_add_int_value (builder, dm_dataset_get_n_items (input));
  json_builder_set_member_name (builder, "kept");
  json_builder_add_int_value (builder, dm_dataset_get_n_items (output));

  json_builder_set_member_name (builder, "subsets");
  json_builder_begin_object (builder);
  for (guint s = 0; subsets[s] != NULL; s++)
    {
      guint before = 0, after = 0;

      for (guint i = 0; i < dm_dataset_get_n_items (input); i++)
        before += dm_item_get_subset (dm_dataset_get_item (input, i)) == subsets[s];
      for (guint i = 0; i < dm_dataset_get_n_items (output); i++)
        after += dm_item_get_subset (dm_dataset_get_item (output, i)) == subsets[s];

      json_builder_set_member_name (builder, subsets[s]);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "items");
      json_builder_add_int_value (builder, before);
      json_builder_set_member_name (builder, "kept");
      json_builder_add_int_value (builder, after);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);

  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static DmDataset *
prune_random (PruneTransform  *self,
              DmDataset       *input,
              GError         **error)
{
  guint n = dm_dataset_get_n_items (input);
  guint k = kept_count (n, self->ratio);
  g_autofree guint *kept = g_new (guint, MAX (k, 1));

  dm_transform_report_progress (DM_TRANSFORM (self), "selecting", 0.0);
  dm_pyrandom_sample (self->seed, n, k, kept);
  qsort (kept, k, sizeof (guint), compare_uint);
  dm_transform_report_progress (DM_TRANSFORM (self), "selecting", 1.0);

  return dataset_from_kept (input, kept, k);
}

static gboolean
check_parameters (PruneTransform  *self,
                  DmDataset       *input,
                  GError         **error)
{
  if (dm_dataset_get_n_items (input) == 0)
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                   _("The dataset %s has no items to prune"),
                   dm_dataset_get_source_path (input) ? dm_dataset_get_source_path (input) : "");
      return FALSE;
    }

  if (!(self->ratio > 0.0 && self->ratio <= 1.0))
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_ARGUMENT,
                   _("Invalid ratio %g: the fraction of items kept must be greater than 0 and at most 1"),
                   self->ratio);
      return FALSE;
    }

  return TRUE;
}

static DmDataset *
prune_transform_apply (DmTransform   *transform,
                       DmDataset     *input,
                       GCancellable  *cancellable,
                       GError       **error)
{
  PruneTransform *self = PRUNE_TRANSFORM (transform);
  g_autoptr(DmDataset) output = NULL;

  if (!check_parameters (self, input, error))
    return NULL;

  switch (self->method)
    {
    case PRUNE_METHOD_RANDOM:
      output = prune_random (self, input, error);
      break;
    default:
      {
        g_autoptr(GEnumClass) methods = g_type_class_ref (PRUNE_TYPE_METHOD);

        g_set_error (error, DM_ERROR, DM_ERROR_NOT_SUPPORTED,
                     _("The prune method “%s” is not available in this build"),
                     g_enum_get_value (methods, self->method)->value_nick);
        return NULL;
      }
    }

  if (output == NULL)
    return NULL;

  {
    g_autoptr(JsonNode) report = build_report (self, input, output);
    dm_transform_set_report (transform, report);
  }

  return g_steal_pointer (&output);
}

static void
prune_transform_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  PruneTransform *self = PRUNE_TRANSFORM (object);

  switch (prop_id)
    {
    case PROP_METHOD:
      g_value_set_enum (value, self->method);
      break;
    case PROP_RATIO:
      g_value_set_double (value, self->ratio);
      break;
    case PROP_HASH_TYPE:
      g_value_set_enum (value, self->hash_type);
      break;
    case PROP_SEED:
      g_value_set_uint (value, self->seed);
      break;
    case PROP_CLUSTERS:
      g_value_set_uint (value, self->clusters);
      break;
    case PROP_THREADS:
      g_value_set_uint (value, self->threads);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
prune_transform_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  PruneTransform *self = PRUNE_TRANSFORM (object);

  switch (prop_id)
    {
    case PROP_METHOD:
      self->method = g_value_get_enum (value);
      break;
    case PROP_RATIO:
      self->ratio = g_value_get_double (value);
      break;
    case PROP_HASH_TYPE:
      self->hash_type = g_value_get_enum (value);
      break;
    case PROP_SEED:
      self->seed = g_value_get_uint (value);
      break;
    case PROP_CLUSTERS:
      self->clusters = g_value_get_uint (value);
      break;
    case PROP_THREADS:
      self->threads = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
prune_transform_class_init (PruneTransformClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  DmTransformClass *transform_class = DM_TRANSFORM_CLASS (klass);

  object_class->get_property = prune_transform_get_property;
  object_class->set_property = prune_transform_set_property;
  transform_class->apply = prune_transform_apply;

  dm_transform_class_set_metadata (transform_class,
                                   N_("Prune"),
                                   N_("Keep a representative subset of the items, chosen by clustering their hash keys"),
                                   GETTEXT_PACKAGE);

  /**
   * PruneTransform:method:
   *
   * How the kept items are chosen.
   */
  properties[PROP_METHOD] =
    g_param_spec_enum ("method", N_("Method"),
                       N_("How the kept items are chosen"),
                       PRUNE_TYPE_METHOD, PRUNE_METHOD_RANDOM,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * PruneTransform:ratio:
   *
   * The fraction of the items kept: ceil(N × ratio) of N. Must be greater
   * than 0.
   */
  properties[PROP_RATIO] =
    g_param_spec_double ("ratio", N_("Ratio"),
                         N_("The fraction of the items kept, greater than 0 and at most 1"),
                         0.0, 1.0, 0.5,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * PruneTransform:hash-type:
   *
   * What the clustering methods cluster: image keys, or image keys followed
   * by a key of each item's label text.
   */
  properties[PROP_HASH_TYPE] =
    g_param_spec_enum ("hash-type", N_("Hash type"),
                       N_("What the clustering methods cluster: image keys, or image and label text keys"),
                       PRUNE_TYPE_HASH_TYPE, PRUNE_HASH_TYPE_IMG,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * PruneTransform:seed:
   *
   * Seeds every random choice, so the same seed keeps the same items.
   */
  properties[PROP_SEED] =
    g_param_spec_uint ("seed", N_("Seed"),
                       N_("Seeds every random choice: the same seed keeps the same items"),
                       0, G_MAXUINT32, 0,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * PruneTransform:clusters:
   *
   * The number of clusters for cluster_random, query_clust and entropy;
   * 0 means the number of labels, as Datumaro does.
   */
  properties[PROP_CLUSTERS] =
    g_param_spec_uint ("clusters", N_("Clusters"),
                       N_("Number of clusters; 0 uses the number of labels"),
                       0, G_MAXINT32, 0,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * PruneTransform:threads:
   *
   * How many threads hashing and clustering use; 0 means one per core.
   * The result does not depend on it.
   */
  properties[PROP_THREADS] =
    g_param_spec_uint ("threads", N_("Threads"),
                       N_("Threads used for hashing and clustering; 0 uses every core"),
                       0, 1024, 0,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
prune_transform_class_finalize (PruneTransformClass *klass)
{
}

static void
prune_transform_init (PruneTransform *self)
{
  self->method = PRUNE_METHOD_RANDOM;
  self->ratio = 0.5;
  self->hash_type = PRUNE_HASH_TYPE_IMG;
}

void
prune_transform_register (GIOModule *module)
{
  prune_transform_register_type (G_TYPE_MODULE (module));
  g_io_extension_point_implement (DM_TRANSFORM_EXTENSION_POINT_NAME,
                                  PRUNE_TYPE_TRANSFORM, "prune", 0);
}
