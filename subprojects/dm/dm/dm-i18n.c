/* dm-i18n.c: libdm's catalogs, bound when the library is loaded.
 *
 * libdm's messages are in its own gettext domain (GETTEXT_PACKAGE, dm-1.0),
 * so every host gets them in its language, whether it binds domains itself
 * (the dm command) or not (a Python host). The environment variable
 * DM_LOCALEDIR, when set, replaces the installed catalogs' directory, so
 * tests use the build tree's catalogs before anything is installed.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib/gi18n-lib.h>

__attribute__ ((constructor)) static void
bind_catalogs (void)
{
  const char *localedir = g_getenv ("DM_LOCALEDIR");

  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : DM_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
}
