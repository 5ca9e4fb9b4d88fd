/* crossover.h - where copy-on-write stops paying, from the write-fraction sweep. */
#ifndef ALLOCLAB_CROSSOVER_H
#define ALLOCLAB_CROSSOVER_H
#include <stddef.h>

#include "runfolder.h"

#define CROSSOVER_MAX_ROWS 32

/* A copy-on-write strategy against the best eager strategy at each write
 * fraction, each ratio of wall times with its interval (interval.c). */
struct crossover {
    double after;  /* the last fraction where copy-on-write is surely faster, before `by`; NA: none */
    double by;     /* the first fraction where it is surely no faster; NA: never (or not surely) */
    double fit;    /* where straight-line fits of their wall times against the fraction cross; NA: they do not */
    bool undecided_at_top; /* at the largest fraction measured, neither surely faster nor surely not */
    char bimodal[128];     /* the fractions whose cells fell in two groups, on both sides (deciding nothing) */
    char bimodal_decided[128]; /* ... and those whose repetitions all lay on one side (deciding) */
    long straddling[CROSSOVER_MAX_ROWS]; /* summary rows of the cells at fractions neither side is sure of */
    int nstraddling;
};

/* 0, or -1 when the sweep has no cells of cow. */
int crossover_find(const struct run_folder *run, const char *cow, struct crossover *out);
/* A sentence on it, for the report and claim C4. */
void crossover_text(const char *cow, const struct crossover *x, double almost_every, char *buf, size_t len);
#endif
