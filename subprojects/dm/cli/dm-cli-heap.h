/* dm-cli-heap.h: the dm command's heap, backed by transparent huge pages
 * where the C library and the kernel allow it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What dm_cli_heap_prefer_huge_pages() did. */
typedef enum
{
  DM_CLI_HEAP_HUGE,          /* the heap's next bytes are advised huge pages */
  DM_CLI_HEAP_NOT_SUPPORTED, /* no mallopt() or MADV_HUGEPAGE in this build */
  DM_CLI_HEAP_OTHER_MALLOC,  /* malloc() is not glibc's on the program break
                              * (AddressSanitizer, valgrind): left alone */
  DM_CLI_HEAP_NO_ROOM,       /* a limit on the address space (ulimit -d, -v)
                              * leaves no room for the reserve */
  DM_CLI_HEAP_NO_HUGE_PAGES, /* the kernel has no transparent huge pages */
} DmCliHeap;

#define DM_CLI_HEAP_HUGE_PAGE (2u << 20)
/* Address space, not memory: only the pages a run touches are allocated. */
#define DM_CLI_HEAP_RESERVE   (1024u << 20)

DmCliHeap dm_cli_heap_prefer_huge_pages (void);

G_END_DECLS
