/* os.h - small wrappers over the OS calls every strategy needs. */
#ifndef ALLOCLAB_OS_H
#define ALLOCLAB_OS_H

#include <stddef.h>
#include <stdint.h>

#include "../allocator.h"

size_t os_page_size(void);
/* Anonymous private read-write mapping, or NULL (errno set). */
void *os_map(size_t size);
/* As os_map, but the start is aligned to `align` (a power of two). */
void *os_map_aligned(size_t size, size_t align);
void os_unmap(void *p, size_t size);
/* Apply the THP choice to a mapping; THP_DEFAULT leaves it alone. */
int os_advise_thp(void *p, size_t size, enum thp_mode thp);
uint64_t os_now_ns(void);
static inline size_t round_up(size_t n, size_t align) { return (n + align - 1) & ~(align - 1); }
/* Parse `key=value` from a comma-separated option string into buf; 1 if found. */
int option_get(const char *options, const char *key, char *buf, size_t buflen);
/* 1 if every key in `options` is one of the NULL-terminated `known` keys;
 * otherwise 0 and err names the first unknown key. */
int options_check(const char *options, const char *const known[], char err[ALLOC_ERR_LEN]);

#endif
