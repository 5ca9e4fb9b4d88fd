/*
 * mimalloc - Microsoft's allocator (Debian's libmimalloc2.0), reached through
 * its own entry points: mi_malloc, mi_free_size (sized free: the interface
 * always gives the size), mi_realloc. It does not replace the harness's
 * malloc (support/dynlib.h). Requests are rounded up to 16 bytes, alloclab's
 * alignment (mimalloc's 8- and 24-byte classes are 8-aligned).
 *
 * Bytes reserved: its own statistics, the memory it has committed
 * (mi_process_info's current_commit), which it counts in whole segments.
 *
 * In liballoclab.so: no header (mi_usable_size, mi_malloc_aligned, mi_free
 * without the size) and no lock of alloclab's. mimalloc 2.0 registers no
 * fork handler and needs none: it takes no lock (Debian's 2.0.9 imports
 * neither pthread_mutex_lock nor pthread_atfork); its shared lists and
 * bitmaps are changed by atomic instructions, whole at every instant, so
 * the child's copy is consistent. Its fork hooks have nothing to do.
 */
#include "allocator.h"
#include "support/dynlib.h"
#include "support/libheap.h"
#include "support/os.h"

static struct {
    void *(*malloc)(size_t size);
    void (*free_size)(void *ptr, size_t size);
    void (*free)(void *ptr);
    void *(*malloc_aligned)(size_t size, size_t align);
    size_t (*usable_size)(const void *ptr);
    void *(*realloc)(void *ptr, size_t size);
    void (*process_info)(size_t *elapsed_ms, size_t *user_ms, size_t *system_ms, size_t *rss, size_t *peak_rss,
                         size_t *commit, size_t *peak_commit, size_t *page_faults);
} mi;

static struct dynlib lib = {
    .soname = "libmimalloc.so.2",
    .package = "libmimalloc2.0",
    .symbols = (const struct dynsym[]){{"mi_malloc", (void **)&mi.malloc},
                                       {"mi_free_size", (void **)&mi.free_size},
                                       {"mi_free", (void **)&mi.free},
                                       {"mi_malloc_aligned", (void **)&mi.malloc_aligned},
                                       {"mi_usable_size", (void **)&mi.usable_size},
                                       {"mi_realloc", (void **)&mi.realloc},
                                       {"mi_process_info", (void **)&mi.process_info},
                                       {NULL, NULL}},
};

static void *mi_alloc(size_t size) { return mi.malloc(round_up(size, ALLOC_ALIGN)); }
static void mi_release(void *ptr, size_t size)
{
    if (size)
        mi.free_size(ptr, round_up(size, ALLOC_ALIGN));
    else
        mi.free(ptr);
}
static void *mi_aligned(size_t align, size_t size) { return mi.malloc_aligned(size, align); }
static size_t mi_usable(const void *ptr) { return mi.usable_size(ptr); }
static void *mi_resize(void *ptr, size_t old_size, size_t new_size)
{
    (void)old_size;
    return mi.realloc(ptr, round_up(new_size, ALLOC_ALIGN));
}
static int64_t mi_reserved(void)
{
    size_t unused, commit = 0;
    mi.process_info(&unused, &unused, &unused, &unused, &unused, &commit, &unused, &unused);
    return (int64_t)commit;
}

static const struct libheap_ops ops = {
    .alloc = mi_alloc, .free = mi_release, .realloc = mi_resize, .aligned = mi_aligned, .usable = mi_usable,
    .reserved = mi_reserved};

static const char *mi_unavailable(void) { return dynlib_load(&lib); }
static const char *mi_packaged(char *path, size_t len) { return dynlib_path(&lib, path, len); }

LIBHEAP_FUNCTIONS(mi_heap, ops)

static const struct alloc_fork lock_free = {0}; /* no lock to hold across fork() (above) */

const struct allocator allocator_mimalloc = {
    .name = "mimalloc",
    .summary = "reference: mimalloc 2 (libmimalloc2.0) through mi_malloc/mi_free_size; views are eager copies",
    .model = MODEL_THREADS,
    .promises = ALLOC_LIBRARY_HEAP | ALLOC_REFERENCE | ALLOC_REENTRANT,
    .unavailable = mi_unavailable,
    .packaged = mi_packaged,
    .create = mi_heap_create,
    .destroy = libheap_destroy,
    .alloc = mi_heap_alloc,
    .free = mi_heap_free,
    .realloc = mi_heap_realloc,
    .usable_size = mi_heap_usable_size,
    .library_calls = mi_heap_library_calls,
    .alloc_aligned = mi_heap_alloc_aligned,
    .fork = &lock_free,
    .counters = libheap_counters,
};
