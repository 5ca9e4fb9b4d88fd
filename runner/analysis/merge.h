/* merge.h - `alloclab merge RUN...`: runs from several machines in one
 * table and one set of figures, each run's figures also against its own
 * machine's limits. */
#ifndef ALLOCLAB_MERGE_H
#define ALLOCLAB_MERGE_H
int merge_main(int argc, char **argv);
#endif
