#include "procmem.h"

#include <stdio.h>
#include <string.h>

#include "allocator.h" /* NA */

int smaps_add(pid_t pid, struct smaps_sum *sum)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/smaps_rollup", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    long v;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "Rss: %ld kB", &v) == 1)
            sum->rss_kib += (double)v;
        else if (sscanf(line, "Pss: %ld kB", &v) == 1)
            sum->pss_kib += (double)v;
        else if (sscanf(line, "AnonHugePages: %ld kB", &v) == 1)
            sum->anon_huge_kib += (double)v;
        else if (sscanf(line, "Private_Dirty: %ld kB", &v) == 1)
            sum->private_dirty_kib += (double)v;
        else if (sscanf(line, "Shared_Clean: %ld kB", &v) == 1 || sscanf(line, "Shared_Dirty: %ld kB", &v) == 1)
            sum->shared_kib += (double)v;
    }
    fclose(f);
    return 0;
}

static double field_kib(const char *path, const char *field)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NA;
    char line[256];
    size_t n = strlen(field);
    double kib = NA;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, field, n) && line[n] == ':') {
            long long v;
            if (sscanf(line + n + 1, "%lld", &v) == 1)
                kib = (double)v;
            break;
        }
    fclose(f);
    return kib;
}

double peak_rss_kib(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    return field_kib(path, "VmHWM");
}

double meminfo_kib(const char *field) { return field_kib("/proc/meminfo", field); }

double noreserve_kib(pid_t pid)
{
    char path[64], line[512];
    snprintf(path, sizeof path, "/proc/%d/smaps", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return NA;
    double kib = 0, size = 0;
    int writable_private = 0;
    long v;
    while (fgets(line, sizeof line, f)) {
        char perms[8];
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3) { /* a mapping's first line */
            writable_private = perms[1] == 'w' && perms[3] == 'p';
            size = 0;
        } else if (sscanf(line, "Size: %ld kB", &v) == 1) {
            size = (double)v;
        } else if (!strncmp(line, "VmFlags:", 8) && writable_private && strstr(line, " nr")) {
            kib += size;
        }
    }
    fclose(f);
    return kib;
}
