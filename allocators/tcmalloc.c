/*
 * tcmalloc - Google's thread-caching allocator, gperftools' minimal build
 * (Debian's libtcmalloc-minimal4), reached through its own entry points:
 * tc_malloc, tc_free_sized (sized free: the interface always gives the
 * size). It does not replace the harness's malloc
 * (support/dynlib.h). Requests are rounded up to 16 bytes, alloclab's
 * alignment (tcmalloc's 8-byte class is 8-aligned).
 *
 * Bytes reserved: its own statistics, the page heap's size less what it has
 * given back to the OS ("generic.heap_size" less
 * "tcmalloc.pageheap_unmapped_bytes").
 *
 * In liballoclab.so: no header (tc_malloc_size, tc_memalign, tc_free without
 * the size) and no lock of alloclab's: gperftools registers pthread_atfork
 * handlers when it starts (the page heap's lock and every central free
 * list's, taken before fork and released on both sides), so its fork hooks
 * have nothing to do.
 */
#include <string.h>

#include "allocator.h"
#include "support/dynlib.h"
#include "support/libheap.h"
#include "support/os.h"

static struct {
    void *(*malloc)(size_t size);
    void (*free_sized)(void *ptr, size_t size);
    void (*free)(void *ptr);
    void *(*memalign)(size_t align, size_t size);
    size_t (*malloc_size)(void *ptr);
    int (*property)(const char *name, size_t *value);
} tc;

static struct dynlib lib = {
    .soname = "libtcmalloc_minimal.so.4",
    .package = "libtcmalloc-minimal4",
    .symbols = (const struct dynsym[]){{"tc_malloc", (void **)&tc.malloc},
                                       {"tc_free_sized", (void **)&tc.free_sized},
                                       {"tc_free", (void **)&tc.free},
                                       {"tc_memalign", (void **)&tc.memalign},
                                       {"tc_malloc_size", (void **)&tc.malloc_size},
                                       {"MallocExtension_GetNumericProperty", (void **)&tc.property},
                                       {NULL, NULL}},
};

static void *tc_alloc(size_t size) { return tc.malloc(round_up(size, ALLOC_ALIGN)); }
static void tc_release(void *ptr, size_t size)
{
    if (size)
        tc.free_sized(ptr, round_up(size, ALLOC_ALIGN));
    else
        tc.free(ptr);
}
static void *tc_aligned(size_t align, size_t size) { return tc.memalign(align, size); }
static size_t tc_usable(const void *ptr) { return tc.malloc_size((void *)ptr); }
/* Not tc_realloc: it keeps a block in place when the new size fits its
 * class, and the sized free that follows would then name the wrong class
 * (tc_free_sized trusts the size it is given). */
static void *tc_resize(void *ptr, size_t old_size, size_t new_size)
{
    size_t have = old_size ? old_size : tc_usable(ptr); /* 0: unknown (liballoclab.so) */
    void *p = tc_alloc(new_size);
    if (p) {
        memcpy(p, ptr, have < new_size ? have : new_size);
        /* sized only with the size asked: an aligned block's usable size can
         * name a small class its page-level span is not in */
        tc_release(ptr, old_size);
    }
    return p;
}
static int64_t tc_reserved(void)
{
    size_t heap = 0, unmapped = 0;
    if (!tc.property("generic.heap_size", &heap) || !tc.property("tcmalloc.pageheap_unmapped_bytes", &unmapped))
        return -1; /* not measured */
    return (int64_t)(heap - unmapped);
}

static const struct libheap_ops ops = {
    .alloc = tc_alloc, .free = tc_release, .realloc = tc_resize, .aligned = tc_aligned, .usable = tc_usable,
    .reserved = tc_reserved};

static const char *tc_unavailable(void) { return dynlib_load(&lib); }
static const char *tc_packaged(char *path, size_t len) { return dynlib_path(&lib, path, len); }

LIBHEAP_FUNCTIONS(tc_heap, ops)

static const struct alloc_fork own_handlers = {0}; /* gperftools' own atfork handlers (above) */

const struct allocator allocator_tcmalloc = {
    .name = "tcmalloc",
    .summary = "reference: gperftools tcmalloc (libtcmalloc-minimal4) through tc_malloc/tc_free_sized; views are eager copies",
    .model = MODEL_THREADS,
    .promises = ALLOC_LIBRARY_HEAP | ALLOC_REFERENCE | ALLOC_REENTRANT,
    .unavailable = tc_unavailable,
    .packaged = tc_packaged,
    .create = tc_heap_create,
    .destroy = libheap_destroy,
    .alloc = tc_heap_alloc,
    .free = tc_heap_free,
    .realloc = tc_heap_realloc,
    .usable_size = tc_heap_usable_size,
    .library_calls = tc_heap_library_calls,
    .alloc_aligned = tc_heap_alloc_aligned,
    .fork = &own_handlers,
    .counters = libheap_counters,
};
