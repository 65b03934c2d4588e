/* prune-define-transform.h: what defining one of the module's transform
 * types takes, written once for every transform.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <dm.h>

#include "prune-property.h"

G_BEGIN_DECLS

/**
 * PRUNE_DEFINE_TRANSFORM:
 * @TN: the type's name, in CamelCase
 * @t_n: the type's name, in lowercase with underscores
 * @name: the name the host lists the transform under
 *
 * Defines a #DmTransform subclass of the module, as
 * G_DEFINE_DYNAMIC_TYPE() does (the file writes t_n_class_init()), with
 * an instance_init that sets each property to its default
 * (prune_property_init_fields()), and t_n_register(), which registers
 * the type with the loading module and implements the host's transform
 * extension point under @name. The module is never unloaded, so the
 * class_finalize has nothing to do.
 */
#define PRUNE_DEFINE_TRANSFORM(TN, t_n, name)                              \
  G_DEFINE_DYNAMIC_TYPE (TN, t_n, DM_TYPE_TRANSFORM)                       \
                                                                           \
  static void                                                              \
  t_n##_class_finalize (TN##Class *klass)                                  \
  {                                                                        \
  }                                                                        \
                                                                           \
  static void                                                              \
  t_n##_init (TN *self)                                                    \
  {                                                                        \
    prune_property_init_fields (G_OBJECT (self));                          \
  }                                                                        \
                                                                           \
  void                                                                     \
  t_n##_register (GIOModule *module)                                       \
  {                                                                        \
    t_n##_register_type (G_TYPE_MODULE (module));                          \
    g_io_extension_point_implement (DM_TRANSFORM_EXTENSION_POINT_NAME,     \
                                    t_n##_get_type (), name, 0);           \
  }

G_END_DECLS
