/*
 * uffd_cow - copy-on-write with userfaultfd write-protection.
 *
 * As in mprotect_cow, the data set lives in a memfd and a view is a private
 * mapping of it, so reading costs no copy and the kernel moves the bytes of
 * a page on its first write. What differs is how a first write is caught:
 * not by making the view read-only (mprotect, which splits the mapping at
 * every copied page until vm.max_map_count stops the process), but by the
 * write-protect bit userfaultfd keeps in each page-table entry. The view is
 * one writable mapping from start to end and stays one; nothing splits.
 *
 *   mode=sigbus (default)  The descriptor has UFFD_FEATURE_SIGBUS: a write to
 *       a protected page raises SIGBUS in the writing thread. The handler
 *       claims the page (one state byte, compare-and-swap), lifts the
 *       protection of that page (UFFDIO_WRITEPROTECT, mode 0), write-faults
 *       it so the kernel copies it now, and returns; the write is retried.
 *       User space decides and counts; the page-table work is one ioctl.
 *   mode=async  UFFD_FEATURE_WP_ASYNC (Linux 6.7): the kernel lifts the bit
 *       itself inside the write fault, with no signal and no round trip at
 *       all; which pages were written is read back afterwards with the
 *       PAGEMAP_SCAN ioctl on /proc/self/pagemap (PAGE_IS_WRITTEN: present
 *       and no longer protected). The cheapest first write there is, and
 *       the count is the page tables' own.
 *   mode=auto (default)  async where the kernel has it, else sigbus.
 *
 * What each costs, and why (2-core VM, 6.18, calibrate.csv and write_heavy):
 * a SIGBUS round trip alone costs more than the kernel's whole COW fault, so
 * sigbus cannot come near the kernel; and with two threads it pays more
 * again. The ioctl lifts the protection of an entry that is already present
 * (the kernel copied the page before it reported the fault), and changing a
 * present entry's write permission flushes that page from the TLB of every
 * CPU the process runs on: an interprocessor interrupt, dear in a VM. perf
 * puts a quarter of the cycles in that flush, and a page costs 2.3x what it
 * costs with one thread. async changes the entry inside the fault, where the
 * kernel needs no flush. Populating the view at open (MADV_POPULATE_READ),
 * so that a first write is one fault instead of two, made one thread's page
 * 40% cheaper in async mode but two threads' 2.8x dearer, for the same
 * reason (the copy then replaces a present entry): views are not populated
 * unless asked (populate=yes). A view that is mostly read wants it: a
 * protected view gets no fault-around (the kernel maps one page per read
 * fault instead of 16), and read_heavy with 30,000 lookups took 353 ms
 * without, 55 with (13 of them populating at open), and write_heavy with two
 * workers 372 ms without, 1,516 with.
 *
 * Not a third mode: a handler thread reading fault messages from the
 * descriptor. The faulting thread sleeps until another thread is scheduled,
 * reads the message and wakes it: two context switches a page where SIGBUS
 * costs one signal delivery, and on a machine with no spare core the handler
 * competes with the workers. Measured while designing this (6.18 kernel,
 * 2-core VM, 64 MiB, ns a page): 20,870 pinned and 59,662 unpinned, against
 * 18,034 for SIGBUS; it does not earn its place.
 *
 * Protection of pages never touched: a memfd mapping is shared memory to the
 * kernel, which keeps a marker in an empty page-table entry
 * (UFFD_FEATURE_WP_HUGETLBFS_SHMEM, Linux 5.19), so one UFFDIO_WRITEPROTECT
 * over the whole view protects it all. A read keeps the bit; a first write to
 * an empty entry copies the page and then faults on the bit: one copy either
 * way.
 *
 * Permissions: an ordinary user may open only a descriptor that handles
 * faults from user mode (UFFD_USER_MODE_ONLY) when vm.unprivileged_userfaultfd
 * is 0, the default; that is all a view needs, so it is what every user gets.
 * A write the kernel makes on the program's behalf (read(2) into a view) is
 * refused with EFAULT, as in mprotect_cow. Where the system call is forbidden
 * (a seccomp filter, a kernel built without it) or a feature is missing, the
 * strategy is unavailable and says why.
 */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "allocator.h"
#include "support/memfd_view.h"
#include "support/os.h"
#include "support/sigchain.h"
#include "support/viewtable.h"

/* Newer than the C library's kernel headers on many lab machines: the
 * kernel's ABI values. */
#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC (1 << 15)
#endif
#ifndef PAGEMAP_SCAN
#define PAGE_IS_WRITTEN (1 << 1)
struct page_region {
    uint64_t start, end, categories;
};
struct pm_scan_arg {
    uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
    uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
};
#define PAGEMAP_SCAN _IOWR('f', 16, struct pm_scan_arg)
#endif

#define SPIN_LIMIT_FAULTS 100000
#define SYNC_FEATURES (UFFD_FEATURE_SIGBUS | UFFD_FEATURE_WP_HUGETLBFS_SHMEM)
#define ASYNC_FEATURES (UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_HUGETLBFS_SHMEM)

enum mode { MODE_AUTO, MODE_SIGBUS, MODE_ASYNC }; /* the choices of option mode, in order */
enum page_state { UNTOUCHED = 0, COPYING = 1, COPIED = 2 };

struct uffd_cow {
    enum mode mode;
    bool populate;
    enum thp_mode thp;
    int uffd;
    int pagemap_fd;                /* async: where PAGEMAP_SCAN is asked */
    _Atomic uint64_t pages_copied; /* views closed so far (async), or every fault (sigbus) */
};

struct uffd_view {
    int slot; /* in the view table */
    char *addr;
    size_t size, len;
    _Atomic uint8_t *state; /* sigbus: one byte a page */
    _Atomic uint64_t copied;
    struct uffd_cow *owner;
};

/* Process-wide, for the SIGBUS handler: the views it may resolve. */
static struct view_table table;
static struct uffd_view views[VIEW_TABLE_MAX]; /* slot i's view */
static struct sigchain chain; /* SIGBUS: ours on top of the one found there */

static int uffd_open(uint64_t features, uint64_t *available)
{
    int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
    if (fd < 0)
        return -1;
    struct uffdio_api api = {.api = UFFD_API, .features = features};
    if (ioctl(fd, UFFDIO_API, &api) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    if (available)
        *available = api.features;
    return fd;
}

static int write_protect(int uffd, void *addr, size_t len, bool on)
{
    struct uffdio_writeprotect wp = {
        .range = {.start = (uintptr_t)addr, .len = len},
        .mode = on ? UFFDIO_WRITEPROTECT_MODE_WP : 0,
    };
    int rc;
    while ((rc = ioctl(uffd, UFFDIO_WRITEPROTECT, &wp)) != 0 && errno == EAGAIN)
        ; /* the address space was changing: try again */
    return rc;
}

static int register_wp(int uffd, void *addr, size_t len)
{
    struct uffdio_register reg = {.range = {.start = (uintptr_t)addr, .len = len}, .mode = UFFDIO_REGISTER_MODE_WP};
    if (ioctl(uffd, UFFDIO_REGISTER, &reg) != 0)
        return -1;
    return write_protect(uffd, addr, len, true);
}

/* ---- can this machine do it at all: asked once, with a real page ---- */
static char unavailable_why[ALLOC_ERR_LEN];
static uint64_t kernel_features;
static pthread_once_t probe_once = PTHREAD_ONCE_INIT;

static const char *kernel_release(void)
{
    static struct utsname u;
    return uname(&u) == 0 ? u.release : "unknown";
}

static void probe(void)
{
    uint64_t features = 0;
    int fd = uffd_open(0, &features);
    if (fd < 0) {
        snprintf(unavailable_why, sizeof unavailable_why,
                 "userfaultfd is not allowed here (%s; a seccomp filter, or a kernel without it: Linux %s)",
                 strerror(errno), kernel_release());
        return;
    }
    close(fd);
    kernel_features = features;
    if ((features & SYNC_FEATURES) != SYNC_FEATURES) {
        snprintf(unavailable_why, sizeof unavailable_why,
                 "userfaultfd cannot write-protect shared memory with SIGBUS delivery here (needs Linux 5.19; this is %s)",
                 kernel_release());
        return;
    }
    /* the features say what the API knows; protecting a real memfd page says
     * the kernel was built with the page-table markers it needs */
    char err[ALLOC_ERR_LEN];
    struct dataset d;
    int ok = 0;
    fd = uffd_open(SYNC_FEATURES, NULL);
    if (fd >= 0 && memfd_data_create(PAGE_BYTES, PAGE_BYTES, THP_DEFAULT, &d, err) == 0) {
        char *view = mmap(NULL, PAGE_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE, ((struct memfd_data *)d.impl)->fd, 0);
        ok = view != MAP_FAILED && register_wp(fd, view, PAGE_BYTES) == 0;
        if (view != MAP_FAILED)
            munmap(view, PAGE_BYTES);
        memfd_data_destroy(&d);
    }
    if (fd >= 0)
        close(fd);
    if (!ok)
        snprintf(unavailable_why, sizeof unavailable_why,
                 "userfaultfd cannot write-protect a memfd mapping on Linux %s (%s)", kernel_release(),
                 strerror(errno));
}

static const char *uc_unavailable(void)
{
    pthread_once(&probe_once, probe);
    return unavailable_why[0] ? unavailable_why : NULL;
}

/* ---- mode=sigbus: the handler (async-signal-safe calls only) ---- */
static struct uffd_view *view_at(const char *addr)
{
    int i = view_table_find(&table, addr);
    return i < 0 ? NULL : &views[i];
}

/* 0: the page is this view's own now, retry the write; -1: it cannot be. */
static int handle_fault(struct uffd_view *v, const char *addr)
{
    size_t page = (size_t)(addr - v->addr) / PAGE_BYTES;
    char *p = v->addr + page * PAGE_BYTES;
    uint8_t s = UNTOUCHED;
    if (atomic_compare_exchange_strong(&v->state[page], &s, COPYING)) {
        if (write_protect(v->owner->uffd, p, PAGE_BYTES, false) != 0) {
            atomic_store(&v->state[page], UNTOUCHED);
            return -1;
        }
        memfd_view_touch(p, PAGE_BYTES);
        atomic_fetch_add(&v->copied, 1);
        atomic_fetch_add(&v->owner->pages_copied, 1);
        atomic_store_explicit(&v->state[page], COPIED, memory_order_release);
        return 0;
    }
    /* another thread is copying it: its copy serves this write too */
    for (long i = 0; atomic_load_explicit(&v->state[page], memory_order_acquire) != COPIED; i++)
        if (i > (1L << 30))
            return -1;
    return 0;
}

static void on_sigbus(int sig, siginfo_t *info, void *context)
{
    (void)sig;
    int saved_errno = errno;
    struct uffd_view *v = info->si_code == BUS_ADRERR ? view_at(info->si_addr) : NULL;
    if (v && !sigchain_repeating(info->si_addr, SPIN_LIMIT_FAULTS)) {
        if (handle_fault(v, info->si_addr) != 0) {
            const char msg[] = "alloclab: uffd_cow: cannot lift a page's write protection; stopping\n";
            (void)!write(2, msg, sizeof msg - 1);
            _exit(70);
        }
    } else
        sigchain_forward(&chain, info, context);
    errno = saved_errno;
}

/* ---- mode=async: pages written, as the page tables say ---- */
static int64_t pages_written(int pagemap_fd, const struct uffd_view *v)
{
    struct page_region regions[64];
    struct pm_scan_arg arg = {
        .size = sizeof arg,
        .start = (uintptr_t)v->addr,
        .end = (uintptr_t)v->addr + v->len,
        .vec = (uintptr_t)regions,
        .vec_len = sizeof regions / sizeof *regions,
        .category_mask = PAGE_IS_WRITTEN,
        .return_mask = PAGE_IS_WRITTEN,
    };
    int64_t pages = 0;
    for (;;) {
        int n = ioctl(pagemap_fd, PAGEMAP_SCAN, &arg);
        if (n < 0)
            return -1;
        for (int i = 0; i < n; i++)
            pages += (int64_t)((regions[i].end - regions[i].start) / PAGE_BYTES);
        if (arg.walk_end >= arg.end)
            return pages;
        arg.start = arg.walk_end;
    }
}

/* ---- the interface ---- */
enum { OPT_MODE, OPT_POPULATE, OPT_COUNT };
static const struct param uc_options[OPT_COUNT + 1] = {
    [OPT_MODE] = {.name = "mode", .type = PARAM_CHOICE, .def = "auto", .choices = "auto|sigbus|async",
                  .help = "sigbus: a signal handler lifts each page's protection (Linux 5.19); async: the kernel "
                          "does (6.7); auto: async where the kernel has it (sysinfo names the kernel)"},
    [OPT_POPULATE] = {.name = "populate", .type = PARAM_CHOICE, .def = "no", .choices = "no|yes",
                      .help = "yes: map every page for reading at open (reads fault no more; copies by several "
                              "threads cost TLB flushes)"},
};

static void *uc_create(const struct alloc_config *cfg, char err[ALLOC_ERR_LEN])
{
    const char *why = uc_unavailable();
    if (why) {
        snprintf(err, ALLOC_ERR_LEN, "%s", why);
        return NULL;
    }
    enum mode mode = (enum mode)cfg->opt[OPT_MODE].choice;
    if (mode == MODE_AUTO)
        mode = kernel_features & UFFD_FEATURE_WP_ASYNC ? MODE_ASYNC : MODE_SIGBUS;
    if (mode == MODE_ASYNC && !(kernel_features & UFFD_FEATURE_WP_ASYNC)) {
        snprintf(err, ALLOC_ERR_LEN, "uffd_cow mode=async needs UFFD_FEATURE_WP_ASYNC (Linux 6.7); this is %s",
                 kernel_release());
        return NULL;
    }
    if (mode == MODE_SIGBUS && sigchain_install(&chain, SIGBUS, on_sigbus, err) != 0)
        return NULL;
    struct uffd_cow *u = calloc(1, sizeof *u);
    if (!u) {
        snprintf(err, ALLOC_ERR_LEN, "out of memory");
        return NULL;
    }
    u->mode = mode;
    u->populate = cfg->opt[OPT_POPULATE].choice == 1;
    u->thp = cfg->thp;
    u->pagemap_fd = -1;
    u->uffd = uffd_open(mode == MODE_ASYNC ? ASYNC_FEATURES : SYNC_FEATURES, NULL);
    if (u->uffd >= 0 && mode == MODE_ASYNC)
        u->pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (u->uffd < 0 || (mode == MODE_ASYNC && u->pagemap_fd < 0)) {
        snprintf(err, ALLOC_ERR_LEN, "cannot open %s: %s", u->uffd < 0 ? "a userfaultfd" : "/proc/self/pagemap",
                 strerror(errno));
        if (u->uffd >= 0)
            close(u->uffd);
        free(u);
        return NULL;
    }
    return u;
}

static void uc_destroy(void *self)
{
    struct uffd_cow *u = self;
    close(u->uffd);
    if (u->pagemap_fd >= 0)
        close(u->pagemap_fd);
    free(u);
}

static int uc_data_create(void *self, size_t size, struct dataset *out, char err[ALLOC_ERR_LEN])
{
    struct uffd_cow *u = self;
    return memfd_data_create(size, round_up(size, os_page_size()), u->thp, out, err);
}

static int uc_data_seal(void *self, struct dataset *data, char err[ALLOC_ERR_LEN])
{
    (void)self;
    return memfd_data_seal(data, err);
}

static void uc_data_destroy(void *self, struct dataset *data)
{
    (void)self;
    memfd_data_destroy(data);
}

static int uc_view_open(void *self, const struct dataset *data, struct view *out, char err[ALLOC_ERR_LEN])
{
    struct uffd_cow *u = self;
    struct memfd_data *d = data->impl;
    int slot = view_table_claim(&table);
    struct uffd_view *v = slot < 0 ? NULL : &views[slot];
    if (!v) {
        snprintf(err, ALLOC_ERR_LEN, "more than %d uffd_cow views open at once", VIEW_TABLE_MAX);
        return -1;
    }
    v->len = round_up(data->size, os_page_size());
    v->size = data->size;
    v->owner = u;
    atomic_store(&v->copied, 0);
    char *addr = os_map(v->len);
    v->state = u->mode == MODE_SIGBUS ? os_map(v->len / PAGE_BYTES) : NULL;
    /* the protection is set before the view is published: no write can
     * reach a page of it unprotected */
    if (!addr || (u->mode == MODE_SIGBUS && !v->state) || memfd_view_map(addr, v->len, d->fd) != 0 ||
        (u->populate && madvise(addr, v->len, MADV_POPULATE_READ) != 0) || register_wp(u->uffd, addr, v->len) != 0) {
        snprintf(err, ALLOC_ERR_LEN, "cannot map and write-protect a %zu-byte view: %s", data->size, strerror(errno));
        os_unmap(addr, v->len);
        if (v->state)
            os_unmap((void *)v->state, v->len / PAGE_BYTES);
        view_table_release(&table, slot);
        return -1;
    }
    os_advise_thp(addr, v->len, u->thp);
    v->addr = addr;
    v->slot = slot;
    view_table_publish(&table, slot, v->addr, v->len);
    out->addr = addr;
    out->size = data->size;
    out->impl = v;
    return 0;
}

static double uc_view_pages_copied(void *self, const struct view *view)
{
    struct uffd_cow *u = self;
    const struct uffd_view *v = view->impl;
    if (u->mode == MODE_SIGBUS)
        return (double)atomic_load(&v->copied);
    int64_t pages = pages_written(u->pagemap_fd, v);
    return pages < 0 ? NA : (double)pages;
}

static void uc_view_close(void *self, struct view *view)
{
    struct uffd_cow *u = self;
    struct uffd_view *v = view->impl;
    if (u->mode == MODE_ASYNC) {
        int64_t pages = pages_written(u->pagemap_fd, v);
        atomic_fetch_add(&u->pages_copied, pages > 0 ? (uint64_t)pages : 0);
    }
    view_table_release(&table, v->slot); /* no fault on it is legitimate any more */
    munmap(v->addr, v->len);     /* unregisters it from the descriptor too */
    if (v->state)
        os_unmap((void *)v->state, v->len / PAGE_BYTES);
    view->impl = NULL;
}

static void uc_counters(void *self, struct alloc_counters *out)
{
    struct uffd_cow *u = self;
    /* no heap and no lock; async counts a view's copies when it closes */
    out->pages_copied = (double)atomic_load(&u->pages_copied);
}

const struct allocator allocator_uffd_cow = {
    .name = "uffd_cow",
    .summary = "user-space copy-on-write on userfaultfd write-protection: no mapping splits, a SIGBUS or the kernel lifts it",
    .model = MODEL_THREADS,
    .options = uc_options,
    .unavailable = uc_unavailable,
    .create = uc_create,
    .destroy = uc_destroy,
    .data_create = uc_data_create,
    .data_seal = uc_data_seal,
    .data_destroy = uc_data_destroy,
    .view_open = uc_view_open,
    .view_pages_copied = uc_view_pages_copied,
    .view_close = uc_view_close,
    .counters = uc_counters,
};
