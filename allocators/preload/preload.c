/*
 * liballoclab.so - any heap strategy as the malloc of an unmodified program:
 *
 *     ALLOCLAB_STRATEGY=block_suballoc [ALLOCLAB_OPTIONS=k=v,...] \
 *         LD_PRELOAD=build/liballoclab.so sort big.txt
 *
 * Every block carries a 16-byte header before the pointer the program gets:
 * the bytes asked of the strategy (its sized free needs them back; programs
 * never say) and the distance back to the strategy's block (alignments over
 * 16 are served from a larger block). Before the strategy is ready, and for
 * any call made from inside it (a strategy's own helpers, dlsym, the C
 * library), blocks come from the C library's own malloc (__libc_malloc),
 * tagged so that free() hands them back there: no recursion, no bootstrap
 * arena to run out of.
 *
 * The strategies' objects are linked with their malloc renamed to
 * __libc_malloc (the Makefile's objcopy), so system_malloc is glibc itself
 * and a strategy's own bookkeeping never re-enters this file.
 *
 * fork(): a strategy lock held by another thread would stay locked in the
 * child forever. Every call holds a reader's share of one rwlock; fork's
 * prepare handler takes it as writer, so no thread is inside a strategy while
 * the address space is copied. The price is one atomic pair per call.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "allocator.h"

extern void *__libc_malloc(size_t size);
extern void __libc_free(void *ptr);

#define HEADER 16
#define FROM_LIBC ((size_t)1) /* in header.offset: the block is the C library's */

struct header {
    size_t request; /* bytes the block holds from its start */
    size_t offset;  /* pointer - block start (a multiple of 16), | FROM_LIBC */
};

enum { UNSET, STARTING, READY };
static _Atomic int state = UNSET;
static const struct allocator *strategy;
static void *heap;
static pthread_rwlock_t forking = PTHREAD_RWLOCK_INITIALIZER;
/* this thread is inside the strategy (or starting it): serve from libc */
static __thread int inside __attribute__((tls_model("initial-exec")));

static void say(const char *a, const char *b, const char *c)
{
    const char *parts[] = {"alloclab preload: ", a, b, c, "\n"};
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
        if (parts[i] && write(2, parts[i], strlen(parts[i])) < 0)
            break;
}

static void die(const char *a, const char *b, const char *c)
{
    say(a, b, c);
    _exit(2);
}

static void fork_prepare(void) { pthread_rwlock_wrlock(&forking); }
static void fork_parent(void) { pthread_rwlock_unlock(&forking); }
/* the child's thread has a new id, which the lock does not know as its writer */
static void fork_child(void) { pthread_rwlock_init(&forking, NULL); }

/* The strategy the environment names, or one line and exit 2. */
static void start(void)
{
    int expected = UNSET;
    if (!atomic_compare_exchange_strong(&state, &expected, STARTING))
        return; /* another thread starts it; until then, libc serves */
    inside = 1;
    const char *name = getenv("ALLOCLAB_STRATEGY");
    if (!name || !*name)
        die("set ALLOCLAB_STRATEGY to a heap strategy (see: alloclab list)", NULL, NULL);
    strategy = allocator_find(name);
    if (!strategy)
        die("unknown strategy '", name, "' (see: alloclab list)");
    if (!allocator_has_heap(strategy))
        die(name, " has no heap: it cannot serve a program's malloc", NULL);
    char err[ALLOC_ERR_LEN];
    heap = alloc_create(strategy, getenv("ALLOCLAB_OPTIONS"), THP_DEFAULT, err);
    if (!heap)
        die(strncmp(err, name, strlen(name)) ? name : "", strncmp(err, name, strlen(name)) ? ": " : "", err);
    pthread_atfork(fork_prepare, fork_parent, fork_child);
    inside = 0;
    atomic_store(&state, READY);
}

/* at load, so that a wrong name is said even by a program that never allocates */
__attribute__((constructor)) static void at_load(void)
{
    if (atomic_load(&state) == UNSET && !inside)
        start();
}

static int ready(void)
{
    if (__builtin_expect(atomic_load_explicit(&state, memory_order_acquire) == READY, 1))
        return !inside;
    if (!inside)
        start();
    return atomic_load(&state) == READY && !inside;
}

/* size bytes aligned to align (a power of two, at least 16), header before */
static void *serve(size_t size, size_t align)
{
    size_t lead = align > HEADER ? align : HEADER;
    if (size > ALLOC_MAX_REQUEST) {
        errno = ENOMEM;
        return NULL;
    }
    size_t request = size + lead;
    char *block;
    size_t tag = 0;
    if (ready()) {
        inside = 1;
        pthread_rwlock_rdlock(&forking);
        block = strategy->alloc(heap, request);
        pthread_rwlock_unlock(&forking);
        inside = 0;
    } else {
        block = __libc_malloc(request);
        tag = FROM_LIBC;
    }
    if (!block)
        return NULL;
    char *p = (char *)(((uintptr_t)block + HEADER + align - 1) & ~(uintptr_t)(align - 1));
    struct header *h = (struct header *)(p - HEADER);
    h->request = request;
    h->offset = (size_t)(p - block) | tag;
    return p;
}

static struct header *header_of(void *p) { return (struct header *)((char *)p - HEADER); }
static size_t usable(const struct header *h) { return h->request - (h->offset & ~FROM_LIBC); }

void free(void *p)
{
    if (!p)
        return;
    struct header *h = header_of(p);
    char *block = (char *)p - (h->offset & ~FROM_LIBC);
    if (h->offset & FROM_LIBC) {
        __libc_free(block);
        return;
    }
    int was_inside = inside;
    inside = 1;
    pthread_rwlock_rdlock(&forking);
    strategy->free(heap, block, h->request);
    pthread_rwlock_unlock(&forking);
    inside = was_inside;
}

void *malloc(size_t size) { return serve(size, HEADER); }

void *calloc(size_t n, size_t size)
{
    size_t bytes;
    if (__builtin_mul_overflow(n, size, &bytes)) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = serve(bytes, HEADER);
    if (p)
        memset(p, 0, bytes); /* a strategy's recycled block is not zero */
    return p;
}

void *realloc(void *p, size_t size)
{
    if (!p)
        return malloc(size);
    if (size == 0) {
        free(p);
        return NULL;
    }
    struct header *h = header_of(p);
    size_t have = usable(h);
    if (size <= have && size >= have / 2)
        return p; /* fits, and does not waste half */
    if (h->offset == HEADER && strategy->realloc && size <= ALLOC_MAX_REQUEST && ready()) {
        /* the strategy's own block at the default alignment: its realloc may grow it in place */
        inside = 1;
        pthread_rwlock_rdlock(&forking);
        char *block = strategy->realloc(heap, (char *)p - HEADER, h->request, size + HEADER);
        pthread_rwlock_unlock(&forking);
        inside = 0;
        if (!block)
            return NULL; /* the old block is intact */
        header_of(block + HEADER)->request = size + HEADER;
        header_of(block + HEADER)->offset = HEADER;
        return block + HEADER;
    }
    void *q = malloc(size);
    if (q) {
        memcpy(q, p, have < size ? have : size);
        free(p);
    }
    return q;
}

void *reallocarray(void *p, size_t n, size_t size)
{
    size_t bytes;
    if (__builtin_mul_overflow(n, size, &bytes)) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(p, bytes);
}

static int power_of_two(size_t x) { return x && !(x & (x - 1)); }

int posix_memalign(void **out, size_t align, size_t size)
{
    if (!power_of_two(align) || align % sizeof(void *))
        return EINVAL;
    void *p = serve(size, align < HEADER ? HEADER : align);
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}

void *aligned_alloc(size_t align, size_t size)
{
    if (!power_of_two(align)) {
        errno = EINVAL;
        return NULL;
    }
    return serve(size, align < HEADER ? HEADER : align);
}

void *memalign(size_t align, size_t size)
{
    if (align > ALLOC_MAX_REQUEST) { /* no block could honour it */
        errno = EINVAL;
        return NULL;
    }
    size_t a = HEADER;
    while (a < align) /* glibc rounds an alignment that is not a power of two up */
        a <<= 1;
    return serve(size, a);
}

void *valloc(size_t size) { return serve(size, (size_t)sysconf(_SC_PAGESIZE)); }

void *pvalloc(size_t size)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return serve((size + page - 1) & ~(page - 1), page);
}

size_t malloc_usable_size(void *p) { return p ? usable(header_of(p)) : 0; }
