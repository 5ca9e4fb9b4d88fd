/* procmem.h - memory as the kernel accounts it, from /proc. */
#ifndef ALLOCLAB_PROCMEM_H
#define ALLOCLAB_PROCMEM_H

#include <stdint.h>
#include <sys/types.h>

struct smaps_sum {
    double rss_kib, pss_kib, private_dirty_kib, shared_kib; /* shared: clean + dirty */
    double anon_huge_kib;                                   /* backed by transparent huge pages */
};

/* Add pid's /proc/PID/smaps_rollup to sum; 0 or -1. */
int smaps_add(pid_t pid, struct smaps_sum *sum);
/* VmHWM of pid (its peak RSS) in KiB, or NA. */
double peak_rss_kib(pid_t pid);
/* A field of /proc/meminfo in KiB ("Committed_AS", "MemAvailable", "CommitLimit"), or NA. */
double meminfo_kib(const char *field);

/* Private writable MAP_NORESERVE mappings of pid (smaps VmFlags "nr"), in KiB, or NA. */
double noreserve_kib(pid_t pid);

#endif
