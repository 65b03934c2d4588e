/* prune-text-keys.h: image keys extended with label text keys (hash type "txt").
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <dm.h>

G_BEGIN_DECLS

GBytes *prune_text_keys_append (GBytes     *image_keys,
                                DmDataset  *dataset,
                                GError    **error);

G_END_DECLS
