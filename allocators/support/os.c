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

int option_get(const char *options, const char *key, char *buf, size_t buflen)
{
    if (!options)
        return 0;
    size_t keylen = strlen(key);
    for (const char *p = options; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > keylen && strncmp(p, key, keylen) == 0 && p[keylen] == '=') {
            size_t vlen = len - keylen - 1;
            if (vlen >= buflen)
                vlen = buflen - 1;
            memcpy(buf, p + keylen + 1, vlen);
            buf[vlen] = '\0';
            return 1;
        }
        p += len + (end ? 1 : 0);
    }
    return 0;
}

int options_check(const char *options, const char *const known[], char err[ALLOC_ERR_LEN])
{
    if (!options)
        return 1;
    for (const char *p = options; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        size_t keylen = eq ? (size_t)(eq - p) : len;
        int found = 0;
        for (int i = 0; known[i] && eq; i++)
            if (strlen(known[i]) == keylen && strncmp(known[i], p, keylen) == 0)
                found = 1;
        if (!found) {
            snprintf(err, ALLOC_ERR_LEN, "unknown or malformed option '%.*s' (expected key=value)",
                     (int)len, p);
            return 0;
        }
        p += len + (end ? 1 : 0);
    }
    return 1;
}
