/* side.c - liballoclab.so's side heap (side.h): power-of-two size classes,
 * a free list each, carved from the reserved range by a bump pointer. Its
 * calls are rare (start-up, a strategy's helpers), so one mutex is enough. */
#include <errno.h>
#include <pthread.h>
#include <sys/mman.h>

#include "side.h"

#define SIDE_HEADER 16
#define SIDE_MIN_SHIFT 5 /* a 32-byte block: its header and 16 bytes */
#define SIDE_CLASSES 31  /* up to 2^30, the whole range */
#define SIDE_COMMIT ((size_t)1 << 20)

struct side_header {
    uint32_t cls;
    uint32_t unused;
    size_t offset; /* the pointer given out, less the block's start */
};

_Atomic uintptr_t side_base = (uintptr_t)0 - SIDE_SPAN;
static pthread_mutex_t side_lock = PTHREAD_MUTEX_INITIALIZER;
static char *bump, *writable, *end; /* carved up to bump, writable up to writable */
static void *free_list[SIDE_CLASSES];

/* the range, reserved once; 0, or -1 */
static int reserve(void)
{
    if (end)
        return 0;
    char *base = mmap(NULL, SIDE_SPAN, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED)
        return -1;
    bump = writable = base;
    end = base + SIDE_SPAN;
    atomic_store_explicit(&side_base, (uintptr_t)base, memory_order_release);
    return 0;
}

/* a never-used block of 2^cls bytes, or NULL (the range is full) */
static void *carve(int cls)
{
    size_t bytes = (size_t)1 << cls;
    if (reserve() != 0 || (size_t)(end - bump) < bytes)
        return NULL;
    if ((size_t)(writable - bump) < bytes) {
        size_t more = (bytes - (size_t)(writable - bump) + SIDE_COMMIT - 1) & ~(SIDE_COMMIT - 1);
        if (more > (size_t)(end - writable))
            more = (size_t)(end - writable);
        if (mprotect(writable, more, PROT_READ | PROT_WRITE) != 0)
            return NULL;
        writable += more;
    }
    void *block = bump;
    bump += bytes;
    return block;
}

void *side_alloc(size_t size, size_t align)
{
    size_t lead = align > SIDE_HEADER ? align : SIDE_HEADER;
    if (lead >= SIDE_SPAN || size > SIDE_SPAN - lead) {
        errno = ENOMEM;
        return NULL;
    }
    int cls = SIDE_MIN_SHIFT;
    while (((size_t)1 << cls) < size + lead)
        cls++;
    pthread_mutex_lock(&side_lock);
    char *block = free_list[cls];
    if (block)
        free_list[cls] = *(void **)block;
    else
        block = carve(cls);
    pthread_mutex_unlock(&side_lock);
    if (!block) {
        errno = ENOMEM;
        return NULL;
    }
    char *p = (char *)(((uintptr_t)block + SIDE_HEADER + align - 1) & ~(uintptr_t)(align - 1));
    struct side_header *h = (struct side_header *)(p - SIDE_HEADER);
    h->cls = (uint32_t)cls;
    h->offset = (size_t)(p - block);
    return p;
}

static const struct side_header *header_of(const void *p)
{
    return (const struct side_header *)((const char *)p - SIDE_HEADER);
}

void side_free(void *p)
{
    const struct side_header *h = header_of(p);
    void **block = (void **)((char *)p - h->offset);
    int cls = (int)h->cls;
    pthread_mutex_lock(&side_lock);
    *block = free_list[cls];
    free_list[cls] = block;
    pthread_mutex_unlock(&side_lock);
}

size_t side_usable(const void *p)
{
    const struct side_header *h = header_of(p);
    return ((size_t)1 << h->cls) - h->offset;
}

void side_fork_prepare(void) { pthread_mutex_lock(&side_lock); }
void side_fork_parent(void) { pthread_mutex_unlock(&side_lock); }
void side_fork_child(void) { pthread_mutex_init(&side_lock, NULL); }
