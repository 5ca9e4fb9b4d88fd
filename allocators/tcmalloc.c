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
 */
#include <string.h>

#include "allocator.h"
#include "support/dynlib.h"
#include "support/libheap.h"
#include "support/os.h"

static struct {
    void *(*malloc)(size_t size);
    void (*free_sized)(void *ptr, size_t size);
    int (*property)(const char *name, size_t *value);
} tc;

static struct dynlib lib = {
    .soname = "libtcmalloc_minimal.so.4",
    .package = "libtcmalloc-minimal4",
    .symbols = (const struct dynsym[]){{"tc_malloc", (void **)&tc.malloc},
                                       {"tc_free_sized", (void **)&tc.free_sized},
                                       {"MallocExtension_GetNumericProperty", (void **)&tc.property},
                                       {NULL, NULL}},
};

static void *tc_alloc(size_t size) { return tc.malloc(round_up(size, ALLOC_ALIGN)); }
static void tc_free(void *ptr, size_t size) { tc.free_sized(ptr, round_up(size, ALLOC_ALIGN)); }
/* Not tc_realloc: it keeps a block in place when the new size fits its
 * class, and the sized free that follows would then name the wrong class
 * (tc_free_sized trusts the size it is given). */
static void *tc_resize(void *ptr, size_t old_size, size_t new_size)
{
    void *p = tc_alloc(new_size);
    if (p) {
        memcpy(p, ptr, old_size < new_size ? old_size : new_size);
        tc_free(ptr, old_size);
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
    .alloc = tc_alloc, .free = tc_free, .realloc = tc_resize, .reserved = tc_reserved};

static const char *tc_unavailable(void) { return dynlib_load(&lib); }

LIBHEAP_FUNCTIONS(tc_heap, ops)

const struct allocator allocator_tcmalloc = {
    .name = "tcmalloc",
    .summary = "reference: gperftools tcmalloc (libtcmalloc-minimal4) through tc_malloc/tc_free_sized; views are eager copies",
    .model = MODEL_THREADS,
    .promises = ALLOC_LIBRARY_HEAP | ALLOC_REFERENCE,
    .unavailable = tc_unavailable,
    .create = tc_heap_create,
    .destroy = libheap_destroy,
    .alloc = tc_heap_alloc,
    .free = tc_heap_free,
    .realloc = tc_heap_realloc,
    .counters = libheap_counters,
};
