/* misuse_cases.h - the misuse cases of `alloclab misuse`, each run in a
 * process of its own on one heap: alloclab's child through a strategy's
 * interface, or build/alloclab-misuse-probe through the process's malloc
 * (whatever LD_PRELOAD made it). Plain C and POSIX: the probe links this
 * file and nothing else of alloclab.
 *
 * A case's process writes its progress to a descriptor, one line each
 * (write(2), no stdio: the heap under test may be broken by then):
 *   stage misuse|frees|allocs|check|final   what it is about to do
 *   finding ok|refused|overlap|data|checker|granted [what]
 *   end
 * so that whoever watches it knows where it stopped and what it found.
 */
#ifndef ALLOCLAB_MISUSE_CASES_H
#define ALLOCLAB_MISUSE_CASES_H

#include <stddef.h>

enum misuse_case {
    MISUSE_DOUBLE_FREE,
    MISUSE_DOUBLE_FREE_LATER,
    MISUSE_FREE_NEVER_ALLOCATED,
    MISUSE_FREE_INTERIOR,
    MISUSE_FREE_STACK,
    MISUSE_OVERFLOW_ONE,
    MISUSE_WRITE_AFTER_FREE,
    MISUSE_HUGE,
    MISUSE_ZERO_WRITE,
    MISUSE_CASES
};

struct misuse_case_def {
    const char *name;  /* on the command line and in misuse.csv */
    const char *title; /* a table's column */
    const char *what;  /* what the case does, in a sentence */
};
extern const struct misuse_case_def misuse_case_defs[MISUSE_CASES];

/* Its index, or -1. */
int misuse_case_find(const char *name);

/* The heap a case runs on: free takes the size the program believes the
 * block has (a sized interface uses it; malloc's free ignores it). */
struct misuse_heap {
    void *(*alloc)(void *ctx, size_t size);
    void (*free)(void *ctx, void *p, size_t size);
    int (*check)(void *ctx, char *why, size_t len); /* the heap's own checker; NULL: none */
    void *ctx;
};

/* The request the huge case makes: more than any machine's address space. */
#define MISUSE_HUGE_REQUEST ((size_t)1 << 62)

/* Run case c on h, its progress and finding written to fd. */
void misuse_run(int c, const struct misuse_heap *h, int fd);

#endif
