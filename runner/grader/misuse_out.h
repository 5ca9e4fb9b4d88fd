/* misuse_out.h - misuse's results: misuse.csv, misuse.md and a figure. */
#ifndef ALLOCLAB_MISUSE_OUT_H
#define ALLOCLAB_MISUSE_OUT_H

#include "allocator.h"
#include "misuse.h"

/* A heap as misuse runs it: through its interface, or as packaged. */
struct misuse_subject {
    const struct allocator *a;
    bool packaged;
    char label[64];     /* system_malloc, jemalloc as packaged, glibc ... */
    char lib[4200];     /* packaged: the library preloaded ("": nothing, glibc) */
    char why_not[300];  /* why it cannot run here ("": it can) */
};

struct misuse_row {
    const struct misuse_subject *subject;
    int c; /* the case */
    struct misuse_obs obs;
    enum misuse_class cls;
};

/* The files into dir (made already), each whole or not at all, the table on
 * standard output; 0, or -1 with one line on stderr. cases: those run;
 * fixed: address randomization was off. */
int misuse_write(const char *dir, const struct misuse_row *rows, int n, const bool cases[MISUSE_CASES], bool fixed);

#endif
