/* os.h - small wrappers over the OS calls every strategy needs. */
#ifndef ALLOCLAB_OS_H
#define ALLOCLAB_OS_H

#include <stddef.h>
#include <stdint.h>

#include "../allocator.h"

size_t os_page_size(void);
/* Anonymous private read-write mapping, or NULL (errno set). */
void *os_map(size_t size);
/* As os_map, but the start is aligned to `align` (a power of two). */
void *os_map_aligned(size_t size, size_t align);
void os_unmap(void *p, size_t size);
/* mremap(MREMAP_MAYMOVE): the pages move with the mapping; NULL with errno. */
void *os_remap(void *p, size_t old_size, size_t new_size);
/* Every heap strategy maps its memory through these three: alloclab check
 * counts what they map (support/ledger.h), and a block handed out outside
 * it is a violation. */
/* Apply the THP choice to a mapping; THP_DEFAULT leaves it alone. */
int os_advise_thp(void *p, size_t size, enum thp_mode thp);
uint64_t os_now_ns(void);
static inline size_t round_up(size_t n, size_t align) { return (n + align - 1) & ~(align - 1); }
/* A file or folder of the project (plots/, workloads/traces/): from the
 * current folder, or beside the build folder holding this program.
 * 0 and out filled, or -1. */
int os_project_path(const char *relative, char *out, size_t len);

#endif
