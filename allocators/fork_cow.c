/*
 * fork_cow - the kernel's copy-on-write across fork().
 *
 * The data set lives in a private anonymous mapping. Each worker is a forked
 * child: its view is the very same address range, which fork() shares with
 * the parent page by page; the first write to a page makes the kernel copy it
 * for the writer alone. There is no copying code here at all: that is the
 * point of the comparison.
 *
 * The mapping must be MAP_PRIVATE. Over MAP_SHARED, fork() shares the pages
 * outright and a child's write lands in the parent (tests/unit/test_copy.c
 * proves ours does not).
 *
 * How pages copied is known: /proc/self/pagemap gives, for each page of the
 * view, bit 56 "exclusively mapped". Right after fork every data page is
 * mapped by parent and child, so none is exclusive; a page the child has
 * written was copied by the kernel into a page only the child maps. Counting
 * the exclusive pages of the range is exact to the page and limited to the
 * view, unlike smaps Private_Dirty
 * (whole mappings, which the kernel may merge with neighbours) or minor fault
 * counts (which also count read faults on pages never touched). It is exact
 * as long as the parent keeps the data mapped while children run, which the
 * runner guarantees, and every page was present before the fork: a page the
 * parent never populated would count as "copied" by its first writer, so
 * data_seal() populates the whole set. Then no data page is exclusive when a
 * view opens, and view_open need not read pagemap inside the timed phase.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "allocator.h"
#include "support/os.h"

#define PAGEMAP_EXCLUSIVE ((uint64_t)1 << 56)
#define PAGEMAP_PRESENT ((uint64_t)1 << 63)

struct fork_cow {
    enum thp_mode thp;
};

static void *fc_create(const struct alloc_config *cfg, char err[ALLOC_ERR_LEN])
{
    struct fork_cow *f = calloc(1, sizeof *f);
    if (!f) {
        snprintf(err, ALLOC_ERR_LEN, "out of memory");
        return NULL;
    }
    f->thp = cfg->thp;
    return f;
}

static void fc_destroy(void *self) { free(self); }

static int fc_data_create(void *self, size_t size, struct dataset *out, char err[ALLOC_ERR_LEN])
{
    struct fork_cow *f = self;
    void *p = os_map(round_up(size, os_page_size())); /* MAP_PRIVATE: fork must copy */
    if (!p) {
        snprintf(err, ALLOC_ERR_LEN, "cannot map a %zu-byte data set: %s", size, strerror(errno));
        return -1;
    }
    os_advise_thp(p, round_up(size, os_page_size()), f->thp);
    out->base = p;
    out->size = size;
    return 0;
}

static int fc_data_seal(void *self, struct dataset *data, char err[ALLOC_ERR_LEN])
{
    (void)self;
    /* every page present before the fork, so that a child's first write is a
     * copy, never a fresh zero page */
    size_t len = round_up(data->size, os_page_size());
    if (madvise(data->base, len, MADV_POPULATE_WRITE) != 0 && errno != EINVAL) {
        snprintf(err, ALLOC_ERR_LEN, "cannot populate the data set: %s", strerror(errno));
        return -1;
    }
    return 0;
}

static void fc_data_destroy(void *self, struct dataset *data)
{
    (void)self;
    os_unmap(data->base, round_up(data->size, os_page_size()));
}

/* Exclusive (copied) pages of [addr, addr+size) in this process, or NA. */
static double exclusive_pages(const void *addr, size_t size)
{
    int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NA;
    size_t page = os_page_size();
    uint64_t first = (uintptr_t)addr / page, count = (size + page - 1) / page, n = 0;
    uint64_t buf[4096];
    for (uint64_t done = 0; done < count;) {
        size_t want = count - done < 4096 ? (size_t)(count - done) : 4096;
        ssize_t got = pread(fd, buf, want * sizeof *buf, (off_t)((first + done) * sizeof *buf));
        if (got <= 0) {
            close(fd);
            return NA;
        }
        for (size_t i = 0; i < (size_t)got / sizeof *buf; i++)
            n += (buf[i] & (PAGEMAP_PRESENT | PAGEMAP_EXCLUSIVE)) == (PAGEMAP_PRESENT | PAGEMAP_EXCLUSIVE);
        done += (uint64_t)got / sizeof *buf;
    }
    close(fd);
    return (double)n;
}

static int fc_view_open(void *self, const struct dataset *data, struct view *out, char err[ALLOC_ERR_LEN])
{
    (void)self;
    (void)err;
    /* in the forked child: the view is the inherited mapping itself */
    out->addr = data->base;
    out->size = data->size;
    return 0;
}

static double fc_view_pages_copied(void *self, const struct view *view)
{
    (void)self;
    return exclusive_pages(view->addr, view->size);
}

static void fc_view_close(void *self, struct view *view)
{
    (void)self;
    (void)view;
    /* The copies belong to the child and go when it exits; the parent's
     * mapping must stay intact for the other workers. */
}

const struct allocator allocator_fork_cow = {
    .name = "fork_cow",
    .summary = "the kernel's copy-on-write: workers are forked children sharing a private mapping",
    .model = MODEL_PROCESSES,
    .create = fc_create,
    .destroy = fc_destroy,
    .data_create = fc_data_create,
    .data_seal = fc_data_seal,
    .data_destroy = fc_data_destroy,
    .view_open = fc_view_open,
    .view_pages_copied = fc_view_pages_copied,
    .view_close = fc_view_close,
};
