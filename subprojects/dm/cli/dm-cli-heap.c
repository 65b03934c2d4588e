/* dm-cli-heap.c: the dm command's heap, backed by transparent huge pages
 * where the C library and the kernel allow it.
 *
 * A run touches most of its memory once: the model, the keys, the
 * clustering's arrays. Every 4 KiB page first touched is a page fault,
 * and in a virtual machine that shadows the guest's page tables a fault
 * costs 10 µs or more: a 10 000-item prune took 2300 of them, a fifth of
 * its time. One 2 MiB huge page replaces 512 such faults. glibc backs its
 * heap with huge pages only when told so at start-up
 * (GLIBC_TUNABLES=glibc.malloc.hugetlb=1), which a command cannot set for
 * itself; so the command does the same for the part of the heap a run
 * uses first: it makes glibc grow the program break by a large reserve in
 * one step, and advises the kernel (MADV_HUGEPAGE) to back that reserve
 * with huge pages as it is touched. The reserve is address space, not
 * memory: pages the run never touches are never allocated.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "dm-cli-heap.h"

#include <features.h>
#if defined(__GLIBC__)
#include <malloc.h> /* mallopt, mallinfo2 (glibc 2.33) */
#endif
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define HEAP_CAN_PREFER_HUGE_PAGES 0
#if defined(__GLIBC__) && defined(M_TOP_PAD) && defined(M_TRIM_THRESHOLD) && defined(M_ARENA_MAX) \
  && defined(MADV_HUGEPAGE)
#if __GLIBC_PREREQ(2, 33)
#undef HEAP_CAN_PREFER_HUGE_PAGES
#define HEAP_CAN_PREFER_HUGE_PAGES 1
#endif
#endif

#if HEAP_CAN_PREFER_HUGE_PAGES
/* glibc's own top pad (its DEFAULT_TOP_PAD): how much more than a request
 * needs the break grows by. */
#define HEAP_DEFAULT_TOP_PAD (128 * 1024)

/* One arena: the worker threads allocate from the heap that is advised,
 * not from arenas of their own, each grown page by page. The reserve as
 * the trim threshold: glibc gives the free top of the heap back to the
 * kernel only beyond it, so the advised range stays mapped. */
static gboolean
heap_set_policy (void)
{
  return mallopt (M_ARENA_MAX, 1) == 1 && mallopt (M_TRIM_THRESHOLD, DM_CLI_HEAP_RESERVE) == 1;
}

/* Makes glibc grow the program break now, by the reserve: with the
 * reserve as its top pad, a request one byte larger than the free space
 * at the heap's top. The pad is glibc's own again after: a larger one
 * would ask for a reserve at every later growth, which a limit on the
 * address space (ulimit -d, -v) may refuse where the growth itself fits.
 * Returns the break before and after, and where the heap's top (its free
 * end) began; FALSE where the request failed. */
static gboolean
heap_grow (uintptr_t *before,
           uintptr_t *after,
           uintptr_t *top)
{
  struct mallinfo2 info = mallinfo2 ();
  /* volatile: the compiler would drop an allocation nothing reads. */
  void *volatile probe;

  if (mallopt (M_TOP_PAD, DM_CLI_HEAP_RESERVE) != 1)
    return FALSE;
  *before = (uintptr_t) sbrk (0);
  probe = malloc (info.keepcost + 1);
  *after = (uintptr_t) sbrk (0);
  *top = (uintptr_t) probe;
  /* The freed probe returns to the top, which glibc trims down to the
   * pad, the reserve, not below. */
  free (probe);
  mallopt (M_TOP_PAD, HEAP_DEFAULT_TOP_PAD);
  return probe != NULL;
}

/* The heap grows from its top up, and the top begins anywhere in a huge
 * page's span: below the first whole one, up to 2 MiB would be served in
 * ordinary pages, 1 MiB on average, 256 page faults. An allocation up to
 * the boundary moves the top there. It is never freed: only its first
 * page is ever touched. */
static void
heap_skip_to (uintptr_t top,
              uintptr_t boundary)
{
  void *volatile padding;

  if (boundary > top)
    {
      padding = malloc (boundary - top);
      (void) padding;
    }
}
#endif

/**
 * dm_cli_heap_prefer_huge_pages:
 *
 * Backs the next %DM_CLI_HEAP_RESERVE bytes of the heap with transparent
 * huge pages: a run's allocations, up to that much, come from there. Call
 * it first thing in main(): allocations made before come from ordinary
 * pages. It changes no allocation's contents and fails without harm: the
 * heap then grows as glibc grows it by itself.
 *
 * Returns: what was done.
 */
DmCliHeap
dm_cli_heap_prefer_huge_pages (void)
{
#if HEAP_CAN_PREFER_HUGE_PAGES
  uintptr_t before, after, top, start, end;

  if (!heap_set_policy ())
    return DM_CLI_HEAP_OTHER_MALLOC;
  if (!heap_grow (&before, &after, &top))
    return DM_CLI_HEAP_NO_ROOM;
  if (after <= before)
    return DM_CLI_HEAP_OTHER_MALLOC;
  /* Only whole huge pages can be huge. */
  start = (before + DM_CLI_HEAP_HUGE_PAGE - 1) & ~(uintptr_t) (DM_CLI_HEAP_HUGE_PAGE - 1);
  end = after & ~(uintptr_t) (DM_CLI_HEAP_HUGE_PAGE - 1);
  if (end <= start || madvise ((void *) start, end - start, MADV_HUGEPAGE) != 0)
    return DM_CLI_HEAP_NO_HUGE_PAGES;
  heap_skip_to (top, start);
  return DM_CLI_HEAP_HUGE;
#else
  return DM_CLI_HEAP_NOT_SUPPORTED;
#endif
}
