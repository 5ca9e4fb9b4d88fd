/*
 * test_columns.c - one name, one meaning in every CSV file: no header
 * repeats a name (a reader by name gets the first of two, as claim C3 once
 * divided churn's ops knob for the operations done), and no knob is named
 * as a figure or a result, which would read as the other. The headers are
 * the ones the writers print; the names come from the registries. And the
 * strategies the analysis names are the registry's: declared once
 * (strategy_names.h), each a registered strategy, none spelt out again.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <dirent.h>

#include "allocator.h"
#include "figures.h"
#include "groups.h"
#include "results.h"
#include "support/os.h"
#include "workload.h"

/* fail naming the first name a comma-separated header holds twice */
static void no_repeat(const char *file, char *header)
{
    header[strcspn(header, "\n")] = '\0';
    const char *seen[1024];
    int n = 0;
    for (char *save = NULL, *name = strtok_r(header, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
        for (int k = 0; k < n; k++)
            if (!strcmp(seen[k], name))
                fail_msg("%s: the header has '%s' twice", file, name);
        assert_true(n < 1024);
        seen[n++] = name;
    }
    assert_true(n > 20); /* a real header, not an empty line */
}

static void header_of(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(buf, (int)len, f));
    fclose(f);
}

/* raw.csv, summary.csv and timeline.csv as the writers head them */
static void test_headers_name_each_column_once(void **state)
{
    (void)state;
    static char header[65536];
    struct row_set none = {0};
    char dir[] = "/tmp/alloclab-columns-XXXXXX", path[128];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/raw.csv", dir);
    assert_int_equal(results_write_raw(path, &none), 0);
    header_of(path, header, sizeof header);
    no_repeat("raw.csv", header);
    unlink(path);
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    assert_int_equal(results_write_summary(path, &none), 0);
    header_of(path, header, sizeof header);
    no_repeat("summary.csv", header);
    unlink(path);
    snprintf(path, sizeof path, "%s/timeline.csv", dir);
    assert_int_equal(results_write_timeline(path, &none), 0);
    header_of(path, header, sizeof header);
    no_repeat("timeline.csv", header);
    unlink(path);
    rmdir(dir);
}

/* what name is measured as: a figure every cell has, a workload's result, or NULL */
static const char *measured_as(const char *name)
{
    static char what[128];
    for (int i = 0; i < FIG_COUNT; i++)
        if (!strcmp(figure_defs[i].name, name))
            return "a figure every cell measures";
    for (size_t w = 0; workload_registry[w]; w++)
        for (size_t i = 0; i < workload_nresults(workload_registry[w]); i++)
            if (!strcmp(workload_registry[w]->results[i].name, name)) {
                snprintf(what, sizeof what, "a result of %s", workload_registry[w]->name);
                return what;
            }
    return NULL;
}

/* every workload's knobs, as named and as their columns, against every
 * figure and every workload's results; and no result named as a figure */
static void test_knobs_figures_and_results_apart(void **state)
{
    (void)state;
    const char *keys[256];
    int nkeys = results_key_columns(keys, 256);
    for (int k = 0; k < nkeys; k++)
        if (measured_as(keys[k]))
            fail_msg("the key column '%s' is also %s", keys[k], measured_as(keys[k]));
    for (size_t w = 0; workload_registry[w]; w++) {
        const struct workload *wl = workload_registry[w];
        for (size_t i = 0; wl->knobs[i].name; i++) {
            char name[64];
            snprintf(name, sizeof name, "%s", wl->knobs[i].name);
            for (char *c = name; *c; c++)
                *c = *c == '-' ? '_' : *c;
            if (measured_as(name))
                fail_msg("%s's knob '%s' is named as %s ('%s')", wl->name, wl->knobs[i].name, measured_as(name),
                         name);
        }
        for (size_t i = 0; i < workload_nresults(wl); i++)
            for (int f = 0; f < FIG_COUNT; f++)
                if (!strcmp(wl->results[i].name, figure_defs[f].name))
                    fail_msg("%s's result '%s' is named as a figure every cell measures", wl->name,
                             figure_defs[f].name);
    }
    assert_true(nkeys > 10);
}

/* the report's columns come from the table of figures: each shown one has
 * a format and a scale, some table to be shown in, and a heading of its own */
static void test_report_columns_declared_whole(void **state)
{
    (void)state;
    int shown = 0;
    for (int i = 0; i < FIG_COUNT; i++) {
        const struct figure_column *c = &figure_defs[i].report;
        if (!c->heading)
            continue;
        if (!c->format || !(c->per > 0) || !(c->shown & (SHOWN_VIEWS | SHOWN_HEAP | SHOWN_WALL)))
            fail_msg("%s: its report column lacks a format, a scale or a table", figure_defs[i].name);
        for (int j = 0; j < i; j++)
            if (figure_defs[j].report.heading && !strcmp(figure_defs[j].report.heading, c->heading))
                fail_msg("%s and %s are both headed '%s'", figure_defs[j].name, figure_defs[i].name, c->heading);
        shown++;
    }
    assert_true(shown >= 10);
}

/* a source file's text, read whole into buf (the project's, found from the test's place) */
static void source_text(const char *relative, char *buf, size_t len)
{
    char path[4200];
    assert_int_equal(os_project_path(relative, path, sizeof path), 0);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, len - 1, f);
    buf[n] = '\0';
    fclose(f);
}

/* every `#define STRATEGY_X "name"` of strategy_names.h is a registered strategy:
 * renaming allocators/name.c fails here, not as verdicts turned NA */
static void test_named_strategies_are_registered(void **state)
{
    (void)state;
    static char text[16384];
    source_text("runner/analysis/strategy_names.h", text, sizeof text);
    int named = 0;
    for (const char *p = text; (p = strstr(p, "\n#define STRATEGY_")); p++) {
        char macro[64], name[64];
        if (sscanf(p + 1, "#define %63s \"%63[^\"]\"", macro, name) != 2)
            continue;
        if (!allocator_find(name))
            fail_msg("strategy_names.h: %s is \"%s\", which no file of allocators/ registers", macro, name);
        named++;
    }
    assert_true(named >= 6);
}

/* The analysis spells no registered strategy's name as a literal: it uses
 * the constants above (prose such as "block_suballoc's" is text, not a lookup). */
static void test_analysis_names_strategies_once(void **state)
{
    (void)state;
    static const char *const folders[] = {"runner/analysis", "runner/analysis/claims"};
    static char text[1 << 17];
    int files = 0;
    for (size_t d = 0; d < sizeof folders / sizeof *folders; d++) {
        char path[4200];
        assert_int_equal(os_project_path(folders[d], path, sizeof path), 0);
        DIR *dir = opendir(path);
        assert_non_null(dir);
        for (struct dirent *e; (e = readdir(dir));) {
            size_t len = strlen(e->d_name);
            if (len < 3 || (strcmp(e->d_name + len - 2, ".c") && strcmp(e->d_name + len - 2, ".h")) ||
                !strcmp(e->d_name, "strategy_names.h"))
                continue;
            char rel[512];
            snprintf(rel, sizeof rel, "%s/%s", folders[d], e->d_name);
            source_text(rel, text, sizeof text);
            for (size_t i = 0; allocator_registry[i]; i++) {
                char quoted[80];
                snprintf(quoted, sizeof quoted, "\"%s\"", allocator_registry[i]->name);
                if (strstr(text, quoted))
                    fail_msg("%s spells %s: use its constant (strategy_names.h)", rel, quoted);
            }
            files++;
        }
        closedir(dir);
    }
    assert_true(files >= 20);
}

/* Is G_<NAME> the gnuplot name of a group of GROUP_ALL? */
static bool group_declared(const char *gname)
{
    static const char *const groups[] = GROUP_ALL;
    for (size_t g = 0; g < sizeof groups / sizeof *groups; g++) {
        char want[64];
        snprintf(want, sizeof want, "G_%s", groups[g]);
        for (char *c = want; *c; c++)
            *c = (char)toupper((unsigned char)*c);
        if (!strcmp(want, gname))
            return true;
    }
    return false;
}

/* The groups are declared once (groups.h): every group defined there is in
 * GROUP_ALL, which the figures' scripts get as G_<NAME>, and every G_<NAME>
 * a script reads is one of them (else gnuplot stops on an undefined name). */
static void test_groups_the_figures_read_are_declared(void **state)
{
    (void)state;
    static char text[1 << 16];
    source_text("workloads/groups.h", text, sizeof text);
    int defined = 0;
    for (const char *p = text; (p = strstr(p, "\n#define GROUP_")); p++) {
        char macro[64], name[64], gname[72];
        if (sscanf(p + 1, "#define GROUP_%63s \"%63[^\"]\"", macro, name) != 2)
            continue;
        snprintf(gname, sizeof gname, "G_%s", name);
        for (char *c = gname; *c; c++)
            *c = (char)toupper((unsigned char)*c);
        if (!group_declared(gname))
            fail_msg("groups.h defines the group %s, which GROUP_ALL leaves out", name);
        defined++;
    }
    assert_true(defined >= 10);
    char path[4200];
    assert_int_equal(os_project_path("plots", path, sizeof path), 0);
    DIR *dir = opendir(path);
    assert_non_null(dir);
    int scripts = 0;
    for (struct dirent *e; (e = readdir(dir));) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 3, ".gp"))
            continue;
        char rel[512];
        snprintf(rel, sizeof rel, "plots/%s", e->d_name);
        source_text(rel, text, sizeof text);
        for (const char *p = text; (p = strstr(p, "G_")); p += 2) {
            char gname[64];
            if ((p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '_')) || sscanf(p, "%63[A-Z_]", gname) != 1)
                continue;
            if (!group_declared(gname))
                fail_msg("%s reads %s, which no group of GROUP_ALL gives", rel, gname);
        }
        scripts++;
    }
    closedir(dir);
    assert_true(scripts >= 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_headers_name_each_column_once),
        cmocka_unit_test(test_knobs_figures_and_results_apart),
        cmocka_unit_test(test_report_columns_declared_whole),
        cmocka_unit_test(test_named_strategies_are_registered),
        cmocka_unit_test(test_analysis_names_strategies_once),
        cmocka_unit_test(test_groups_the_figures_read_are_declared),
    };
    return cmocka_run_group_tests_name("columns", tests, NULL, NULL);
}
