/* sigchain.c - see sigchain.h. */
#include "sigchain.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int sigchain_install(struct sigchain *c, int sig, void (*handler)(int, siginfo_t *, void *), char err[ALLOC_ERR_LEN])
{
    struct sigaction current;
    if (sigaction(sig, NULL, &current) == 0 && (current.sa_flags & SA_SIGINFO) && current.sa_sigaction == handler)
        return 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER; /* a fault inside a chained handler must still be delivered */
    sigemptyset(&sa.sa_mask);
    c->sig = sig;
    if (sigaction(sig, &sa, &c->previous) != 0) {
        snprintf(err, ALLOC_ERR_LEN, "cannot install the %s handler: %s", sig == SIGBUS ? "SIGBUS" : "SIGSEGV",
                 strerror(errno));
        return -1;
    }
    return 0;
}

void sigchain_forward(const struct sigchain *c, siginfo_t *info, void *context)
{
    if (c->previous.sa_flags & SA_SIGINFO) {
        if (c->previous.sa_sigaction) {
            c->previous.sa_sigaction(c->sig, info, context);
            return;
        }
    } else if (c->previous.sa_handler != SIG_DFL && c->previous.sa_handler != SIG_IGN) {
        c->previous.sa_handler(c->sig);
        return;
    }
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(c->sig, &dfl, NULL);
}

static _Thread_local const void *last_fault_addr;
static _Thread_local long same_fault_count;

bool sigchain_repeating(const void *addr, long limit)
{
    same_fault_count = addr == last_fault_addr ? same_fault_count + 1 : 0;
    last_fault_addr = addr;
    return same_fault_count >= limit;
}
