/*
 * mprotect_cow - copy-on-write done in user space, with threads.
 *
 * The data set lives in a memfd. A view is a second mapping of it, private
 * and read-only (MAP_PRIVATE, PROT_READ): reading costs nothing, the pages
 * are the data set's. The first write to a granule (4 KiB by default; option
 * granule=16k|64k) raises SIGSEGV with SEGV_ACCERR;
 * the handler makes the granule writable (mprotect) and write-faults each of
 * its pages, so that each is copied into a fresh private page, then returns,
 * and the write is retried and succeeds.
 *
 *   view:  [ RO alias | RW copy | RO alias ........ | RW copy | RO alias ]
 *                        ^ granule written once: copied before the handler returns
 *
 * Who moves the bytes: the kernel, inside the handler's own write fault on a
 * private mapping (the same copy a fork's child gets). What is user space:
 * deciding that a write is a first write, and to which view; how much to copy
 * (the granule); counting exactly what was copied; keeping the process under
 * vm.max_map_count; and doing all of it for threads that share one address
 * space, where fork cannot help. Measured on the 2-core VM (256 MiB, against
 * the kernel's fork COW fault; two threads each writing its own 64 MiB view):
 *
 *   the handler ...                                   1 thread   2 threads, us a page
 *                                                                all / every other
 *   mprotect + write fault (this design)                 1.5x     4.4 / 3.4
 *   mmap(MAP_PRIVATE|MAP_FIXED|MAP_POPULATE) over it     1.8x    10.1 / 6.2
 *   pwrite into a per-view memfd + mmap(MAP_FIXED) of it 2.0x     5.8 / 3.6
 *   memcpy into a pre-faulted page + mremap over it      3.1x
 *
 * The mmap designs place new memory with MAP_FIXED, which takes the process's
 * mmap lock for writing, and MAP_POPULATE copies under it: threads faulting at
 * once queue behind each other. mprotect holds the lock more briefly, and the
 * copy happens in a page fault, under the lock of one mapping only (given the
 * view its anonymous region up front: see map_view). (A plain anonymous mmap
 * + memcpy in place is wrong besides: another thread reads zeros until the
 * memcpy is done.)
 *
 * Getting it right:
 * - A granule made writable still shows the data set's bytes until somebody
 *   writes: another thread reading it meanwhile reads the right data, and one
 *   writing it gets its own write fault, which copies the page into the same
 *   private page. The touch is a compare-and-swap that stores what it finds,
 *   so it never undoes such a write. A state byte per granule (0 untouched,
 *   1 being copied, 2 copied), claimed with compare-and-swap, makes two
 *   threads faulting the same granule count exactly one copy: the loser waits
 *   for the winner and retries its write.
 * - Only async-signal-safe work in the handler: atomics, mprotect, mmap,
 *   pwrite, open/read/close, write. No malloc, no locks, no stdio; errno is
 *   saved and restored.
 * - A fault that is not ours (another address, or not a protection fault)
 *   goes to the handler that was installed before, or to the default action,
 *   so a real crash still crashes.
 * - vm.max_map_count: every copied granule that has no copied neighbour
 *   splits the view's mapping, and the default limit is 65,530 per process.
 *   The handler keeps a conservative count of the mappings it made and, when
 *   it nears the limit, reads the real count from /proc/self/maps; past the
 *   budget it copies the whole 2 MiB block around the fault (counted in
 *   copy_fallbacks), which becomes one mapping: the block is made read-only
 *   (writers wait), its current bytes (copies and originals alike) are
 *   written to the view's store, a sparse memfd, and the store's block is
 *   mapped over it. (Making the block writable in place would not do: copies
 *   made at different times belong to different anonymous regions, and the
 *   kernel will not merge their mappings.) If even that fails, the process stops with a one-line
 *   message rather than a crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "allocator.h"
#include "support/memfd_view.h"
#include "support/os.h"
#include "support/sigchain.h"
#include "support/viewtable.h"

#define PROMOTE_BLOCK ((size_t)2 << 20)
#define MAPS_HEADROOM 8192 /* mappings left for everything else in the process */
#define SPIN_LIMIT_FAULTS 100000

enum granule_state { UNTOUCHED = 0, COPYING = 1, COPIED = 2 };

struct mprotect_cow {
    size_t granule;
    enum thp_mode thp;
    _Atomic uint64_t pages_copied; /* over every view of this instance */
    _Atomic uint64_t fallbacks;
};

struct cow_view {
    int slot; /* in the view table */
    char *addr;
    size_t size, granule;
    _Atomic uint8_t *state;      /* one byte per granule */
    size_t nstate;
    _Atomic uint8_t *promoting;  /* one byte per PROMOTE_BLOCK */
    size_t nblocks;
    int store_fd;                /* promoted blocks only, at the view's offsets */
    _Atomic uint64_t copied; /* granules; the instance counts fallbacks */
    struct mprotect_cow *owner;
};

/* Process-wide: the views the handler knows, and the mapping budget. */
static struct view_table table;
static struct cow_view views[VIEW_TABLE_MAX]; /* slot i's view */
static struct sigchain chain; /* SIGSEGV: ours on top of the one found there */
static _Atomic long maps_estimate;
static _Atomic int views_open; /* with none open, create() recounts the estimate */
static long maps_limit = 65530;

/* ---- async-signal-safe helpers ---- */
static void say(const char *msg) { (void)!write(2, msg, strlen(msg)); }

static void cpu_relax(void) { __builtin_ia32_pause(); }

static int wait_until_copied(_Atomic uint8_t *state)
{
    for (long i = 0; atomic_load_explicit(state, memory_order_acquire) != COPIED; i++) {
        if (i > (1L << 30))
            return -1;
        cpu_relax();
    }
    return 0;
}

static void wait_while_promoting(_Atomic uint8_t *promoting)
{
    while (atomic_load(promoting))
        cpu_relax();
}

/* Copy granule g: writable in the view's private mapping, every page of it
 * write-faulted (and so copied by the kernel) before the handler returns. */
static int copy_granule(struct cow_view *v, size_t g)
{
    char *p = v->addr + g * v->granule;
    if (mprotect(p, v->granule, PROT_READ | PROT_WRITE) != 0)
        return -1;
    atomic_fetch_add(&maps_estimate, 2);
    memfd_view_touch(p, v->granule);
    return 0;
}

/* Copy the rest of the block around granule g and map the block as one. */
static int promote_block(struct cow_view *v, size_t g)
{
    size_t per_block = PROMOTE_BLOCK / v->granule;
    size_t b = g / per_block;
    uint8_t expected = 0;
    if (!atomic_compare_exchange_strong(&v->promoting[b], &expected, 1)) {
        /* another thread is promoting it: wait, then retry the write */
        wait_while_promoting(&v->promoting[b]);
        return 0;
    }
    size_t first = b * per_block;
    size_t last = first + per_block < v->nstate ? first + per_block : v->nstate;
    uint64_t claimed[PROMOTE_BLOCK / PAGE_BYTES / 64] = {0};
    uint64_t fresh = 0;
    int rc = 0;
    for (size_t i = first; i < last; i++) {
        uint8_t s;
        while ((s = UNTOUCHED, !atomic_compare_exchange_strong(&v->state[i], &s, COPYING)) && s != COPIED)
            cpu_relax(); /* a single-granule copy is in flight: it finishes */
        if (s == UNTOUCHED) {
            claimed[(i - first) / 64] |= (uint64_t)1 << ((i - first) % 64);
            fresh++;
        }
    }
    /* The block's current bytes, read through the view: the copies made
     * so far and the originals. Read-only first, so that no write to a copy
     * can slip in between the snapshot and the new mapping (a writer faults
     * and waits for promoting[b] to clear). */
    size_t off = first * v->granule, len = (last - first) * v->granule;
    if (mprotect(v->addr + off, len, PROT_READ) != 0)
        rc = -1;
    for (size_t done = 0; done < len && rc == 0;) {
        ssize_t n = pwrite(v->store_fd, v->addr + off + done, len - done, (off_t)(off + done));
        rc = n > 0 ? 0 : -1;
        done += n > 0 ? (size_t)n : 0;
    }
    if (rc == 0 && mmap(v->addr + off, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, v->store_fd, (off_t)off) ==
                       MAP_FAILED)
        rc = -1;
    if (rc == 0) {
        atomic_fetch_add(&maps_estimate, 2);
        atomic_fetch_add(&v->copied, fresh);
        atomic_fetch_add(&v->owner->pages_copied, fresh);
        atomic_fetch_add(&v->owner->fallbacks, 1);
    }
    for (size_t i = first; i < last; i++)
        if ((claimed[(i - first) / 64] >> ((i - first) % 64)) & 1)
            atomic_store_explicit(&v->state[i], rc == 0 ? COPIED : UNTOUCHED, memory_order_release);
    atomic_store(&v->promoting[b], 0);
    return rc;
}

static struct cow_view *view_at(const char *addr)
{
    int i = view_table_find(&table, addr);
    return i < 0 ? NULL : &views[i];
}

/* The real number of mappings, read with async-signal-safe calls only (so
 * create() uses it too). */
static long count_maps(void)
{
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    char buf[8192];
    long n = 0;
    ssize_t got;
    while ((got = read(fd, buf, sizeof buf)) > 0)
        for (ssize_t i = 0; i < got; i++)
            n += buf[i] == '\n';
    close(fd);
    return got < 0 ? -1 : n;
}

static int over_budget(void)
{
    if (atomic_load(&maps_estimate) + 2 <= maps_limit - MAPS_HEADROOM)
        return 0;
    /* the estimate only counts up, but neighbouring copies merge: look */
    long real = count_maps();
    if (real < 0)
        return 1;
    atomic_store(&maps_estimate, real);
    return real + 2 > maps_limit - 2 * MAPS_HEADROOM; /* hysteresis: no recount storm */
}

/* 0: the fault is handled, retry the write. -1: not ours or unrecoverable. */
static int handle_fault(struct cow_view *v, const char *addr)
{
    size_t g = (size_t)(addr - v->addr) / v->granule;
    _Atomic uint8_t *promoting = &v->promoting[g * v->granule / PROMOTE_BLOCK];
    if (atomic_load(promoting)) {
        /* its block is being copied whole (even a copied granule is
         * read-only meanwhile): the write succeeds once that is done */
        wait_while_promoting(promoting);
        return 0;
    }
    if (over_budget())
        return promote_block(v, g) == 0 || atomic_load(&v->state[g]) == COPIED ? 0 : -1;
    uint8_t s = UNTOUCHED;
    if (atomic_compare_exchange_strong(&v->state[g], &s, COPYING)) {
        if (copy_granule(v, g) != 0) {
            /* out of mappings or memory: fall back to a whole-block copy */
            atomic_store(&v->state[g], UNTOUCHED);
            return promote_block(v, g);
        }
        atomic_fetch_add(&v->copied, 1);
        atomic_fetch_add(&v->owner->pages_copied, 1);
        atomic_store_explicit(&v->state[g], COPIED, memory_order_release);
        return 0;
    }
    /* another thread's copy serves us too (it may be a block promotion) */
    if (wait_until_copied(&v->state[g]) != 0)
        return -1;
    wait_while_promoting(promoting);
    return 0;
}

static void on_segv(int sig, siginfo_t *info, void *context)
{
    (void)sig;
    int saved_errno = errno;
    struct cow_view *v = info->si_code == SEGV_ACCERR ? view_at(info->si_addr) : NULL;
    if (v && !sigchain_repeating(info->si_addr, SPIN_LIMIT_FAULTS)) {
        if (handle_fault(v, info->si_addr) != 0) {
            say("alloclab: mprotect_cow: cannot copy a page (out of memory or memory mappings); stopping\n");
            _exit(70);
        }
    } else
        sigchain_forward(&chain, info, context);
    errno = saved_errno;
}

/* ---- the interface ---- */
static int granule_ok(union param_value v, char *err, size_t len)
{
    if (v.n >= os_page_size() && !(v.n & (v.n - 1)))
        return 0;
    snprintf(err, len, "must be a power of two from %zu bytes to 2M", os_page_size());
    return -1;
}

enum { OPT_GRANULE, OPT_COUNT };
static const struct param mc_options[OPT_COUNT + 1] = {
    [OPT_GRANULE] = {.name = "granule", .type = PARAM_SIZE, .def = "4k", .min = PAGE_BYTES, .max = PROMOTE_BLOCK,
                     .check = granule_ok, .help = "bytes copied on a first write: 4k, 16k, 64k ... 2M"},
};

static void *mc_create(const struct alloc_config *cfg, char err[ALLOC_ERR_LEN])
{
    size_t granule = (size_t)cfg->opt[OPT_GRANULE].n;
    if (sigchain_install(&chain, SIGSEGV, on_segv, err) != 0)
        return NULL;
    FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
    if (f) {
        if (fscanf(f, "%ld", &maps_limit) != 1)
            maps_limit = 65530;
        fclose(f);
    }
    /* the mapping budget starts from a real count, taken here, outside any
     * timed phase; the handler recounts when its estimate nears the limit */
    if (atomic_load(&views_open) == 0) {
        long maps = count_maps();
        atomic_store(&maps_estimate, maps > 0 ? maps : 1000); /* unreadable: a guess on the safe side */
    }
    struct mprotect_cow *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, ALLOC_ERR_LEN, "out of memory");
        return NULL;
    }
    m->granule = granule;
    m->thp = cfg->thp;
    return m;
}

static void mc_destroy(void *self) { free(self); }

static int mc_data_create(void *self, size_t size, struct dataset *out, char err[ALLOC_ERR_LEN])
{
    struct mprotect_cow *m = self;
    /* as long as a view (granule-rounded): a copied tail granule is whole */
    return memfd_data_create(size, round_up(round_up(size, os_page_size()), m->granule), m->thp, out, err);
}

static int mc_data_seal(void *self, struct dataset *data, char err[ALLOC_ERR_LEN])
{
    (void)self;
    return memfd_data_seal(data, err);
}

static void mc_data_destroy(void *self, struct dataset *data)
{
    (void)self;
    memfd_data_destroy(data);
}

/* The view: private and read-only, its anonymous region made up front while
 * it is one mapping (memfd_view_map), so that the pieces later mprotects
 * split off share it. */
static int map_view(char *addr, size_t len, int fd)
{
    if (memfd_view_map(addr, len, fd) != 0)
        return -1;
    return mprotect(addr, len, PROT_READ);
}

static int mc_view_open(void *self, const struct dataset *data, struct view *out, char err[ALLOC_ERR_LEN])
{
    struct mprotect_cow *m = self;
    struct memfd_data *d = data->impl;
    size_t len = round_up(data->size, os_page_size());
    atomic_fetch_add(&views_open, 1);
    int slot = view_table_claim(&table);
    struct cow_view *v = slot < 0 ? NULL : &views[slot];
    if (!v) {
        snprintf(err, ALLOC_ERR_LEN, "more than %d mprotect_cow views open at once", VIEW_TABLE_MAX);
        atomic_fetch_sub(&views_open, 1);
        return -1;
    }
    v->granule = m->granule;
    v->size = data->size;
    v->owner = m;
    v->nstate = (len + m->granule - 1) / m->granule;
    v->nblocks = (len + PROMOTE_BLOCK - 1) / PROMOTE_BLOCK;
    atomic_store(&v->copied, 0);
    /* the view is granule-aligned so that promoted blocks line up */
    size_t maplen = round_up(len, m->granule);
    char *addr = os_map_aligned(maplen, m->granule);
    v->state = os_map(v->nstate + v->nblocks);
    v->store_fd = memfd_create("alloclab-view", MFD_CLOEXEC);
    if (!addr || !v->state || v->store_fd < 0 || ftruncate(v->store_fd, (off_t)maplen) != 0 ||
        map_view(addr, maplen, d->fd) != 0) {
        snprintf(err, ALLOC_ERR_LEN, "cannot map a %zu-byte view: %s", data->size, strerror(errno));
        os_unmap(addr, maplen);
        os_unmap((void *)v->state, v->nstate + v->nblocks);
        if (v->store_fd >= 0)
            close(v->store_fd);
        view_table_release(&table, slot);
        atomic_fetch_sub(&views_open, 1);
        return -1;
    }
    os_advise_thp(addr, maplen, m->thp);
    v->promoting = v->state + v->nstate;
    v->addr = addr;
    atomic_fetch_add(&maps_estimate, 1);
    v->slot = slot;
    view_table_publish(&table, slot, v->addr, v->size);
    out->addr = addr;
    out->size = data->size;
    out->impl = v;
    return 0;
}

static double mc_view_pages_copied(void *self, const struct view *view)
{
    (void)self;
    const struct cow_view *v = view->impl;
    return (double)(atomic_load(&v->copied) * (v->granule / os_page_size()));
}

static void mc_view_close(void *self, struct view *view)
{
    (void)self;
    struct cow_view *v = view->impl;
    size_t len = round_up(round_up(v->size, os_page_size()), v->granule);
    view_table_release(&table, v->slot); /* no fault on it is legitimate any more */
    munmap(v->addr, len);
    close(v->store_fd); /* the last reference: the copies are freed */
    munmap((void *)v->state, v->nstate + v->nblocks);
    /* the estimate stays conservative (it never counts down) until the next
     * create() with no view open, or the handler, recounts /proc/self/maps */
    atomic_fetch_sub(&views_open, 1);
    view->impl = NULL;
}

static void mc_counters(void *self, struct alloc_counters *out)
{
    struct mprotect_cow *m = self;
    /* no heap and no lock: only the copies are counted */
    out->pages_copied = (double)(atomic_load(&m->pages_copied) * (m->granule / os_page_size()));
    out->copy_fallbacks = (double)atomic_load(&m->fallbacks);
}

const struct allocator allocator_mprotect_cow = {
    .name = "mprotect_cow",
    .summary = "user-space copy-on-write: read-only memfd views, a SIGSEGV handler copies on first write",
    .model = MODEL_THREADS,
    .options = mc_options,
    .create = mc_create,
    .destroy = mc_destroy,
    .data_create = mc_data_create,
    .data_seal = mc_data_seal,
    .data_destroy = mc_data_destroy,
    .view_open = mc_view_open,
    .view_pages_copied = mc_view_pages_copied,
    .view_close = mc_view_close,
    .counters = mc_counters,
};
