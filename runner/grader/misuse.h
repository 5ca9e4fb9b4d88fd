/* misuse.h - `alloclab misuse [--strategy S]... [--case C]... [--out DIR]`:
 * what each heap does with misuse (misuse_cases.h), each case in a process
 * of its own with a time limit, classified from how that process ended. */
#ifndef ALLOCLAB_MISUSE_H
#define ALLOCLAB_MISUSE_H

#include <stdbool.h>
#include <stddef.h>

#include "allocator.h"
#include "misuse_cases.h"

#define MISUSE_LIMIT_S 3 /* per case: each takes milliseconds; a heap that loops is "hung" */

enum misuse_class {
    MISUSE_DETECTED,  /* stopped, with the allocator's own message */
    MISUSE_CRASHED,   /* stopped by a signal (or an exit) with no message */
    MISUSE_CORRUPTED, /* carried on silently: a later block overlapped a live one, data changed, the checker failed */
    MISUSE_WARNED,    /* said something and carried on */
    MISUSE_HARMLESS,  /* carried on, nothing said, nothing found wrong */
    MISUSE_HUNG,      /* no end within the time limit (killed) */
    MISUSE_NA,        /* not run, or it stopped before the misuse: nothing to classify */
    MISUSE_CLASSES
};
extern const char *const misuse_class_names[MISUSE_CLASSES];

/* How a case's process ended, and what it wrote. */
enum misuse_end { MISUSE_END_EXIT, MISUSE_END_SIGNAL, MISUSE_END_TIMEOUT, MISUSE_END_NOT_RUN };
struct misuse_obs {
    enum misuse_end end;
    int code;             /* the exit status, or the signal */
    char message[240];    /* the first line it wrote on stderr: the allocator's ("" if none) */
    char stage[16];       /* the last stage it reached (misuse_cases.h); "" before the misuse */
    char finding[16];     /* ok|refused|overlap|data|checker|granted, or "" */
    char finding_text[200];
    bool ended;           /* it wrote "end" */
};

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

/* One case on one heap, in a process of its own killed after limit_s:
 * through its interface, or (packaged) the probe program with the library
 * preloaded. o says how it ended; misuse_classify tells the class. */
void misuse_run_one(const struct misuse_subject *s, int c, const char *probe, double limit_s, struct misuse_obs *o);

/* The stage, finding and end from a case's output (its lines, misuse_cases.h). */
void misuse_parse(const char *out, struct misuse_obs *o);
/* The message: the first non-empty line of what it wrote on stderr, trimmed. */
void misuse_message(const char *err, char *out, size_t len);
/* Its class. */
enum misuse_class misuse_classify(const struct misuse_obs *o);

/* argv as main passes it (argv[-1] is the program: misuse runs itself again
 * once, address randomization off). */
int misuse_main(int argc, char **argv);

#endif
