#ifndef ALLOCLAB_RUN_H
#define ALLOCLAB_RUN_H
#include <stddef.h>
#include <stdint.h>

#include "cell.h"

int run_main(int argc, char **argv);
/* Refuse a cell that cannot run here; 0, or -1 with why. */
int cell_spec_validate(struct cell_spec *spec, struct topo *tp, char *why, size_t whylen);
/* "[k/N] what, elapsed, estimate" on stderr, only when it is a terminal */
void progress(int k, int total, uint64_t started_ns, const char *what);
void progress_done(void);
#endif
