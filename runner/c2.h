/* c2.h - the documents' own benchmark (claim C2), measured into c2.csv. */
#ifndef ALLOCLAB_C2_H
#define ALLOCLAB_C2_H
/* 0, or -1 when c2.csv could not be written */
int c2_measure(const char *dir, int reps);
#endif
