/* dm-cli-host-seconds.h: the host's own report member,
 * DM_TRANSFORM_REPORT_HOST_SECONDS, added to the text a transform wrote.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Wall-clock seconds of the host's phases. */
typedef struct
{
  double loading;
  double writing;
  double total;
} DmHostSeconds;

GString  *dm_host_seconds_format (const DmHostSeconds  *seconds);
gboolean  dm_host_seconds_append (GMemoryOutputStream  *text,
                                  const DmHostSeconds  *seconds,
                                  goffset              *value_offset);

G_END_DECLS
