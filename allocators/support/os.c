#include "os.h"

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
    return p == MAP_FAILED ? NULL : p;
}

void *os_map_aligned(size_t size, size_t align)
{
    /* Over-map by `align`, then trim both ends: mmap has no alignment flag. */
    if (size > SIZE_MAX - align) {
        errno = ENOMEM;
        return NULL;
    }
    char *raw = os_map(size + align);
    if (!raw)
        return NULL;
    uintptr_t start = ((uintptr_t)raw + align - 1) & ~(uintptr_t)(align - 1);
    size_t head = start - (uintptr_t)raw;
    if (head)
        munmap(raw, head);
    size_t tail = align - head;
    if (tail)
        munmap((char *)start + size, tail);
    return (void *)start;
}

void os_unmap(void *p, size_t size)
{
    if (p)
        munmap(p, size);
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
