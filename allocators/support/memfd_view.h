/*
 * memfd_view.h - what the two user-space copy-on-write strategies share
 * (mprotect_cow, uffd_cow): a data set held in a memfd, sealed read-only, and
 * views that are private mappings of it, so that the kernel itself copies a
 * page into the view on its first write; and the write that forces that copy
 * without ever undoing another thread's write.
 */
#ifndef ALLOCLAB_MEMFD_VIEW_H
#define ALLOCLAB_MEMFD_VIEW_H

#include <stddef.h>

#include "../allocator.h"

/* The data set's bookkeeping (dataset->impl). */
struct memfd_data {
    int fd;
};

/* A data set of `size` bytes in a fresh memfd, mapped shared and writable
 * for the caller to fill; the file is `file_len` bytes (at least the size
 * rounded up to the page; a strategy copying whole granules rounds it up to
 * its granule). 0, or -1 with err. */
int memfd_data_create(size_t size, size_t file_len, enum thp_mode thp, struct dataset *out, char err[ALLOC_ERR_LEN]);
/* Make the original read-only: a stray write to it must crash. */
int memfd_data_seal(struct dataset *data, char err[ALLOC_ERR_LEN]);
void memfd_data_destroy(struct dataset *data);

/* Map [addr, addr + len) as a private, writable mapping of the data set's
 * memfd (MAP_FIXED over a reservation the caller made), with the kernel's
 * anonymous region (anon_vma) made now: one page is written, then dropped
 * (MADV_DONTNEED: it reads the data set again). Without it, the first copy in
 * each piece a later mprotect splits off needs an anon_vma of its own, made
 * under the process's mmap lock, and threads copying scattered pages queue on
 * that lock (mprotect_cow measured 11.7 us a page instead of 3.4 with 2
 * threads). MAP_NORESERVE: a view is not charged as if every page would be
 * copied (except under strict overcommit). 0, or -1 with errno. */
int memfd_view_map(char *addr, size_t len, int fd);

/* Write-fault every 4 KiB page of [p, p + len), so that the kernel copies
 * each into a private page now. A compare-and-swap that stores the value it
 * found changes nothing, so a write another thread makes to the same byte
 * meanwhile is not lost (a plain p[i] = p[i] could undo it); and it is tried
 * before any read, because a read first would fault the page in read-only,
 * then the write fault again (measured: 6.1 us a page instead of 3.3).
 * Async-signal-safe. */
void memfd_view_touch(char *p, size_t len);

#endif
