#include "os.h"

#include "ledger.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

size_t os_page_size(void)
{
    static size_t page;
    if (!page)
        page = (size_t)sysconf(_SC_PAGESIZE);
    return page;
}

void *os_map(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    ledger_mapped(p, size);
    return p;
}

void *os_map_aligned(size_t size, size_t align)
{
    /* Over-map by `align`, then trim both ends: mmap has no alignment flag. */
    if (size > SIZE_MAX - align) {
        errno = ENOMEM;
        return NULL;
    }
    char *raw = mmap(NULL, size + align, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED)
        return NULL;
    uintptr_t start = ((uintptr_t)raw + align - 1) & ~(uintptr_t)(align - 1);
    size_t head = start - (uintptr_t)raw;
    if (head)
        munmap(raw, head);
    size_t tail = align - head;
    if (tail)
        munmap((char *)start + size, tail);
    ledger_mapped((void *)start, size); /* what is kept: the over-mapping was never the strategy's to use */
    return (void *)start;
}

void os_unmap(void *p, size_t size)
{
    if (p && munmap(p, size) == 0)
        ledger_unmapped(p, size);
}

void *os_remap(void *p, size_t old_size, size_t new_size)
{
    void *q = mremap(p, old_size, new_size, MREMAP_MAYMOVE);
    if (q == MAP_FAILED)
        return NULL;
    ledger_unmapped(p, old_size);
    ledger_mapped(q, new_size);
    return q;
}

int os_advise_thp(void *p, size_t size, enum thp_mode thp)
{
    switch (thp) {
    case THP_NEVER: return madvise(p, size, MADV_NOHUGEPAGE);
    case THP_ALWAYS: return madvise(p, size, MADV_HUGEPAGE);
    default: return 0;
    }
}

uint64_t os_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int os_project_path(const char *relative, char *out, size_t len)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0'; /* build/ or build/<variant>/ */
    for (int up = 0; up < 3; up++) {
        if (up == 0)
            snprintf(out, len, "%s", relative);
        else
            snprintf(out, len, "%s/%s%s", exe, up == 1 ? "../" : "../../", relative);
        if (access(out, R_OK) == 0)
            return 0;
    }
    return -1;
}
