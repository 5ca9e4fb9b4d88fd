/* list.h - `alloclab list`: what this build has, and the README's generated sections. */
#ifndef ALLOCLAB_LIST_H
#define ALLOCLAB_LIST_H
int list_main(int argc, char **argv);
#endif
