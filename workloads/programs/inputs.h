/*
 * inputs.h - what the programs workload's programs read: sqlite3's SQL
 * script, lua5.4's script and cc's generated C, written into a cell's
 * folder (load.sql, load.lua, load.c), their size set by the scale knob.
 */
#ifndef ALLOCLAB_PROGRAMS_INPUTS_H
#define ALLOCLAB_PROGRAMS_INPUTS_H

#include <stdint.h>

#include "workload.h"

/* 0, or -1 with err */
int programs_make_inputs(const char *dir, uint64_t scale, uint64_t seed, char err[WORKLOAD_ERR_LEN]);

#endif
