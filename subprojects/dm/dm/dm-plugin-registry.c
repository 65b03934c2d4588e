/* dm-plugin-registry.c: finds plugin modules and the transforms they register.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include <glib/gi18n-lib.h>

#include "dm-error.h"
#include "dm-plugin-registry.h"
#include "dm-file-tree-private.h"

/**
 * DmPluginRegistry:
 *
 * Loads plugin modules (GIO modules, `lib*.so`) from a list of directories;
 * each module registers its transforms with the
 * %DM_TRANSFORM_EXTENSION_POINT_NAME extension point when it is loaded.
 *
 * There is one registry per process, like the GType system the modules
 * register their types with: loading a module twice would register its
 * types twice. Of two modules of the same file name in different
 * directories, the one in the directory added first wins.
 */
struct _DmPluginRegistry
{
  GObject parent_instance;

  GMutex lock;
  GPtrArray *directories;      /* of char*, NULL-terminated, in search order */
  GHashTable *loaded;          /* directories already loaded */
  GIOModuleScope *scope;       /* blocks a second module of the same name */
};

G_DEFINE_FINAL_TYPE (DmPluginRegistry, dm_plugin_registry, G_TYPE_OBJECT)

static void
dm_plugin_registry_class_init (DmPluginRegistryClass *klass)
{
}

static void
dm_plugin_registry_init (DmPluginRegistry *self)
{
  g_mutex_init (&self->lock);
  self->directories = g_ptr_array_new_null_terminated (4, g_free, TRUE);
  self->loaded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->scope = g_io_module_scope_new (G_IO_MODULE_SCOPE_BLOCK_DUPLICATES);
}

/**
 * dm_plugin_registry_get_default:
 *
 * Gives the registry shared by the process.
 *
 * Returns: (transfer none): the process's plugin registry
 */
DmPluginRegistry *
dm_plugin_registry_get_default (void)
{
  static gsize registry;

  if (g_once_init_enter (&registry))
    {
      dm_transform_ensure_extension_point ();
      g_once_init_leave (&registry, (gsize) g_object_new (DM_TYPE_PLUGIN_REGISTRY, NULL));
    }

  return (DmPluginRegistry *) registry;
}

static gboolean
has_directory (DmPluginRegistry *self,
               const char       *directory)
{
  for (guint i = 0; i < self->directories->len; i++)
    if (g_str_equal (g_ptr_array_index (self->directories, i), directory))
      return TRUE;

  return FALSE;
}

/**
 * dm_plugin_registry_add_directory:
 * @self: the registry
 * @directory: (type filename): a directory of plugin modules
 *
 * Adds a directory to search after those added before. Loading is done by
 * dm_plugin_registry_load().
 */
void
dm_plugin_registry_add_directory (DmPluginRegistry *self,
                                  const char       *directory)
{
  g_autofree char *canonical = NULL;

  g_return_if_fail (DM_IS_PLUGIN_REGISTRY (self));
  g_return_if_fail (directory != NULL);

  if (*directory == '\0')
    return;

  canonical = g_canonicalize_filename (directory, NULL);
  g_mutex_lock (&self->lock);
  if (!has_directory (self, canonical))
    g_ptr_array_add (self->directories, g_steal_pointer (&canonical));
  g_mutex_unlock (&self->lock);
}

/**
 * dm_plugin_registry_add_default_directories:
 * @self: the registry
 *
 * Adds the directories named by the environment variable `DM_PLUGIN_PATH`
 * (separated by `:`), then the installed plugin directory.
 */
void
dm_plugin_registry_add_default_directories (DmPluginRegistry *self)
{
  const char *path;

  g_return_if_fail (DM_IS_PLUGIN_REGISTRY (self));

  path = g_getenv ("DM_PLUGIN_PATH");
  if (path != NULL)
    {
      g_auto(GStrv) directories = g_strsplit (path, G_SEARCHPATH_SEPARATOR_S, -1);

      for (guint i = 0; directories[i] != NULL; i++)
        dm_plugin_registry_add_directory (self, directories[i]);
    }

  dm_plugin_registry_add_directory (self, DM_PLUGIN_DIR);
}

/**
 * dm_plugin_registry_get_directories:
 * @self: the registry
 *
 * Lists the directories plugins are loaded from.
 *
 * Returns: (array zero-terminated=1) (transfer none): the directories
 *   searched, in order
 */
const char * const *
dm_plugin_registry_get_directories (DmPluginRegistry *self)
{
  g_return_val_if_fail (DM_IS_PLUGIN_REGISTRY (self), NULL);

  return (const char * const *) self->directories->pdata;
}

/**
 * dm_plugin_registry_load:
 * @self: the registry
 *
 * Loads the modules of every directory added and not loaded yet. A
 * directory that does not exist is skipped; a module that fails to load is
 * reported with a warning and skipped, so one broken plugin does not take
 * the others down.
 */
void
dm_plugin_registry_load (DmPluginRegistry *self)
{
  g_return_if_fail (DM_IS_PLUGIN_REGISTRY (self));

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->directories->len; i++)
    {
      const char *directory = g_ptr_array_index (self->directories, i);
      GList *modules;

      if (g_hash_table_contains (self->loaded, directory))
        continue;
      g_hash_table_add (self->loaded, g_strdup (directory));

      if (!g_file_test (directory, G_FILE_TEST_IS_DIR))
        continue;

      /* The modules stay loaded for the life of the process: the types
       * they registered are in use from now on. */
      modules = g_io_modules_load_all_in_directory_with_scope (directory, self->scope);
      g_debug ("loaded %u plugin modules from %s", g_list_length (modules), directory);
      g_list_free (modules);
    }
  g_mutex_unlock (&self->lock);
}

/**
 * dm_plugin_registry_list_transforms:
 * @self: the registry
 *
 * Lists the transforms the loaded plugins registered: the transform menu.
 *
 * Returns: (transfer full): the names of the registered transforms, sorted
 */
GStrv
dm_plugin_registry_list_transforms (DmPluginRegistry *self)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_null_terminated (8, NULL, TRUE);
  GIOExtensionPoint *point;

  g_return_val_if_fail (DM_IS_PLUGIN_REGISTRY (self), NULL);

  point = g_io_extension_point_lookup (DM_TRANSFORM_EXTENSION_POINT_NAME);
  for (GList *l = g_io_extension_point_get_extensions (point); l != NULL; l = l->next)
    g_ptr_array_add (names, g_strdup (g_io_extension_get_name (l->data)));
  g_ptr_array_sort (names, dm_compare_names);

  return (GStrv) g_ptr_array_steal (names, NULL);
}

/**
 * dm_plugin_registry_lookup_transform:
 * @self: the registry
 * @name: a transform name
 *
 * Finds a transform's type by its registered name.
 *
 * Returns: the transform's type, or %G_TYPE_INVALID when none has @name
 */
GType
dm_plugin_registry_lookup_transform (DmPluginRegistry *self,
                                     const char       *name)
{
  GIOExtensionPoint *point;
  GIOExtension *extension;

  g_return_val_if_fail (DM_IS_PLUGIN_REGISTRY (self), G_TYPE_INVALID);
  g_return_val_if_fail (name != NULL, G_TYPE_INVALID);

  point = g_io_extension_point_lookup (DM_TRANSFORM_EXTENSION_POINT_NAME);
  extension = g_io_extension_point_get_extension_by_name (point, name);
  if (extension == NULL)
    return G_TYPE_INVALID;

  return g_io_extension_get_type (extension);
}

/**
 * dm_plugin_registry_create_transform:
 * @self: the registry
 * @name: a transform name
 * @error: return location for a #GError
 *
 * Makes a transform by its registered name.
 *
 * Returns: (transfer full): a new transform with default parameters, or
 *   %NULL with %DM_ERROR_NOT_FOUND when no transform has @name
 */
DmTransform *
dm_plugin_registry_create_transform (DmPluginRegistry  *self,
                                     const char        *name,
                                     GError           **error)
{
  GType type;

  g_return_val_if_fail (DM_IS_PLUGIN_REGISTRY (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  type = dm_plugin_registry_lookup_transform (self, name);
  if (type == G_TYPE_INVALID)
    {
      g_auto(GStrv) names = dm_plugin_registry_list_transforms (self);
      g_autofree char *available = g_strjoinv (", ", names);

      g_set_error (error, DM_ERROR, DM_ERROR_NOT_FOUND,
                   _("No transform named “%s” (available: %s)"),
                   name, *available != '\0' ? available : _("none; is DM_PLUGIN_PATH set?"));
      return NULL;
    }

  return g_object_new (type, NULL);
}
