/*
 * misuse.c - `alloclab misuse [--strategy S]... [--case C]... [--out DIR]`:
 * a battery of misuse cases (misuse_cases.h) against every heap, each case
 * in a process of its own with a time limit, classified (misuse_class.c).
 *
 * Subjects: every heap strategy through its own interface (alloclab's child
 * creates an instance and runs the case on it, the heap's checker included
 * where it has one), and every strategy with a packaged form as its users
 * run it: build/alloclab-misuse-probe, a tiny program calling malloc and
 * free, with the strategy's own library preloaded (LD_PRELOAD), as `programs
 * --via packaged` runs a program; system_malloc's packaged form is glibc
 * itself, nothing preloaded. --strategy glibc names that one alone.
 */
#include "misuse.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "allocator.h"
#include "cli.h"
#include "heapmap.h" /* heapmap_make_dir */
#include "misuse_out.h"
#include "support/os.h"

#define MAX_SUBJECTS 64
#define PROBE "alloclab-misuse-probe"

struct misuse_args {
    const char *names[MAX_SUBJECTS];
    int nnames;
    bool cases[MISUSE_CASES];
    const char *out;
};

static void parse_args(int argc, char **argv, struct misuse_args *ma)
{
    static const struct option opts[] = {{"strategy", required_argument, NULL, 's'},
                                         {"case", required_argument, NULL, 'c'},
                                         {"out", required_argument, NULL, 'o'},
                                         {NULL, 0, NULL, 0}};
    int c, ncases = 0;
    opterr = 0;
    optind = 1;
    *ma = (struct misuse_args){.out = "results/misuse"};
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        if (c == 's' && ma->nnames < MAX_SUBJECTS) {
            ma->names[ma->nnames++] = optarg;
        } else if (c == 'c') {
            int k = misuse_case_find(optarg);
            if (k < 0)
                die_usage("misuse: unknown case '%s' (the cases: double_free, double_free_later, "
                          "free_never_allocated, free_interior, free_stack, overflow_one, write_after_free, huge, "
                          "zero_write)", optarg);
            ma->cases[k] = true;
            ncases++;
        } else if (c == 'o') {
            ma->out = optarg;
        } else {
            die_usage("misuse: unknown or incomplete option '%s' (try: alloclab --help)", argv[optind - 1]);
        }
    }
    if (optind < argc)
        die_usage("misuse: unexpected argument '%s'", argv[optind]);
    for (int k = 0; k < MISUSE_CASES && !ncases; k++)
        ma->cases[k] = true;
    for (int i = 0; i < ma->nnames; i++) {
        const struct allocator *a = allocator_find(ma->names[i]);
        if (strcmp(ma->names[i], "glibc") && !a)
            die_usage("misuse: unknown strategy '%s' (see: alloclab list; glibc: the C library's malloc as packaged)",
                      ma->names[i]);
        if (a && !allocator_has_heap(a))
            die_usage("misuse: %s has no heap to misuse", ma->names[i]);
    }
}

static bool wanted(const struct misuse_args *ma, const char *name)
{
    for (int i = 0; i < ma->nnames; i++)
        if (!strcmp(ma->names[i], name))
            return true;
    return ma->nnames == 0;
}

/* The probe program, beside this one. */
static void probe_path(char *out, size_t len)
{
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = '\0';
    char *slash = strrchr(self, '/');
    snprintf(out, len, "%.*s/%s", slash ? (int)(slash - self) : 1, slash ? self : ".", PROBE);
}

static void add(struct misuse_subject *s, int *n, const struct allocator *a, bool packaged, const char *probe)
{
    struct misuse_subject *x = &s[(*n)++];
    *x = (struct misuse_subject){.a = a, .packaged = packaged};
    const char *why = allocator_unavailable(a);
    if (!packaged) {
        snprintf(x->label, sizeof x->label, "%s", a->name);
    } else {
        snprintf(x->label, sizeof x->label, "%s", !strcmp(a->name, "system_malloc") ? "glibc" : a->name);
        if (strcmp(x->label, "glibc"))
            snprintf(x->label + strlen(x->label), sizeof x->label - strlen(x->label), " as packaged");
        why = why ? why : a->packaged(x->lib, sizeof x->lib);
        if (!why && access(probe, X_OK) != 0)
            why = "build/" PROBE " is missing: build it with make";
    }
    snprintf(x->why_not, sizeof x->why_not, "%s", why ? why : "");
}

/* alloclab's heaps first, then the reference allocators; each as packaged
 * right after it */
static int subjects(const struct misuse_args *ma, struct misuse_subject *s, const char *probe)
{
    int n = 0;
    for (int reference = 0; reference < 2; reference++)
        for (int i = 0; allocator_registry[i] && n + 2 <= MAX_SUBJECTS; i++) {
            const struct allocator *a = allocator_registry[i];
            if (!allocator_has_heap(a) || ((a->promises & ALLOC_REFERENCE) != 0) != (reference != 0))
                continue;
            if (wanted(ma, a->name))
                add(s, &n, a, false, probe);
            if (a->packaged && (wanted(ma, a->name) || (!strcmp(a->name, "system_malloc") && wanted(ma, "glibc"))))
                add(s, &n, a, true, probe);
        }
    return n;
}

/* ---- one case, in a process of its own ---- */

struct iface {
    const struct allocator *a;
    void *self;
};
static void *iface_alloc(void *ctx, size_t size) { return ((struct iface *)ctx)->a->alloc(((struct iface *)ctx)->self, size); }
static void iface_free(void *ctx, void *p, size_t size) { ((struct iface *)ctx)->a->free(((struct iface *)ctx)->self, p, size); }
static int iface_check(void *ctx, char *why, size_t len)
{
    return ((struct iface *)ctx)->a->check_heap(((struct iface *)ctx)->self, why, len);
}

/* The child: no core files, default signals, the C library's fatal messages on stderr. */
static void child_setup(int err_fd)
{
    struct rlimit none = {0, 0};
    setrlimit(RLIMIT_CORE, &none);
    int sigs[] = {SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE, SIGTRAP};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
        signal(sigs[i], SIG_DFL);
    dup2(err_fd, 2);
    setenv("LIBC_FATAL_STDERR_", "1", 1);
}

static void run_child(const struct misuse_subject *s, int c, const char *probe, int out_fd)
{
    if (s->packaged) {
        char preload[4300], *envp[4] = {"LIBC_FATAL_STDERR_=1", "PATH=/usr/bin:/bin", NULL, NULL};
        snprintf(preload, sizeof preload, "LD_PRELOAD=%s", s->lib);
        if (s->lib[0])
            envp[2] = preload;
        dup2(out_fd, 1);
        execve(probe, (char *[]){(char *)probe, (char *)misuse_case_defs[c].name, NULL}, envp);
        _exit(127);
    }
    char why[ALLOC_ERR_LEN];
    struct iface x = {s->a, alloc_create(s->a, NULL, THP_DEFAULT, why)};
    if (!x.self)
        _exit(3); /* before the misuse: the case says nothing, and is NA */
    struct misuse_heap h = {iface_alloc, iface_free, s->a->check_heap ? iface_check : NULL, &x};
    misuse_run(c, &h, out_fd);
    _exit(0);
}

/* Read both pipes until they close or the time is up; 0, or -1 at the limit. */
static int collect(int fd_out, int fd_err, char *out, size_t olen, char *err, size_t elen, uint64_t deadline)
{
    struct pollfd p[2] = {{fd_out, POLLIN, 0}, {fd_err, POLLIN, 0}};
    size_t n[2] = {0, 0}, cap[2] = {olen - 1, elen - 1};
    char *buf[2] = {out, err}, sink[4096];
    int rc = 0;
    while (p[0].fd >= 0 || p[1].fd >= 0) {
        if (os_now_ns() > deadline) {
            rc = -1;
            break;
        }
        if (poll(p, 2, 20) <= 0)
            continue;
        for (int i = 0; i < 2; i++) {
            if (p[i].fd < 0 || !p[i].revents)
                continue;
            ssize_t got = n[i] < cap[i] ? read(p[i].fd, buf[i] + n[i], cap[i] - n[i]) : read(p[i].fd, sink, sizeof sink);
            if (got <= 0)
                p[i].fd = -1;
            else if (n[i] < cap[i])
                n[i] += (size_t)got;
        }
    }
    out[n[0]] = err[n[1]] = '\0'; /* what it wrote before the limit too: where it was */
    return rc;
}

void misuse_run_one(const struct misuse_subject *s, int c, const char *probe, double limit_s, struct misuse_obs *o)
{
    *o = (struct misuse_obs){.end = MISUSE_END_NOT_RUN};
    int po[2], pe[2];
    if (pipe2(po, O_CLOEXEC) != 0)
        return;
    if (pipe2(pe, O_CLOEXEC) != 0) {
        close(po[0]), close(po[1]);
        return;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        child_setup(pe[1]);
        run_child(s, c, probe, po[1]);
    }
    close(po[1]), close(pe[1]);
    static char out[8192], err[8192];
    out[0] = err[0] = '\0';
    int status = 0;
    bool late = pid > 0 && collect(po[0], pe[0], out, sizeof out, err, sizeof err,
                                   os_now_ns() + (uint64_t)(limit_s * 1e9)) != 0;
    close(po[0]), close(pe[0]);
    if (pid < 0)
        return;
    if (late)
        kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    o->end = late ? MISUSE_END_TIMEOUT : WIFSIGNALED(status) ? MISUSE_END_SIGNAL : MISUSE_END_EXIT;
    o->code = WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status);
    misuse_parse(out, o);
    misuse_message(err, o->message, sizeof o->message);
}

/* Address randomization off for the cases, by running this program again
 * once (as setarch -R does): glibc checks a free-list pointer a write after
 * free scribbled over by its alignment, after undoing its safe-linking,
 * which mixes in address bits, so with randomization one run in sixteen
 * answers differently. true when it is off. argv: main's, plus one. */
static bool fixed_layout(char **argv)
{
    int p = personality(0xffffffff);
    if (p != -1 && (p & ADDR_NO_RANDOMIZE))
        return true;
    if (p == -1 || getenv("ALLOCLAB_MISUSE_LAYOUT") || personality((unsigned long)p | ADDR_NO_RANDOMIZE) == -1)
        return false;
    setenv("ALLOCLAB_MISUSE_LAYOUT", "tried", 1);
    fflush(NULL);
    execv("/proc/self/exe", argv - 1);
    personality((unsigned long)p); /* not run again: as it was */
    return false;
}

int misuse_main(int argc, char **argv)
{
    struct misuse_args ma;
    parse_args(argc, argv, &ma);
    bool fixed = fixed_layout(argv);
    static struct misuse_subject s[MAX_SUBJECTS];
    char probe[4200];
    probe_path(probe, sizeof probe);
    int n = subjects(&ma, s, probe);
    if (!n)
        die_usage("misuse: no heap strategy selected");
    if (heapmap_make_dir(ma.out) != 0)
        die_usage("misuse: cannot make '%s': %s", ma.out, strerror(errno));
    static struct misuse_row rows[MAX_SUBJECTS * MISUSE_CASES];
    int nrows = 0;
    for (int i = 0; i < n; i++)
        for (int c = 0; c < MISUSE_CASES; c++) {
            if (!ma.cases[c])
                continue;
            struct misuse_row *r = &rows[nrows++];
            *r = (struct misuse_row){.subject = &s[i], .c = c};
            if (!s[i].why_not[0])
                misuse_run_one(&s[i], c, probe, MISUSE_LIMIT_S, &r->obs);
            else
                r->obs = (struct misuse_obs){.end = MISUSE_END_NOT_RUN};
            r->cls = misuse_classify(&r->obs);
        }
    return misuse_write(ma.out, rows, nrows, ma.cases, fixed) == 0 ? EXIT_OK : EXIT_MEASURE;
}
