/*
 * step.c - `alloclab step --strategy S --trace FILE [--answers]`: a short
 * trace one operation at a time, predicted before it is revealed.
 *
 * Before each allocation the free list is shown as the strategy searches it
 * (its free_blocks hook), and you say which block the request will take, or
 * "new" for memory not on the list; before each free, how many free blocks
 * there will be after it (does it coalesce?). Then the answer, and the list
 * after. A strategy without free_blocks shows the addresses it returns, as
 * offsets, and asks for the offset. --answers prints every operation with
 * its answer and asks nothing: the teacher's key. At the end, the tally.
 * --map DIR draws the heap's map after each operation (heapmap.h).
 * Blocks are not checked here: alloclab check does that.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "heapmap.h"
#include "replay/replay.h"
#include "step.h"

#define STEP_MAX_OPS 200 /* a short trace: one to predict by hand */
#define STEP_MAX_FREE 64 /* free blocks shown */

struct stepper {
    const struct allocator *a;
    void *self;
    const struct trace *t;
    void **ptr;
    size_t *size;
    uintptr_t base; /* addresses are offsets from the page the heap first showed one in */
    bool answers, asked_out; /* asked_out: stdin ran dry, the rest is shown as answers */
    int asked, right;
    struct heaprec *map; /* --map: the heap's map after each operation, into map_dir */
    const char *map_dir;
};

static long offset(struct stepper *s, const void *p)
{
    if (!s->base)
        s->base = (uintptr_t)p & ~(uintptr_t)(PAGE_BYTES - 1); /* an arena starts on a page */
    return (long)((intptr_t)p - (intptr_t)s->base);
}

static int list_free(struct stepper *s, struct heap_block *fb)
{
    return s->a->free_blocks ? s->a->free_blocks(s->self, fb, STEP_MAX_FREE) : 0;
}

static void show_free(struct stepper *s, const char *when)
{
    if (!s->a->free_blocks)
        return;
    struct heap_block fb[STEP_MAX_FREE];
    int n = list_free(s, fb);
    printf("  free list %s:%s", when, n ? "" : " empty");
    for (int i = 0; i < n; i++)
        printf(" #%d [+%ld, %zu B]", i, offset(s, fb[i].addr), fb[i].size);
    printf("%s\n", n == STEP_MAX_FREE ? " ..." : "");
}

/* The reader's prediction, or NULL when answers are shown instead. */
static const char *ask(struct stepper *s, const char *question, char *buf, size_t len)
{
    if (s->answers || s->asked_out)
        return NULL;
    printf("  %s > ", question);
    fflush(stdout);
    if (!fgets(buf, (int)len, stdin)) {
        s->asked_out = true;
        printf("\n  (no more input: the answers from here on)\n");
        return NULL;
    }
    buf[strcspn(buf, "\r\n")] = '\0';
    s->asked++;
    return buf;
}

static void judge(struct stepper *s, const char *guess, const char *truth)
{
    if (!guess)
        return;
    bool ok = !strcmp(guess, truth);
    s->right += ok;
    printf("  %s (you said %s)\n", ok ? "right" : "not this time", *guess ? guess : "nothing");
}

/* Which listed free block p came from: "#n", or "new". */
static void taken_from(const struct heap_block *fb, int n, const void *p, char *out, size_t len)
{
    snprintf(out, len, "new");
    for (int i = 0; i < n; i++)
        if ((uintptr_t)p >= (uintptr_t)fb[i].addr && (uintptr_t)p < (uintptr_t)fb[i].addr + fb[i].size) {
            snprintf(out, len, "#%d", i);
            return;
        }
}

/* An allocation or a reallocation: predicted, done, revealed. */
static void step_alloc(struct stepper *s, const struct trace_op *op)
{
    struct heap_block fb[STEP_MAX_FREE];
    int n = list_free(s, fb);
    char buf[64], truth[64];
    const char *guess = ask(s, s->a->free_blocks ? "which free block will it take (#n, or new)?"
                                                 : "at what offset will it be?", buf, sizeof buf);
    uint32_t id = op->id;
    void *p;
    if (op->kind == OP_ALLOC || !s->ptr[id])
        p = s->a->alloc(s->self, op->size);
    else if (s->a->realloc)
        p = s->a->realloc(s->self, s->ptr[id], s->size[id], op->size);
    else if ((p = s->a->alloc(s->self, op->size))) { /* no realloc of its own: the driver moves the block */
        memcpy(p, s->ptr[id], s->size[id] < op->size ? s->size[id] : op->size);
        s->a->free(s->self, s->ptr[id], s->size[id]);
    }
    if (!p) {
        printf("  refused (NULL, errno %d)\n", errno);
        return;
    }
    s->ptr[id] = p;
    s->size[id] = op->size;
    if (s->a->free_blocks)
        taken_from(fb, n, p, truth, sizeof truth);
    else
        snprintf(truth, sizeof truth, "%ld", offset(s, p));
    printf("  answer: %s, the block at +%ld\n", truth, offset(s, p));
    judge(s, guess, truth);
}

static void step_free(struct stepper *s, const struct trace_op *op)
{
    struct heap_block fb[STEP_MAX_FREE];
    char buf[64], truth[64];
    const char *guess = s->a->free_blocks ? ask(s, "how many free blocks after it?", buf, sizeof buf) : NULL;
    if (s->ptr[op->id])
        s->a->free(s->self, s->ptr[op->id], s->size[op->id]);
    s->ptr[op->id] = NULL;
    if (!s->a->free_blocks)
        return;
    snprintf(truth, sizeof truth, "%d", list_free(s, fb));
    printf("  answer: %s free block%s\n", truth, strcmp(truth, "1") ? "s" : "");
    judge(s, guess, truth);
}

static void step_through(struct stepper *s)
{
    show_free(s, "at the start");
    for (size_t k = 0; k < s->t->num_ops; k++) {
        const struct trace_op *op = &s->t->ops[k];
        if (op->kind == OP_FREE)
            printf("\nop %zu: free id %u\n", k, op->id);
        else
            printf("\nop %zu: %s id %u, %zu bytes\n", k, op->kind == OP_ALLOC ? "allocate" : "reallocate", op->id,
                   op->size);
        void *before = s->ptr[op->id];
        if (op->kind == OP_FREE)
            step_free(s, op);
        else
            step_alloc(s, op);
        show_free(s, "after");
        if (s->map && heapmap_step(s->map, k, op->id, before, s->ptr[op->id], s->size[op->id], s->map_dir,
                                   s->a->name, s->t->name) == 0)
            printf("  map: %s/step-%03zu.png\n", s->map_dir, k);
    }
    for (size_t id = 0; id < s->t->num_ids; id++)
        if (s->ptr[id])
            s->a->free(s->self, s->ptr[id], s->size[id]);
    if (s->asked)
        printf("\nyou predicted %d of %d right\n", s->right, s->asked);
}

int step_main(int argc, char **argv)
{
    static const struct option opts[] = {{"strategy", required_argument, NULL, 's'},
                                         {"trace", required_argument, NULL, 't'},
                                         {"options", required_argument, NULL, 'o'},
                                         {"answers", no_argument, NULL, 'a'},
                                         {"map", required_argument, NULL, 'm'},
                                         {NULL, 0, NULL, 0}};
    const char *name = NULL, *path = NULL, *options = NULL, *map_dir = NULL;
    bool answers = false;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        if (c == 's')
            name = optarg;
        else if (c == 't')
            path = optarg;
        else if (c == 'o')
            options = optarg;
        else if (c == 'a')
            answers = true;
        else if (c == 'm')
            map_dir = optarg;
        else
            die_usage("step: unknown or incomplete option '%s' (try: alloclab --help)", argv[optind - 1]);
    }
    if (optind < argc)
        die_usage("step: unexpected argument '%s'", argv[optind]);
    if (!name || !path)
        die_usage("step: --strategy and --trace are required");
    const struct allocator *a = allocator_find(name);
    if (!a || !allocator_has_heap(a))
        die_usage("step: '%s' is not a heap strategy (see: alloclab list)", name);
    static struct trace t;
    char err[512];
    if (trace_load(path, &t, err, sizeof err) != 0)
        die_usage("step: %s", err);
    if (t.num_ops > STEP_MAX_OPS)
        die_usage("step: %s has %zu operations; step mode is for short traces (%d at most)", path, t.num_ops,
                  STEP_MAX_OPS);
    char why[ALLOC_ERR_LEN];
    struct stepper s = {.a = a, .t = &t, .answers = answers, .map_dir = map_dir};
    static struct heaprec map; /* before create: an arena mapped up front is the heap's */
    if (map_dir && (heapmap_make_dir(map_dir) != 0 || heaprec_init(&map, a, &t, -1) != 0))
        die_usage("step: --map: cannot make '%s': %s", map_dir, strerror(errno));
    s.map = map_dir ? &map : NULL;
    s.self = map_dir ? alloc_create_memory_pass(a, options, THP_DEFAULT, why) /* a library heap's reserved bytes */
                     : alloc_create(a, options, THP_DEFAULT, why);
    if (!s.self)
        die_usage("step: %s: %s", name, why);
    if (s.map)
        heaprec_start(s.map, s.self);
    s.ptr = calloc(t.num_ids + 1, sizeof *s.ptr);
    s.size = calloc(t.num_ids + 1, sizeof *s.size);
    if (!s.ptr || !s.size)
        die_usage("step: out of memory");
    printf("%s on %s: %zu operations%s\n", name, t.name, t.num_ops,
           answers ? " (the answers)" : "; predict each, then see (an empty line skips one)");
    step_through(&s);
    a->destroy(s.self);
    if (s.map)
        heaprec_free(s.map);
    free(s.ptr);
    free(s.size);
    trace_free(&t);
    return EXIT_OK;
}
