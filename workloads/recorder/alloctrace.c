/*
 * alloctrace.c - build/liballoctrace.so: record any program's heap calls as
 * a malloc-lab trace.
 *
 *     ALLOCTRACE_OUT=sort.rep LD_PRELOAD=build/liballoctrace.so sort big.txt
 *
 * malloc, calloc, realloc, free, posix_memalign, aligned_alloc, memalign and
 * valloc are logged as `a id size`, `r id size` and `f id` (alignment is not
 * part of the format; the size is what was asked for). Every allocation gets a
 * new id. ALLOCTRACE_MAX_OPS (default 50000) caps the trace: past it, new
 * blocks are not recorded, but frees and reallocs of recorded ones still are,
 * so the trace stays valid. The file is written when the program exits
 * (its header needs the final counts); a forked child writes nothing.
 *
 * A program that runs others (gcc runs cc1, as, ld; a shell runs its
 * commands) hands them the same environment. `%p` in ALLOCTRACE_OUT gives
 * each process a file of its own (`out.%p.rep`); without it only the first
 * process records (it marks the environment with ALLOCTRACE_OWNER=<pid>),
 * so no child ever truncates its trace.
 *
 * Never recursing through its own allocations: the recorder's memory comes
 * from mmap, and a per-thread flag sends any heap call made while recording
 * (or while dlsym looks the real functions up) straight through. Thread-safe:
 * one mutex guards the table and the log.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);
static void *(*real_valloc)(size_t);

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static __thread int inside; /* this thread is recording, or resolving symbols */
static int enabled;
static pid_t owner;
static long max_ops = 50000;
static char out_path[4096] = "alloctrace.rep";

/* dlsym may call calloc before the real one is known: serve it from here */
static char bootstrap[8192] __attribute__((aligned(16)));
static size_t bootstrap_used;

/* ---- memory of our own, from mmap ---- */
static void *grow(void *old, size_t old_len, size_t new_len)
{
    void *p = mmap(NULL, new_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    if (old) {
        memcpy(p, old, old_len);
        munmap(old, old_len);
    }
    return p;
}

/* pointer -> id, open addressing; id 0 means empty */
struct slot {
    uintptr_t ptr;
    uint64_t id; /* stored + 1 */
};
static struct slot *table;
static size_t table_cap, table_used;

static char *log_text;
static size_t log_len, log_cap;
static uint64_t next_id, nops;
static uint64_t live_bytes, peak_bytes;
static uint64_t *sizes; /* by id */
static size_t sizes_cap;

static size_t hash(uintptr_t p) { return (size_t)((p >> 4) * 0x9e3779b97f4a7c15ull); }

static int table_put(uintptr_t p, uint64_t id);

static int table_grow(void)
{
    struct slot *old = table;
    size_t old_cap = table_cap;
    size_t cap = old_cap ? 2 * old_cap : 1 << 16;
    table = grow(NULL, 0, cap * sizeof *table);
    if (!table) {
        table = old;
        return -1;
    }
    table_cap = cap;
    table_used = 0;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].id)
            table_put(old[i].ptr, old[i].id - 1);
    if (old)
        munmap(old, old_cap * sizeof *old);
    return 0;
}

static int table_put(uintptr_t p, uint64_t id)
{
    if ((table_used + 1) * 2 > table_cap && table_grow() != 0)
        return -1;
    for (size_t i = hash(p) & (table_cap - 1);; i = (i + 1) & (table_cap - 1))
        if (!table[i].id || table[i].ptr == p) {
            table_used += !table[i].id;
            table[i] = (struct slot){p, id + 1};
            return 0;
        }
}

/* remove p; its id, or -1 if p was not recorded */
static int64_t table_take(uintptr_t p)
{
    if (!table_cap)
        return -1;
    size_t i = hash(p) & (table_cap - 1);
    for (; table[i].id; i = (i + 1) & (table_cap - 1))
        if (table[i].ptr == p)
            break;
    if (!table[i].id)
        return -1;
    int64_t id = (int64_t)table[i].id - 1;
    /* backward-shift deletion keeps every probe chain intact */
    size_t j = i;
    for (;;) {
        table[i].id = 0;
        for (;;) {
            j = (j + 1) & (table_cap - 1);
            if (!table[j].id)
                goto done;
            size_t home = hash(table[j].ptr) & (table_cap - 1);
            if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j))
                break;
        }
        table[i] = table[j];
        i = j;
    }
done:
    table_used--;
    return id;
}

static void log_line(char kind, uint64_t id, size_t size)
{
    char line[64];
    int n = kind == 'f' ? snprintf(line, sizeof line, "f %llu\n", (unsigned long long)id)
                        : snprintf(line, sizeof line, "%c %llu %zu\n", kind, (unsigned long long)id, size);
    if (log_len + (size_t)n > log_cap) {
        size_t cap = log_cap ? 2 * log_cap : 1 << 20;
        char *text = grow(log_text, log_len, cap);
        if (!text)
            return;
        log_text = text;
        log_cap = cap;
    }
    memcpy(log_text + log_len, line, (size_t)n);
    log_len += (size_t)n;
    nops++;
}

static void set_size(uint64_t id, size_t size)
{
    if (id >= sizes_cap) {
        size_t cap = sizes_cap ? 2 * sizes_cap : 1 << 16;
        while (cap <= id)
            cap *= 2;
        uint64_t *s = grow(sizes, sizes_cap * sizeof *sizes, cap * sizeof *sizes);
        if (!s)
            return;
        sizes = s;
        sizes_cap = cap;
    }
    live_bytes = live_bytes - sizes[id] + size;
    peak_bytes = live_bytes > peak_bytes ? live_bytes : peak_bytes;
    sizes[id] = size;
}

/* ---- recording ---- */
static void record_alloc(void *p, size_t size)
{
    if (!p || !enabled || inside)
        return;
    inside = 1;
    pthread_mutex_lock(&lock);
    if ((long)nops < max_ops && table_put((uintptr_t)p, next_id) == 0) {
        log_line('a', next_id, size);
        set_size(next_id, size);
        next_id++;
    }
    pthread_mutex_unlock(&lock);
    inside = 0;
}

static void record_free(void *p)
{
    if (!p || !enabled || inside)
        return;
    inside = 1;
    pthread_mutex_lock(&lock);
    int64_t id = table_take((uintptr_t)p);
    if (id >= 0) {
        log_line('f', (uint64_t)id, 0);
        set_size((uint64_t)id, 0);
    }
    pthread_mutex_unlock(&lock);
    inside = 0;
}

/* old was handed back as new (same id), or new is a fresh block */
static void record_realloc(void *old, void *new, size_t size)
{
    if (!enabled || inside)
        return;
    inside = 1;
    pthread_mutex_lock(&lock);
    int64_t id = old ? table_take((uintptr_t)old) : -1;
    if (id >= 0 && table_put((uintptr_t) new, (uint64_t)id) == 0) {
        log_line('r', (uint64_t)id, size);
        set_size((uint64_t)id, size);
    } else if (id < 0 && (long)nops < max_ops && table_put((uintptr_t) new, next_id) == 0) {
        log_line('a', next_id, size);
        set_size(next_id, size);
        next_id++;
    }
    pthread_mutex_unlock(&lock);
    inside = 0;
}

static void resolve(void)
{
    inside = 1;
    real_calloc = dlsym(RTLD_NEXT, "calloc");
    real_malloc = dlsym(RTLD_NEXT, "malloc");
    real_realloc = dlsym(RTLD_NEXT, "realloc");
    real_free = dlsym(RTLD_NEXT, "free");
    real_posix_memalign = dlsym(RTLD_NEXT, "posix_memalign");
    real_aligned_alloc = dlsym(RTLD_NEXT, "aligned_alloc");
    real_memalign = dlsym(RTLD_NEXT, "memalign");
    real_valloc = dlsym(RTLD_NEXT, "valloc");
    inside = 0;
}

/* out with each "%p" replaced by this process's id */
static void expand_pid(const char *out, char *path, size_t len)
{
    size_t n = 0;
    for (const char *c = out; *c && n + 24 < len; c++) {
        if (c[0] == '%' && c[1] == 'p') {
            n += (size_t)snprintf(path + n, len - n, "%ld", (long)getpid());
            c++;
        } else {
            path[n++] = *c;
        }
    }
    path[n] = '\0';
}

__attribute__((constructor)) static void start(void)
{
    resolve();
    const char *out = getenv("ALLOCTRACE_OUT");
    if (out)
        expand_pid(out, out_path, sizeof out_path);
    if (out && !strstr(out, "%p")) { /* one file: the first process's */
        const char *owner_env = getenv("ALLOCTRACE_OWNER");
        if (owner_env && atol(owner_env) != (long)getpid())
            return; /* another process records into it */
        char pid[32];
        snprintf(pid, sizeof pid, "%ld", (long)getpid());
        setenv("ALLOCTRACE_OWNER", pid, 1); /* before enabled: its allocations are not recorded */
    }
    const char *max = getenv("ALLOCTRACE_MAX_OPS");
    if (max && atol(max) > 0)
        max_ops = atol(max);
    owner = getpid();
    enabled = 1;
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w <= 0 && errno != EINTR)
            return;
        if (w > 0) {
            p += w;
            n -= (size_t)w;
        }
    }
}

__attribute__((destructor)) static void finish(void)
{
    if (!enabled || getpid() != owner)
        return;
    inside = 1;
    pthread_mutex_lock(&lock);
    enabled = 0;
    int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
        char header[128];
        int n = snprintf(header, sizeof header, "%llu\n%llu\n%llu\n1\n", (unsigned long long)peak_bytes,
                         (unsigned long long)next_id, (unsigned long long)nops);
        write_all(fd, header, (size_t)n);
        write_all(fd, log_text, log_len);
        close(fd);
    }
    pthread_mutex_unlock(&lock);
}

/* ---- the interposed functions ---- */
void *malloc(size_t size)
{
    if (!real_malloc)
        resolve();
    void *p = real_malloc(size);
    record_alloc(p, size);
    return p;
}

void *calloc(size_t n, size_t size)
{
    if (!real_calloc) { /* dlsym itself is asking: bootstrap memory, zeroed */
        size_t want = (n * size + 15) & ~(size_t)15;
        if (bootstrap_used + want > sizeof bootstrap)
            return NULL;
        void *p = bootstrap + bootstrap_used;
        bootstrap_used += want;
        return p;
    }
    void *p = real_calloc(n, size);
    if (p && (!size || n <= SIZE_MAX / size))
        record_alloc(p, n * size);
    return p;
}

void free(void *p)
{
    if ((char *)p >= bootstrap && (char *)p < bootstrap + sizeof bootstrap)
        return;
    record_free(p);
    if (!real_free)
        resolve();
    real_free(p);
}

void *realloc(void *old, size_t size)
{
    if (!real_realloc)
        resolve();
    if (old && size == 0) { /* glibc frees and returns NULL */
        record_free(old);
        return real_realloc(old, size);
    }
    void *p = real_realloc(old, size);
    if (p)
        record_realloc(old, p, size);
    return p;
}

int posix_memalign(void **out, size_t align, size_t size)
{
    if (!real_posix_memalign)
        resolve();
    int rc = real_posix_memalign(out, align, size);
    if (rc == 0)
        record_alloc(*out, size);
    return rc;
}

void *aligned_alloc(size_t align, size_t size)
{
    if (!real_aligned_alloc)
        resolve();
    void *p = real_aligned_alloc(align, size);
    record_alloc(p, size);
    return p;
}

void *memalign(size_t align, size_t size)
{
    if (!real_memalign)
        resolve();
    void *p = real_memalign(align, size);
    record_alloc(p, size);
    return p;
}

void *valloc(size_t size)
{
    if (!real_valloc)
        resolve();
    void *p = real_valloc(size);
    record_alloc(p, size);
    return p;
}
