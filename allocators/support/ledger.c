/*
 * ledger.c - the memory strategies map, as the driver counts it.
 *
 * alloclab check does not take a strategy's word for what it reserved: every
 * os_map and os_unmap (os.c) is written here while the ledger is open, so the
 * driver knows the bytes mapped now and at the peak, and which ranges a
 * strategy owns. A block handed out outside those ranges (past the end of an
 * arena, inside the driver's own memory) is a violation, caught when it is
 * handed out. Ranges are kept sorted; a partial unmap splits one.
 */
#include "ledger.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct range {
    uintptr_t lo, hi; /* [lo, hi) */
};

static struct {
    pthread_mutex_t lock;
    _Atomic bool open;
    struct range *r;
    size_t n, cap;
    size_t mapped, peak;
    bool overflow; /* out of memory for the ranges: ownership unknown */
    _Atomic uint64_t gen; /* moves at every change (ledger_generation) */
} L = {.lock = PTHREAD_MUTEX_INITIALIZER};

void ledger_open(void)
{
    pthread_mutex_lock(&L.lock);
    L.n = L.mapped = L.peak = 0;
    L.overflow = false;
    atomic_fetch_add(&L.gen, 1);
    atomic_store(&L.open, true);
    pthread_mutex_unlock(&L.lock);
}

void ledger_close(void)
{
    pthread_mutex_lock(&L.lock);
    atomic_store(&L.open, false);
    free(L.r);
    L.r = NULL;
    L.n = L.cap = 0;
    pthread_mutex_unlock(&L.lock);
}

bool ledger_is_open(void) { return atomic_load_explicit(&L.open, memory_order_relaxed); }

/* the first range whose hi is above addr */
static size_t first_above(uintptr_t addr)
{
    size_t lo = 0, hi = L.n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (L.r[mid].hi <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool insert_at(size_t i, struct range x)
{
    if (L.n == L.cap) {
        size_t cap = L.cap ? 2 * L.cap : 256;
        struct range *r = realloc(L.r, cap * sizeof *r);
        if (!r)
            return false;
        L.r = r;
        L.cap = cap;
    }
    memmove(&L.r[i + 1], &L.r[i], (L.n - i) * sizeof *L.r);
    L.r[i] = x;
    L.n++;
    return true;
}

void ledger_mapped(const void *p, size_t size)
{
    if (!ledger_is_open() || !p || !size)
        return;
    pthread_mutex_lock(&L.lock);
    struct range x = {(uintptr_t)p, (uintptr_t)p + size};
    if (!insert_at(first_above(x.lo), x))
        L.overflow = true;
    L.mapped += size;
    L.peak = L.mapped > L.peak ? L.mapped : L.peak;
    atomic_fetch_add(&L.gen, 1);
    pthread_mutex_unlock(&L.lock);
}

void ledger_unmapped(const void *p, size_t size)
{
    if (!ledger_is_open() || !p || !size)
        return;
    pthread_mutex_lock(&L.lock);
    atomic_fetch_add(&L.gen, 1);
    uintptr_t lo = (uintptr_t)p, hi = lo + size;
    for (size_t i = first_above(lo); i < L.n && L.r[i].lo < hi;) {
        struct range r = L.r[i];
        uintptr_t cut_lo = r.lo > lo ? r.lo : lo, cut_hi = r.hi < hi ? r.hi : hi;
        L.mapped -= cut_hi - cut_lo;
        if (r.lo < cut_lo && cut_hi < r.hi) { /* a hole in the middle: two ranges */
            L.r[i].hi = cut_lo;
            if (!insert_at(i + 1, (struct range){cut_hi, r.hi}))
                L.overflow = true;
            break;
        }
        if (r.lo < cut_lo) {
            L.r[i++].hi = cut_lo;
        } else if (cut_hi < r.hi) {
            L.r[i++].lo = cut_hi;
        } else {
            memmove(&L.r[i], &L.r[i + 1], (L.n - i - 1) * sizeof *L.r);
            L.n--;
        }
    }
    pthread_mutex_unlock(&L.lock);
}

enum ledger_owner ledger_owns(const void *p, size_t size)
{
    pthread_mutex_lock(&L.lock);
    uintptr_t lo = (uintptr_t)p, hi = lo + (size ? size : 1);
    size_t i = first_above(lo);
    bool owned = i < L.n && L.r[i].lo <= lo;
    /* adjacent ranges count as one: a strategy may map an arena right after another */
    uintptr_t end = owned ? L.r[i].hi : 0;
    while (owned && end < hi && i + 1 < L.n && L.r[i + 1].lo == end)
        end = L.r[++i].hi;
    enum ledger_owner owner = L.overflow ? LEDGER_UNKNOWN : owned && end >= hi ? LEDGER_OWNED : LEDGER_NOT_OWNED;
    pthread_mutex_unlock(&L.lock);
    return owner;
}

size_t ledger_peak(void)
{
    pthread_mutex_lock(&L.lock);
    size_t peak = L.peak;
    pthread_mutex_unlock(&L.lock);
    return peak;
}

size_t ledger_now(void)
{
    pthread_mutex_lock(&L.lock);
    size_t now = L.mapped;
    pthread_mutex_unlock(&L.lock);
    return now;
}

size_t ledger_list(struct ledger_range *out, size_t max)
{
    pthread_mutex_lock(&L.lock);
    size_t n = L.n;
    for (size_t i = 0; i < n && i < max; i++)
        out[i] = (struct ledger_range){L.r[i].lo, L.r[i].hi};
    pthread_mutex_unlock(&L.lock);
    return n;
}

uint64_t ledger_generation(void) { return atomic_load(&L.gen); }
