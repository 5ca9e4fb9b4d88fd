/* alloclab - the one program: list, run, bench, check, step, heapmap, misuse, claims, sysinfo. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "allocator.h"
#include "analysis/claims.h"
#include "analysis/compare.h"
#include "analysis/merge.h"
#include "analysis/report.h"
#include "bench.h"
#include "cli.h"
#include "grader/check.h"
#include "grader/heapmap.h"
#include "grader/misuse.h"
#include "grader/step.h"
#include "grader/tracegen.h"
#include "list.h"
#include "run.h"
#include "sysinfo.h"
#include "workload.h"

static const char usage_text[] =
    "usage: alloclab <command> [options]\n"
    "\n"
    "commands:\n"
    "  list [--verbose|--markdown]\n"
    "                         the strategies and workloads this build has, with their options\n"
    "                         and knobs (--markdown: the README's generated sections)\n"
    "  run --strategy S --workload W [...]\n"
    "                         one cell: a warm-up, then K measured repetitions (run --help)\n"
    "  sysinfo [--calibrate] [--out DIR]\n"
    "                         this machine: topology, THP, overcommit, perf events, build;\n"
    "                         --calibrate measures its limits into DIR/calibrate.csv\n"
    "  bench [--profile P] [--workload W] [--out DIR] [--dry-run]\n"
    "                         a profile's cells (test|quick|default|full) into a run folder,\n"
    "                         with figures, report.md and claims.md (--dry-run: list the cells)\n"
    "  check --strategy S [--trace FILE]... [--threads N] [--debug] [--verbose] [--grade]\n"
    "                         the malloc-lab driver: the contract, then traces, every result\n"
    "                         checked (by N threads sharing the heap, half the frees on\n"
    "                         another thread), score; --debug: the strategy's check_heap\n"
    "                         after every operation; --verbose: the operations around a failure\n"
    "  step --strategy S --trace FILE [--answers] [--map DIR]\n"
    "                         a short trace one operation at a time: predict the free block\n"
    "                         each request takes, then see it (--answers: the key; --map: the\n"
    "                         heap's map after each operation, DIR/step-NNN.png)\n"
    "  heapmap --strategy S [--options O] --trace FILE [--at OP] [--out DIR]\n"
    "                         the heap drawn over a trace: each block a bar at its address\n"
    "                         from its allocation to its free, the mappings as bands,\n"
    "                         utilisation beneath; --at: the address space after operation OP,\n"
    "                         live, free and unmapped bytes apart (png, svg and csv in DIR,\n"
    "                         default results/heapmap)\n"
    "  misuse [--strategy S]... [--out DIR]\n"
    "                         what each heap does with misuse (double free, invalid frees,\n"
    "                         overflows, use after free, ...), each case in a process of its\n"
    "                         own: detected, crashed, silent corruption, warned or harmless;\n"
    "                         the reference allocators also as packaged, and glibc (misuse.csv,\n"
    "                         misuse.md and a figure in DIR, default results/misuse)\n"
    "  gen-traces DIR         write the generated traces (workloads/traces/*.rep)\n"
    "  claims [RUN_DIR]       judge the claims from a run's CSV files (default results/latest)\n"
    "  report [RUN_DIR]       rebuild a run's figures, report.md and claims.md from its CSV files\n"
    "  compare RUN_A RUN_B [--out DIR]\n"
    "                         the change in every figure of every cell both runs have, with\n"
    "                         an interval, into DIR/compare.md, compare.csv and a figure\n"
    "  merge RUN... [--out DIR]\n"
    "                         runs from several machines in one table and figures, each also\n"
    "                         against its own machine's limits (calibrate.csv)\n"
    "  help                   this text\n"
    "\n"
    "Exit status: 0 success, 1 a measurement failed, 2 bad usage or input.\n"
    "See README.md and notes/ for what each strategy and workload does.\n";

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
        return list_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "run"))
        return run_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "sysinfo"))
        return sysinfo_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "check"))
        return check_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "step"))
        return step_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "heapmap"))
        return heapmap_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "misuse"))
        return misuse_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "gen-traces"))
        return tracegen_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "claims"))
        return claims_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "report"))
        return report_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "merge"))
        return merge_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "compare"))
        return compare_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "bench"))
        return bench_main(argc - 1, argv + 1);
    if (cmd[0] == '-')
        die_usage("unknown option '%s' (try: alloclab --help)", cmd);
    die_usage("unknown command '%s' (try: alloclab --help)", cmd);
}
