#ifndef ALLOCLAB_COWCOST_H
#define ALLOCLAB_COWCOST_H
#include <stddef.h>

struct cow_cost {
    double kernel_ns_per_page;       /* bare fork + write loop */
    double fork_cow_ns_per_page;
    double mprotect_cow_ns_per_page;
    double memcpy_ns_per_page;       /* eager copy, for scale */
};

/* Median over reps of each figure for a data set of `size` bytes; -1 on failure. */
int cow_cost_measure(size_t size, int reps, struct cow_cost *out);
#endif
