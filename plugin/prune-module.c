/* prune-module.c: the plugin's entry points; it only registers types.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include <dm.h>

#include "prune-enums.h"
#include "prune-hash-transform.h"
#include "prune-transform.h"

G_MODULE_EXPORT void
g_io_module_load (GIOModule *module)
{
  /* As dm does with DM_LOCALEDIR: the environment variable DM_PRUNE_LOCALEDIR, when set,
   * replaces the installed catalogs' directory (tests use build/po). */
  const char *localedir = g_getenv ("DM_PRUNE_LOCALEDIR");

  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : DM_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");

  /* The module stays loaded: types cannot be unregistered. */
  g_type_module_use (G_TYPE_MODULE (module));

  dm_transform_ensure_extension_point ();
  prune_enums_register (G_TYPE_MODULE (module));
  prune_transform_register (module);
  prune_hash_transform_register (module);
}

G_MODULE_EXPORT void
g_io_module_unload (GIOModule *module)
{
}

G_MODULE_EXPORT char **
g_io_module_query (void)
{
  char *extension_points[] = { (char *) DM_TRANSFORM_EXTENSION_POINT_NAME, NULL };

  return g_strdupv (extension_points);
}
