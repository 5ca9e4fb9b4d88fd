/* plots.h - the figures of a run folder, drawn by gnuplot from plots/fig_*.gp. */
#ifndef ALLOCLAB_PLOTS_H
#define ALLOCLAB_PLOTS_H
#include <stdbool.h>

#include "runfolder.h"
/* Draw every figure into the run folder (PNG and SVG); problems are one message on stderr. */
void plots_render(const struct run_folder *run);
/* Draw plots/NAME.gp into dir (PNG and SVG), with dir, caption and the
 * gnuplot assignments vars_more (or NULL) set; 0, or -1 with one message on
 * stderr (the gnuplot log kept beside it). */
int plots_draw_one(const char *dir, const char *name, const char *vars_more);
/* The figures' names (fig_a_time ...), sorted; how many. */
int plots_list(const char *out[], int max);
/* A figure's title: the first line of its script. */
const char *plots_title(const char *name);
/* Whether a figure needs a column this machine may lack (hardware counters). */
bool plots_needs_counters(const char *name);
#endif
