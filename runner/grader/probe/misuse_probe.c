/*
 * misuse_probe.c - build/alloclab-misuse-probe CASE: one misuse case
 * (runner/grader/misuse_cases.h) on this process's own malloc and free,
 * whatever LD_PRELOAD made them: how `alloclab misuse` runs a heap as its
 * users run it. Its progress goes to standard output, one line at a time;
 * anything on standard error is the allocator's.
 */
#include <stdio.h>
#include <stdlib.h>

#include "misuse_cases.h"

static void *plain_alloc(void *ctx, size_t size)
{
    (void)ctx;
    return malloc(size);
}

static void plain_free(void *ctx, void *p, size_t size)
{
    (void)ctx, (void)size; /* free takes no size: the allocator finds it, or does not */
    free(p);
}

int main(int argc, char **argv)
{
    int c = argc == 2 ? misuse_case_find(argv[1]) : -1;
    if (c < 0) {
        fprintf(stderr, "usage: alloclab-misuse-probe CASE (run by alloclab misuse)\n");
        return 2;
    }
    struct misuse_heap h = {plain_alloc, plain_free, NULL, NULL};
    misuse_run(c, &h, 1);
    return 0;
}
