/*
 * sigchain.h - a fault handler for the user-space copy-on-write strategies
 * (mprotect_cow's SIGSEGV, uffd_cow's SIGBUS) that takes only its own faults.
 * It goes on top of whatever handler was installed, and every fault that is
 * not its own goes on to that one, or to the default action: a real crash
 * still crashes. Async-signal-safe.
 */
#ifndef ALLOCLAB_SIGCHAIN_H
#define ALLOCLAB_SIGCHAIN_H

#include <signal.h>
#include <stdbool.h>

#include "../allocator.h"

struct sigchain {
    int sig;
    struct sigaction previous; /* the handler found there, forwarded to */
};

/* Put handler on top for sig, unless it already is (each create calls this,
 * so a handler installed since, by a test harness or a child that reset its
 * signals, is chained rather than lost). 0, or -1 with err. */
int sigchain_install(struct sigchain *c, int sig, void (*handler)(int, siginfo_t *, void *), char err[ALLOC_ERR_LEN]);
/* A fault that is not ours: to the previous handler, or the default action
 * (restored here; the faulting instruction runs again and dies of it). */
void sigchain_forward(const struct sigchain *c, siginfo_t *info, void *context);
/* A write that keeps faulting at one address after it was handled is not a
 * copy-on-write fault: true from its `limit`-th fault in a row on this thread. */
bool sigchain_repeating(const void *addr, long limit);

#endif
