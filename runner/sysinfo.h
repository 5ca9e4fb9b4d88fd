#ifndef ALLOCLAB_SYSINFO_H
#define ALLOCLAB_SYSINFO_H
#include <stddef.h>
#include <stdio.h>

int sysinfo_main(int argc, char **argv);
/* The machine description that goes into meta.txt. */
void sysinfo_write(FILE *out);
/* Measure the machine's limits into a calibrate.csv at path; 0 or -1. */
int calibrate_write(const char *path, size_t size, int reps, long churn_ops);
#endif
