#ifndef ALLOCLAB_TRACEGEN_H
#define ALLOCLAB_TRACEGEN_H
int tracegen_main(int argc, char **argv);
#endif
