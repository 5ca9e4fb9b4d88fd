#ifndef ALLOCLAB_SYSINFO_H
#define ALLOCLAB_SYSINFO_H
#include <stddef.h>
#include <stdio.h>

int sysinfo_main(int argc, char **argv);
/* The machine description that goes into meta.txt. */
void sysinfo_write(FILE *out);
#endif
