/* dm.h: the dataset manager's public API, for hosts and plugins.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#define DM_INSIDE

#include "dm-version-macros.h"
#include "dm-error.h"
#include "dm-item.h"
#include "dm-dataset.h"
#include "dm-dataset-io.h"
#include "dm-transform.h"
#include "dm-plugin-registry.h"
#include "dm-hash-shard.h"

#undef DM_INSIDE
