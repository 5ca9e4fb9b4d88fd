/* plots.h - the figures of a run folder, drawn by gnuplot from plots/fig_*.gp. */
#ifndef ALLOCLAB_PLOTS_H
#define ALLOCLAB_PLOTS_H
#include <stdbool.h>

#include "runfolder.h"
/* Draw every figure into the run folder (PNG and SVG); problems are one message on stderr. */
void plots_render(const struct run_folder *run);
/* The figures' names (fig_a_time ...), sorted; how many. */
int plots_list(const char *out[], int max);
/* A figure's title: the first line of its script. */
const char *plots_title(const char *name);
/* Whether a figure needs a column this machine may lack (hardware counters). */
bool plots_needs_counters(const char *name);
#endif
