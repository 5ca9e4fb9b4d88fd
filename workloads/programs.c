/*
 * programs - real programs with the heap strategy as their malloc: a
 * key-value server driven by its own benchmark client (redis-server,
 * redis-benchmark), a database on a scripted load (sqlite3), a
 * garbage-collected language runtime on an allocation-heavy script
 * (lua5.4), a compiler (cc on generated C), all from Debian packages, and
 * alloclab-server, a larson-like server loop alloclab builds
 * (workloads/programs/server.c), whose threads do nothing but allocate.
 *
 * Two ways to run a program on a strategy (via):
 *   preload   through build/liballoclab.so (LD_PRELOAD), as every strategy
 *             can be;
 *   packaged  as its users run it: the strategy's own library preloaded
 *             alone (jemalloc, mimalloc, tcmalloc: the Debian libraries),
 *             or, for system_malloc, nothing at all (glibc; redis-server as
 *             Debian links it, with jemalloc). A strategy with no packaged
 *             form (alloclab's own heaps) is refused.
 * The same strategy by both vias is what the preload library costs.
 *
 * Each worker runs the program once (the server: worker 0 runs one server
 * with a thread per worker, on the workers' processing units); the cell's
 * wall time is the run's, and the program's own CPU time, peak RSS and
 * minor faults come from wait4(). Every run's output (redis: the data
 * set's digest afterwards) must equal the program's with glibc's malloc
 * (computed once per machine and kept in a cache): a strategy that breaks a
 * program fails its cell, naming the program, and one that hangs it is
 * killed at a time limit.
 *
 * Knobs: the table below (alloclab list --verbose prints it).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "groups.h"
#include "programs/inputs.h"
#include "workload.h"

enum { K_PROGRAM, K_SCALE, K_VIA, K_LIMIT, K_WORKERS, K_SEED, K_COUNT };
enum program_id { P_REDIS, P_SQLITE, P_LUA, P_CC, P_SERVER };
enum via { VIA_PRELOAD, VIA_PACKAGED, VIA_NONE };
#define SERVER_REPLACEMENTS 4000000ull /* per thread and unit of scale: a fifth of a second on glibc here */

static const struct param knobs[K_COUNT + 1] = {
    [K_PROGRAM] = {.name = "program", .type = PARAM_CHOICE, .def = "sqlite", .choices = "redis|sqlite|lua|cc|server",
                   .help = "the program: redis-server under redis-benchmark, sqlite3, lua5.4, cc, or alloclab-server "
                           "(larson-like: each thread replaces random 8-1000 B blocks in a window of 5,000)"},
    [K_SCALE] = {.name = "scale", .type = PARAM_COUNT, .def = "1", .min = 1, .max = 1000,
                 .help = "work per run in the program's units: redis 4,000 requests of each of 14 commands, "
                         "sqlite 40,000 rows, lua a 14-deep tree and 40,000 strings, cc 12 functions, "
                         "server 4,000,000 replacements (a free and a malloc) per thread"},
    [K_VIA] = {.name = "via", .type = PARAM_CHOICE, .def = "preload", .choices = "preload|packaged|none",
               .help = "preload: the strategy is the program's malloc through liballoclab.so; packaged: the program "
                       "as its users run it, the strategy's own library preloaded (system_malloc: glibc, nothing "
                       "preloaded); none: packaged's name before, refused"},
    [K_LIMIT] = {.name = "limit", .type = PARAM_COUNT, .def = "120", .min = 1, .max = 86400,
                 .help = "seconds a run may take: past it the program is killed and the cell fails (a hang)"},
    [K_WORKERS] = {.name = "workers", .type = PARAM_COUNT, .def = "1", .min = 1, .max = WORKLOAD_MAX_WORKERS,
                   .help = "runs of the program at once, each pinned to a processing unit; the server: one run "
                           "with this many threads, on those units"},
    [K_SEED] = KNOB_SEED,
};

static const struct result_def results[] = {
    {"program_cpu_ns", "ns", MERGE_SUM, "CPU time (user + system) of the program under the strategy"},
    {"program_peak_rss_kib", "KiB", MERGE_MAX, "the program's peak resident set"},
    {"program_minor_faults", "count", MERGE_SUM, "the program's minor page faults"},
    {0},
};
enum { R_CPU, R_RSS, R_FAULTS };


struct programs {
    char dir[64];      /* inputs, sockets and logs of this cell */
    char preload[4200]; /* LD_PRELOAD under test; "": nothing (system_malloc as packaged) */
    char server[4200];  /* build/alloclab-server */
    char expected[24]; /* the output's hash with glibc's malloc */
    enum program_id program;
    enum via via;
    uint64_t scale, seed, limit_s, workers;
    /* the server: every worker's processing units, gathered before worker 0 runs it on them */
    pthread_mutex_t lock;
    pthread_barrier_t gathered;
    cpu_set_t cpus;
};

static const struct program {
    const char *name, *binary, *package;
} programs[] = {
    [P_REDIS] = {"redis", "redis-server", "redis-server redis-tools"},
    [P_SQLITE] = {"sqlite", "sqlite3", "sqlite3"},
    [P_LUA] = {"lua", "lua5.4", "lua5.4"},
    [P_CC] = {"cc", "cc", "gcc"},
    [P_SERVER] = {"server", "alloclab-server", NULL}, /* built with alloclab, beside it */
};

/* ---- running one program ---- */

struct child {
    pid_t pid;
    struct rusage usage;
    int status;
};

/* The environment of a run: under test, the strategy through liballoclab.so
 * or its packaged library; otherwise (the reference output, the clients)
 * nothing preloaded. In the child, before exec. */
static void set_environment(const struct programs *p, const struct worker_ctx *ctx, bool under_test)
{
    static char strategy[128], options[600], preload[4300]; /* putenv keeps them: alive until exec */
    unsetenv("LD_PRELOAD");
    unsetenv("ALLOCLAB_STRATEGY");
    unsetenv("ALLOCLAB_OPTIONS");
    if (!under_test || !p->preload[0])
        return;
    snprintf(preload, sizeof preload, "LD_PRELOAD=%s", p->preload);
    putenv(preload);
    if (p->via != VIA_PRELOAD)
        return;
    snprintf(strategy, sizeof strategy, "ALLOCLAB_STRATEGY=%s", ctx->strategy->name);
    snprintf(options, sizeof options, "ALLOCLAB_OPTIONS=%s", ctx->options ? ctx->options : "");
    putenv(strategy);
    putenv(options);
}

/* argv[0] with the environment of the run */
static pid_t spawn(const struct programs *p, const struct worker_ctx *ctx, char *const argv[], bool under_test,
                   int out_fd, const char *log)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the cell */
    setpgid(0, 0);
    int null = open("/dev/null", O_RDWR), err = log ? open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600) : null;
    dup2(null, 0);
    dup2(out_fd >= 0 ? out_fd : null, 1);
    dup2(err >= 0 ? err : null, 2);
    set_environment(p, ctx, under_test);
    if (p->program == P_SERVER && CPU_COUNT(&p->cpus)) /* its threads on every worker's units, not worker 0's */
        sched_setaffinity(0, sizeof p->cpus, &p->cpus);
    execvp(argv[0], argv);
    _exit(127);
}

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* Waits for c->pid up to the deadline (then kills its group); 0, or -1 when it hung. */
static int wait_until(struct child *c, uint64_t deadline)
{
    for (;;) {
        pid_t got = wait4(c->pid, &c->status, WNOHANG, &c->usage);
        if (got == c->pid)
            return 0;
        if (got < 0 && errno != EINTR)
            return -1;
        if (now_ns() > deadline) {
            kill(-c->pid, SIGKILL);
            waitpid(c->pid, &c->status, 0);
            return -1;
        }
        usleep(1000);
    }
}

/* FNV-1a over a pipe until it closes; 0, or -1 past the deadline */
static int hash_output(int fd, uint64_t deadline, char out[24])
{
    uint64_t h = 1469598103934665603ull;
    unsigned char buf[65536];
    for (;;) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        uint64_t now = now_ns();
        if (now > deadline)
            return -1;
        int ready = poll(&pfd, 1, (int)((deadline - now) / 1000000u) + 1);
        if (ready < 0 && errno == EINTR)
            continue;
        ssize_t n = ready > 0 ? read(fd, buf, sizeof buf) : -1;
        if (n == 0)
            break;
        if (n < 0 && errno != EINTR && errno != EAGAIN)
            return -1;
        for (ssize_t i = 0; i < n; i++)
            h = (h ^ buf[i]) * 1099511628211ull;
    }
    snprintf(out, 24, "%016llx", (unsigned long long)h);
    return 0;
}

/* What went wrong with a run, in one line with the program's last words. */
static int child_failed(struct worker_ctx *ctx, const struct programs *p, const struct child *c, const char *log,
                        bool hung)
{
    char last[160] = "";
    FILE *f = log ? fopen(log, "r") : NULL;
    for (char line[160]; f && fgets(line, sizeof line, f);)
        if (line[0] != '\n')
            snprintf(last, sizeof last, ": %.*s", (int)strcspn(line, "\n"), line);
    if (f)
        fclose(f);
    const char *who = programs[p->program].name;
    char under[160];
    snprintf(under, sizeof under, "%s%s", ctx->strategy->name, p->via == VIA_PACKAGED ? " as packaged" : "");
    if (hung)
        snprintf(ctx->err, WORKLOAD_ERR_LEN, "%s under %s did not finish in %llu s", who, under,
                 (unsigned long long)p->limit_s);
    else if (WIFSIGNALED(c->status))
        snprintf(ctx->err, WORKLOAD_ERR_LEN, "%s under %s died of %s%s", who, under, strsignal(WTERMSIG(c->status)),
                 last);
    else
        snprintf(ctx->err, WORKLOAD_ERR_LEN, "%s under %s exited %d%s", who, under, WEXITSTATUS(c->status), last);
    return -1;
}

/* Runs argv to the end with its output hashed; 0, or -1 with ctx->err. */
static int run_hashed(struct worker_ctx *ctx, const struct programs *p, char *const argv[], bool under_test,
                      struct child *c, char hash[24])
{
    char log[128];
    snprintf(log, sizeof log, "%s/%s.%d.log", p->dir, programs[p->program].name, ctx->index);
    int fds[2];
    if (pipe(fds) != 0)
        return snprintf(ctx->err, WORKLOAD_ERR_LEN, "pipe: %s", strerror(errno)), -1;
    c->pid = spawn(p, ctx, argv, under_test, fds[1], log);
    close(fds[1]);
    if (c->pid < 0) {
        close(fds[0]);
        return snprintf(ctx->err, WORKLOAD_ERR_LEN, "fork: %s", strerror(errno)), -1;
    }
    uint64_t deadline = now_ns() + p->limit_s * 1000000000u;
    bool hung = hash_output(fds[0], deadline, hash) != 0; /* until the program closes its output */
    close(fds[0]);
    hung = wait_until(c, hung ? 0 : deadline) != 0 || hung;
    if (hung || !WIFEXITED(c->status) || WEXITSTATUS(c->status) != 0)
        return child_failed(ctx, p, c, log, hung);
    return 0;
}

/* ---- the programs ---- */

static void usage_into(struct worker_ctx *ctx, const struct rusage *u)
{
    ctx->result[R_CPU] = (double)(u->ru_utime.tv_sec + u->ru_stime.tv_sec) * 1e9 +
                         (double)(u->ru_utime.tv_usec + u->ru_stime.tv_usec) * 1e3;
    ctx->result[R_RSS] = (double)u->ru_maxrss;
    ctx->result[R_FAULTS] = (double)u->ru_minflt;
}

/* a program run to its end: its output's hash, its usage */
static int run_plain(struct worker_ctx *ctx, const struct programs *p, bool under_test, char hash[24])
{
    char a[4][160];
    snprintf(a[0], sizeof a[0], "%s/load.sql", p->dir);
    snprintf(a[1], sizeof a[1], "%s/load.lua", p->dir);
    snprintf(a[2], sizeof a[2], "%s/load.c", p->dir);
    snprintf(a[3], sizeof a[3], "%llu", 40000ull * (unsigned long long)p->scale);
    char read_sql[200], seed[32];
    snprintf(read_sql, sizeof read_sql, ".read %s", a[0]);
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)p->seed % 1000003);
    char *const sqlite[] = {"sqlite3", "-batch", ":memory:", read_sql, NULL};
    char *const lua[] = {"lua5.4", a[1], "14", a[3], seed, NULL};
    char *const cc[] = {"cc", "-O2", "-S", "-o", "-", a[2], NULL};
    char *const *argv = p->program == P_SQLITE ? sqlite : p->program == P_LUA ? lua : cc;
    struct child c;
    if (run_hashed(ctx, p, argv, under_test, &c, hash) != 0)
        return -1;
    usage_into(ctx, &c.usage);
    return 0;
}

/* a redis-cli command against the server; 0 or -1 with ctx->err */
static int redis_cli(struct worker_ctx *ctx, const struct programs *p, const char *sock, char *cmd1, char *cmd2,
                     char hash[24])
{
    char *const argv[] = {"redis-cli", "-s", (char *)sock, cmd1, cmd2, NULL};
    struct child c;
    return run_hashed(ctx, p, argv, false, &c, hash);
}

/* Waits for the server's socket; 0, or -1 when the server died or never listened. */
static int redis_listening(struct worker_ctx *ctx, const struct programs *p, struct child *server, const char *sock,
                           const char *log)
{
    for (int i = 0; i < 10000; i++) {
        struct stat st;
        if (stat(sock, &st) == 0)
            return 0;
        if (waitpid(server->pid, &server->status, WNOHANG) == server->pid)
            return child_failed(ctx, p, server, log, false);
        usleep(1000);
    }
    kill(-server->pid, SIGKILL);
    waitpid(server->pid, &server->status, 0);
    return child_failed(ctx, p, server, log, true);
}

/* redis-server under test, loaded by redis-benchmark (fixed keys, so the
 * data set it leaves is always the same); the output is its digest */
static int run_redis(struct worker_ctx *ctx, const struct programs *p, bool under_test, char hash[24])
{
    char sock[128], log[128], requests[32], unused[24];
    snprintf(sock, sizeof sock, "%s/redis.%d.sock", p->dir, ctx->index);
    snprintf(log, sizeof log, "%s/redis-server.%d.log", p->dir, ctx->index);
    snprintf(requests, sizeof requests, "%llu", 4000ull * (unsigned long long)p->scale);
    char *const server_argv[] = {"redis-server", "--port", "0", "--unixsocket", sock, "--save", "", "--appendonly",
                                 "no", "--enable-debug-command", "yes", "--dir", (char *)p->dir, NULL};
    char *const bench[] = {"redis-benchmark", "-s", sock, "-n", requests, "-P", "16", "-q", "-d", "64", "-t",
                           "set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100,mset", NULL};
    struct child server = {.pid = spawn(p, ctx, server_argv, under_test, -1, log)}, client;
    if (server.pid < 0)
        return snprintf(ctx->err, WORKLOAD_ERR_LEN, "fork: %s", strerror(errno)), -1;
    if (redis_listening(ctx, p, &server, sock, log) != 0)
        return -1;
    int failed = run_hashed(ctx, p, bench, false, &client, unused) != 0 ||
                 redis_cli(ctx, p, sock, "DEBUG", "DIGEST", hash) != 0;
    char why[WORKLOAD_ERR_LEN];
    snprintf(why, sizeof why, "%s", ctx->err);
    redis_cli(ctx, p, sock, "SHUTDOWN", "NOSAVE", unused); /* it answers by closing the connection */
    bool hung = wait_until(&server, now_ns() + 10000000000ull) != 0;
    if (failed)
        return snprintf(ctx->err, WORKLOAD_ERR_LEN, "%s", why), -1;
    if (hung || !WIFEXITED(server.status) || WEXITSTATUS(server.status) != 0)
        return child_failed(ctx, p, &server, log, hung);
    ctx->err[0] = '\0';
    usage_into(ctx, &server.usage);
    return 0;
}

/* alloclab-server with a thread per worker */
static int run_server(struct worker_ctx *ctx, const struct programs *p, bool under_test, char hash[24])
{
    char threads[32], replacements[32], seed[32];
    snprintf(threads, sizeof threads, "%llu", (unsigned long long)p->workers);
    snprintf(replacements, sizeof replacements, "%llu", SERVER_REPLACEMENTS * (unsigned long long)p->scale);
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)p->seed);
    char *const argv[] = {(char *)p->server, "-t", threads, "-n", replacements, "-s", seed, NULL};
    struct child c;
    if (run_hashed(ctx, p, argv, under_test, &c, hash) != 0)
        return -1;
    usage_into(ctx, &c.usage);
    return 0;
}

static int run_program(struct worker_ctx *ctx, const struct programs *p, bool under_test, char hash[24])
{
    if (p->program == P_SERVER)
        return run_server(ctx, p, under_test, hash);
    return p->program == P_REDIS ? run_redis(ctx, p, under_test, hash) : run_plain(ctx, p, under_test, hash);
}

/* ---- set-up: the inputs, the library, the output as packaged ---- */

/* the program's path on PATH, or -1 */
static int find_binary(const char *name, char *out, size_t len)
{
    const char *path = getenv("PATH");
    char dirs[4096];
    snprintf(dirs, sizeof dirs, "%s", path ? path : "/usr/bin:/bin");
    for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        snprintf(out, len, "%s/%s", d, name);
        if (access(out, X_OK) == 0)
            return 0;
    }
    return -1;
}

/* a file of alloclab's build (liballoclab.so, alloclab-server), beside the program running this */
static int beside_self(const char *name, char *out, size_t len, char err[WORKLOAD_ERR_LEN])
{
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = '\0';
    char *slash = strrchr(self, '/');
    snprintf(out, len, "%.*s/%s", slash ? (int)(slash - self) : 1, slash ? self : ".", name);
    if (access(out, R_OK) == 0)
        return 0;
    snprintf(err, WORKLOAD_ERR_LEN, "%.500s is missing: build it with make", out);
    return -1;
}

/* The program's output with glibc's malloc: cached per machine, keyed by the
 * knobs and the binary's identity, or run once now (outside any timing). */
static int expected_output(struct worker_ctx *ctx, struct programs *p, const char *binary, char err[WORKLOAD_ERR_LEN])
{
    struct stat st = {0};
    char cache[512];
    stat(binary, &st); /* found a moment ago */
    snprintf(cache, sizeof cache, "/tmp/alloclab-%u", (unsigned)getuid());
    mkdir(cache, 0700);
    snprintf(cache + strlen(cache), sizeof cache - strlen(cache), "/%s-%llu-%llu-%llu-%lld-%lld.out",
             programs[p->program].name, (unsigned long long)p->scale, (unsigned long long)p->seed,
             p->program == P_SERVER ? (unsigned long long)p->workers : 1ull, /* the server's threads */
             (long long)st.st_mtime, (long long)st.st_size);
    FILE *f = fopen(cache, "r");
    bool cached = f && fscanf(f, "%16s", p->expected) == 1 && strlen(p->expected) == 16;
    if (f)
        fclose(f);
    if (cached)
        return 0;
    if (run_program(ctx, p, false, p->expected) != 0)
        return snprintf(err, WORKLOAD_ERR_LEN, "with glibc's malloc: %.500s", ctx->err), -1;
    char tmp[530];
    snprintf(tmp, sizeof tmp, "%s.%d", cache, (int)getpid());
    if ((f = fopen(tmp, "w")) && fprintf(f, "%s\n", p->expected) > 0 && fclose(f) == 0)
        rename(tmp, cache);
    return 0;
}

/* via=none was packaged's name; packaged wants a strategy that has a packaged form */
static int pg_validate(const union param_value *knob, int workers, const struct allocator *strategy,
                       char err[WORKLOAD_ERR_LEN])
{
    (void)workers;
    if (knob[K_VIA].choice == VIA_NONE) {
        snprintf(err, WORKLOAD_ERR_LEN, "via=none is now via=packaged: the program as its users run it (on "
                 "system_malloc, glibc's malloc with nothing preloaded)");
        return -1;
    }
    if (knob[K_VIA].choice == VIA_PRELOAD || strategy->packaged || !allocator_has_heap(strategy))
        return 0; /* a strategy without a heap: its cell says not applicable */
    snprintf(err, WORKLOAD_ERR_LEN, "%s has no packaged form: via=packaged runs a program as its users run it, on "
             "system_malloc (glibc) or a reference allocator's own library (jemalloc, mimalloc, tcmalloc)",
             strategy->name);
    return -1;
}

/* the binary, and what the via preloads; 0, or -1 with err */
static int find_files(struct programs *p, const struct allocator *strategy, char *binary, size_t len,
                      char err[WORKLOAD_ERR_LEN])
{
    const struct program *pr = &programs[p->program];
    char client[4200];
    if (p->program == P_SERVER) {
        if (beside_self(pr->binary, p->server, sizeof p->server, err) != 0)
            return -1;
        snprintf(binary, len, "%s", p->server);
    } else if (find_binary(pr->binary, binary, len) != 0 ||
               (p->program == P_REDIS && find_binary("redis-benchmark", client, sizeof client) != 0)) {
        return snprintf(err, WORKLOAD_ERR_LEN, "%s is not installed (apt-get install %s)", pr->binary, pr->package),
               -1;
    }
    if (p->via == VIA_PRELOAD)
        return beside_self("liballoclab.so", p->preload, sizeof p->preload, err);
    const char *why = strategy->packaged(p->preload, sizeof p->preload);
    if (why)
        return snprintf(err, WORKLOAD_ERR_LEN, "%s as packaged: %.400s", strategy->name, why), -1;
    return 0;
}

static int pg_prepare(const union param_value *knob, struct worker_ctx *ctxs, int n, char err[WORKLOAD_ERR_LEN])
{
    if (pg_validate(knob, n, ctxs[0].strategy, err))
        return -1;
    struct programs *p = calloc(1, sizeof *p);
    if (!p)
        return snprintf(err, WORKLOAD_ERR_LEN, "out of memory"), -1;
    *p = (struct programs){.program = (enum program_id)knob[K_PROGRAM].choice, .scale = knob[K_SCALE].n,
                           .seed = knob[K_SEED].n, .limit_s = knob[K_LIMIT].n, .workers = (uint64_t)n,
                           .via = (enum via)knob[K_VIA].choice};
    for (int i = 0; i < n; i++)
        ctxs[i].exchange = p;
    pthread_mutex_init(&p->lock, NULL);
    pthread_barrier_init(&p->gathered, NULL, (unsigned)n);
    char binary[4200];
    if (find_files(p, ctxs[0].strategy, binary, sizeof binary, err) != 0)
        return -1;
    snprintf(p->dir, sizeof p->dir, "/tmp/alloclab-programs-XXXXXX");
    if (!mkdtemp(p->dir))
        return snprintf(err, WORKLOAD_ERR_LEN, "mkdtemp: %s", strerror(errno)), -1;
    if (programs_make_inputs(p->dir, p->scale, p->seed, err) != 0)
        return -1;
    return expected_output(&ctxs[0], p, binary, err);
}

/* The server runs once, from worker 0, on every worker's processing unit:
 * each adds its own to the set, and all wait until it is whole. 1 when this
 * worker has nothing more to do. */
static int gather_units(struct worker_ctx *ctx, struct programs *p)
{
    cpu_set_t mine;
    CPU_ZERO(&mine);
    sched_getaffinity(0, sizeof mine, &mine);
    pthread_mutex_lock(&p->lock);
    CPU_OR(&p->cpus, &p->cpus, &mine);
    pthread_mutex_unlock(&p->lock);
    pthread_barrier_wait(&p->gathered);
    return ctx->index != 0;
}

static int pg_work(struct worker_ctx *ctx)
{
    struct programs *p = ctx->exchange;
    char hash[24];
    if (p->program == P_SERVER && gather_units(ctx, p))
        return 0;
    if (run_program(ctx, p, true, hash) != 0)
        return -1;
    if (strcmp(hash, p->expected)) {
        snprintf(ctx->err, WORKLOAD_ERR_LEN, "%s's output under %s%s differs from its output with glibc's malloc "
                 "(%s, not %s)", programs[p->program].name, ctx->strategy->name,
                 p->via == VIA_PACKAGED ? " as packaged" : "", hash, p->expected);
        return -1;
    }
    return 0;
}

static void pg_finish(struct worker_ctx *ctxs, int n)
{
    struct programs *p = n ? ctxs[0].exchange : NULL;
    if (!p)
        return;
    if (p->dir[0] && strcmp(p->dir, "/tmp/alloclab-programs-XXXXXX")) {
        DIR *d = opendir(p->dir); /* inputs, logs and sockets: only files, in a folder of our own */
        for (struct dirent *e; d && (e = readdir(d));) {
            char path[400];
            snprintf(path, sizeof path, "%s/%s", p->dir, e->d_name);
            if (e->d_name[0] != '.')
                unlink(path);
        }
        if (d)
            closedir(d);
        rmdir(p->dir);
    }
    pthread_barrier_destroy(&p->gathered);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

/* none in quick (its minute is spoken for); default runs each a tenth to four
 * tenths of a second, full ten times as long. Every strategy through the
 * preload library, and those with a packaged form as packaged too; the
 * server at 1 thread and at every processing unit (the performance targets'
 * cells: runner/analysis/targets.c). */
/* The estimate: each program's run at scale 1 on the reference (redis
 * 0.39 s, sqlite 0.10, lua 0.11, cc 0.14, the server 0.3), times the scale */
static double pg_estimate(const union param_value *knob, int workers)
{
    static const double one[] = {0.39, 0.10, 0.11, 0.14, 0.3}; /* redis, sqlite, lua, cc, server */
    return estimate_contended(one[knob[K_PROGRAM].choice % 5] * (double)knob[K_SCALE].n, 0.11, workers);
}

#define ALL_PROGRAMS "program=redis,sqlite,lua,cc"
#define PROGRAM_CELLS PER_PROFILE("program=sqlite,lua", NULL, ALL_PROGRAMS, ALL_PROGRAMS " scale=4")
/* the reference allocators through liballoclab.so only where there is time: as packaged is how their users run them */
#define PRELOADED_REFERENCES PER_PROFILE("program=sqlite,lua", NULL, NULL, ALL_PROGRAMS " scale=4")
#define PRELOADED_OWN PER_PROFILE(NULL, NULL, ALL_PROGRAMS, NULL)
#define SERVER_CELLS PER_PROFILE("workers=1", NULL, "workers=1,all", "workers=1,all") /* scale 1: at 128 threads a run is 128 servers' work */
static const struct bench_plan plan[] = {
    {.group = GROUP_PROGRAMS, .strategies = PLAN_EVERY, .every = "workers=1 via=preload", .profile = PRELOADED_REFERENCES},
    {.group = GROUP_PROGRAMS, .strategies = PLAN_OWN_BASELINE, .every = "workers=1 via=preload", .profile = PRELOADED_OWN},
    {.group = GROUP_PROGRAMS, .strategies = PLAN_PACKAGED, .every = "workers=1 via=packaged", .profile = PROGRAM_CELLS},
    {.group = GROUP_PROGRAMS, .strategies = PLAN_EVERY, .every = "program=server via=preload", .profile = SERVER_CELLS},
    {.group = GROUP_PROGRAMS, .strategies = PLAN_PACKAGED, .every = "program=server via=packaged",
     .profile = SERVER_CELLS},
    {0},
};

const struct workload workload_programs = {
    .name = "programs",
    .summary = "real programs (redis-server, sqlite3, lua5.4, cc, alloclab-server) with the heap strategy as their "
               "malloc, through liballoclab.so or as packaged",
    .kind = WORKLOAD_HEAP,
    .knobs = knobs,
    .results = results,
    .plan = plan,
    .validate = pg_validate,
    .prepare = pg_prepare,
    .work = pg_work,
    .finish = pg_finish,
    .estimate = pg_estimate,
};
