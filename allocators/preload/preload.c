/*
 * liballoclab.so - any heap strategy as the malloc of an unmodified program:
 *
 *     ALLOCLAB_STRATEGY=block_suballoc [ALLOCLAB_OPTIONS=k=v,...] \
 *         LD_PRELOAD=build/liballoclab.so sort big.txt
 *
 * What it adds to a call depends on what the strategy declares
 * (allocator.h):
 *
 *   headerless  a strategy that tells a block's size from its address
 *               (usable_size, alloc_aligned: system_malloc and the reference
 *               allocators) is called as it is: malloc(n) is alloc(n),
 *               free(p) is free(p, 0), aligned requests go to alloc_aligned;
 *               one that copes with being re-entered (ALLOC_REENTRANT: the
 *               same four) is not even marked as entered.
 *   header      any other gets a 16-byte header before each block: the bytes
 *               asked of it (its sized free needs them back; programs never
 *               say) and the distance back to its block (alignments over 16
 *               are served from a larger block).
 *
 *   own fork    a strategy with fork hooks gets them called around fork()
 *               (pthread_atfork), and nothing around its calls.
 *   global lock any other runs every call under a read share of one
 *               process-wide rwlock, which fork's prepare takes as writer:
 *               no thread is inside the strategy while the address space is
 *               copied, at the price of an atomic pair per call.
 *
 * Calls made before the strategy is ready, and any made from inside it (its
 * helpers, dlopen, the C library it calls), go to the side heap (side.h),
 * whose blocks free() knows by their address: no recursion, and no header
 * to read on the strategy's blocks.
 *
 * The strategies' objects are linked with their malloc renamed to
 * __libc_malloc (the Makefile's objcopy), so system_malloc is glibc itself
 * and a strategy's own bookkeeping never re-enters this file.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "allocator.h"
#include "side.h"

#define HEADER 16

struct header {
    size_t request; /* bytes the block holds from its start */
    size_t offset;  /* pointer - block start, a multiple of 16 */
};

enum { UNSET, STARTING, READY };
static _Atomic int state = UNSET;
static const struct allocator *strategy;
static void *heap;
static int headerless;  /* no header: sizes come from the strategy */
static int global_lock; /* no fork hooks: every call holds a read share of `forking` */
/* headerless and no global lock: malloc and free call the strategy and
 * nothing else, marking the thread inside it (DIRECT) or, for a strategy
 * that copes with being re-entered, not even that (DIRECT_REENTRANT) */
enum { GENERAL, DIRECT, DIRECT_REENTRANT };
static _Atomic int direct; /* set once the strategy is ready (release): one load tells malloc both */
static void *(*alloc_fn)(void *self, size_t size);          /* strategy->alloc, one load nearer */
static void (*free_fn)(void *self, void *ptr, size_t size); /* strategy->free */
static pthread_rwlock_t forking = PTHREAD_RWLOCK_INITIALIZER;
/* this thread is inside the strategy (or starting it): serve from the side heap */
static __thread int inside __attribute__((tls_model("initial-exec")));
/* glibc's malloc_usable_size, which this library's own hides (system_malloc's usable_size) */
static size_t (*libc_usable)(void *);

__attribute__((visibility("hidden"))) size_t alloclab_libc_usable_size(void *p) { return libc_usable(p); }

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

/* ---- fork: the strategy's own hooks, or the global lock; then the side heap ---- */
static void fork_prepare(void)
{
    if (atomic_load(&state) == READY) {
        if (global_lock)
            pthread_rwlock_wrlock(&forking);
        else if (strategy->fork->prepare)
            strategy->fork->prepare(heap);
    }
    side_fork_prepare(); /* after the strategy's: a thread inside it may be waiting for the side heap */
}

static void fork_parent(void)
{
    side_fork_parent();
    if (atomic_load(&state) == READY) {
        if (global_lock)
            pthread_rwlock_unlock(&forking);
        else if (strategy->fork->parent)
            strategy->fork->parent(heap);
    }
}

/* the child's one thread has a new id, which no lock knows as its holder: every lock made anew */
static void fork_child(void)
{
    side_fork_child();
    if (atomic_load(&state) == READY) {
        if (global_lock)
            pthread_rwlock_init(&forking, NULL);
        else if (strategy->fork->child)
            strategy->fork->child(heap);
    }
}

/* ---- start: the strategy the environment names, or one line and exit 2 ---- */
static void start(void)
{
    int expected = UNSET;
    if (!atomic_compare_exchange_strong(&state, &expected, STARTING))
        return; /* another thread starts it; until then, the side heap serves */
    inside = 1;
    pthread_atfork(fork_prepare, fork_parent, fork_child);
    /* from libc itself: the next object in the search order may be another
     * malloc the program links (redis-server links jemalloc) */
    void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
    libc_usable = libc ? (size_t(*)(void *))dlsym(libc, "malloc_usable_size") : NULL;
    const char *name = getenv("ALLOCLAB_STRATEGY");
    if (!name || !*name)
        die("set ALLOCLAB_STRATEGY to a heap strategy (see: alloclab list)", NULL, NULL);
    strategy = allocator_find(name);
    if (!strategy)
        die("unknown strategy '", name, "' (see: alloclab list)");
    if (!allocator_has_heap(strategy))
        die(name, " has no heap: it cannot serve a program's malloc", NULL);
    if (!libc_usable)
        die("the C library's malloc_usable_size cannot be found", NULL, NULL);
    char err[ALLOC_ERR_LEN];
    heap = alloc_create(strategy, getenv("ALLOCLAB_OPTIONS"), THP_DEFAULT, err);
    if (!heap)
        die(strncmp(err, name, strlen(name)) ? name : "", strncmp(err, name, strlen(name)) ? ": " : "", err);
    headerless = allocator_headerless(strategy);
    global_lock = strategy->fork == NULL;
    alloc_fn = strategy->alloc;
    free_fn = strategy->free;
    inside = 0;
    atomic_store_explicit(&state, READY, memory_order_release);
    atomic_store_explicit(&direct,
                          !headerless || global_lock                 ? GENERAL
                          : strategy->promises & ALLOC_REENTRANT ? DIRECT_REENTRANT
                                                                 : DIRECT,
                          memory_order_release);
}

/* at load, so that a wrong name is said even by a program that never allocates */
__attribute__((constructor)) static void at_load(void)
{
    if (atomic_load(&state) == UNSET && !inside)
        start();
}

/* The strategy can serve this call. An acquire load is a plain load on
 * x86-64: no fence, no locked instruction. */
static inline int ready(void)
{
    if (__builtin_expect(atomic_load_explicit(&state, memory_order_acquire) == READY, 1))
        return !inside;
    if (!inside)
        start();
    return atomic_load(&state) == READY && !inside;
}

/* Into the strategy and back: marked inside (its own calls to malloc go to
 * the side heap), under the global lock's read share if it has no hooks. */
static inline int enter(void)
{
    int was = inside;
    inside = 1;
    if (global_lock)
        pthread_rwlock_rdlock(&forking);
    return was;
}

static inline void leave(int was)
{
    if (global_lock)
        pthread_rwlock_unlock(&forking);
    inside = was;
}

/* ---- blocks with a header (strategies that need the size at free) ---- */
static struct header *header_of(void *p) { return (struct header *)((char *)p - HEADER); }

static void *with_header(size_t size, size_t align)
{
    size_t lead = align > HEADER ? align : HEADER;
    size_t request = size + lead;
    char *block = strategy->alloc(heap, request);
    if (!block)
        return NULL;
    char *p = (char *)(((uintptr_t)block + HEADER + align - 1) & ~(uintptr_t)(align - 1));
    *header_of(p) = (struct header){.request = request, .offset = (size_t)(p - block)};
    return p;
}

/* ---- the entry points ---- */

/* size bytes aligned to align (a power of two, at least 16) */
static void *serve(size_t size, size_t align)
{
    if (size > ALLOC_MAX_REQUEST || align > ALLOC_MAX_REQUEST) {
        errno = ENOMEM;
        return NULL;
    }
    if (!ready())
        return side_alloc(size, align);
    int was = enter();
    void *p;
    if (!headerless)
        p = with_header(size, align);
    else if (align > ALLOC_ALIGN)
        p = strategy->alloc_aligned(heap, align, size ? size : 1);
    else
        p = strategy->alloc(heap, size ? size : 1);
    leave(was);
    return p;
}

/* malloc's body, by another name: GCC turns malloc followed by memset into
 * calloc, which calloc itself must not call */
static inline void *take(size_t size)
{
    int d = atomic_load_explicit(&direct, memory_order_acquire); /* a plain load on x86-64 */
    if (__builtin_expect(d == DIRECT_REENTRANT, 1))
        return alloc_fn(heap, size ? size : 1); /* size 0 still gets a block of its own */
    if (d == DIRECT && !inside) {
        inside = 1;
        void *p = alloc_fn(heap, size ? size : 1);
        inside = 0;
        return p;
    }
    return serve(size, ALLOC_ALIGN);
}

void *malloc(size_t size) { return take(size); }

/* a block of the strategy's back to it: as it is, or its header's block with the size */
static void give_back(void *p)
{
    int was = enter();
    if (headerless) {
        strategy->free(heap, p, 0);
    } else {
        struct header *h = header_of(p);
        strategy->free(heap, (char *)p - h->offset, h->request);
    }
    leave(was);
}

void free(void *p)
{
    if (side_owns(p)) {
        side_free(p);
        return;
    }
    if (!p)
        return;
    /* a block not the side heap's is the strategy's: it is ready */
    int d = atomic_load_explicit(&direct, memory_order_relaxed); /* set before the block was made */
    if (__builtin_expect(d == DIRECT_REENTRANT, 1)) {
        free_fn(heap, p, 0);
        return;
    }
    if (d == DIRECT) {
        int was = inside;
        inside = 1;
        free_fn(heap, p, 0);
        inside = was;
        return;
    }
    give_back(p);
}

size_t malloc_usable_size(void *p)
{
    if (!p)
        return 0;
    if (side_owns(p))
        return side_usable(p);
    if (!headerless)
        return header_of(p)->request - header_of(p)->offset;
    int was = enter();
    size_t n = strategy->usable_size(heap, p);
    leave(was);
    return n;
}

void *calloc(size_t n, size_t size)
{
    size_t bytes;
    if (__builtin_mul_overflow(n, size, &bytes)) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = take(bytes);
    if (p)
        memset(p, 0, bytes); /* a strategy's recycled block is not zero */
    return p;
}

/* the strategy's own realloc, which may grow a block in place; NULL when it failed, (void *)-1 when it cannot */
static void *strategy_realloc(void *p, size_t size)
{
    if (side_owns(p) || !strategy->realloc || size > ALLOC_MAX_REQUEST || !ready())
        return (void *)-1;
    if (!headerless && header_of(p)->offset != HEADER)
        return (void *)-1; /* aligned over 16: its block starts before the header */
    int was = enter();
    void *q;
    if (headerless) {
        q = strategy->realloc(heap, p, 0, size); /* the old size unknown */
    } else {
        char *block = strategy->realloc(heap, (char *)p - HEADER, header_of(p)->request, size + HEADER);
        if (block)
            *header_of(block + HEADER) = (struct header){.request = size + HEADER, .offset = HEADER};
        q = block ? block + HEADER : NULL;
    }
    leave(was);
    return q;
}

void *realloc(void *p, size_t size)
{
    if (!p)
        return malloc(size);
    if (size == 0) {
        free(p);
        return NULL;
    }
    size_t have = malloc_usable_size(p);
    if (size <= have && size >= have / 2)
        return p; /* fits, and does not waste half */
    void *q = strategy_realloc(p, size);
    if (q != (void *)-1)
        return q; /* moved or grown by the strategy, or NULL with the old block intact */
    q = malloc(size);
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
    void *p = serve(size, align < ALLOC_ALIGN ? ALLOC_ALIGN : align);
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
    return serve(size, align < ALLOC_ALIGN ? ALLOC_ALIGN : align);
}

void *memalign(size_t align, size_t size)
{
    if (align > ALLOC_MAX_REQUEST) { /* no block could honour it */
        errno = EINVAL;
        return NULL;
    }
    size_t a = ALLOC_ALIGN;
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
