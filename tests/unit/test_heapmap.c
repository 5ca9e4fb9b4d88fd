/*
 * test_heapmap.c - what alloclab heapmap records and writes: every block of
 * a trace a bar from its allocation to its free, inside a mapping the heap
 * made, for the template as it comes (no hook of its own), a heap on a
 * library (the kernel's mappings) and locked_freelist (its free blocks
 * listed at the moment kept); blocks a gigabyte apart drawn per region, the
 * axis broken, not as one huge empty range; the moment's bytes adding up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "grader/heapmap.h"
#include "support/ledger.h"
#include "support/os.h"
#include "template/template.c" /* the template as a student copies it: not a registered strategy */

/* A short trace with a realloc that grows and frees in another order. */
static struct trace_op ops[] = {
    {'a', 0, 100}, {'a', 1, 200}, {'a', 2, 50}, {'f', 1, 0}, {'r', 0, 3000},
    {'a', 3, 64},  {'f', 2, 0},   {'a', 4, 10}, {'f', 0, 0}, {'a', 5, 400},
};
#define NOPS (sizeof ops / sizeof *ops)
static const struct trace trace = {.name = "short", .num_ids = 6, .num_ops = NOPS, .ops = ops};

/* The bars the trace makes, whatever the heap: id, size, from, to (to NOPS: live at the end). */
static const struct {
    uint32_t id;
    size_t size;
    uint32_t from, to;
} bars[] = {{0, 100, 0, 4}, {1, 200, 1, 3}, {2, 50, 2, 6}, {0, 3000, 4, 8}, {3, 64, 5, NOPS}, {4, 10, 7, NOPS},
            {5, 400, 9, NOPS}};

static void record(const struct allocator *a, long at, struct heaprec *r)
{
    char err[ALLOC_ERR_LEN];
    assert_int_equal(heaprec_init(r, a, &trace, at), 0);
    void *self = alloc_create_memory_pass(a, NULL, THP_DEFAULT, err);
    assert_non_null(self);
    heaprec_start(r, self);
    heaprec_replay(r, &trace, NULL);
    heaprec_stop(r);
    a->destroy(self);
}

/* Every bar as the trace has it, each inside a mapping recorded while it lived. */
static void bars_match(const struct heaprec *r)
{
    assert_int_equal(r->blocks.n, sizeof bars / sizeof *bars);
    for (size_t i = 0; i < r->blocks.n; i++) {
        const struct hm_block *b = HM_BLOCK(r, i);
        assert_int_equal(b->id, bars[i].id);
        assert_int_equal(b->size, bars[i].size);
        assert_int_equal(b->from, bars[i].from);
        assert_int_equal(b->to == HEAPREC_OPEN ? NOPS : b->to, bars[i].to);
        bool inside = false;
        for (size_t m = 0; m < r->maps.n && !inside; m++) {
            const struct hm_map *x = HM_MAP(r, m);
            inside = x->lo <= b->addr && b->addr + b->size <= x->hi && x->from <= b->from &&
                     b->from < (x->to == HEAPREC_OPEN ? NOPS : x->to);
        }
        assert_true(inside);
    }
}

static char *temp_dir(void)
{
    static char dir[64];
    snprintf(dir, sizeof dir, "/tmp/test_heapmap.XXXXXX");
    assert_non_null(mkdtemp(dir));
    return dir;
}

static void remove_dir(const char *dir)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_the_template_with_no_code_of_its_own(void **state)
{
    (void)state;
    struct heaprec r;
    record(&allocator_template, 6, &r);
    assert_true(r.ledger);
    bars_match(&r);
    assert_true(r.peak_live == 3000 + 50 + 64);
    /* the files, and the moment after op 6: ids 0 (3000 B) and 3 (64 B) live */
    char *dir = temp_dir();
    struct heapmap_summary s;
    char err[256];
    assert_int_equal(heapmap_write(&r, dir, &s, err, sizeof err), 0);
    const char *files[] = {"heapmap_blocks.csv", "heapmap_mappings.csv", "heapmap_regions.csv", "heapmap_util.csv",
                           "heapmap_at.csv"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        assert_int_equal(access(path, R_OK), 0);
    }
    assert_true(s.at_live == 3064);
    assert_int_equal(s.at_free_blocks, -1); /* the template lists no free blocks */
    assert_true(s.at_live + s.at_unlisted >= 4096); /* all of it mapped through os.c */
    remove_dir(dir);
    heaprec_free(&r);
}

static void test_a_library_heap_from_its_addresses(void **state)
{
    (void)state;
    struct heaprec r;
    record(allocator_find("system_malloc"), -1, &r);
    assert_false(r.ledger);
    bars_match(&r); /* each in a mapping the kernel listed */
    heaprec_free(&r);
}

static void test_the_moment_of_a_heap_that_lists_its_free_blocks(void **state)
{
    (void)state;
    struct heaprec r;
    record(allocator_find("locked_freelist"), 3, &r); /* id 1 just freed, between ids 0 and 2 */
    bars_match(&r);
    char *dir = temp_dir();
    struct heapmap_summary s;
    char err[256];
    assert_int_equal(heapmap_write(&r, dir, &s, err, sizeof err), 0);
    assert_true(s.at_live == 150);
    assert_true(s.at_free_blocks >= 2); /* the hole id 1 left, and the rest of the arena */
    assert_true(s.at_listed >= 200);
    assert_true(s.at_listed + s.at_unlisted + s.at_live >= 1 << 20); /* its arena */
    remove_dir(dir);
    heaprec_free(&r);
}

/* A heap of two arenas a gigabyte apart, blocks taken from each in turn. */
static char *arena[2];
static int turn;
static void *far_create(const struct alloc_config *cfg, char err[ALLOC_ERR_LEN])
{
    (void)cfg, (void)err;
    arena[0] = os_map(1 << 20);
    arena[1] = mmap(arena[0] - ((size_t)1 << 30), 1 << 20, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (arena[1] == MAP_FAILED)
        return NULL;
    ledger_mapped(arena[1], 1 << 20);
    turn = 0;
    return arena;
}
static void far_destroy(void *self)
{
    (void)self;
    os_unmap(arena[0], 1 << 20);
    os_unmap(arena[1], 1 << 20);
}
static void *far_alloc(void *self, size_t size)
{
    (void)self;
    int k = turn++;
    return size ? arena[k % 2] + 4096 * (k / 2 + 1) : NULL;
}
static void far_free(void *self, void *p, size_t size) { (void)self, (void)p, (void)size; }
static const struct allocator far = {
    .name = "far", .create = far_create, .destroy = far_destroy, .alloc = far_alloc, .free = far_free};

static void test_far_apart_blocks_are_drawn_per_region(void **state)
{
    (void)state;
    struct heaprec r;
    record(&far, 8, &r);
    char *dir = temp_dir();
    struct heapmap_summary s;
    char err[256];
    assert_int_equal(heapmap_write(&r, dir, &s, err, sizeof err), 0);
    print_message("regions %zu, drawn over %.0f, breaks '%s' (%s)\n", s.regions, s.ytop, s.breaks, s.break_text);
    assert_true(s.regions >= 2);
    assert_non_null(strstr(s.break_text, "1023MiB")); /* the gigabyte between them, left out and said */
    assert_true(s.ytop < 4 << 20); /* two megabytes of arenas, not a gigabyte of empty axis */
    assert_true(s.at_unmapped == 0); /* the far gap is not the heap's: not counted unmapped */
    remove_dir(dir);
    heaprec_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_template_with_no_code_of_its_own),
        cmocka_unit_test(test_a_library_heap_from_its_addresses),
        cmocka_unit_test(test_the_moment_of_a_heap_that_lists_its_free_blocks),
        cmocka_unit_test(test_far_apart_blocks_are_drawn_per_region),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
