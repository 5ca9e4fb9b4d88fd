/* cowcost.h - what one page costs, four ways, one sample each: the kernel's
 * COW fault, a child's first read of an inherited page, a strategy's first
 * write through its view, and memcpy. ns per page, NA on failure. */
#ifndef ALLOCLAB_COWCOST_H
#define ALLOCLAB_COWCOST_H
#include <stddef.h>

double cost_kernel_cow(size_t size);
double cost_child_first_read(size_t size);
/* the strategy with these options ("k=v,..." or NULL); NA if it is unavailable */
double cost_strategy_write(const char *strategy, const char *options, size_t size);
/* SIGBUS + UFFDIO_WRITEPROTECT(0) + return, a page; NA without userfaultfd */
double cost_uffd_wp_round_trip(size_t size);
double cost_memcpy(size_t size);
/* The floors of the user-space copy-on-write strategies (cowfloor.c): the
 * kernel work their first write to a page cannot avoid, in a bare loop; ns a
 * page, NA where the kernel cannot (userfaultfd). */
double cost_mprotect_floor(size_t size);
double cost_uffd_floor(size_t size);
double cost_uffd_async_floor(size_t size);
#endif
