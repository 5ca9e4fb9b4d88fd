/* deny_userfaultfd.c - LD_PRELOAD shim for the tests: the userfaultfd system
 * call fails with EPERM, as under a seccomp filter (a container's default
 * profile) or a kernel without it; every other call goes through. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <sys/syscall.h>

long syscall(long number, ...)
{
    if (number == SYS_userfaultfd) {
        errno = EPERM;
        return -1;
    }
    va_list ap;
    va_start(ap, number);
    long a[6];
    for (int i = 0; i < 6; i++)
        a[i] = va_arg(ap, long);
    va_end(ap);
    long (*real)(long, ...) = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
    return real(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
