/* heaprec.h - a heap's blocks and mappings over a trace, recorded for
 * `alloclab heapmap` (and `step --map`), which draw them.
 *
 * A block is a bar: its address and size, from the operation that returned
 * it to the one that freed it (or moved it: a realloc that moves a block, or
 * changes its size, ends one bar and starts another). Times count
 * operations: a record [from, to) existed after operations from .. to-1.
 * Mappings are the ledger's (support/ledger.h: every heap that maps through
 * os.c), or for a heap on a library (ALLOC_LIBRARY_HEAP) the kernel's
 * mappings (/proc/self/maps) that held one of its blocks, read when a block
 * lands outside those known, every HEAPREC_VMA_EVERY operations and at the
 * moment kept. The recorder's own memory comes from mmap, never from the
 * heap it watches (the C library's, for system_malloc).
 */
#ifndef ALLOCLAB_HEAPREC_H
#define ALLOCLAB_HEAPREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "replay/replay.h"

#define HEAPREC_OPEN UINT32_MAX  /* a record's `to` while it lasts */
#define HEAPREC_VMA_EVERY 1024   /* a library heap's mappings are read again this often */
#define HEAPREC_SAMPLES 2000     /* utilisation samples over a trace, about */
#define HEAPREC_MAX_FREE 65536   /* free blocks listed at the moment kept */

struct hm_block {
    uintptr_t addr;
    size_t size; /* requested */
    uint32_t id, from, to;
};

struct hm_map {
    uintptr_t lo, hi;
    uint32_t from, to;
};

struct hm_sample {
    uint32_t op;
    double live, mapped; /* bytes; mapped NA where not known */
};

struct hm_array { /* a growing array in memory of its own (mmap) */
    void *p;
    size_t n, cap, elem;
};

struct heaprec {
    const struct allocator *a;
    void *self;
    bool ledger;           /* mappings from the ledger; else the kernel's */
    size_t num_ops, done;  /* the trace's operations; how many are recorded */
    size_t num_ids;
    struct hm_array blocks, maps, samples;
    struct hm_array open;  /* uint32_t: indices of the open mappings, by address */
    struct hm_array spare; /* scratch for the same */
    struct hm_array listed; /* struct ledger_range: what the ledger or the kernel lists now */
    uint32_t *open_block;  /* per id: its open block's index + 1; 0: none */
    double live, peak_live, peak_mapped; /* bytes; peak_mapped NA until known */
    uint64_t gen;          /* the ledger's generation when it was last listed */
    size_t stride;         /* a utilisation sample every stride operations */
    long at;               /* the operation whose moment is kept (-1: none) */
    struct heap_block *free_at; /* the strategy's free blocks then (free_blocks), sorted */
    int nfree_at;
    bool free_listed;      /* the strategy lists its free blocks */
};

#define HM_BLOCK(r, i) (&((struct hm_block *)(r)->blocks.p)[i])
#define HM_MAP(r, i) (&((struct hm_map *)(r)->maps.p)[i])
#define HM_SAMPLE(r, i) (&((struct hm_sample *)(r)->samples.p)[i])

/* Before the instance is created (an arena mapped up front is the heap's):
 * 0, or -1 out of memory. at: the operation to keep the moment of, or -1. */
int heaprec_init(struct heaprec *r, const struct allocator *a, const struct trace *t, long at);
/* The instance made: its first mappings. */
void heaprec_start(struct heaprec *r, void *self);
/* After operation k on id: its block before (NULL: none) and after (NULL:
 * freed or refused), and its size after. */
void heaprec_op(struct heaprec *r, size_t k, uint32_t id, const void *before, const void *after, size_t size);
/* Replay t on the instance, recording every operation (*watch: the
 * operation it is at, for a watcher in another process; may be NULL); the
 * blocks still live at the end are freed. */
void heaprec_replay(struct heaprec *r, const struct trace *t, volatile uint64_t *watch);
/* Stop counting mappings (the ledger closes); the records stay. */
void heaprec_stop(struct heaprec *r);
void heaprec_free(struct heaprec *r);

#endif
