/* prune-property.c: the one change test that the transforms' set_property
 * run before they store a value, so that they notify only on a change.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "prune-property.h"

/**
 * prune_property_unchanged:
 * @object: the object whose property is being set
 * @pspec: the property
 * @value: the value about to be set
 *
 * The properties are G_PARAM_EXPLICIT_NOTIFY: a setter stores and notifies
 * only when @value differs from the current value.
 *
 * Returns: %TRUE if @value equals the property's current value
 */
gboolean
prune_property_unchanged (GObject      *object,
                          GParamSpec   *pspec,
                          const GValue *value)
{
  g_auto(GValue) previous = G_VALUE_INIT;

  g_value_init (&previous, G_PARAM_SPEC_VALUE_TYPE (pspec));
  g_object_get_property (object, g_param_spec_get_name (pspec), &previous);
  return g_param_values_cmp (pspec, &previous, value) == 0;
}
