/*
 * cell.c - one repetition of a cell.
 *
 *   runner ──fork──> cell process (own process group, dies with the runner)
 *                     1. builds the data set            (not measured)
 *                     2. opens perf counters, disabled, inherited
 *                     3. starts the workers, pinned; they wait on a pipe
 *                     4. enables the counters, t0, opens the pipe
 *                        workers: view_open (provision), work, report
 *                     5. all done: counters off; memory sampled while the
 *                        workers still hold their views
 *                     6. workers close their views and leave; counters read
 *
 * The result comes back through a shared page; a cell that dies or hangs
 * is reported by the runner from its exit status or its time limit.
 */
#include "cell.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "procmem.h"
#include "support/os.h"

volatile int cell_interrupted;

static void on_interrupt(int sig)
{
    (void)sig;
    cell_interrupted = 1;
}

void cell_install_interrupt_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static void signal_status(char *buf, size_t len, int sig)
{
    const char *abbrev = sigabbrev_np(sig);
    snprintf(buf, len, "crashed:SIG%s", abbrev ? abbrev : "UNKNOWN");
}

struct worker_slot {
    uint64_t start_ns, provisioned_ns, end_ns;
    uint64_t pages_written, pages_copied, ops;
    double fork_ns, fork_rss_bytes;
    int pu;
    int failed;
    char err[WORKLOAD_ERR_LEN];
};

struct cell_shared {
    _Atomic int ready, done;
    _Atomic int step_arrived[WORKLOAD_MAX_STEPS + 1];
    _Atomic int step_released; /* steps below this are sampled */
    uint64_t t0;
    struct worker_slot slot[CELL_MAX_WORKERS];
};

#define LAT_SAMPLES_PER_WORKER 65536

struct cell_env {
    const struct cell_spec *spec;
    struct worker_ctx ctx[CELL_MAX_WORKERS];
    struct topo *tp;
    void *self;
    struct dataset data;
    struct cell_shared *sh;
    hwloc_bitmap_t sets[CELL_MAX_WORKERS];
    int start_pipe[2], release_pipe[2], done_pipe[2];
};

struct worker_arg {
    struct cell_env *env;
    int index;
};

static void wait_pipe(int fd)
{
    char c;
    while (read(fd, &c, 1) < 0 && errno == EINTR)
        ;
}

/* overcommit's steps: tell the cell process, wait until it has sampled */
static void step_done(struct worker_ctx *ctx, int step)
{
    struct cell_env *env = ctx->runner_state;
    if (step < 0 || step > WORKLOAD_MAX_STEPS)
        return;
    atomic_fetch_add(&env->sh->step_arrived[step], 1);
    (void)!write(env->done_pipe[1], "s", 1);
    struct timespec nap = {0, 100 * 1000};
    while (atomic_load(&env->sh->step_released) <= step)
        nanosleep(&nap, NULL);
}

static void worker_body(struct cell_env *env, int index)
{
    const struct cell_spec *spec = env->spec;
    bool process = spec->model == MODEL_PROCESSES;
    bool heap = spec->workload->kind == WORKLOAD_HEAP;
    struct worker_slot *slot = &env->sh->slot[index];
    struct worker_ctx *ctx = &env->ctx[index];
    topo_bind(env->tp, env->sets[index], process);
    atomic_fetch_add(&env->sh->ready, 1);
    (void)!write(env->done_pipe[1], "r", 1);
    wait_pipe(env->start_pipe[0]);

    slot->start_ns = os_now_ns();
    char err[ALLOC_ERR_LEN] = "";
    struct view view;
    ctx->view = heap ? NULL : &view;
    if (!heap && view_open(spec->strategy, env->self, &env->data, &view, err) != 0) {
        slot->failed = 1;
        snprintf(slot->err, sizeof slot->err, "%s", err);
        slot->provisioned_ns = slot->end_ns = os_now_ns();
        atomic_fetch_add(&env->sh->done, 1);
        (void)!write(env->done_pipe[1], "x", 1);
        wait_pipe(env->release_pipe[0]);
        return;
    }
    slot->provisioned_ns = os_now_ns();
    if (spec->workload->work(ctx) != 0) {
        slot->failed = 1;
        snprintf(slot->err, sizeof slot->err, "%s", ctx->err);
    }
    slot->end_ns = os_now_ns();
    slot->pages_written = ctx->pages_written;
    slot->ops = ctx->ops;
    slot->fork_ns = ctx->fork_ns;
    slot->fork_rss_bytes = ctx->fork_rss_bytes;
    atomic_fetch_add(&env->sh->done, 1);
    (void)!write(env->done_pipe[1], "x", 1); /* wakes the cell process, which sleeps meanwhile */

    /* outside the measured phase: what was copied, and where we ran */
    slot->pages_copied = heap ? ALLOC_NA : view_pages_copied(spec->strategy, env->self, &view);
    slot->pu = topo_last_pu(env->tp, process);
    wait_pipe(env->release_pipe[0]); /* the runner samples memory meanwhile */
    if (!heap)
        view_close(spec->strategy, env->self, &view);
}

static void *worker_thread(void *p)
{
    struct worker_arg *a = p;
    worker_body(a->env, a->index);
    return NULL;
}

/* Wait until counter reaches n; 0, or -1 if a worker process died first.
 * The cell process sleeps in poll() on wake_fd (a byte per worker), so that
 * it adds no work of its own to the counters of the measured phase. */
static int wait_count(_Atomic int *counter, int n, int wake_fd, pid_t *pids, int npids, char *why, size_t whylen)
{
    while (atomic_load(counter) < n) {
        struct pollfd pfd = {.fd = wake_fd, .events = POLLIN};
        if (poll(&pfd, 1, 100) > 0) {
            char buf[64];
            (void)!read(wake_fd, buf, sizeof buf);
        }
        for (int i = 0; i < npids; i++) {
            int status;
            if (pids[i] > 0 && waitpid(pids[i], &status, WNOHANG) == pids[i]) {
                pids[i] = -1;
                if (WIFSIGNALED(status))
                    signal_status(why, whylen, WTERMSIG(status));
                else
                    snprintf(why, whylen, "failed");
                return -1;
            }
        }
    }
    return 0;
}

static int fail(struct cell_result *r, const char *status, const char *fmt, const char *detail)
{
    snprintf(r->status, sizeof r->status, "%s", status);
    snprintf(r->message, sizeof r->message, fmt, detail);
    return -1;
}


/* PSS and RSS of the cell process and its worker processes; 0, or -1 when
 * some of it could not be read (then nothing is reported). */
static int sample_memory(pid_t *pids, int npids, struct smaps_sum *mem, int64_t *hwm)
{
    memset(mem, 0, sizeof *mem);
    *hwm = peak_rss_kib(getpid());
    int ok = smaps_add(getpid(), mem) == 0 && *hwm >= 0;
    for (int i = 0; i < npids; i++) {
        int64_t w = pids[i] > 0 ? peak_rss_kib(pids[i]) : -1;
        ok = ok && pids[i] > 0 && smaps_add(pids[i], mem) == 0 && w >= 0;
        *hwm += w;
    }
    return ok ? 0 : -1;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static double percentile(const uint64_t *sorted, size_t n, double q)
{
    if (!n)
        return NAN;
    size_t i = (size_t)(q * (double)(n - 1) + 0.5);
    return (double)sorted[i < n ? i : n - 1];
}

/* Runs in the cell process. Fills r; the exit code does not matter. */
static int cell_body(const struct cell_spec *spec, struct topo *tp, struct cell_result *r)
{
    struct cell_env env = {.spec = spec, .tp = tp};
    const struct allocator *a = spec->strategy;
    const struct workload_params *p = &spec->params;
    char err[ALLOC_ERR_LEN] = "";
    int n = p->workers;
    bool process = spec->model == MODEL_PROCESSES;

    bool heap = spec->workload->kind == WORKLOAD_HEAP;
    r->ops_per_sec = r->lat_p50_ns = r->lat_p99_ns = r->lat_p999_ns = r->lat_max_ns = NAN;
    r->fragmentation = r->lock_wait_share = r->fork_ns = r->fork_rss_kib = r->fork_ms_per_gib = NAN;
    if (heap && !allocator_has_heap(a)) {
        fail(r, "not_applicable", "%s has no heap: a copy-on-write strategy only serves views", a->name);
        return -1;
    }
    if (heap && process)
        return fail(r, "failed", "%s", "heap workloads run as threads of one heap");
    env.self = a->create(&spec->config, err);
    if (!env.self)
        return fail(r, "failed", "create: %s", err);
    char werr[WORKLOAD_ERR_LEN] = "";
    if (!heap) {
        if (data_create(a, env.self, p->size, spec->config.thp, &env.data, err) != 0)
            return fail(r, "failed", "data set: %s", err);
        if (spec->workload->fill(p, env.data.base, env.data.size, werr) != 0)
            return fail(r, "failed", "fill: %s", werr);
        if (data_seal(a, env.self, &env.data, err) != 0)
            return fail(r, "failed", "seal: %s", err);
    }
    uint64_t *lat = heap ? calloc((size_t)n * LAT_SAMPLES_PER_WORKER, sizeof *lat) : NULL;
    if (heap && !lat)
        return fail(r, "failed", "%s", "out of memory for the latency samples");
    for (int i = 0; i < n; i++)
        env.ctx[i] = (struct worker_ctx){.index = i, .params = p, .strategy = a,
                                         .self = env.self, .step_done = step_done, .runner_state = &env,
                                         .peers = env.ctx, .lat_ns = lat ? lat + (size_t)i * LAT_SAMPLES_PER_WORKER : NULL,
                                         .lat_cap = lat ? LAT_SAMPLES_PER_WORKER : 0};
    if (spec->workload->prepare && spec->workload->prepare(p, env.ctx, n, werr) != 0)
        return fail(r, "failed", "prepare: %s", werr);
    if (topo_plan(tp, spec->pin, n, spec->oversubscribe, env.sets, err) != 0)
        return fail(r, "failed", "%s", err);
    env.sh = mmap(NULL, sizeof *env.sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (env.sh == MAP_FAILED || pipe(env.start_pipe) || pipe(env.release_pipe) || pipe(env.done_pipe))
        return fail(r, "failed", "%s", "cannot set up the workers");
    memset(env.sh, 0, sizeof *env.sh);

    int64_t committed0 = meminfo_kib("Committed_AS"), available0 = meminfo_kib("MemAvailable");
    struct perf_set perf;
    perf_open(&perf);
    snprintf(r->perf_mode, sizeof r->perf_mode, "%s", perf_mode(&perf));

    pthread_t threads[CELL_MAX_WORKERS];
    pid_t pids[CELL_MAX_WORKERS];
    struct worker_arg args[CELL_MAX_WORKERS];
    pid_t cell_pid = getpid();
    for (int i = 0; i < n; i++) {
        args[i] = (struct worker_arg){&env, i};
        pids[i] = -1;
        if (process) {
            pids[i] = fork();
            if (pids[i] == 0) {
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (getppid() != cell_pid)
                    _exit(1);
                close(env.start_pipe[1]);
                close(env.release_pipe[1]);
                close(env.done_pipe[0]);
                worker_body(&env, i);
                _exit(0);
            }
            if (pids[i] < 0)
                return fail(r, "failed", "fork: %s", strerror(errno));
        } else if (pthread_create(&threads[i], NULL, worker_thread, &args[i]) != 0) {
            return fail(r, "failed", "%s", "cannot start a worker thread");
        }
    }
    char why[48] = "";
    if (wait_count(&env.sh->ready, n, env.done_pipe[0], pids, process ? n : 0, why, sizeof why) != 0)
        return fail(r, why, "%s", "a worker died before it started");

    /* the measured phase */
    perf_enable(&perf);
    env.sh->t0 = os_now_ns();
    close(env.start_pipe[1]);
    int lost = 0;
    /* overcommit: sample after every step while the workers wait */
    int steps = spec->workload->sampled_steps ? p->steps : -1;
    struct smaps_sum mem;
    int64_t hwm;
    for (int st = 0; st <= steps && !lost && st <= WORKLOAD_MAX_STEPS; st++) {
        lost = wait_count(&env.sh->step_arrived[st], n, env.done_pipe[0], pids, process ? n : 0, why, sizeof why);
        if (lost)
            break;
        struct timeline_point *tl = &r->timeline[r->nsteps++];
        tl->fraction_written = steps > 0 ? (double)st / steps : 0;
        tl->pss_sum_kib = sample_memory(pids, process ? n : 0, &mem, &hwm) == 0 ? mem.pss_kib : -1;
        tl->mem_available_kib = meminfo_kib("MemAvailable");
        tl->committed_as_kib = meminfo_kib("Committed_AS");
        tl->commit_limit_kib = meminfo_kib("CommitLimit");
        atomic_store(&env.sh->step_released, st + 1);
    }
    if (!lost)
        lost = wait_count(&env.sh->done, n, env.done_pipe[0], pids, process ? n : 0, why, sizeof why);
    perf_disable(&perf);
    if (lost)
        return fail(r, why, "%s", "a worker died during the measured phase");

    /* memory, while every worker still holds its view */
    if (sample_memory(pids, process ? n : 0, &mem, &hwm) != 0) /* not measured: NA, not a partial sum */
        mem.pss_kib = mem.private_dirty_kib = mem.shared_kib = mem.rss_kib = mem.anon_huge_kib = hwm = -1;
    int64_t committed1 = meminfo_kib("Committed_AS"), available1 = meminfo_kib("MemAvailable");
    close(env.release_pipe[1]);

    for (int i = 0; i < n; i++) {
        if (process) {
            int status;
            if (pids[i] > 0 && waitpid(pids[i], &status, 0) == pids[i] && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
                if (WIFSIGNALED(status))
                    signal_status(why, sizeof why, WTERMSIG(status));
                return fail(r, WIFSIGNALED(status) ? why : "failed", "%s", "a worker failed closing its view");
            }
        } else {
            pthread_join(threads[i], NULL);
        }
    }
    perf_read(&perf, r->ev, r->ev_valid);
    perf_close(&perf);
    if (spec->workload->finish)
        spec->workload->finish(env.ctx, n);

    uint64_t end = 0, provision = 0, work = 0, written = 0, copied = 0, ops = 0;
    double fork_ns = 0, fork_rss = 0;
    bool copied_na = false;
    char *pus = r->pus;
    for (int i = 0; i < n; i++) {
        struct worker_slot *s = &env.sh->slot[i];
        if (s->failed)
            return fail(r, "failed", "%s", s->err);
        end = s->end_ns > end ? s->end_ns : end;
        provision = s->provisioned_ns - s->start_ns > provision ? s->provisioned_ns - s->start_ns : provision;
        work = s->end_ns - s->provisioned_ns > work ? s->end_ns - s->provisioned_ns : work;
        written += s->pages_written;
        ops += s->ops;
        if (s->fork_ns > fork_ns) {
            fork_ns = s->fork_ns;
            fork_rss = s->fork_rss_bytes;
        }
        if (s->pages_copied == ALLOC_NA)
            copied_na = true;
        copied += s->pages_copied;
        pus += snprintf(pus, (size_t)(r->pus + sizeof r->pus - pus), "%s%d", i ? ";" : "", s->pu);
    }
    struct alloc_counters c;
    a->counters(env.self, &c);
    r->copy_fallbacks = c.copy_fallbacks;
    r->wall_ns = end - env.sh->t0;
    if (heap) {
        ops = 0; /* counted after finish(): blocks handed over late are freed there */
        for (int i = 0; i < n; i++)
            ops += env.ctx[i].ops;
        r->ops = ops;
        r->ops_per_sec = (double)ops / ((double)r->wall_ns / 1e9);
        size_t nlat = 0;
        for (int i = 0; i < n; i++) { /* gather every worker's samples */
            memmove(lat + nlat, env.ctx[i].lat_ns, env.ctx[i].lat_n * sizeof *lat);
            nlat += env.ctx[i].lat_n;
        }
        qsort(lat, nlat, sizeof *lat, cmp_u64);
        r->lat_p50_ns = percentile(lat, nlat, 0.50);
        r->lat_p99_ns = percentile(lat, nlat, 0.99);
        r->lat_p999_ns = percentile(lat, nlat, 0.999);
        r->lat_max_ns = nlat ? (double)lat[nlat - 1] : NAN;
        if (c.bytes_reserved_peak != ALLOC_NA && c.bytes_live_peak != ALLOC_NA && c.bytes_live_peak > 0)
            r->fragmentation = (double)c.bytes_reserved_peak / (double)c.bytes_live_peak;
        if (c.lock_wait_ns != ALLOC_NA)
            r->lock_wait_share = (double)c.lock_wait_ns / ((double)n * (double)r->wall_ns);
    } else {
        r->ops = ALLOC_NA;
    }
    if (fork_ns > 0) {
        r->fork_ns = fork_ns;
        if (fork_rss > 0) {
            r->fork_rss_kib = fork_rss / 1024;
            r->fork_ms_per_gib = fork_ns / 1e6 / (fork_rss / (double)(1u << 30));
        }
    }
    free(lat);
    /* the slowest worker's: the critical path. A heap workload takes no view
     * and writes no data pages: those figures do not apply (NA) */
    r->provision_ns = heap ? ALLOC_NA : provision;
    r->work_ns = work;
    r->pages_written = heap ? ALLOC_NA : written;
    r->pages_copied = copied_na ? ALLOC_NA : copied;
    r->pss_kib = mem.pss_kib;
    r->private_dirty_kib = mem.private_dirty_kib;
    r->shared_kib = mem.shared_kib;
    r->rss_kib = mem.rss_kib;
    r->anon_huge_kib = mem.anon_huge_kib;
    r->rss_peak_kib = hwm;
    r->committed_delta_kib = committed0 >= 0 && committed1 >= 0 ? committed1 - committed0 : INT64_MIN;
    r->mem_available_delta_kib = available0 >= 0 && available1 >= 0 ? available1 - available0 : INT64_MIN;
    if (!heap)
        data_destroy(a, env.self, &env.data);
    a->destroy(env.self);
    topo_plan_free(env.sets, n);
    snprintf(r->status, sizeof r->status, "ok");
    r->message[0] = '\0';
    return 0;
}

int cell_run(const struct cell_spec *spec, struct topo *tp, struct cell_result *result)
{
    struct cell_result *shared = mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    memset(result, 0, sizeof *result);
    if (shared == MAP_FAILED) {
        snprintf(result->status, sizeof result->status, "failed");
        snprintf(result->message, sizeof result->message, "cannot map the result page");
        return 0;
    }
    memset(shared, 0, sizeof *shared);
    snprintf(shared->status, sizeof shared->status, "failed");
    snprintf(shared->message, sizeof shared->message, "the cell ended without a report");
    fflush(NULL);
    pid_t runner = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0); /* one group: the runner can kill the cell and its workers together */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != runner)
            _exit(1);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        cell_body(spec, tp, shared);
        _exit(0);
    }
    if (pid < 0) {
        snprintf(result->status, sizeof result->status, "failed");
        snprintf(result->message, sizeof result->message, "fork: %s", strerror(errno));
        munmap(shared, sizeof *shared);
        return 0;
    }
    setpgid(pid, pid); /* both sides, so there is no window */
    uint64_t deadline = os_now_ns() + (uint64_t)(spec->timeout_s * 1e9);
    struct timespec nap = {0, 5 * 1000 * 1000};
    int status = 0, rc = 0;
    for (;;) {
        pid_t got = waitpid(pid, &status, WNOHANG);
        if (got == pid)
            break;
        if (cell_interrupted || os_now_ns() > deadline) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            while (waitpid(-pid, NULL, WNOHANG) > 0) /* grandchildren are reparented; this catches strays */
                ;
            if (cell_interrupted) {
                snprintf(shared->status, sizeof shared->status, "interrupted");
                rc = -1;
            } else {
                snprintf(shared->status, sizeof shared->status, "timeout");
                snprintf(shared->message, sizeof shared->message, "no result within %.0f s", spec->timeout_s);
            }
            status = 0;
            break;
        }
        nanosleep(&nap, NULL);
    }
    kill(-pid, SIGKILL); /* no worker of this cell outlives it */
    if (WIFSIGNALED(status)) {
        signal_status(shared->status, sizeof shared->status, WTERMSIG(status));
        snprintf(shared->message, sizeof shared->message, "the cell process was killed by a signal");
    }
    *result = *shared;
    munmap(shared, sizeof *shared);
    return rc;
}
