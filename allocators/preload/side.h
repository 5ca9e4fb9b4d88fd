/*
 * side.h - liballoclab.so's side heap: blocks for the calls the strategy
 * cannot serve, those made before it is ready (the dynamic loader, other
 * libraries' constructors, the library's own start) and those made from
 * inside it (its helpers, the C library functions it calls, dlopen).
 *
 * Its blocks live in one range of reserved address space, so that free()
 * tells them from the strategy's by their address alone: one subtraction
 * and one comparison, with no header to read on a strategy's block. A
 * 16-byte header before each side block holds its size class and its
 * offset into the block (for alignments over 16).
 *
 * The range is reserved (PROT_NONE, nothing committed) at the first side
 * allocation and made writable a megabyte at a time as it is used. What
 * goes there is small: the loader's and a few helpers' bookkeeping. If it
 * ever fills, a side allocation fails with ENOMEM.
 */
#ifndef ALLOCLAB_PRELOAD_SIDE_H
#define ALLOCLAB_PRELOAD_SIDE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIDE_SPAN ((uintptr_t)1 << 30) /* address space, not memory */

/* inside liballoclab.so only: reached without the GOT or the PLT */
#define SIDE_HIDDEN __attribute__((visibility("hidden")))

/* the range's start; until it is reserved, a start no user pointer is within SIDE_SPAN of */
extern SIDE_HIDDEN _Atomic uintptr_t side_base;

static inline bool side_owns(const void *p)
{
    /* a relaxed load is a plain load: no fence, no locked instruction */
    return (uintptr_t)p - atomic_load_explicit(&side_base, memory_order_relaxed) < SIDE_SPAN;
}

/* size bytes aligned to align (a power of two, at least 16); NULL with ENOMEM */
SIDE_HIDDEN void *side_alloc(size_t size, size_t align);
SIDE_HIDDEN void side_free(void *p);
SIDE_HIDDEN size_t side_usable(const void *p);

/* fork(): its one lock held across it, and made anew in the child */
SIDE_HIDDEN void side_fork_prepare(void);
SIDE_HIDDEN void side_fork_parent(void);
SIDE_HIDDEN void side_fork_child(void);

#endif
