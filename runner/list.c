/*
 * list.c - `alloclab list [--verbose | --markdown]`: the strategies and
 * workloads of this build, from their own tables. --markdown prints the
 * README's generated sections (strategies, options, workloads, knobs,
 * results, CSV columns, run usage); `make docs` puts them in, and a test
 * fails when the README and the code drift apart.
 */
#include "list.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "allocator.h"
#include "cli.h"
#include "figures.h"
#include "results.h"
#include "run.h"
#include "workload.h"

static const char *kind_text(const struct allocator *a)
{
    return a->view_open ? "copy-on-write" : "eager (heap + memcpy)";
}

/* what liballoclab.so adds to a heap strategy's calls (allocator.h) */
static const char *fork_safety(const struct allocator *a)
{
    return a->fork ? "own hooks" : "global lock in liballoclab.so";
}
static const char *blocks(const struct allocator *a)
{
    return allocator_headerless(a) ? "no header" : "16-byte header";
}

/* how its users run a program on it (programs --via packaged), where it has a packaged form */
static void print_packaged(const struct allocator *a)
{
    char path[4096];
    const char *why = a->packaged ? a->packaged(path, sizeof path) : NULL;
    if (!a->packaged || why)
        return; /* none, or unavailable here (said above) */
    if (path[0])
        printf("  %-16s   as packaged (programs --via packaged): LD_PRELOAD=%s\n", "", path);
    else
        printf("  %-16s   as packaged (programs --via packaged): the C library's malloc, nothing preloaded\n", "");
}

static void print_params(const struct param *table, const char *prefix)
{
    for (size_t i = 0; table && table[i].name; i++) {
        char range[160];
        param_describe_range(&table[i], range, sizeof range);
        printf("      %s%-15s %-10s %s; %s\n", prefix, table[i].name, table[i].def, range, table[i].help);
    }
}

static void list_plain(bool verbose)
{
    printf("strategies:\n");
    for (size_t i = 0; allocator_registry[i]; i++) {
        const struct allocator *a = allocator_registry[i];
        printf("  %-16s %s\n", a->name, a->summary);
        const char *why = allocator_unavailable(a);
        if (why)
            printf("  %-16s   unavailable here: %s\n", "", why);
        if (!verbose)
            continue;
        printf("  %-16s   workers: %s; heap: %s; copy: %s\n", "", a->model == MODEL_PROCESSES ? "processes" : "threads",
               allocator_has_heap(a) ? "yes" : "no", kind_text(a));
        if (allocator_has_heap(a))
            printf("  %-16s   as a program's malloc (liballoclab.so): fork safety: %s; blocks: %s\n", "",
                   fork_safety(a), blocks(a));
        print_packaged(a);
        if (a->options && a->options[0].name) {
            printf("  %-16s   options (--options name=value,...):\n", "");
            print_params(a->options, "");
        }
    }
    printf("workloads:\n");
    for (size_t i = 0; workload_registry[i]; i++) {
        const struct workload *w = workload_registry[i];
        printf("  %-16s %s\n", w->name, w->summary);
        if (!verbose)
            continue;
        printf("  %-16s   knobs:\n", "");
        print_params(w->knobs, "--");
        for (size_t k = 0; k < workload_nresults(w); k++)
            printf("  %-16s   result: %s (%s): %s\n", "", w->results[k].name, w->results[k].unit, w->results[k].help);
    }
}

/* ---- the README's generated sections ---- */
/* text in a markdown table cell: a '|' would end the cell */
static void md_cell(const char *text)
{
    for (; *text; text++)
        fputs(*text == '|' ? "\\|" : (char[]){*text, '\0'}, stdout);
}

static void md_params(const struct param *table, const char *prefix)
{
    for (size_t i = 0; table && table[i].name; i++) {
        char range[160];
        param_describe_range(&table[i], range, sizeof range);
        printf("| `%s%s` | `%s` | ", prefix, table[i].name, table[i].def);
        md_cell(range);
        printf(" | %s |\n", table[i].help);
    }
}

static void md_strategies(void)
{
    printf("| strategy | what it is | workers | copy | in liballoclab.so | options |\n|---|---|---|---|---|---|\n");
    for (size_t i = 0; allocator_registry[i]; i++) {
        const struct allocator *a = allocator_registry[i];
        printf("| `%s` | %s | %s | %s |", a->name, a->summary, a->model == MODEL_PROCESSES ? "processes" : "threads",
               kind_text(a));
        if (allocator_has_heap(a))
            printf(" fork safety: %s; %s |", fork_safety(a), blocks(a));
        else
            printf(" no heap |");
        for (size_t k = 0; a->options && a->options[k].name; k++)
            printf("%s`%s=`", k ? ", " : " ", a->options[k].name);
        printf(" |\n");
    }
    printf("\nTheir options (`--options name=value,...`):\n\n| option | default | values | meaning |\n"
           "|---|---|---|---|\n");
    for (size_t i = 0; allocator_registry[i]; i++)
        md_params(allocator_registry[i]->options, "");
}

static void md_workloads(void)
{
    for (size_t i = 0; workload_registry[i]; i++) {
        const struct workload *w = workload_registry[i];
        printf("**`%s`** (%s): %s.\n\n| knob | default | values | meaning |\n|---|---|---|---|\n", w->name,
               w->kind == WORKLOAD_HEAP ? "heap strategies" : "every strategy", w->summary);
        md_params(w->knobs, "--");
        for (size_t k = 0; k < workload_nresults(w); k++)
            printf("| result `%s` | | %s | %s |\n", w->results[k].name, w->results[k].unit, w->results[k].help);
        printf("\n");
    }
}

static void md_columns(void)
{
    const char *cols[256];
    int n = results_key_columns(cols, 256);
    printf("Key columns, in order: ");
    for (int i = 0; i < n; i++)
        printf("%s`%s`", i ? ", " : "", cols[i]);
    printf(" (`options` lists all of the strategy's options, `;`-separated; a knob another workload has is `NA`), "
           "then `rep` and `status` (raw.csv) or `reps_ok`, "
           "`reps_failed`, `status`, `noisy`, `wall_cv` (summary.csv).\n\n| figure | unit | meaning |\n"
           "|---|---|---|\n");
    for (int i = 0; i < FIG_COUNT; i++)
        printf("| `%s` | %s | %s |\n", figure_defs[i].name, figure_defs[i].unit, figure_defs[i].help);
    for (size_t w = 0; workload_registry[w]; w++)
        for (size_t k = 0; k < workload_nresults(workload_registry[w]); k++)
            printf("| `%s` | %s | %s (%s) |\n", workload_registry[w]->results[k].name,
                   workload_registry[w]->results[k].unit, workload_registry[w]->results[k].help,
                   workload_registry[w]->name);
    printf("\nThen `perf_mode`, `pus` (the processing unit each worker last ran on), `nodes` (the NUMA node of "
           "each), `oversubscribed`, `cell_ns` (the whole repetition as the runner saw it: the cell process's "
           "start, set-up, measured phase and tear-down) and `message`. summary.csv has `_median`, `_min`, "
           "`_max` and `_mad` of every figure.\n");
}

static void list_markdown(void)
{
    printf("<!-- generated: strategies -->\n");
    md_strategies();
    printf("<!-- end: strategies -->\n\n<!-- generated: workloads -->\n");
    md_workloads();
    printf("<!-- end: workloads -->\n\n<!-- generated: columns -->\n");
    md_columns();
    printf("<!-- end: columns -->\n\n<!-- generated: run usage -->\n```\n");
    run_print_usage(stdout);
    printf("```\n<!-- end: run usage -->\n");
}

int list_main(int argc, char **argv)
{
    static const struct option opts[] = {{"verbose", no_argument, NULL, 'v'},
                                         {"markdown", no_argument, NULL, 'm'},
                                         {NULL, 0, NULL, 0}};
    int verbose = 0, markdown = 0, c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+v", opts, NULL)) != -1) {
        if (c == 'v')
            verbose = 1;
        else if (c == 'm')
            markdown = 1;
        else
            die_usage("list: unknown option '%s' (try: alloclab list --verbose)", argv[optind - 1]);
    }
    if (optind < argc)
        die_usage("list: unexpected argument '%s'", argv[optind]);
    if (markdown)
        list_markdown();
    else
        list_plain(verbose);
    return EXIT_OK;
}
