/* bench.h - `alloclab bench`: a profile's cells, measured into a run folder. */
#ifndef ALLOCLAB_BENCH_H
#define ALLOCLAB_BENCH_H

int bench_main(int argc, char **argv);

#endif
