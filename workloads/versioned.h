/*
 * versioned.h - the shared object of the shared_object workload, and the
 * checks every read makes of it (tests/unit/test_shared_object.c tests that
 * they catch what they must).
 *
 * A version is a header and pairs of words. Each pair holds (v, ~v) for some
 * v: an edit rewrites a few pairs, so a reader that sees a pair half written
 * sees it break the rule (a torn read). The header's number counts the
 * edits; a reader notes it before reading and checks it after: an object
 * freed meanwhile is either poisoned (the magic is DEAD, set just before the
 * free) or already reused for another version (another number). A read holds
 * its object for its whole duration, so under a correct synchronization
 * neither ever happens.
 */
#ifndef ALLOCLAB_VERSIONED_H
#define ALLOCLAB_VERSIONED_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define VERSION_LIVE 0x4c495645564552ull /* "LIVEVER" */
#define VERSION_DEAD 0x44454144444541ull

struct version {
    _Atomic long refs;  /* sync=refcount: references held (the published pointer's included) */
    _Atomic uint64_t magic;
    _Atomic uint64_t number; /* edits so far */
    size_t bytes;       /* the whole allocation, header included */
    size_t pairs;
    uint64_t word[];    /* pairs: word[2j] = v, word[2j + 1] = ~v */
};

static inline size_t version_pairs(size_t bytes) { return (bytes - sizeof(struct version)) / (2 * sizeof(uint64_t)); }

/* A fresh object of `bytes` bytes (at least the header and one pair). */
static inline void version_init(struct version *v, size_t bytes, uint64_t seed)
{
    atomic_init(&v->refs, 1);
    atomic_init(&v->magic, VERSION_LIVE);
    atomic_init(&v->number, 0);
    v->bytes = bytes;
    v->pairs = version_pairs(bytes);
    for (size_t j = 0; j < v->pairs; j++) {
        uint64_t x = seed ^ (j * 0x9e3779b97f4a7c15ull);
        v->word[2 * j] = x;
        v->word[2 * j + 1] = ~x;
    }
}

/* An edit: `count` pairs from `first` (wrapping) get new values; the number
 * moves on. In place under a lock, or on a private copy before it is
 * published. The words are written one at a time, as any edit would be. */
static inline void version_edit(struct version *v, size_t first, size_t count)
{
    uint64_t n = atomic_load_explicit(&v->number, memory_order_relaxed) + 1;
    for (size_t k = 0; k < count; k++) {
        size_t j = (first + k) % v->pairs;
        volatile uint64_t *w = &v->word[2 * j];
        w[0] = n ^ j;
        w[1] = ~(n ^ j);
    }
    atomic_store_explicit(&v->number, n, memory_order_release);
}

/* Before a read: the number to check against afterwards. */
static inline uint64_t version_open(const struct version *v)
{
    return atomic_load_explicit(&((struct version *)v)->number, memory_order_acquire);
}

enum version_fault { VERSION_OK, VERSION_TORN, VERSION_FREED, VERSION_REPLACED };

/* Read `count` pairs from the pair picked by r (the read's work), then check
 * the object is still the one opened; what went wrong, if anything. */
static inline enum version_fault version_read(const struct version *v, uint64_t opened, uint64_t r, size_t count,
                                             uint64_t *sum)
{
    enum version_fault f = VERSION_OK;
    size_t pairs = v->pairs;
    for (size_t k = 0; k < count; k++) {
        size_t j = (size_t)((((r >> 16) & 0xffffffffu) * (uint64_t)pairs) >> 32);
        const volatile uint64_t *w = &v->word[2 * j];
        uint64_t a = w[0], b = w[1];
        *sum += a;
        if (a != ~b)
            f = VERSION_TORN;
        r = r * 6364136223846793005ull + 1442695040888963407ull;
    }
    if (atomic_load_explicit(&((struct version *)v)->magic, memory_order_acquire) != VERSION_LIVE)
        return VERSION_FREED;
    if (atomic_load_explicit(&((struct version *)v)->number, memory_order_acquire) != opened)
        return VERSION_REPLACED;
    return f;
}

/* Just before the object goes back to the heap. */
static inline void version_poison(struct version *v) { atomic_store_explicit(&v->magic, VERSION_DEAD, memory_order_release); }

#endif
