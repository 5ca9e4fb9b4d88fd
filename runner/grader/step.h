/* step.h - `alloclab step`: a short trace one operation at a time, each
 * predicted before it is revealed (the free block an allocation takes, the
 * free blocks after a free); --answers prints the key. */
#ifndef ALLOCLAB_STEP_H
#define ALLOCLAB_STEP_H
int step_main(int argc, char **argv);
#endif
