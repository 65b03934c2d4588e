/* prune-enums.c: the choices of the prune transform's parameters.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib/gi18n-lib.h>

#include "dm-cluster-select.h"
#include "dm-ndr.h"
#include "prune-enums.h"

/* Registered by the module that loads the plugin (a GTypeModule), so the
 * type ids live as long as the module's types do. */
static GType prune_method_type;
static GType prune_hash_type_type;
static GType prune_ndr_oversample_type;
static GType prune_ndr_undersample_type;
static GType prune_prototype_keep_type;

/* The nicks are Datumaro's method and hash-type names, as typed on a
 * command line; the names are what a host's dialog shows. */
static const GEnumValue prune_method_values[] = {
  { PRUNE_METHOD_RANDOM, N_("Random"), "random" },
  { PRUNE_METHOD_CLUSTER_RANDOM, N_("Random within clusters"), "cluster_random" },
  { PRUNE_METHOD_CENTROID, N_("Cluster centroids"), "centroid" },
  { PRUNE_METHOD_QUERY_CLUST, N_("Clusters around each label"), "query_clust" },
  { PRUNE_METHOD_ENTROPY, N_("Label entropy within clusters"), "entropy" },
  { PRUNE_METHOD_NDR, N_("Near-duplicate removal"), "ndr" },
  { PRUNE_METHOD_PROTOTYPE, N_("Prototypes: easiest or hardest items of each cluster"), "prototype" },
  { PRUNE_METHOD_DEDUP, N_("Semantic deduplication within clusters"), "dedup" },
  { PRUNE_METHOD_HERDING, N_("Kernel herding: items spread as the data is"), "herding" },
  { 0, NULL, NULL }
};

/* NDR's sampling policies, with Datumaro's names as nicks. */
static const GEnumValue prune_ndr_oversample_values[] = {
  { DM_NDR_OVERSAMPLE_RANDOM, N_("Random"), "random" },
  { DM_NDR_OVERSAMPLE_SIMILARITY, N_("Least similar first"), "similarity" },
  { 0, NULL, NULL }
};

static const GEnumValue prune_ndr_undersample_values[] = {
  { DM_NDR_UNDERSAMPLE_UNIFORM, N_("Uniform"), "uniform" },
  { DM_NDR_UNDERSAMPLE_INVERSE, N_("Inverse to hash collisions"), "inverse" },
  { 0, NULL, NULL }
};

/* Which items of each cluster the prototype method keeps. */
static const GEnumValue prune_prototype_keep_values[] = {
  { DM_PROTOTYPE_KEEP_AUTO, N_("Easiest when keeping under 30 %, else hardest"), "auto" },
  { DM_PROTOTYPE_KEEP_EASY, N_("Easiest: nearest the centre"), "easy" },
  { DM_PROTOTYPE_KEEP_HARD, N_("Hardest: farthest from the centre"), "hard" },
  { 0, NULL, NULL }
};

static const GEnumValue prune_hash_type_values[] = {
  { PRUNE_HASH_TYPE_IMG, N_("Image"), "img" },
  { PRUNE_HASH_TYPE_TXT, N_("Image and label text"), "txt" },
  { 0, NULL, NULL }
};

/* @module may be NULL, for tests that link the plugin's code directly:
 * then the types are static. */
void
prune_enums_register (GTypeModule *module)
{
  if (prune_method_type != 0)
    return;

  if (module != NULL)
    {
      prune_method_type = g_type_module_register_enum (module, "PruneMethod", prune_method_values);
      prune_hash_type_type = g_type_module_register_enum (module, "PruneHashType", prune_hash_type_values);
      prune_ndr_oversample_type = g_type_module_register_enum (module, "PruneNdrOversample", prune_ndr_oversample_values);
      prune_ndr_undersample_type = g_type_module_register_enum (module, "PruneNdrUndersample", prune_ndr_undersample_values);
      prune_prototype_keep_type = g_type_module_register_enum (module, "PrunePrototypeKeep", prune_prototype_keep_values);
    }
  else
    {
      prune_method_type = g_enum_register_static ("PruneMethod", prune_method_values);
      prune_hash_type_type = g_enum_register_static ("PruneHashType", prune_hash_type_values);
      prune_ndr_oversample_type = g_enum_register_static ("PruneNdrOversample", prune_ndr_oversample_values);
      prune_ndr_undersample_type = g_enum_register_static ("PruneNdrUndersample", prune_ndr_undersample_values);
      prune_prototype_keep_type = g_enum_register_static ("PrunePrototypeKeep", prune_prototype_keep_values);
    }
}

GType
prune_method_get_type (void)
{
  return prune_method_type;
}

GType
prune_hash_type_get_type (void)
{
  return prune_hash_type_type;
}

GType
prune_ndr_oversample_get_type (void)
{
  return prune_ndr_oversample_type;
}

GType
prune_ndr_undersample_get_type (void)
{
  return prune_ndr_undersample_type;
}

GType
prune_prototype_keep_get_type (void)
{
  return prune_prototype_keep_type;
}

/**
 * prune_method_from_nick:
 * @nick: a method's name as typed ("centroid"): a nick of #PruneMethod
 * @method: (out): the method
 *
 * The one list of method names is #PruneMethod's nicks; this reads it.
 * prune_enums_register() must have run.
 *
 * Returns: %TRUE when @nick names a method
 */
gboolean
prune_method_from_nick (const char  *nick,
                        PruneMethod *method)
{
  g_autoptr(GEnumClass) methods = g_type_class_ref (PRUNE_TYPE_METHOD);
  GEnumValue *value = g_enum_get_value_by_nick (methods, nick);

  if (value == NULL)
    return FALSE;
  *method = (PruneMethod) value->value;
  return TRUE;
}

/**
 * prune_method_to_select_method:
 * @method: a method
 * @select_method: (out): the core's clustering method that runs it
 *
 * Returns: %TRUE when @method is a clustering method (not random or ndr)
 */
gboolean
prune_method_to_select_method (PruneMethod     method,
                               DmSelectMethod *select_method)
{
  switch (method)
    {
    case PRUNE_METHOD_CLUSTER_RANDOM: *select_method = DM_SELECT_CLUSTER_RANDOM; return TRUE;
    case PRUNE_METHOD_CENTROID: *select_method = DM_SELECT_CENTROID; return TRUE;
    case PRUNE_METHOD_QUERY_CLUST: *select_method = DM_SELECT_QUERY_CLUST; return TRUE;
    case PRUNE_METHOD_ENTROPY: *select_method = DM_SELECT_ENTROPY; return TRUE;
    case PRUNE_METHOD_PROTOTYPE: *select_method = DM_SELECT_PROTOTYPE; return TRUE;
    case PRUNE_METHOD_DEDUP: *select_method = DM_SELECT_DEDUP; return TRUE;
    case PRUNE_METHOD_HERDING: *select_method = DM_SELECT_HERDING; return TRUE;
    case PRUNE_METHOD_RANDOM:
    case PRUNE_METHOD_NDR:
    default:
      return FALSE;
    }
}
