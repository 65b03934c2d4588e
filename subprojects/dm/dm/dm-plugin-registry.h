/* dm-plugin-registry.h: finds plugin modules and the transforms they register.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined (DM_INSIDE) && !defined (DM_COMPILATION)
#error "Only <dm.h> can be included directly."
#endif

#include "dm-version-macros.h"

#include <gio/gio.h>

#include "dm-transform.h"

G_BEGIN_DECLS

#define DM_TYPE_PLUGIN_REGISTRY (dm_plugin_registry_get_type ())
DM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (DmPluginRegistry, dm_plugin_registry, DM, PLUGIN_REGISTRY, GObject)

DM_AVAILABLE_IN_ALL
DmPluginRegistry *dm_plugin_registry_get_default   (void);
DM_AVAILABLE_IN_ALL
void              dm_plugin_registry_add_directory (DmPluginRegistry *self,
                                                    const char       *directory);
DM_AVAILABLE_IN_ALL
void              dm_plugin_registry_add_default_directories (DmPluginRegistry *self);
DM_AVAILABLE_IN_ALL
const char * const *dm_plugin_registry_get_directories (DmPluginRegistry *self);
DM_AVAILABLE_IN_ALL
void              dm_plugin_registry_load          (DmPluginRegistry *self);

DM_AVAILABLE_IN_ALL
GStrv             dm_plugin_registry_list_transforms (DmPluginRegistry *self);
DM_AVAILABLE_IN_ALL
GType             dm_plugin_registry_lookup_transform (DmPluginRegistry *self,
                                                       const char       *name);
DM_AVAILABLE_IN_ALL
DmTransform      *dm_plugin_registry_create_transform (DmPluginRegistry *self,
                                                       const char       *name,
                                                       GError          **error);

G_END_DECLS
