/* alloclab - the one program: list, run, bench, check, claims, sysinfo. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "allocator.h"
#include "cli.h"
#include "bench.h"
#include "check.h"
#include "tracegen.h"
#include "run.h"
#include "sysinfo.h"
#include "workload.h"

static const char usage_text[] =
    "usage: alloclab <command> [options]\n"
    "\n"
    "commands:\n"
    "  list [--verbose]       the strategies and workloads this build has\n"
    "  run --strategy S --workload W [...]\n"
    "                         one cell: a warm-up, then K measured repetitions (run --help)\n"
    "  sysinfo [--calibrate] [--out DIR]\n"
    "                         this machine: topology, THP, overcommit, perf events, build;\n"
    "                         --calibrate measures its limits into DIR/calibrate.csv\n"
    "  bench [--profile P] [--workload W] [--out DIR]\n"
    "                         a profile's matrix (test|quick|default|full) into a run folder,\n"
    "                         with figures, report.md and claims.md\n"
    "  check --strategy S [--trace FILE]... [--grade]\n"
    "                         the malloc-lab driver: replay traces, check every result, score\n"
    "  gen-traces DIR         write the generated traces (workloads/traces/*.rep)\n"
    "  claims [RUN_DIR]       judge the claims from a run's CSV files (default results/latest)\n"
    "  help                   this text\n"
    "\n"
    "Exit status: 0 success, 1 a measurement failed, 2 bad usage or input.\n"
    "See README.md and notes/ for what each strategy and workload does.\n";

static int cmd_list(int argc, char **argv)
{
    static const struct option opts[] = {{"verbose", no_argument, NULL, 'v'}, {NULL, 0, NULL, 0}};
    int verbose = 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+v", opts, NULL)) != -1) {
        if (c == 'v')
            verbose = 1;
        else
            die_usage("list: unknown option '%s' (try: alloclab list --verbose)", argv[optind - 1]);
    }
    if (optind < argc)
        die_usage("list: unexpected argument '%s'", argv[optind]);
    printf("strategies:\n");
    for (size_t i = 0; allocator_registry[i]; i++) {
        const struct allocator *a = allocator_registry[i];
        printf("  %-16s %s\n", a->name, a->summary);
        if (verbose)
            printf("  %-16s   workers: %s; heap: %s; copy: %s\n", "",
                   a->model == MODEL_PROCESSES ? "processes" : "threads",
                   allocator_has_heap(a) ? "yes" : "no",
                   a->view_open ? "copy-on-write" : "eager (heap + memcpy)");
    }
    printf("workloads:\n");
    for (size_t i = 0; workload_registry[i]; i++) {
        const struct workload *w = workload_registry[i];
        printf("  %-16s %s\n", w->name, w->summary);
        if (verbose)
            printf("  %-16s   knobs: %s\n", "", w->knobs);
    }
    return EXIT_OK;
}


int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(usage_text, stdout);
        return EXIT_OK;
    }
    /* every command but run (which has its own) answers --help with the
     * usage that lists every command's options */
    if (argc > 2 && strcmp(cmd, "run") && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
        fputs(usage_text, stdout);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "list"))
        return cmd_list(argc - 1, argv + 1);
    if (!strcmp(cmd, "run"))
        return run_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "sysinfo"))
        return sysinfo_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "check"))
        return check_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "gen-traces"))
        return tracegen_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "claims"))
        return claims_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "bench"))
        return bench_main(argc - 1, argv + 1);
    if (cmd[0] == '-')
        die_usage("unknown option '%s' (try: alloclab --help)", cmd);
    die_usage("unknown command '%s' (try: alloclab --help)", cmd);
}
