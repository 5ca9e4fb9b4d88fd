#ifndef ALLOCLAB_CHECK_H
#define ALLOCLAB_CHECK_H
int check_main(int argc, char **argv);
int band_utilization(double utilization); /* 0..100 */
int band_throughput(double ratio);        /* 0..100 */
#endif
