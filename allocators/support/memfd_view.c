/* memfd_view.c - see memfd_view.h. */
#include "memfd_view.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "os.h"

int memfd_data_create(size_t size, size_t file_len, enum thp_mode thp, struct dataset *out, char err[ALLOC_ERR_LEN])
{
    struct memfd_data *d = calloc(1, sizeof *d);
    if (!d) {
        snprintf(err, ALLOC_ERR_LEN, "out of memory");
        return -1;
    }
    size_t len = round_up(size, os_page_size());
    d->fd = memfd_create("alloclab-data", MFD_CLOEXEC);
    void *p = MAP_FAILED;
    if (d->fd >= 0 && ftruncate(d->fd, (off_t)(file_len > len ? file_len : len)) == 0)
        p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd, 0);
    if (p == MAP_FAILED) {
        snprintf(err, ALLOC_ERR_LEN, "cannot make a %zu-byte memfd data set: %s", size, strerror(errno));
        if (d->fd >= 0)
            close(d->fd);
        free(d);
        return -1;
    }
    os_advise_thp(p, len, thp);
    out->base = p;
    out->size = size;
    out->impl = d;
    return 0;
}

int memfd_data_seal(struct dataset *data, char err[ALLOC_ERR_LEN])
{
    if (mprotect(data->base, round_up(data->size, os_page_size()), PROT_READ) != 0) {
        snprintf(err, ALLOC_ERR_LEN, "cannot seal the data set: %s", strerror(errno));
        return -1;
    }
    return 0;
}

void memfd_data_destroy(struct dataset *data)
{
    struct memfd_data *d = data->impl;
    os_unmap(data->base, round_up(data->size, os_page_size()));
    if (d) {
        close(d->fd);
        free(d);
    }
    data->impl = NULL;
}

int memfd_view_map(char *addr, size_t len, int fd)
{
    if (mmap(addr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED | MAP_NORESERVE, fd, 0) == MAP_FAILED)
        return -1;
    memfd_view_touch(addr, os_page_size());
    return madvise(addr, os_page_size(), MADV_DONTNEED);
}

void memfd_view_touch(char *p, size_t len)
{
    /* every 4 KiB, the smallest page Linux has (larger pages are touched again, harmlessly) */
    for (size_t off = 0; off < len; off += (size_t)PAGE_BYTES) {
        volatile uint8_t *b = (volatile uint8_t *)(p + off);
        uint8_t expected = 0; /* a guess: a wrong one fails, and the next try stores what it read */
        while (!__atomic_compare_exchange_n(b, &expected, expected, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
            ;
    }
}
