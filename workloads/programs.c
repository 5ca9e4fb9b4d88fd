/*
 * programs - real programs from Debian packages with the heap strategy as
 * their malloc (build/liballoclab.so, LD_PRELOAD): a key-value server driven
 * by its own benchmark client (redis-server, redis-benchmark), a database on
 * a scripted load (sqlite3), a garbage-collected language runtime on an
 * allocation-heavy script (lua5.4) and a compiler (cc on generated C).
 *
 * Each worker runs the program once; the cell's wall time is the run's, and
 * the program's own CPU time, peak RSS and minor faults come from wait4().
 * Every run's output (redis: the data set's digest afterwards) must equal
 * the program's as packaged, with its own malloc (via=none, computed once
 * per machine and kept in a cache): a strategy that breaks a program fails
 * its cell, naming the program, and one that hangs it is killed at a time
 * limit. via=none on system_malloc is the control row: the program as
 * packaged (redis-server as Debian links it, with jemalloc).
 *
 * Knobs: the table below (alloclab list --verbose prints it).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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
#include "workload.h"

enum { K_PROGRAM, K_SCALE, K_VIA, K_LIMIT, K_WORKERS, K_SEED, K_COUNT };
enum program_id { P_REDIS, P_SQLITE, P_LUA, P_CC };
enum via { VIA_PRELOAD, VIA_NONE };

static const struct param knobs[K_COUNT + 1] = {
    [K_PROGRAM] = {.name = "program", .type = PARAM_CHOICE, .def = "sqlite", .choices = "redis|sqlite|lua|cc",
                   .help = "the program: redis-server under redis-benchmark, sqlite3, lua5.4, or cc"},
    [K_SCALE] = {.name = "scale", .type = PARAM_COUNT, .def = "1", .min = 1, .max = 1000,
                 .help = "work per run in the program's units: redis 4,000 requests of each of 14 commands, "
                         "sqlite 40,000 rows, lua a 14-deep tree and 40,000 strings, cc 12 functions"},
    [K_VIA] = {.name = "via", .type = PARAM_CHOICE, .def = "preload", .choices = "preload|none",
               .help = "preload: the strategy is the program's malloc; none: the program as packaged (the control)"},
    [K_LIMIT] = {.name = "limit", .type = PARAM_COUNT, .def = "120", .min = 1, .max = 86400,
                 .help = "seconds a run may take: past it the program is killed and the cell fails (a hang)"},
    [K_WORKERS] = KNOB_WORKERS("1"),
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
    char preload[4200];
    char expected[24]; /* the output's hash as packaged */
    enum program_id program;
    uint64_t scale, seed, limit_s;
    bool preloaded;
};

static const struct program {
    const char *name, *binary, *package;
} programs[] = {
    [P_REDIS] = {"redis", "redis-server", "redis-server redis-tools"},
    [P_SQLITE] = {"sqlite", "sqlite3", "sqlite3"},
    [P_LUA] = {"lua", "lua5.4", "lua5.4"},
    [P_CC] = {"cc", "cc", "gcc"},
};

/* ---- inputs ---- */

static const char lua_script[] =
    "local depth, words, seed = tonumber(arg[1]), tonumber(arg[2]), tonumber(arg[3])\n"
    "local function tree(d) if d == 0 then return {} end return {tree(d - 1), tree(d - 1)} end\n"
    "local function count(t) if not t[1] then return 1 end return 1 + count(t[1]) + count(t[2]) end\n"
    "local nodes = 0\n"
    "for i = 1, 4 do nodes = nodes + count(tree(depth)) end\n"
    "local list, index = {}, {}\n"
    "for i = 1, words do\n"
    "  local w = string.format('w%09d', (i * 7919 + seed) % 1000003)\n"
    "  list[#list + 1] = w; index[w] = (index[w] or 0) + 1\n"
    "end\n"
    "table.sort(list)\n"
    "local text = table.concat(list, ',')\n"
    "collectgarbage()\n"
    "print(nodes, #list, #text, list[1], list[#list], index[list[1]])\n";

static int write_file(const char *path, const char *text, char err[WORKLOAD_ERR_LEN])
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) == EOF || fclose(f) != 0) {
        snprintf(err, WORKLOAD_ERR_LEN, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int make_inputs(const struct programs *p, char err[WORKLOAD_ERR_LEN])
{
    char path[128], text[2048];
    unsigned long rows = 40000 * p->scale, seed = (unsigned long)p->seed;
    snprintf(path, sizeof path, "%s/load.sql", p->dir);
    snprintf(text, sizeof text,
             "CREATE TABLE t(id INTEGER PRIMARY KEY, k TEXT, v REAL);\n"
             "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < %lu)\n"
             "INSERT INTO t SELECT x, printf('key%%d', (x * 7919 + %lu) %% %lu), x * 0.5 FROM c;\n"
             "CREATE INDEX tk ON t(k);\n"
             "SELECT count(*), sum(v) FROM t;\n"
             "SELECT substr(k, 1, 5), count(*) FROM t GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5;\n"
             "SELECT length(group_concat(k)) FROM (SELECT k FROM t ORDER BY k);\n"
             "DELETE FROM t WHERE id %% 3 = 0; UPDATE t SET k = k || 'x' WHERE id %% 5 = 0;\n"
             "SELECT count(*), max(k) FROM t;\n",
             rows, seed, rows);
    if (write_file(path, text, err) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/load.lua", p->dir);
    if (write_file(path, lua_script, err) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/load.c", p->dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return snprintf(err, WORKLOAD_ERR_LEN, "cannot write %s: %s", path, strerror(errno)), -1;
    fputs("int g(int);\n", f);
    for (unsigned long i = 0; i < 12 * p->scale; i++) { /* switch-heavy code: the optimiser allocates */
        fprintf(f, "int f%lu(int x) { int s = 0; for (int i = 0; i < x; i++) switch ((i * %lu) %% 7) {\n", i,
                i + seed % 97 + 3);
        for (int c = 0; c < 7; c++)
            fprintf(f, "case %d: s += g(i + %d) * %lu; break;\n", c, c, (i * (unsigned long)c) % 13 + 1);
        fputs("} return s; }\n", f);
    }
    return fclose(f) == 0 ? 0 : (snprintf(err, WORKLOAD_ERR_LEN, "cannot write %s", path), -1);
}

/* ---- running one program ---- */

struct child {
    pid_t pid;
    struct rusage usage;
    int status;
};

/* argv[0] with the environment of the run: the strategy as malloc, or not */
static pid_t spawn(const struct programs *p, const struct worker_ctx *ctx, char *const argv[], bool under_test,
                   int out_fd, const char *log)
{
    char strategy[128], options[600], preload[4300]; /* putenv keeps them: alive until exec */
    snprintf(strategy, sizeof strategy, "ALLOCLAB_STRATEGY=%s", ctx->strategy->name);
    snprintf(options, sizeof options, "ALLOCLAB_OPTIONS=%s", ctx->options ? ctx->options : "");
    snprintf(preload, sizeof preload, "LD_PRELOAD=%s", p->preload);
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the cell */
    setpgid(0, 0);
    int null = open("/dev/null", O_RDWR), err = log ? open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600) : null;
    dup2(null, 0);
    dup2(out_fd >= 0 ? out_fd : null, 1);
    dup2(err >= 0 ? err : null, 2);
    if (under_test && p->preloaded) {
        putenv(preload);
        putenv(strategy);
        putenv(options);
    } else {
        unsetenv("LD_PRELOAD");
    }
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
    const char *who = programs[p->program].name, *under = p->preloaded ? ctx->strategy->name : "its own malloc";
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

static int run_program(struct worker_ctx *ctx, const struct programs *p, bool under_test, char hash[24])
{
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

/* build/liballoclab.so, beside the program running this */
static int find_preload(char *out, size_t len, char err[WORKLOAD_ERR_LEN])
{
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = '\0';
    char *slash = strrchr(self, '/');
    snprintf(out, len, "%.*s/liballoclab.so", slash ? (int)(slash - self) : 1, slash ? self : ".");
    if (access(out, R_OK) == 0)
        return 0;
    snprintf(err, WORKLOAD_ERR_LEN, "%.500s is missing: build it with make", out);
    return -1;
}

/* The output of the program as packaged: cached per machine, keyed by the
 * knobs and the binary's identity, or run once now (outside any timing). */
static int expected_output(struct worker_ctx *ctx, struct programs *p, const char *binary, char err[WORKLOAD_ERR_LEN])
{
    struct stat st = {0};
    char cache[512];
    stat(binary, &st); /* found on PATH a moment ago */
    snprintf(cache, sizeof cache, "/tmp/alloclab-%u", (unsigned)getuid());
    mkdir(cache, 0700);
    snprintf(cache + strlen(cache), sizeof cache - strlen(cache), "/%s-%llu-%llu-%lld-%lld.out",
             programs[p->program].name, (unsigned long long)p->scale, (unsigned long long)p->seed,
             (long long)st.st_mtime, (long long)st.st_size);
    FILE *f = fopen(cache, "r");
    bool cached = f && fscanf(f, "%16s", p->expected) == 1 && strlen(p->expected) == 16;
    if (f)
        fclose(f);
    if (cached)
        return 0;
    if (run_program(ctx, p, false, p->expected) != 0)
        return snprintf(err, WORKLOAD_ERR_LEN, "as packaged: %.500s", ctx->err), -1;
    char tmp[530];
    snprintf(tmp, sizeof tmp, "%s.%d", cache, (int)getpid());
    if ((f = fopen(tmp, "w")) && fprintf(f, "%s\n", p->expected) > 0 && fclose(f) == 0)
        rename(tmp, cache);
    return 0;
}

/* via=none is the control row: the program as packaged, on system_malloc only */
static int pg_validate(const union param_value *knob, int workers, const struct allocator *strategy,
                       char err[WORKLOAD_ERR_LEN])
{
    (void)workers;
    if (knob[K_VIA].choice == VIA_PRELOAD || !strcmp(strategy->name, "system_malloc"))
        return 0;
    snprintf(err, WORKLOAD_ERR_LEN, "via=none runs %s as packaged, under no strategy: it is the control row, run on "
             "system_malloc", programs[knob[K_PROGRAM].choice].name);
    return -1;
}

static int pg_prepare(const union param_value *knob, struct worker_ctx *ctxs, int n, char err[WORKLOAD_ERR_LEN])
{
    if (pg_validate(knob, n, ctxs[0].strategy, err))
        return -1;
    struct programs *p = calloc(1, sizeof *p);
    if (!p)
        return snprintf(err, WORKLOAD_ERR_LEN, "out of memory"), -1;
    *p = (struct programs){.program = (enum program_id)knob[K_PROGRAM].choice, .scale = knob[K_SCALE].n,
                           .seed = knob[K_SEED].n, .limit_s = knob[K_LIMIT].n, .preloaded = knob[K_VIA].choice == VIA_PRELOAD};
    for (int i = 0; i < n; i++)
        ctxs[i].exchange = p;
    const struct program *pr = &programs[p->program];
    char binary[4200];
    if (find_binary(pr->binary, binary, sizeof binary) != 0 ||
        (p->program == P_REDIS && find_binary("redis-benchmark", binary, sizeof binary) != 0))
        return snprintf(err, WORKLOAD_ERR_LEN, "%s is not installed (apt-get install %s)", pr->binary, pr->package),
               -1;
    find_binary(pr->binary, binary, sizeof binary);
    if (p->preloaded && find_preload(p->preload, sizeof p->preload, err) != 0)
        return -1;
    snprintf(p->dir, sizeof p->dir, "/tmp/alloclab-programs-XXXXXX");
    if (!mkdtemp(p->dir))
        return snprintf(err, WORKLOAD_ERR_LEN, "mkdtemp: %s", strerror(errno)), -1;
    if (make_inputs(p, err) != 0)
        return -1;
    return expected_output(&ctxs[0], p, binary, err);
}

static int pg_work(struct worker_ctx *ctx)
{
    const struct programs *p = ctx->exchange;
    char hash[24];
    if (run_program(ctx, p, true, hash) != 0)
        return -1;
    if (strcmp(hash, p->expected)) {
        snprintf(ctx->err, WORKLOAD_ERR_LEN, "%s's output under %s differs from its output as packaged (%s, not %s)",
                 programs[p->program].name, p->preloaded ? ctx->strategy->name : "its own malloc", hash,
                 p->expected);
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
    free(p);
}

/* none in quick (its minute is spoken for); default runs each a tenth to four
 * tenths of a second, full ten times as long */
/* The estimate: each program's run at scale 1 on the reference (redis
 * 0.39 s, sqlite 0.10, lua 0.11, cc 0.14), times the scale */
static double pg_estimate(const union param_value *knob, int workers)
{
    static const double one[] = {0.39, 0.10, 0.11, 0.14}; /* redis, sqlite, lua, cc */
    return estimate_contended(one[knob[K_PROGRAM].choice % 4] * (double)knob[K_SCALE].n, 0.11, workers);
}

#define ALL_PROGRAMS "program=redis,sqlite,lua,cc"
#define PROGRAM_CELLS PER_PROFILE("program=sqlite,lua", NULL, ALL_PROGRAMS, ALL_PROGRAMS " scale=4")
static const struct bench_plan plan[] = {
    {.group = GROUP_PROGRAMS, .strategies = PLAN_EVERY, .every = "workers=1 via=preload", .profile = PROGRAM_CELLS},
    {.group = GROUP_PROGRAMS, .strategies = PLAN_BASELINE_ONLY, .every = "workers=1 via=none", .profile = PROGRAM_CELLS},
    {0},
};

const struct workload workload_programs = {
    .name = "programs",
    .summary = "real programs (redis-server, sqlite3, lua5.4, cc) with the heap strategy as their malloc",
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
