/* dm-plugin-registry.h: finds plugin modules and the transforms they register.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

#include "dm-transform.h"

G_BEGIN_DECLS

#define DM_TYPE_PLUGIN_REGISTRY (dm_plugin_registry_get_type ())
G_DECLARE_FINAL_TYPE (DmPluginRegistry, dm_plugin_registry, DM, PLUGIN_REGISTRY, GObject)

DmPluginRegistry *dm_plugin_registry_get_default   (void);
void              dm_plugin_registry_add_directory (DmPluginRegistry *self,
                                                    const char       *directory);
void              dm_plugin_registry_add_default_directories (DmPluginRegistry *self);
const char * const *dm_plugin_registry_get_directories (DmPluginRegistry *self);
void              dm_plugin_registry_load          (DmPluginRegistry *self);

GStrv             dm_plugin_registry_list_transforms (DmPluginRegistry *self);
GType             dm_plugin_registry_lookup_transform (DmPluginRegistry *self,
                                                       const char       *name);
DmTransform      *dm_plugin_registry_create_transform (DmPluginRegistry *self,
                                                       const char       *name,
                                                       GError          **error);

G_END_DECLS
