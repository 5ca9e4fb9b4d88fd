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
#include "latency.h"

#include <errno.h>
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

#include "perf.h"
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

/* ---- the workers ---- */
struct worker_slot {
    uint64_t fork_ns; /* processes: the parent's fork() of this worker (fork_cow's snapshot is this fork) */
    uint64_t start_ns, provisioned_ns, end_ns;
    uint64_t paused_ns; /* in step_done: waiting for the others and the sampling, not working */
    uint64_t pages_written, ops;
    double pages_copied;
    double result[WORKLOAD_MAX_RESULTS];
    int pu;
    int failed;
    char err[WORKLOAD_ERR_LEN];
};

struct cell_shared {
    _Atomic int ready, done;
    _Atomic int step_arrived[WORKLOAD_MAX_STEPS + 1];
    _Atomic int step_released; /* steps below this are sampled */
    _Atomic int steps;         /* as the workers said in step_done */
    uint64_t sampling_ns;      /* the runner's own sampling, taken out of the wall time */
    uint64_t t0;
    struct worker_slot slot[WORKLOAD_MAX_WORKERS];
};

#define LAT_SAMPLES_PER_WORKER 32768 /* of each kind: allocations, frees */

struct cell_env {
    const struct cell_spec *spec;
    int n;
    bool process, heap;
    bool control; /* no views: the workers share the data set (workload->shares_data) */
    struct worker_ctx ctx[WORKLOAD_MAX_WORKERS];
    struct topo *tp;
    void *self;
    struct dataset data;
    uint64_t *lat;
    struct cell_shared *sh;
    hwloc_bitmap_t sets[WORKLOAD_MAX_WORKERS];
    int start_pipe[2], release_pipe[2], done_pipe[2];
    pthread_t threads[WORKLOAD_MAX_WORKERS];
    pid_t pids[WORKLOAD_MAX_WORKERS];
    struct perf_set perf; /* opened before the workers start: they inherit it */
};

static void wait_pipe(int fd)
{
    char c;
    while (read(fd, &c, 1) < 0 && errno == EINTR)
        ;
}

/* a workload's steps: tell the cell process, wait until it has sampled */
static void step_done(struct worker_ctx *ctx, int step, int steps)
{
    struct cell_env *env = ctx->runner_state;
    if (step < 0 || step > WORKLOAD_MAX_STEPS)
        return;
    uint64_t t0 = os_now_ns();
    atomic_store(&env->sh->steps, steps);
    atomic_fetch_add(&env->sh->step_arrived[step], 1);
    (void)!write(env->done_pipe[1], "s", 1);
    struct timespec nap = {0, 100 * 1000};
    while (atomic_load(&env->sh->step_released) <= step)
        nanosleep(&nap, NULL);
    env->sh->slot[ctx->index].paused_ns += os_now_ns() - t0;
}

static void report_done(struct cell_env *env)
{
    atomic_fetch_add(&env->sh->done, 1);
    (void)!write(env->done_pipe[1], "x", 1); /* wakes the cell process, which sleeps meanwhile */
}

static void worker_body(struct cell_env *env, int index)
{
    const struct cell_spec *spec = env->spec;
    struct worker_slot *slot = &env->sh->slot[index];
    struct worker_ctx *ctx = &env->ctx[index];
    topo_bind(env->tp, env->sets[index], env->process);
    atomic_fetch_add(&env->sh->ready, 1);
    (void)!write(env->done_pipe[1], "r", 1);
    wait_pipe(env->start_pipe[0]);

    slot->start_ns = os_now_ns();
    char err[ALLOC_ERR_LEN] = "";
    struct view view = {.addr = env->data.base, .size = env->data.size}; /* a control's: the data set itself */
    ctx->view = env->heap ? NULL : &view;
    if (!env->heap && !env->control && view_open(spec->strategy, env->self, &env->data, &view, err) != 0) {
        slot->failed = 1;
        snprintf(slot->err, sizeof slot->err, "%s", err);
        slot->provisioned_ns = slot->end_ns = os_now_ns();
        report_done(env);
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
    memcpy(slot->result, ctx->result, sizeof slot->result);
    report_done(env);

    /* outside the measured phase: what was copied, and where we ran */
    slot->pages_copied = env->heap ? NA : env->control ? 0 : view_pages_copied(spec->strategy, env->self, &view);
    slot->pu = topo_last_pu(env->tp, env->process);
    wait_pipe(env->release_pipe[0]); /* the runner samples memory meanwhile */
    if (!env->heap && !env->control)
        view_close(spec->strategy, env->self, &view);
}

struct worker_arg {
    struct cell_env *env;
    int index;
};

static void *worker_thread(void *p)
{
    struct worker_arg *a = p;
    worker_body(a->env, a->index);
    free(a);
    return NULL;
}

/* ---- the cell process waits, without adding work to the counters ---- */
static int fail(struct cell_result *r, enum cell_status status, const char *fmt, const char *detail)
{
    char message[sizeof r->message];
    snprintf(message, sizeof message, fmt, detail);
    cell_result_set(r, status, message);
    return -1;
}

/* A worker process that ended early; 0, or -1 with r's status set. */
static int reap_early(struct cell_env *env, struct cell_result *r, const char *when)
{
    for (int i = 0; env->process && i < env->n; i++) {
        int status;
        if (env->pids[i] > 0 && waitpid(env->pids[i], &status, WNOHANG) == env->pids[i]) {
            env->pids[i] = -1;
            fail(r, WIFSIGNALED(status) ? CELL_CRASHED : CELL_FAILED, "a worker died %s", when);
            r->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
            return -1;
        }
    }
    return 0;
}

/* Wait until every worker is done (0), or, when step >= 0, every worker
 * reached that step (1); -1 when a worker process died first. The cell
 * process sleeps in poll() on a pipe the workers write a byte to. */
static int wait_workers(struct cell_env *env, _Atomic int *counter, int step, struct cell_result *r, const char *when)
{
    for (;;) {
        if (atomic_load(counter) >= env->n)
            return 0;
        /* a worker that already left (failed) never arrives at a step: the others must not wait for it */
        if (step >= 0 && atomic_load(&env->sh->step_arrived[step]) > 0 &&
            atomic_load(&env->sh->step_arrived[step]) + atomic_load(&env->sh->done) >= env->n)
            return 1;
        struct pollfd pfd = {.fd = env->done_pipe[0], .events = POLLIN};
        if (poll(&pfd, 1, 100) > 0) {
            char buf[64];
            (void)!read(env->done_pipe[0], buf, sizeof buf);
        }
        if (reap_early(env, r, when) != 0)
            return -1;
    }
}

/* PSS and RSS of the cell process and its worker processes; 0, or -1 when
 * some of it could not be read (then nothing is reported: NA). */
static int sample_memory(struct cell_env *env, struct smaps_sum *mem, double *hwm)
{
    memset(mem, 0, sizeof *mem);
    *hwm = peak_rss_kib(getpid());
    int ok = smaps_add(getpid(), mem) == 0 && !is_na(*hwm);
    for (int i = 0; env->process && i < env->n; i++) {
        double w = env->pids[i] > 0 ? peak_rss_kib(env->pids[i]) : NA;
        ok = ok && env->pids[i] > 0 && smaps_add(env->pids[i], mem) == 0 && !is_na(w);
        *hwm += w;
    }
    if (!ok)
        *mem = (struct smaps_sum){NA, NA, NA, NA, NA};
    return ok ? 0 : -1;
}

/* What the cell's processes map private, writable and MAP_NORESERVE: not in
 * Committed_AS, but strict overcommit (vm.overcommit_memory=2) ignores
 * MAP_NORESERVE and would charge it. NA if a process cannot be read. */
static double unreserved_kib(struct cell_env *env)
{
    double kib = noreserve_kib(getpid());
    for (int i = 0; env->process && i < env->n; i++)
        kib += env->pids[i] > 0 ? noreserve_kib(env->pids[i]) : NA;
    return kib;
}

static void sample_step(struct cell_env *env, struct cell_result *r, int step)
{
    uint64_t t0 = os_now_ns();
    struct smaps_sum mem;
    double hwm;
    int steps = atomic_load(&env->sh->steps);
    struct timeline_point *tl = &r->timeline[r->nsteps++];
    tl->fraction_written = steps > 0 ? (double)step / steps : 0;
    tl->ms = (double)(t0 - env->sh->t0) / 1e6;
    sample_memory(env, &mem, &hwm);
    tl->pss_sum_kib = mem.pss_kib;
    tl->rss_sum_kib = mem.rss_kib;
    struct alloc_counters c; /* a heap's own figures: its workers wait outside it meanwhile */
    alloc_counters_read(env->spec->strategy, env->self, &c);
    tl->heap_live_kib = env->heap ? c.bytes_live / 1024 : NA;
    tl->heap_reserved_kib = env->heap ? c.bytes_reserved / 1024 : NA;
    tl->mem_available_kib = meminfo_kib("MemAvailable");
    tl->committed_as_kib = meminfo_kib("Committed_AS");
    tl->commit_limit_kib = meminfo_kib("CommitLimit");
    tl->strict_commit_kib = is_na(tl->committed_as_kib) ? NA : tl->committed_as_kib + unreserved_kib(env);
    env->sh->sampling_ns += os_now_ns() - t0;
    atomic_store(&env->sh->step_released, step + 1);
}

/* ---- setting up and tearing down ---- */
static int build_data(struct cell_env *env, struct cell_result *r)
{
    const struct cell_spec *spec = env->spec;
    char err[ALLOC_ERR_LEN] = "", werr[WORKLOAD_ERR_LEN] = "";
    if (data_create(spec->strategy, env->self, cell_knob(spec, "size"), spec->config.thp, &env->data, err) != 0)
        return fail(r, CELL_FAILED, "data set: %s", err);
    if (spec->workload->fill(spec->knob, env->data.base, env->data.size, werr) != 0)
        return fail(r, CELL_FAILED, "fill: %s", werr);
    if (data_seal(spec->strategy, env->self, &env->data, err) != 0)
        return fail(r, CELL_FAILED, "seal: %s", err);
    return 0;
}

static int set_up(struct cell_env *env, struct cell_result *r)
{
    const struct cell_spec *spec = env->spec;
    const struct allocator *a = spec->strategy;
    char err[ALLOC_ERR_LEN] = "", werr[WORKLOAD_ERR_LEN] = "";
    const char *why = allocator_unavailable(a);
    if (why)
        return fail(r, CELL_UNAVAILABLE, "unavailable: %s", why);
    if (env->heap && !allocator_has_heap(a))
        return fail(r, CELL_NOT_APPLICABLE, "%s has no heap: a copy-on-write strategy only serves views", a->name);
    if (env->heap && env->process)
        return fail(r, CELL_FAILED, "%s", "heap workloads run as threads of one heap");
    /* the harness's own memory first, so that a heap measured from its
     * creation (system_malloc's baseline) does not count it as the heap's */
    size_t room = (size_t)LAT_KINDS * LAT_SAMPLES_PER_WORKER;
    if (env->heap && !(env->lat = calloc((size_t)env->n * room, sizeof *env->lat)))
        return fail(r, CELL_FAILED, "%s", "out of memory for the latency samples");
    for (int i = 0; i < env->n; i++) {
        env->ctx[i] = (struct worker_ctx){.index = i, .workers = env->n, .knob = spec->knob, .strategy = a,
                                          .options = spec->options, .step_done = step_done, .runner_state = env, .peers = env->ctx,
                                          .lat_resolution_ns = NA, .plain_loop = cell_is_plain_loop(spec)};
        for (int kind = 0; env->lat && kind < LAT_KINDS; kind++)
            env->ctx[i].lat[kind] = (struct lat_samples){
                .ns = env->lat + (size_t)i * room + (size_t)kind * LAT_SAMPLES_PER_WORKER,
                .cap = LAT_SAMPLES_PER_WORKER};
        for (int k = 0; k < WORKLOAD_MAX_RESULTS; k++)
            env->ctx[i].result[k] = NA;
    }
    if (spec->workload->prepare && spec->workload->prepare(spec->knob, env->ctx, env->n, werr) != 0)
        return fail(r, CELL_FAILED, "prepare: %s", werr);
    struct alloc_config config = spec->config;
    config.sample_memory = spec->memory_pass;
    if (!(env->self = a->create(&config, err)))
        return fail(r, CELL_FAILED, "create: %s", err);
    for (int i = 0; i < env->n; i++)
        env->ctx[i].self = env->self;
    if (!env->heap && build_data(env, r) != 0)
        return -1;
    if (topo_plan(env->tp, spec->pin, env->n, spec->oversubscribe, env->sets, err) != 0)
        return fail(r, CELL_FAILED, "%s", err);
    env->sh = mmap(NULL, sizeof *env->sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (env->sh == MAP_FAILED || pipe(env->start_pipe) || pipe(env->release_pipe) || pipe(env->done_pipe))
        return fail(r, CELL_FAILED, "%s", "cannot set up the workers");
    memset(env->sh, 0, sizeof *env->sh);
    return 0;
}

static int start_workers(struct cell_env *env, struct cell_result *r)
{
    pid_t cell_pid = getpid();
    for (int i = 0; i < env->n; i++) {
        env->pids[i] = -1;
        if (!env->process) {
            struct worker_arg *arg = malloc(sizeof *arg);
            if (arg)
                *arg = (struct worker_arg){env, i};
            if (!arg || pthread_create(&env->threads[i], NULL, worker_thread, arg) != 0)
                return fail(r, CELL_FAILED, "%s", "cannot start a worker thread");
            continue;
        }
        uint64_t t0 = os_now_ns();
        if ((env->pids[i] = fork()) == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() != cell_pid)
                _exit(1);
            close(env->start_pipe[1]);
            close(env->release_pipe[1]);
            close(env->done_pipe[0]);
            worker_body(env, i);
            _exit(0);
        }
        env->sh->slot[i].fork_ns = os_now_ns() - t0;
        if (env->pids[i] < 0)
            return fail(r, CELL_FAILED, "fork: %s", strerror(errno));
    }
    return wait_workers(env, &env->sh->ready, -1, r, "before it started") < 0 ? -1 : 0;
}

/* The workers that ran as processes must all have closed their views. */
static int join_workers(struct cell_env *env, struct cell_result *r)
{
    for (int i = 0; i < env->n; i++) {
        if (!env->process) {
            pthread_join(env->threads[i], NULL);
            continue;
        }
        int status;
        if (env->pids[i] > 0 && waitpid(env->pids[i], &status, 0) == env->pids[i] &&
            !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
            fail(r, WIFSIGNALED(status) ? CELL_CRASHED : CELL_FAILED, "%s", "a worker failed closing its view");
            r->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
            return -1;
        }
    }
    return 0;
}

/* ---- the measured phase ---- */
static int measured_phase(struct cell_env *env, struct cell_result *r)
{
    struct perf_set *perf = &env->perf;
    double committed0 = meminfo_kib("Committed_AS"), available0 = meminfo_kib("MemAvailable");
    perf_enable(perf);
    env->sh->t0 = os_now_ns();
    close(env->start_pipe[1]);
    int got = 1;
    for (int step = 0; got == 1 && step <= WORKLOAD_MAX_STEPS; step++)
        if ((got = wait_workers(env, &env->sh->done, step, r, "during the measured phase")) == 1)
            sample_step(env, r, step); /* the workers wait meanwhile */
    if (got == 1)
        got = wait_workers(env, &env->sh->done, -1, r, "during the measured phase");
    perf_disable(perf);
    if (got < 0)
        return -1;
    /* memory, while every worker still holds its view */
    struct smaps_sum mem;
    sample_memory(env, &mem, &r->fig[FIG_RSS_PEAK_KIB]);
    r->fig[FIG_PSS_KIB] = mem.pss_kib;
    r->fig[FIG_PRIVATE_DIRTY_KIB] = mem.private_dirty_kib;
    r->fig[FIG_SHARED_KIB] = mem.shared_kib;
    r->fig[FIG_RSS_KIB] = mem.rss_kib;
    r->fig[FIG_ANON_HUGE_KIB] = mem.anon_huge_kib;
    r->fig[FIG_COMMITTED_DELTA_KIB] = meminfo_kib("Committed_AS") - committed0; /* NA stays NA */
    r->fig[FIG_MEM_AVAILABLE_DELTA_KIB] = meminfo_kib("MemAvailable") - available0;
    close(env->release_pipe[1]);
    int joined = join_workers(env, r);
    double ev[EV_COUNT];
    perf_read(perf, ev);
    for (int i = 0; i < EV_COUNT; i++)
        r->fig[FIG_MINOR_FAULTS + i] = ev[i];
    return joined;
}

/* ops, throughput, latency and the heap's own counters (heap workloads);
 * all NA when the workers made no operation on the cell's heap (programs:
 * they run in processes of their own) */
static void heap_figures(struct cell_env *env, struct cell_result *r, const struct alloc_counters *c)
{
    double ops = 0, wall = r->fig[FIG_WALL_NS], resolution = NA;
    for (int i = 0; i < env->n; i++) { /* counted after finish(): blocks handed over late are freed there */
        ops += (double)env->ctx[i].ops;
        double step = env->ctx[i].lat_resolution_ns;
        if (!is_na(step) && (is_na(resolution) || step > resolution))
            resolution = step; /* the coarsest worker's */
    }
    if (ops == 0)
        return;
    r->fig[FIG_OPS] = ops;
    r->fig[FIG_OPS_PER_SEC] = ops / (wall / 1e9);
    latency_percentiles(env->ctx, env->n, LAT_ALLOC, &r->fig[FIG_ALLOC_P50_NS]);
    latency_percentiles(env->ctx, env->n, LAT_FREE, &r->fig[FIG_FREE_P50_NS]);
    r->fig[FIG_LAT_RESOLUTION_NS] = resolution;
    r->fig[FIG_LIVE_PEAK_KIB] = c->bytes_live_peak / 1024;
    r->fig[FIG_RESERVED_PEAK_KIB] = c->bytes_reserved_peak / 1024;
    if (c->bytes_live_peak > 0) /* NA compares false */
        r->fig[FIG_FRAGMENTATION] = c->bytes_reserved_peak / c->bytes_live_peak;
    r->fig[FIG_LOCK_CONTENDED_SHARE] = c->lock_contended / ops;
}

/* The workers' slots into the cell's figures; 0, or -1 when one failed. */
static int collect(struct cell_env *env, struct cell_result *r)
{
    const struct workload *w = env->spec->workload;
    uint64_t end = 0, provision = 0, work = 0, written = 0, spawn = 0;
    double copied = 0;
    int pu[WORKLOAD_MAX_WORKERS];
    for (int i = 0; i < env->n; i++) {
        struct worker_slot *s = &env->sh->slot[i];
        if (s->failed)
            return fail(r, CELL_FAILED, "%s", s->err);
        end = s->end_ns > end ? s->end_ns : end;
        uint64_t took = s->fork_ns + s->provisioned_ns - s->start_ns; /* its fork, then its view */
        provision = took > provision ? took : provision;
        spawn += s->fork_ns;
        uint64_t busy = s->end_ns - s->provisioned_ns - s->paused_ns;
        work = busy > work ? busy : work;
        written += s->pages_written;
        copied += s->pages_copied; /* one NA makes the sum NA */
        for (size_t k = 0; k < workload_nresults(w); k++)
            cell_result_merge(w, r, (int)k, s->result[k]);
        pu[i] = s->pu;
    }
    topo_where(env->tp, pu, env->n, r->pus, sizeof r->pus, r->nodes, sizeof r->nodes);
    struct alloc_counters c;
    alloc_counters_read(env->spec->strategy, env->self, &c);
    r->fig[FIG_COPY_FALLBACKS] = c.copy_fallbacks;
    /* the forks ran one after the other before the start: they count */
    r->fig[FIG_WALL_NS] = (double)(spawn + end - env->sh->t0 - env->sh->sampling_ns);
    r->fig[FIG_SPAWN_NS] = (double)spawn;
    r->fig[FIG_WORK_NS] = (double)work; /* the slowest worker's: the critical path */
    /* NA when the task clock is. The clock also counts the cell process's
     * own thread, asleep but for its wake-ups: a share a hair under 0 is 0 */
    r->fig[FIG_OFF_CPU_SHARE] = fmax(0, 1 - r->fig[FIG_TASK_CLOCK_NS] / ((double)env->n * r->fig[FIG_WALL_NS]));
    if (env->heap) { /* no view taken, no data page written: NA */
        heap_figures(env, r, &c);
    } else {
        r->fig[FIG_PROVISION_NS] = (double)provision;
        r->fig[FIG_PAGES_WRITTEN] = (double)written;
        r->fig[FIG_PAGES_COPIED] = copied;
    }
    return 0;
}

/* Runs in the cell process. Fills r; the exit code does not matter. */
static void cell_body(const struct cell_spec *spec, struct topo *tp, struct cell_result *r)
{
    static struct cell_env env; /* big: not on the stack */
    env = (struct cell_env){.spec = spec, .tp = tp, .n = (int)cell_knob(spec, "workers"),
                            .process = spec->model == MODEL_PROCESSES, .heap = spec->workload->kind == WORKLOAD_HEAP,
                            .control = spec->workload->shares_data && spec->workload->shares_data(spec->knob)};
    cell_result_set(r, CELL_OK, "");
    if (set_up(&env, r) != 0)
        return;
    perf_open(&env.perf);
    snprintf(r->perf_mode, sizeof r->perf_mode, "%s", perf_mode(&env.perf));
    if (start_workers(&env, r) != 0 || measured_phase(&env, r) != 0)
        return; /* the cell process exits: the counters close with it */
    perf_close(&env.perf);
    if (spec->workload->finish)
        spec->workload->finish(env.ctx, env.n);
    if (collect(&env, r) != 0)
        return;
    if (spec->memory_pass)
        cell_result_keep_memory(r);
    free(env.lat);
    if (!env.heap)
        data_destroy(spec->strategy, env.self, &env.data);
    spec->strategy->destroy(env.self);
    topo_plan_free(env.sets, env.n);
}

/* Wait for the cell process, within its time limit; -1 if interrupted. */
static int await_cell(pid_t pid, double timeout_s, struct cell_result *shared)
{
    uint64_t deadline = os_now_ns() + (uint64_t)(timeout_s * 1e9);
    struct timespec nap = {0, 5 * 1000 * 1000};
    int status = 0, rc = 0;
    while (waitpid(pid, &status, WNOHANG) != pid) {
        if (cell_interrupted || os_now_ns() > deadline) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            while (waitpid(-pid, NULL, WNOHANG) > 0) /* grandchildren are reparented; this catches strays */
                ;
            char message[64];
            snprintf(message, sizeof message, "no result within %.0f s", timeout_s);
            cell_result_set(shared, cell_interrupted ? CELL_INTERRUPTED : CELL_TIMEOUT,
                            cell_interrupted ? "" : message);
            rc = cell_interrupted ? -1 : 0;
            status = 0;
            break;
        }
        nanosleep(&nap, NULL);
    }
    kill(-pid, SIGKILL); /* no worker of this cell outlives it */
    if (WIFSIGNALED(status)) {
        cell_result_set(shared, CELL_CRASHED, "the cell process was killed by a signal");
        shared->signal = WTERMSIG(status);
    }
    return rc;
}

int cell_run(const struct cell_spec *spec, struct topo *tp, struct cell_result *result)
{
    struct cell_result *shared = mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    memset(result, 0, sizeof *result);
    if (shared == MAP_FAILED) {
        cell_result_set(result, CELL_FAILED, "cannot map the result page");
        return 0;
    }
    memset(shared, 0, sizeof *shared);
    cell_result_set(shared, CELL_FAILED, "the cell ended without a report");
    fflush(NULL);
    pid_t runner = getpid();
    uint64_t started = os_now_ns();
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
    int rc = 0;
    if (pid < 0) {
        cell_result_set(shared, CELL_FAILED, strerror(errno));
    } else {
        setpgid(pid, pid); /* both sides, so there is no window */
        rc = await_cell(pid, spec->timeout_s, shared);
    }
    *result = *shared;
    result->cell_ns = (double)(os_now_ns() - started);
    munmap(shared, sizeof *shared);
    return rc;
}
