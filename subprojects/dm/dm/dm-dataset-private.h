/* dm-dataset-private.h: what libdm keeps of a dataset that its callers
 * do not see.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#ifndef DM_COMPILATION
#error "This header is private to libdm: include <dm.h>."
#endif

#include "dm-dataset.h"

G_BEGIN_DECLS

const char  *dm_dataset_get_source_state  (DmDataset  *self);
void         dm_dataset_leave_as_it_is    (DmDataset  *self,
                                           DmItem     *item);
DmDataset   *dm_dataset_dup_in_place_form (DmDataset  *self);

G_END_DECLS
