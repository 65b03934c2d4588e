/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dm-core-error.h"

G_DEFINE_QUARK (dm-core-error-quark, dm_core_error)
