/*
 * cowfloor.c - the floor under each user-space copy-on-write strategy: the
 * same kernel work its first write to a page cannot avoid, done by a bare
 * loop with no bookkeeping at all (no view table, no state byte, no count).
 *
 *   mprotect   a private read-only mapping of a memfd; SIGSEGV, mprotect
 *              of the page to read-write, a write that makes the kernel
 *              copy it (the COW fault of a private file mapping), return
 *   uffd       a private read-write mapping of a memfd, write-protected by
 *              userfaultfd: the kernel copies the page, SIGBUS, one
 *              UFFDIO_WRITEPROTECT lifting the page's bit, return
 *   uffd async the same with UFFD_FEATURE_WP_ASYNC: the kernel lifts the
 *              bit inside the fault, no signal
 *
 * A strategy's cost over its floor is then what its own design adds, and
 * nothing the kernel charges. (The fork child's COW fault is not the floor
 * of these: a private file mapping copies from the page cache, without the
 * anonymous memory's sharing that fork sets up.)
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "allocator.h"
#include "cowcost.h"
#include "support/memfd_view.h"
#include "support/os.h"

#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC (1 << 15)
#endif

/* a memfd of size bytes holding data, or -1 */
static int data_memfd(size_t size)
{
    int fd = (int)syscall(SYS_memfd_create, "alloclab-floor", MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, (off_t)size) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        close(fd);
        return -1;
    }
    memset(p, 7, size);
    munmap(p, size);
    return fd;
}

static double write_pages_ns(char *p, size_t size)
{
    uint64_t t0 = os_now_ns();
    for (size_t off = 0; off < size; off += PAGE_BYTES)
        ((volatile char *)p)[off] = 1;
    return (double)(os_now_ns() - t0) / (double)(size / PAGE_BYTES);
}

static char *page_of(const void *addr) { return (char *)((uintptr_t)addr & ~(uintptr_t)(PAGE_BYTES - 1)); }

static void make_writable_and_copy(int sig, siginfo_t *info, void *ctx)
{
    (void)sig, (void)ctx;
    char *page = page_of(info->si_addr);
    mprotect(page, PAGE_BYTES, PROT_READ | PROT_WRITE);
    memfd_view_touch(page, PAGE_BYTES); /* one write fault, no read fault first: the kernel copies the page */
}

double cost_mprotect_floor(size_t size)
{
    int fd = data_memfd(size);
    char *view = fd < 0 ? MAP_FAILED : mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    double ns = NA;
    struct sigaction sa = {.sa_sigaction = make_writable_and_copy, .sa_flags = SA_SIGINFO}, old;
    /* the view's anonymous region made up front (memfd_view_map), so that
     * the pages made writable one by one merge into one mapping again */
    if (view != MAP_FAILED && (memfd_view_map(view, size, fd) != 0 || mprotect(view, size, PROT_READ) != 0)) {
        munmap(view, size);
        view = MAP_FAILED;
    }
    if (view != MAP_FAILED && sigaction(SIGSEGV, &sa, &old) == 0) {
        ns = write_pages_ns(view, size);
        sigaction(SIGSEGV, &old, NULL);
    }
    if (view != MAP_FAILED)
        munmap(view, size);
    if (fd >= 0)
        close(fd);
    return ns;
}

static int floor_uffd = -1;

static void lift_page(int sig, siginfo_t *info, void *ctx)
{
    (void)sig, (void)ctx;
    struct uffdio_writeprotect wp = {.range = {.start = (uintptr_t)page_of(info->si_addr), .len = PAGE_BYTES}};
    (void)!ioctl(floor_uffd, UFFDIO_WRITEPROTECT, &wp);
}

/* the view write-protected by a descriptor with these features; -1 */
static int protect_view(char *view, size_t size, uint64_t features)
{
    floor_uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
    struct uffdio_api api = {.api = UFFD_API, .features = features};
    struct uffdio_register reg = {.range = {(uintptr_t)view, size}, .mode = UFFDIO_REGISTER_MODE_WP};
    struct uffdio_writeprotect wp = {.range = {(uintptr_t)view, size}, .mode = UFFDIO_WRITEPROTECT_MODE_WP};
    if (floor_uffd < 0 || ioctl(floor_uffd, UFFDIO_API, &api) != 0 || ioctl(floor_uffd, UFFDIO_REGISTER, &reg) != 0 ||
        ioctl(floor_uffd, UFFDIO_WRITEPROTECT, &wp) != 0)
        return -1;
    return 0;
}

static double uffd_floor(size_t size, bool async)
{
    int fd = data_memfd(size);
    char *view = fd < 0 ? MAP_FAILED : mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    uint64_t features = UFFD_FEATURE_WP_HUGETLBFS_SHMEM | (async ? UFFD_FEATURE_WP_ASYNC : UFFD_FEATURE_SIGBUS);
    double ns = NA;
    struct sigaction sa = {.sa_sigaction = lift_page, .sa_flags = SA_SIGINFO}, old;
    if (view != MAP_FAILED && protect_view(view, size, features) == 0) {
        if (async) {
            ns = write_pages_ns(view, size);
        } else if (sigaction(SIGBUS, &sa, &old) == 0) {
            ns = write_pages_ns(view, size);
            sigaction(SIGBUS, &old, NULL);
        }
    }
    if (floor_uffd >= 0)
        close(floor_uffd);
    floor_uffd = -1;
    if (view != MAP_FAILED)
        munmap(view, size);
    if (fd >= 0)
        close(fd);
    return ns;
}

double cost_uffd_floor(size_t size) { return uffd_floor(size, false); }
double cost_uffd_async_floor(size_t size) { return uffd_floor(size, true); }
