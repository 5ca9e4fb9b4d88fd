/* c2.h - the documents' own benchmark (claim C2), measured into c2.csv. */
#ifndef ALLOCLAB_C2_H
#define ALLOCLAB_C2_H
/* reps rounds (at least enough for an interval), then up to `more` while
 * the verdict's interval straddles the documents' ratio; 0, or -1 when
 * c2.csv could not be written */
int c2_measure(const char *dir, int reps, int more);
#endif
