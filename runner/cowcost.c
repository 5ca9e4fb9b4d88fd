/*
 * cowcost.c - the cost of one copy-on-write fault, four ways, in one run.
 *
 *   kernel   a bare fork-and-write loop: the parent populates a private
 *            mapping, the child writes one byte per page (the floor)
 *   fork_cow the same through the fork_cow strategy's views
 *   mprotect_cow, uffd_cow  a thread writes one byte per page of its view;
 *            each first write is caught (a signal, or the kernel's
 *            userfaultfd bit) and the page copied
 *   uffd-wp round trip  SIGBUS + lifting one page's protection, no copy
 *   eager    for scale: what copying every page up front costs (memcpy)
 *
 * Each function is one sample in nanoseconds per page, measured around the
 * loop over the pages only; calibrate.c repeats them after a warm-up.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "allocator.h"
#include "cowcost.h"
#include "support/os.h"

static size_t page(void) { return os_page_size(); }

static uint64_t write_each_page(char *p, size_t size)
{
    uint64_t t0 = os_now_ns();
    for (size_t off = 0; off < size; off += page())
        ((volatile char *)p)[off] = 1;
    return os_now_ns() - t0;
}

/* Run fn in a forked child and read back the ns it measured, or -1. */
static double in_child(uint64_t (*fn)(void *), void *arg)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        uint64_t ns = fn(arg);
        (void)!write(fds[1], &ns, sizeof ns);
        _exit(0);
    }
    close(fds[1]);
    uint64_t ns = 0;
    ssize_t got = read(fds[0], &ns, sizeof ns);
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    return got == (ssize_t)sizeof ns && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? (double)ns : -1;
}

struct region {
    char *p;
    size_t size;
};

static uint64_t child_write_region(void *arg)
{
    struct region *r = arg;
    return write_each_page(r->p, r->size);
}

static double kernel_cow_ns(size_t size)
{
    struct region r = {os_map(size), size};
    if (!r.p)
        return -1;
    memset(r.p, 7, size);
    double ns = in_child(child_write_region, &r);
    os_unmap(r.p, size);
    return ns;
}

struct strategy_run {
    const struct allocator *a;
    void *self;
    struct dataset *data;
    double pages_copied;
};

static uint64_t view_write(void *arg)
{
    struct strategy_run *s = arg;
    char err[ALLOC_ERR_LEN];
    struct view v;
    if (view_open(s->a, s->self, s->data, &v, err) != 0)
        _exit(1);
    uint64_t ns = write_each_page(v.addr, v.size);
    s->pages_copied = view_pages_copied(s->a, s->self, &v);
    view_close(s->a, s->self, &v);
    return ns;
}

static double strategy_ns(const char *name, const char *options, size_t size)
{
    const struct allocator *a = allocator_find(name);
    char err[ALLOC_ERR_LEN];
    void *self = a && !allocator_unavailable(a) ? alloc_create(a, options, THP_DEFAULT, err) : NULL;
    if (!self)
        return -1;
    struct dataset d;
    double ns = -1;
    if (data_create(a, self, size, THP_DEFAULT, &d, err) == 0) {
        memset(d.base, 7, size);
        if (data_seal(a, self, &d, err) == 0) {
            struct strategy_run s = {a, self, &d, 0};
            ns = a->model == MODEL_PROCESSES ? in_child(view_write, &s) : (double)view_write(&s);
        }
        data_destroy(a, self, &d);
    }
    a->destroy(self);
    return ns;
}

static double eager_ns(size_t size)
{
    char *src = os_map(size), *dst = os_map(size);
    double ns = -1;
    if (src && dst) {
        memset(src, 7, size);
        memset(dst, 0, size); /* fault the destination in first: time the copy alone */
        uint64_t t0 = os_now_ns();
        memcpy(dst, src, size);
        ns = (double)(os_now_ns() - t0);
    }
    os_unmap(src, size);
    os_unmap(dst, size);
    return ns;
}

/* the child's first read of each inherited page: the kernel maps it, shared */
static uint64_t child_read_region(void *arg)
{
    struct region *r = arg;
    uint64_t t0 = os_now_ns(), sum = 0;
    for (size_t off = 0; off < r->size; off += page())
        sum += (uint64_t)((volatile char *)r->p)[off];
    __asm__ volatile("" ::"r"(sum));
    return os_now_ns() - t0;
}

/* ---- one sample each, in ns per page of `size` bytes (NA on failure) ---- */
static double per_page(double ns, size_t size) { return ns < 0 ? NA : ns / (double)(size / page()); }

double cost_kernel_cow(size_t size) { return per_page(kernel_cow_ns(size), size); }

double cost_child_first_read(size_t size)
{
    struct region r = {os_map(size), size};
    if (!r.p)
        return NA;
    memset(r.p, 7, size);
    double ns = in_child(child_read_region, &r);
    os_unmap(r.p, size);
    return per_page(ns, size);
}

double cost_strategy_write(const char *strategy, const char *options, size_t size)
{
    return per_page(strategy_ns(strategy, options, size), size);
}

/* ---- the floor under uffd_cow's SIGBUS mode: one SIGBUS, one ioctl lifting
 * one page's write protection, back; on populated private anonymous memory
 * (write-protected since Linux 5.7), one thread ---- */
static int trip_uffd = -1;

static void lift_protection(int sig, siginfo_t *info, void *ctx)
{
    (void)sig;
    (void)ctx;
    struct uffdio_writeprotect wp = {
        .range = {.start = (uintptr_t)info->si_addr & ~(uintptr_t)(page() - 1), .len = page()}};
    (void)!ioctl(trip_uffd, UFFDIO_WRITEPROTECT, &wp);
}

double cost_uffd_wp_round_trip(size_t size)
{
    trip_uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
    struct uffdio_api api = {.api = UFFD_API, .features = UFFD_FEATURE_SIGBUS};
    char *p = trip_uffd >= 0 && ioctl(trip_uffd, UFFDIO_API, &api) == 0 ? os_map(size) : NULL;
    double ns = -1;
    if (p) {
        memset(p, 1, size);
        struct uffdio_register reg = {.range = {(uintptr_t)p, size}, .mode = UFFDIO_REGISTER_MODE_WP};
        struct uffdio_writeprotect wp = {.range = {(uintptr_t)p, size}, .mode = UFFDIO_WRITEPROTECT_MODE_WP};
        struct sigaction sa, old;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = lift_protection;
        sa.sa_flags = SA_SIGINFO;
        if (ioctl(trip_uffd, UFFDIO_REGISTER, &reg) == 0 && ioctl(trip_uffd, UFFDIO_WRITEPROTECT, &wp) == 0 &&
            sigaction(SIGBUS, &sa, &old) == 0) {
            ns = (double)write_each_page(p, size);
            sigaction(SIGBUS, &old, NULL);
        }
        os_unmap(p, size);
    }
    if (trip_uffd >= 0)
        close(trip_uffd);
    return per_page(ns, size);
}

double cost_memcpy(size_t size) { return per_page(eager_ns(size), size); }
