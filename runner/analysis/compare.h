/* compare.h - `alloclab compare RUN_A RUN_B`: the change in every figure the
 * two runs share, with an interval, into compare.md, compare.csv and a figure. */
#ifndef ALLOCLAB_COMPARE_H
#define ALLOCLAB_COMPARE_H
int compare_main(int argc, char **argv);
#endif
