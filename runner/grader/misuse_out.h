/* misuse_out.h - misuse's results: misuse.csv, misuse.md and a figure. */
#ifndef ALLOCLAB_MISUSE_OUT_H
#define ALLOCLAB_MISUSE_OUT_H

#include "misuse.h"

/* The files into dir (made already), each whole or not at all, the table on
 * standard output; 0, or -1 with one line on stderr. cases: those run;
 * fixed: address randomization was off. */
int misuse_write(const char *dir, const struct misuse_row *rows, int n, const bool cases[MISUSE_CASES], bool fixed);

#endif
