/* The dm command's heap (dm_cli_heap_prefer_huge_pages): after the call,
 * small and large allocations, the main thread's and a worker thread's,
 * sit in one mapping of the program break that the kernel was advised to
 * back with huge pages (VmFlags "hg" in /proc/self/smaps), and that
 * mapping holds the reserve.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#if defined(__GLIBC__)    /* defined by any libc header, stdio.h above */
#include <malloc.h> /* mallinfo2 */
#endif
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "dm-cli-heap.h"

/* The heap's state, set by main() before anything else runs. */
typedef struct
{
  DmCliHeap result;
} HeapState;

/* The mapping of /proc/self/smaps that holds an address. */
typedef struct
{
  guintptr  start;
  guintptr  end;
  char     *flags;          /* its VmFlags */
  guint64   anon_huge_kb;   /* its AnonHugePages */
} Mapping;

static void
mapping_clear (Mapping *mapping)
{
  g_clear_pointer (&mapping->flags, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Mapping, mapping_clear)

/* Each mapping in smaps is a range line ("start-end perms …") followed by
 * "Key: value" lines, VmFlags last. */
static gboolean
find_mapping (gconstpointer  address,
              Mapping       *mapping)
{
  g_autofree char *smaps = NULL;
  g_auto(GStrv) lines = NULL;
  guintptr wanted = (guintptr) address;
  gboolean inside = FALSE;

  g_assert_true (g_file_get_contents ("/proc/self/smaps", &smaps, NULL, NULL));
  lines = g_strsplit (smaps, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    {
      guint64 start, end;

      if (sscanf (*line, "%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x", &start, &end) == 2)
        {
          inside = start <= wanted && wanted < end;
          if (inside)
            {
              mapping->start = start;
              mapping->end = end;
            }
        }
      else if (inside && g_str_has_prefix (*line, "AnonHugePages:"))
        mapping->anon_huge_kb = g_ascii_strtoull (*line + strlen ("AnonHugePages:"), NULL, 10);
      else if (inside && g_str_has_prefix (*line, "VmFlags:"))
        {
          mapping->flags = g_strdup (*line + strlen ("VmFlags:"));
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
has_flag (const char *flags,
          const char *flag)
{
  g_auto(GStrv) each = g_strsplit_set (flags, " ", -1);

  return g_strv_contains ((const char * const *) each, flag);
}

/* Whether the heap was advised; otherwise the test is skipped, saying why. */
static gboolean
heap_is_advised (const HeapState *state)
{
  switch (state->result)
    {
    case DM_CLI_HEAP_HUGE:
      return TRUE;
    case DM_CLI_HEAP_NOT_SUPPORTED:
      g_test_skip ("no mallopt() or MADV_HUGEPAGE in this build");
      return FALSE;
    case DM_CLI_HEAP_OTHER_MALLOC:
      g_test_skip ("malloc() is not glibc's on the program break (a sanitizer or valgrind)");
      return FALSE;
    case DM_CLI_HEAP_NO_ROOM:
      g_test_skip ("a limit on the address space leaves no room for the reserve");
      return FALSE;
    case DM_CLI_HEAP_NO_HUGE_PAGES:
    default:
      g_test_skip ("the kernel has no transparent huge pages");
      return FALSE;
    }
}

/* The advised mapping of the heap, found from an allocation of 8 MiB (an
 * array of a model's keys): it holds the reserve, and the allocation. */
static void
find_advised_heap (Mapping *mapping)
{
  gsize size = 8 << 20;
  g_autofree guint8 *block = g_malloc (size);

  memset (block, 0xa5, size);
  g_assert_true (find_mapping (block, mapping));
  g_test_message ("8 MiB at %p: mapping %" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER
                  "x, VmFlags%s, AnonHugePages %" G_GUINT64_FORMAT " kB",
                  block, (guint64) mapping->start, (guint64) mapping->end, mapping->flags,
                  mapping->anon_huge_kb);
  g_assert_true (has_flag (mapping->flags, "hg"));
  g_assert_cmpuint (mapping->end - mapping->start, >=,
                    DM_CLI_HEAP_RESERVE - 2 * DM_CLI_HEAP_HUGE_PAGE);
  g_assert_cmpuint ((guintptr) block + size, <=, mapping->end);
}

/* A model's many small objects: 4 MiB of them, of which all but those
 * served from chunks freed before sit in the advised mapping (not the
 * ordinary pages below its first huge page). */
static void
assert_small_ones_advised (const Mapping *heap)
{
  enum { COUNT = 20000, SIZE = 200 };
  g_autofree gpointer *small = g_new (gpointer, COUNT);
  guint inside = 0;

  for (guint i = 0; i < COUNT; i++)
    {
      small[i] = g_malloc (SIZE);
      memset (small[i], 0x5a, SIZE);
      inside += (guintptr) small[i] >= heap->start && (guintptr) small[i] + SIZE <= heap->end;
    }
  g_test_message ("%u of %u small allocations in the advised mapping", inside, COUNT);
  g_assert_cmpuint (inside, >=, COUNT - COUNT / 50);
  for (guint i = 0; i < COUNT; i++)
    g_free (small[i]);
}

static void
test_small_and_large (gconstpointer data)
{
  g_auto(Mapping) heap = { 0 };

  if (!heap_is_advised (data))
    return;
  find_advised_heap (&heap);
  assert_small_ones_advised (&heap);
}

static gpointer
allocate_in_thread (gpointer data)
{
  assert_small_ones_advised (data);
  return NULL;
}

/* A worker thread allocates from the same heap, not an arena of its own. */
static void
test_worker_thread (gconstpointer data)
{
  g_auto(Mapping) heap = { 0 };
  GThread *thread;

  if (!heap_is_advised (data))
    return;
  find_advised_heap (&heap);
  thread = g_thread_new ("heap-test", allocate_in_thread, &heap);
  g_thread_join (thread);
}

#if defined(__GLIBC__)
/* The process's private writable memory (VmData), in bytes. */
static guint64
data_size (void)
{
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, "\nVmData:");
  g_assert_nonnull (line);
  return g_ascii_strtoull (line + strlen ("\nVmData:"), NULL, 10) * 1024;
}

/* Where a limit on the address space (ulimit -d) leaves no room for a
 * reserve, the heap is left as glibc grows it by itself: allocations that
 * fit the limit still succeed, the next growth of the heap included. Run
 * in a subprocess: it lowers its own limit, and asks for a second reserve
 * above the first. */
static void
test_no_room (gconstpointer data)
{
  if (!heap_is_advised (data))
    return;
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  struct rlimit limit;
  g_autofree guint8 *beyond = NULL;

  g_assert_cmpint (getrlimit (RLIMIT_DATA, &limit), ==, 0);
  limit.rlim_cur = data_size () + (64 << 20);
  g_assert_cmpint (setrlimit (RLIMIT_DATA, &limit), ==, 0);
  g_assert_cmpint (dm_cli_heap_prefer_huge_pages (), ==, DM_CLI_HEAP_NO_ROOM);
  /* Past the free top left of the first reserve: the heap grows by what
   * the request needs, within the limit. */
  beyond = malloc (mallinfo2 ().keepcost + (16 << 20));
  g_assert_nonnull (beyond);
  memset (beyond, 1, 16 << 20);
}
#endif

int
main (int argc, char **argv)
{
  static HeapState state;

  /* First, as in the dm command's main(). */
  state.result = dm_cli_heap_prefer_huge_pages ();
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/heap/small-and-large", &state, test_small_and_large);
  g_test_add_data_func ("/heap/worker-thread", &state, test_worker_thread);
#if defined(__GLIBC__)
  g_test_add_data_func ("/heap/no-room", &state, test_no_room);
#endif
  return g_test_run ();
}
