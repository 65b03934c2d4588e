/* third-party-plugin.c: a plugin built outside the project, against the
 * installed dm-1.0.pc only, as tests/install/test-install.py builds it.
 *
 * Its transform "every-other" keeps every second item of each subset
 * (from the first, or with --offset 1, -k 1 or a 1 after the dataset from
 * the second), so the test
 * can tell that the installed host ran it and gave it its own option.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gio/gio.h>

#include <dm.h>

#define EVERY_OTHER_TYPE_TRANSFORM (every_other_transform_get_type ())
G_DECLARE_FINAL_TYPE (EveryOtherTransform, every_other_transform, EVERY_OTHER, TRANSFORM, DmTransform)

struct _EveryOtherTransform
{
  DmTransform parent_instance;
  guint offset;
};

enum { PROP_0, PROP_OFFSET, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_DYNAMIC_TYPE (EveryOtherTransform, every_other_transform, DM_TYPE_TRANSFORM)

static DmDataset *
every_other_transform_apply (DmTransform   *transform,
                             DmDataset     *input,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autoptr(GHashTable) seen_per_subset = g_hash_table_new (g_str_hash, g_str_equal);
  DmDataset *output = dm_dataset_new_like (input);

  for (guint i = 0; i < dm_dataset_get_n_items (input); i++)
    {
      DmItem *item = dm_dataset_get_item (input, i);
      const char *subset = dm_item_get_subset (item);
      guint seen = GPOINTER_TO_UINT (g_hash_table_lookup (seen_per_subset, subset));

      if (seen % 2 == EVERY_OTHER_TRANSFORM (transform)->offset)
        dm_dataset_append_item (output, item);
      g_hash_table_insert (seen_per_subset, (gpointer) subset, GUINT_TO_POINTER (seen + 1));
      dm_transform_report_progress (transform, "selecting", (i + 1.0) / dm_dataset_get_n_items (input));
    }

  return output;
}

static void
every_other_transform_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  g_value_set_uint (value, EVERY_OTHER_TRANSFORM (object)->offset);
}

static void
every_other_transform_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  EVERY_OTHER_TRANSFORM (object)->offset = g_value_get_uint (value);
}

static void
every_other_transform_class_init (EveryOtherTransformClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  DmTransformClass *transform_class = DM_TRANSFORM_CLASS (klass);

  object_class->get_property = every_other_transform_get_property;
  object_class->set_property = every_other_transform_set_property;
  transform_class->apply = every_other_transform_apply;
  dm_transform_class_set_metadata (transform_class, "Every other item",
                                   "Keeps every second item of each subset", NULL);

  properties[PROP_OFFSET] =
    g_param_spec_uint ("offset", "Offset", "Keep the items at even (0) or odd (1) places",
                       0, 1, 0, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  dm_transform_class_add_alias (transform_class, 'k', "offset");
  /* `dm every-other SOURCE 1` as well. */
  dm_transform_class_add_positional (transform_class, "offset");
}

static void
every_other_transform_class_finalize (EveryOtherTransformClass *klass)
{
}

static void
every_other_transform_init (EveryOtherTransform *self)
{
}

/* GIO module entry points; the prototypes come from <gio/gio.h>. */
G_MODULE_EXPORT void
g_io_module_load (GIOModule *module)
{
  g_type_module_use (G_TYPE_MODULE (module));
  dm_transform_ensure_extension_point ();
  every_other_transform_register_type (G_TYPE_MODULE (module));
  g_io_extension_point_implement (DM_TRANSFORM_EXTENSION_POINT_NAME,
                                  EVERY_OTHER_TYPE_TRANSFORM, "every-other", 0);
}

G_MODULE_EXPORT void
g_io_module_unload (GIOModule *module)
{
}
