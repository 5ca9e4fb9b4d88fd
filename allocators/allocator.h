/*
 * allocator.h - the one interface every alloclab strategy fills in.
 *
 * A strategy is one .c file in allocators/ that defines
 *
 *     const struct allocator allocator_<file name> = { ... };
 *
 * The Makefile generates the registry from the folder, so adding a file adds a
 * strategy and nothing else is edited.
 *
 * Two services, either or both:
 *
 *   heap service   alloc(size) / free(ptr, size) / realloc(ptr, old, new).
 *                  The caller always passes the size at free, as a sized
 *                  deallocation API would; strategies may rely on it.
 *
 *   copy service   a private, writable view of a data set: reads see the data,
 *                  a write is seen only by the view's owner. A strategy with a
 *                  heap and no copy functions gets the eager copy for free
 *                  (a block from its own heap + memcpy, see view.c); the
 *                  copy-on-write strategies fill the copy functions themselves
 *                  and have no heap.
 *
 * Options: a strategy declares them as a table (struct param, support/params.h)
 * in its own file; shared code parses "key=value,..." against it, refuses
 * what it does not know with one line, lists it (list --verbose) and hands
 * create() every value, defaults filled in: cfg->opt[i] is entry i's value.
 *
 * Every instance reports its own counters (struct alloc_counters). The caller
 * fills them with NA first; a strategy sets only what it measures, so what it
 * cannot measure reads NA, never 0.
 *
 * As a program's malloc (build/liballoclab.so, preload/preload.c), three
 * optional parts decide what the library adds to each call:
 *
 *   fork          its own fork handlers; without them the library holds one
 *                 process-wide rwlock around every call instead.
 *   usable_size   the block's size from its pointer; with alloc_aligned too,
 *   alloc_aligned the library adds no header, and free(ptr) is the
 *                 strategy's free(ptr, 0). Without them every block carries
 *                 a 16-byte header holding its size.
 */
#ifndef ALLOCLAB_ALLOCATOR_H
#define ALLOCLAB_ALLOCATOR_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "support/params.h"

/* "Not measured": the one representation from a strategy's counters to the
 * CSV files, where it is written NA. Never 0. */
#define NA ((double)NAN)
static inline bool is_na(double v) { return isnan(v); }

#define ALLOC_ERR_LEN 256
/* The page every figure counts in (pages written, copied, faults per page).
 * The runner refuses to start on a machine whose page size differs. */
#define PAGE_BYTES 4096
#define ALLOC_ALIGN 16 /* every heap strategy returns 16-byte aligned memory */
/* Requests above this are refused with ENOMEM by every heap strategy: no lab
 * machine has a terabyte to give, and size arithmetic near SIZE_MAX overflows. */
#define ALLOC_MAX_REQUEST ((size_t)1 << 40)

enum worker_model {
    MODEL_THREADS,   /* workers are threads of one process */
    MODEL_PROCESSES, /* workers are forked children (fork_cow needs this) */
};

enum thp_mode {
    THP_DEFAULT, /* leave the system's transparent huge page policy alone */
    THP_NEVER,   /* madvise(MADV_NOHUGEPAGE) on the strategy's data mappings */
    THP_ALWAYS,  /* madvise(MADV_HUGEPAGE) */
};

struct alloc_config {
    enum thp_mode thp;
    /* The untimed memory pass (a cell's warm-up, the grader's checked pass):
     * a heap may sample figures whose sampling costs calls in its fast path
     * (a library's reserved bytes: mallinfo2 walks glibc's bins). Off in
     * every timed phase, where such a heap reports those figures NA. */
    bool sample_memory;
    union param_value opt[PARAM_MAX]; /* the strategy's options, in its table's order */
};

/* Whole numbers held as doubles (exact below 2^53) so that NA is one value. */
struct alloc_counters {
    double bytes_live;          /* requested bytes currently allocated */
    double bytes_live_peak;
    double bytes_reserved;      /* bytes currently obtained from the OS */
    double bytes_reserved_peak;
    double lock_contended;      /* lock acquisitions that had to wait */
    double pages_copied;        /* data pages copied for views */
    double copy_fallbacks;      /* COW fallbacks taken (see mprotect_cow) */
};

/* A data set: memory the strategy maps, the caller fills once, then seals.
 * Views of it are taken after sealing. */
struct dataset {
    void *base;
    size_t size;
    void *impl; /* strategy's own bookkeeping */
};

/* One worker's private view of a data set. */
struct view {
    void *addr;
    size_t size;
    void *impl;
};

/* A free block as a strategy lists it (free_blocks): its whole extent. */
struct heap_block {
    const void *addr;
    size_t size;
};

/* Promises a strategy makes, which the tests hold it to. */
#define ALLOC_RETURNS_MEMORY 1u /* an emptied arena/block goes back to the OS at once */
/* Its memory is a library's own heap (the C library's, or a reference
 * allocator's), not mapped through support/os.h: the grader cannot count it
 * and takes the strategy's own figure (every other heap maps through os_map,
 * as the grader checks). */
#define ALLOC_LIBRARY_HEAP 2u
/* An allocator users install instead (jemalloc, mimalloc, tcmalloc): run in
 * every heap result to compare with, never in the copy workloads, where its
 * eager copy would only repeat system_malloc's. */
#define ALLOC_REFERENCE 4u
/* A malloc built to be a process's own (glibc's, jemalloc, mimalloc,
 * tcmalloc): a call into it may call the process's malloc again (its
 * library calling the C library, which allocates) and it copes, as it must
 * when it is the process's malloc. liballoclab.so then calls it as it is,
 * without marking the thread as inside it (a thread-local flag set and
 * cleared around every call, which sends such calls to its side heap). */
#define ALLOC_REENTRANT 8u

/* A heap's own fork safety (struct allocator's fork). fork() copies the heap
 * as it is at that instant: a lock another thread holds then stays locked
 * in the child, whose only thread is the one that forked. liballoclab.so
 * registers these with pthread_atfork and calls them with the instance:
 *   prepare  take every lock of the heap (any thread may be inside it);
 *   parent   release them;
 *   child    make them usable again: reinitialise them, nobody else is left.
 * A member left NULL has nothing to do: a heap on a library that looks after
 * fork itself (see system_malloc.c, jemalloc.c, mimalloc.c, tcmalloc.c) has
 * all three NULL. A strategy with no struct at all is made fork-safe by
 * liballoclab.so's one process-wide rwlock: a read share around every call,
 * the writer's side in fork's prepare. */
struct alloc_fork {
    void (*prepare)(void *self);
    void (*parent)(void *self);
    void (*child)(void *self);
};

/* A heap that is a malloc-style library's own calls: its entry points, as
 * a program calls them (allocator.library_calls). */
struct library_calls {
    void *(*alloc)(size_t size);          /* 0 < size <= ALLOC_MAX_REQUEST */
    void (*free)(void *ptr, size_t size); /* the size the block was asked with */
};

struct allocator {
    const char *name;
    const char *summary;          /* one line, shown by `alloclab list` */
    enum worker_model model;      /* the worker model the copy service needs */
    unsigned promises;            /* ALLOC_RETURNS_MEMORY, ... */
    const struct param *options;  /* NULL-name-terminated table; NULL: none */

    /* optional: NULL when the strategy can run here, else why not, with the
     * one command that fixes it (a library not installed, say). Its cells
     * are then recorded `unavailable`; nothing else is refused. */
    const char *(*unavailable)(void);

    /* lifecycle: create returns the instance state or NULL with err filled */
    void *(*create)(const struct alloc_config *cfg, char err[ALLOC_ERR_LEN]);
    void (*destroy)(void *self);

    /* heap service; alloc NULL = no heap. size 0 or absurd -> NULL, ENOMEM */
    void *(*alloc)(void *self, size_t size);
    void (*free)(void *self, void *ptr, size_t size);
    void *(*realloc)(void *self, void *ptr, size_t old_size, size_t new_size); /* optional */

    /* optional, both or neither: blocks whose size the heap can tell from
     * their address. usable_size: the bytes usable in a block it returned
     * (at least those asked; malloc_usable_size's answer). alloc_aligned: a
     * block of size bytes aligned to align (a power of two above
     * ALLOC_ALIGN). A strategy with them also takes size 0, "unknown", as
     * free's size and realloc's old_size: that is how liballoclab.so calls
     * it, adding no header, and it reads no counters, so such a call may
     * leave bytes_live as it was. An aligned block is freed that way only
     * (a sized free may take its size for a class it is not in: tcmalloc's
     * would). Everything else passes the size. */
    size_t (*usable_size)(void *self, const void *ptr);
    void *(*alloc_aligned)(void *self, size_t align, size_t size);

    /* optional: where an instance is nothing but a library's calls (it
     * counts nothing: a timed phase, see alloc_config.sample_memory), those
     * calls; false where it counts. The heap workloads' loops then call the
     * library directly, as a program would, and what the interface's
     * dispatch would add is no part of the library's time. */
    bool (*library_calls)(void *self, struct library_calls *out);

    /* optional: its own fork handlers (struct alloc_fork above) */
    const struct alloc_fork *fork;

    /* optional: how its users run a program on it, for the programs
     * workload's via=packaged: the library they preload (LD_PRELOAD), its
     * real path written to path, or "" for the C library's own malloc
     * (nothing preloaded). NULL, or why not (the library is missing). A
     * strategy without it (alloclab's own heaps) has no packaged form. */
    const char *(*packaged)(char *path, size_t len);

    /* copy service; all NULL = eager copy through the heap (view.c) */
    int (*data_create)(void *self, size_t size, struct dataset *out, char err[ALLOC_ERR_LEN]);
    int (*data_seal)(void *self, struct dataset *data, char err[ALLOC_ERR_LEN]);
    void (*data_destroy)(void *self, struct dataset *data);
    /* called in the worker itself: a thread, or the forked child */
    int (*view_open)(void *self, const struct dataset *data, struct view *out, char err[ALLOC_ERR_LEN]);
    double (*view_pages_copied)(void *self, const struct view *view); /* NA if it cannot say */
    void (*view_close)(void *self, struct view *view);

    /* out arrives filled with NA: set what is measured (optional) */
    void (*counters)(void *self, struct alloc_counters *out);

    /* optional: the free blocks, in the order the strategy searches them
     * (alloclab step shows them and asks which one a request will take);
     * how many were written, at most max */
    int (*free_blocks)(void *self, struct heap_block *out, int max);

    /* optional: the heap's own consistency check (CS:APP's mm_checkheap):
     * walk the free lists and blocks, and say what is wrong. alloclab check
     * --debug calls it after every operation. 0, or -1 with why filled. */
    int (*check_heap)(void *self, char *why, size_t len);
};

/* The registry, generated by the Makefile from the .c files in allocators/. */
extern const struct allocator *const allocator_registry[];
const struct allocator *allocator_find(const char *name);
static inline bool allocator_has_heap(const struct allocator *a) { return a->alloc != NULL; }
/* Served by liballoclab.so without a header: its blocks' sizes come from their addresses. */
static inline bool allocator_headerless(const struct allocator *a)
{
    return a->usable_size && a->alloc_aligned;
}
/* NULL, or why the strategy cannot run on this machine */
static inline const char *allocator_unavailable(const struct allocator *a)
{
    return a->unavailable ? a->unavailable() : NULL;
}

/* Parse "key=value,..." against a's option table, defaults for the rest;
 * 0, or -1 with a one-line err. */
int alloc_config_parse(const struct allocator *a, const char *options, enum thp_mode thp,
                       struct alloc_config *cfg, char err[ALLOC_ERR_LEN]);
/* alloc_config_parse + create: the one way an instance is made. NULL with err. */
void *alloc_create(const struct allocator *a, const char *options, enum thp_mode thp, char err[ALLOC_ERR_LEN]);
/* The same for an untimed memory pass (alloc_config.sample_memory): the
 * grader's checked replay, the tests of a heap's counters. */
void *alloc_create_memory_pass(const struct allocator *a, const char *options, enum thp_mode thp,
                               char err[ALLOC_ERR_LEN]);
/* The counters, NA wherever the strategy measures nothing. */
void alloc_counters_read(const struct allocator *a, void *self, struct alloc_counters *out);

/* The copy service of any strategy: its own functions, or the eager copy. */
int data_create(const struct allocator *a, void *self, size_t size, enum thp_mode thp,
                struct dataset *out, char err[ALLOC_ERR_LEN]);
int data_seal(const struct allocator *a, void *self, struct dataset *data, char err[ALLOC_ERR_LEN]);
void data_destroy(const struct allocator *a, void *self, struct dataset *data);
int view_open(const struct allocator *a, void *self, const struct dataset *data,
              struct view *out, char err[ALLOC_ERR_LEN]);
double view_pages_copied(const struct allocator *a, void *self, const struct view *view);
void view_close(const struct allocator *a, void *self, struct view *view);

#endif
