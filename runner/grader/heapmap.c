/*
 * heapmap.c - `alloclab heapmap --strategy S --trace FILE [--at OP] [--out DIR]`:
 * a heap's address space drawn against a trace's operations.
 *
 * Each block is a bar at its address, from the operation that returned it
 * to the one that freed it; the heap's mappings are bands behind them, so
 * that what is mapped and holds no block (free space, headers, padding,
 * metadata) shows between the bars; utilisation (live over mapped bytes)
 * runs beneath. With --at OP, the address space after that operation too:
 * every byte of the regions live, free (and of that, what the strategy
 * lists as free blocks, if it can say) or unmapped. Any heap strategy, a
 * student's copy of the template with no code of its own (the driver sees
 * the addresses it returns and the mappings it makes through os.c), and the
 * heaps on a library from the addresses they return (heaprec.h).
 *
 * The trace is replayed in a child process with a time limit, as check
 * does: a strategy that crashes or hangs is said so, with the operation,
 * and no figure is drawn from half a replay.
 */
#include "heapmap.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "analysis/plots.h"
#include "cli.h"
#include "support/os.h"

struct heapmap_args {
    const struct allocator *a;
    const char *options, *trace_path, *out;
    long at;
};

int heapmap_make_dir(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(path, 0777) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(path, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

static void parse_args(int argc, char **argv, struct heapmap_args *ha)
{
    static const struct option opts[] = {{"strategy", required_argument, NULL, 's'},
                                         {"trace", required_argument, NULL, 't'},
                                         {"options", required_argument, NULL, 'o'},
                                         {"at", required_argument, NULL, 'a'},
                                         {"out", required_argument, NULL, 'd'},
                                         {NULL, 0, NULL, 0}};
    const char *name = NULL, *at = NULL;
    int c;
    opterr = 0;
    optind = 1;
    *ha = (struct heapmap_args){.out = "results/heapmap", .at = -1};
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        if (c == 's')
            name = optarg;
        else if (c == 't')
            ha->trace_path = optarg;
        else if (c == 'o')
            ha->options = optarg;
        else if (c == 'a')
            at = optarg;
        else if (c == 'd')
            ha->out = optarg;
        else
            die_usage("heapmap: unknown or incomplete option '%s' (try: alloclab --help)", argv[optind - 1]);
    }
    if (optind < argc)
        die_usage("heapmap: unexpected argument '%s'", argv[optind]);
    if (!name || !ha->trace_path)
        die_usage("heapmap: --strategy and --trace are required");
    if (!(ha->a = allocator_find(name)) || !allocator_has_heap(ha->a))
        die_usage("heapmap: '%s' is not a heap strategy (see: alloclab list)", name);
    const char *why = allocator_unavailable(ha->a);
    if (why)
        die_usage("heapmap: %s is unavailable: %s", name, why);
    struct alloc_config cfg;
    char err[ALLOC_ERR_LEN];
    if (alloc_config_parse(ha->a, ha->options, THP_DEFAULT, &cfg, err) != 0)
        die_usage("heapmap: %s: %s", name, err);
    if (at)
        ha->at = long_option("heapmap", "at", at, 0, 0x7fffffff);
}

/* What the child tells the parent: where it is, and what it wrote. */
struct shared {
    volatile uint64_t op;
    volatile int written; /* 1: the files are whole; -1: could not write them (err) */
    char err[512];
    struct heapmap_summary sum;
};

static void replay_child(const struct heapmap_args *ha, const struct trace *t, struct shared *sh)
{
    struct heaprec r;
    char why[ALLOC_ERR_LEN];
    if (heaprec_init(&r, ha->a, t, ha->at) != 0) {
        snprintf(sh->err, sizeof sh->err, "out of memory");
        sh->written = -1;
        return;
    }
    void *self = alloc_create_memory_pass(ha->a, ha->options, THP_DEFAULT, why);
    if (!self) {
        snprintf(sh->err, sizeof sh->err, "%s: create failed: %s", ha->a->name, why);
        sh->written = -1;
        return;
    }
    heaprec_start(&r, self);
    heaprec_replay(&r, t, &sh->op);
    heaprec_stop(&r);
    ha->a->destroy(self);
    sh->written = heapmap_write(&r, ha->out, &sh->sum, sh->err, sizeof sh->err) == 0 ? 1 : -1;
    heaprec_free(&r);
}

/* The child's end: 0 when it wrote the files; else one line on stderr. */
static int await_child(pid_t pid, const struct trace *t, struct shared *sh)
{
    uint64_t deadline = os_now_ns() + (uint64_t)HEAPMAP_TIMEOUT_S * 1000000000u;
    struct timespec nap = {0, 2 * 1000 * 1000};
    int status = 0;
    while (waitpid(pid, &status, WNOHANG) != pid) {
        if (os_now_ns() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            fprintf(stderr, "alloclab: heapmap: no answer within %d s: stuck at op %llu of %s\n", HEAPMAP_TIMEOUT_S,
                    (unsigned long long)sh->op, t->name);
            return -1;
        }
        nanosleep(&nap, NULL);
    }
    if (WIFSIGNALED(status)) {
        const char *sig = sigabbrev_np(WTERMSIG(status));
        if (sh->op < t->num_ops)
            fprintf(stderr, "alloclab: heapmap: the strategy crashed (SIG%s) at op %llu of %s\n", sig ? sig : "?",
                    (unsigned long long)sh->op, t->name);
        else
            fprintf(stderr, "alloclab: heapmap: the replay crashed (SIG%s) after the trace\n", sig ? sig : "?");
        return -1;
    }
    if (sh->written != 1) {
        fprintf(stderr, "alloclab: heapmap: %s\n", sh->written ? sh->err : "the replay ended without its files");
        return -1;
    }
    return 0;
}

static void report(const struct heapmap_args *ha, const struct trace *t, const struct heapmap_summary *s)
{
    printf("%s on %s: %zu operations, %zu blocks, %zu mappings in %zu region%s; peak live %.0f B, peak mapped ",
           ha->a->name, t->name, s->ops, s->blocks, s->maps, s->regions, s->regions == 1 ? "" : "s", s->peak_live);
    if (is_na(s->peak_mapped))
        printf("NA");
    else
        printf("%.0f B%s", s->peak_mapped, s->ledger ? "" : " (the library's own count)");
    printf("\n");
    if (s->at >= 0) {
        printf("after op %ld: live %.0f B, free %.0f B (mapped, in no live block", s->at, s->at_live,
               s->at_listed + s->at_unlisted);
        if (s->at_free_blocks >= 0)
            printf("; %.0f B of it in the %d free blocks the strategy lists", s->at_listed, s->at_free_blocks);
        printf("), unmapped %.0f B between the mappings\n", s->at_unmapped);
    }
    printf("%s/heapmap.png (and .svg; the data in heapmap_*.csv)%s\n", ha->out,
           s->at >= 0 ? "; the moment in heapmap_at.png" : "");
}

int heapmap_main(int argc, char **argv)
{
    struct heapmap_args ha;
    parse_args(argc, argv, &ha);
    static struct trace t;
    char err[512];
    if (trace_load(ha.trace_path, &t, err, sizeof err) != 0)
        die_usage("heapmap: %s", err);
    if (ha.at >= (long)t.num_ops)
        die_usage("heapmap: --at %ld: %s has operations 0 to %zu", ha.at, t.name, t.num_ops - 1);
    if (heapmap_make_dir(ha.out) != 0)
        die_usage("heapmap: cannot make '%s': %s", ha.out, strerror(errno));
    struct shared *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED)
        die_usage("heapmap: out of memory");
    memset(sh, 0, sizeof *sh);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) { /* a strategy's crash or hang ends this process, not alloclab */
        replay_child(&ha, &t, sh);
        _exit(0);
    }
    if (pid < 0)
        die_usage("heapmap: cannot start the replay: %s", strerror(errno));
    int rc = await_child(pid, &t, sh) == 0 ? EXIT_OK : EXIT_MEASURE;
    if (rc == EXIT_OK) {
        report(&ha, &t, &sh->sum);
        if (heapmap_draw(ha.out, &sh->sum, ha.a->name, t.name, true) != 0)
            rc = EXIT_MEASURE;
    }
    munmap(sh, sizeof *sh);
    trace_free(&t);
    return rc;
}
