/*
 * plots.c - the figures of a run folder, PNG and SVG: one gnuplot script
 * per figure in plots/ (fig_*.gp, loaded after common.gp), each reading the
 * run's CSV files. A script's first line is its title; a line "# needs: C"
 * names a summary column without which it is not drawn (hardware counters).
 * What a script needs to know of the run (the strategies, the heaps, the
 * group names, the caption) is passed as gnuplot variables from here, each
 * declared once (plots_vars: the groups from groups.h, the lists from
 * words_vars).
 * Without gnuplot: one message naming the figures not drawn.
 */
#include "plots.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "groups.h"
#include "runfolder.h"
#include "support/os.h"

#define MAX_PLOTS 64

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int plots_list(const char *out[], int max)
{
    static char names[MAX_PLOTS][64];
    static const char *sorted[MAX_PLOTS];
    char folder[4200];
    DIR *d = os_project_path("plots", folder, sizeof folder) == 0 ? opendir(folder) : NULL;
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d)) && n < MAX_PLOTS;) {
        size_t len = strlen(e->d_name);
        if (!strncmp(e->d_name, "fig_", 4) && len > 3 && len < sizeof names[0] && !strcmp(e->d_name + len - 3, ".gp")) {
            snprintf(names[n], sizeof names[n], "%.*s", (int)(len - 3), e->d_name);
            sorted[n] = names[n];
            n++;
        }
    }
    if (d)
        closedir(d);
    qsort(sorted, (size_t)n, sizeof *sorted, by_name);
    for (int i = 0; i < n && i < max; i++)
        out[i] = sorted[i];
    return n < max ? n : max;
}

/* The script's comment line starting with prefix, without it; "" if none. */
static const char *script_line(const char *name, const char *prefix)
{
    static char line[512];
    char rel[128], path[4200];
    snprintf(rel, sizeof rel, "plots/%s.gp", name);
    line[0] = '\0';
    FILE *f = os_project_path(rel, path, sizeof path) == 0 ? fopen(path, "r") : NULL;
    size_t n = strlen(prefix);
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, prefix, n)) {
            line[strcspn(line, "\n")] = '\0';
            memmove(line, line + n, strlen(line + n) + 1);
            fclose(f);
            return line;
        }
    if (f)
        fclose(f);
    return "";
}

const char *plots_title(const char *name) { return script_line(name, "# "); }

bool plots_needs_counters(const char *name) { return *script_line(name, "# needs: ") != '\0'; }

/* Is gnuplot (or $GNUPLOT) here? */
static const char *gnuplot_found(void)
{
    const char *g = getenv("GNUPLOT") ? getenv("GNUPLOT") : "gnuplot";
    if (strchr(g, '/'))
        return access(g, X_OK) == 0 ? g : NULL;
    char path[4096], file[4200];
    snprintf(path, sizeof path, "%s", getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
    for (char *save = NULL, *dir = strtok_r(path, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        snprintf(file, sizeof file, "%s/%s", dir, g);
        if (access(file, X_OK) == 0)
            return g;
    }
    return NULL;
}

/* "a b c": the strategies whose churn cells ran, or (not heaps) those the
 * copy workloads run: not the reference heaps */
static void strategy_words(const struct run_folder *run, bool heaps, char *buf, size_t len)
{
    const char *names[RUN_MAX_STRATEGIES];
    int n = run_strategies(run, KIND_ANY, names, RUN_MAX_STRATEGIES);
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && used < len; i++) {
        const struct allocator *a = allocator_find(names[i]); /* as this build knows it */
        bool wanted = heaps ? run_find(run, GROUP_CHURN, names[i], NULL, "status=ok") >= 0
                            : !(a && (a->promises & ALLOC_REFERENCE));
        if (wanted)
            used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? " " : "", names[i]);
    }
}

/* Draw one figure in one format; 0, or -1 (its log is kept beside it). */
static int draw(const char *gnuplot, const char *dir, const char *name, const char *term, const char *vars)
{
    char common[4200], script[4200], rel[128], out[4400], log[4400], setup[20480];
    snprintf(rel, sizeof rel, "plots/%s.gp", name);
    if (os_project_path("plots/common.gp", common, sizeof common) != 0 ||
        os_project_path(rel, script, sizeof script) != 0)
        return -1;
    snprintf(out, sizeof out, "%s/%s.%s", dir, name, term);
    snprintf(log, sizeof log, "%s/%s.%s.log", dir, name, term);
    snprintf(setup, sizeof setup, "%s term='%s'; out='%s'", vars, term, out);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0666);
        if (fd >= 0)
            dup2(fd, 2);
        execlp(gnuplot, gnuplot, "-e", setup, common, script, (char *)NULL);
        _exit(127);
    }
    int status = -1;
    if (pid > 0)
        waitpid(pid, &status, 0);
    struct stat st;
    if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0) || stat(out, &st) != 0 || st.st_size == 0)
        return -1;
    unlink(log);
    return 0;
}

int plots_draw_one(const char *dir, const char *name, const char *vars_more)
{
    const char *gnuplot = gnuplot_found();
    if (!gnuplot) {
        fprintf(stderr, "alloclab: gnuplot is not installed (apt-get install gnuplot-nox): %s not drawn\n", name);
        return -1;
    }
    char vars[8800];
    snprintf(vars, sizeof vars, "dir='%s'; caption='%s'; %s", dir, name, vars_more ? vars_more : "");
    int rc = draw(gnuplot, dir, name, "png", vars) | draw(gnuplot, dir, name, "svg", vars);
    if (rc)
        fprintf(stderr, "alloclab: gnuplot could not draw %s (see the .log files beside it in %s)\n", name, dir);
    return rc;
}

/* "a b c": the distinct values of a text column in a group's rows that ran */
static void column_words(const struct run_folder *run, const char *group, const char *column, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < run->summary.nrows && used < len; i++) {
        const char *v = csv_text(&run->summary, i, column);
        if (strcmp(csv_text(&run->summary, i, "group"), group) || strcmp(csv_text(&run->summary, i, "status"), "ok") ||
            !*v || !strcmp(v, "NA"))
            continue;
        char padded[160];
        snprintf(padded, sizeof padded, " %s ", v);
        char have[2100];
        snprintf(have, sizeof have, " %s ", buf);
        if (!strstr(have, padded))
            used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? " " : "", v);
    }
}

/* "redis sqlite server server/2t": figure (j)'s groups, a program's name,
 * with its thread count where a run had more than one worker (the server) */
static void program_labels(const struct run_folder *run, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < run->summary.nrows && used < len; i++) {
        const char *program = csv_text(&run->summary, i, "program");
        double workers = csv_num(&run->summary, i, "workers");
        if (strcmp(csv_text(&run->summary, i, "group"), GROUP_PROGRAMS) ||
            strcmp(csv_text(&run->summary, i, "status"), "ok") || !*program || !strcmp(program, "NA"))
            continue;
        char label[160], padded[170], have[2100];
        if (workers > 1)
            snprintf(label, sizeof label, "%s/%.0ft", program, workers);
        else
            snprintf(label, sizeof label, "%s", program);
        snprintf(padded, sizeof padded, " %s ", label);
        snprintf(have, sizeof have, " %s ", buf);
        if (!strstr(have, padded))
            used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? " " : "", label);
    }
}

/* Does the run have a value in the column a figure needs? */
static bool has_data(const struct run_folder *run, const char *column)
{
    for (size_t i = 0; i < run->summary.nrows; i++)
        if (!isnan(csv_num(&run->summary, i, column)))
            return true;
    return false;
}

/* The lists a figure script reads, each the values a column takes in a
 * group's cells that ran, by gnuplot variable (plots/fig_*.gp). */
static const struct words_var {
    const char *var, *group, *column;
} words_vars[] = {
    {"program_heaps", GROUP_PROGRAMS, "strategy"},   {"shared_rates", GROUP_SHARED, "write_rate"},
    {"shared_heaps", GROUP_SHARED_HEAPS, "strategy"}, {"larson_heaps", GROUP_LARSON, "strategy"},
    {"handoff_heaps", GROUP_HANDOFF, "strategy"},    {"fs_heaps", GROUP_FALSE_SHARING, "strategy"},
    {"release_heaps", GROUP_RELEASE, "strategy"},    {"release_idles", GROUP_RELEASE, "idle"},
    {"scaling_workloads", GROUP_SCALING, "workload"}, {"scaling_strategies", GROUP_SCALING, "strategy"},
};

/* " name='value';" appended to vars */
static void var_add(char *vars, size_t len, const char *name, const char *value)
{
    size_t used = strlen(vars);
    snprintf(vars + used, len - used, " %s='%s';", name, value);
}

/* What every figure script is told of the run: the folder and the caption,
 * each group's name as G_<NAME> (groups.h), the declared lists above, and
 * the few figures a script needs computed. */
static void plots_vars(const struct run_folder *run, char *vars, size_t len)
{
    char words[2048], name[64];
    snprintf(vars, len, "dir='%s'; caption='%s, %s, profile %s';", run->dir, run_meta(run, "host"),
             run_meta(run, "date"), run_meta(run, "profile"));
    static const char *const groups[] = GROUP_ALL;
    for (size_t g = 0; g < sizeof groups / sizeof *groups; g++) {
        snprintf(name, sizeof name, "G_%s", groups[g]);
        for (char *c = name; *c; c++)
            *c = (char)toupper((unsigned char)*c);
        var_add(vars, len, name, groups[g]);
    }
    for (size_t k = 0; k < sizeof words_vars / sizeof *words_vars; k++) {
        column_words(run, words_vars[k].group, words_vars[k].column, words, sizeof words);
        var_add(vars, len, words_vars[k].var, words);
    }
    strategy_words(run, false, words, sizeof words);
    var_add(vars, len, "strategies", words);
    strategy_words(run, true, words, sizeof words);
    var_add(vars, len, "heaps", words);
    program_labels(run, words, sizeof words);
    var_add(vars, len, "programs", words);
    double reads[64], cost = run_calibrated(run, "false_sharing_cost");
    int nreads = run_values(run, GROUP_LOOKUPS, "reads", reads, 64);
    char cost_text[64] = "NaN"; /* gnuplot's own name for not measured */
    if (!isnan(cost))
        snprintf(cost_text, sizeof cost_text, "%.17g", cost);
    size_t used = strlen(vars);
    snprintf(vars + used, len - used, " most_reads=%.17g; false_sharing_cost=%s;", nreads ? reads[nreads - 1] : 0.0,
             cost_text);
}

void plots_render(const struct run_folder *run)
{
    const char *dir = run->dir;
    const char *names[MAX_PLOTS];
    int n = plots_list(names, MAX_PLOTS);
    const char *gnuplot = gnuplot_found();
    if (!gnuplot) {
        fprintf(stderr, "alloclab: gnuplot is not installed (apt-get install gnuplot-nox): figures not drawn:");
        for (int i = 0; i < n; i++)
            fprintf(stderr, " %s", names[i]);
        fputc('\n', stderr);
        return;
    }
    char vars[12288], failed[2048] = "";
    plots_vars(run, vars, sizeof vars);
    for (int i = 0; i < n; i++) {
        char png[4400], svg[4400];
        const char *needs = script_line(names[i], "# needs: ");
        if (*needs && !has_data(run, needs)) { /* the report says why it is missing */
            snprintf(png, sizeof png, "%s/%s.png", dir, names[i]);
            snprintf(svg, sizeof svg, "%s/%s.svg", dir, names[i]);
            unlink(png);
            unlink(svg);
            continue;
        }
        for (int t = 0; t < 2; t++)
            if (draw(gnuplot, dir, names[i], t ? "svg" : "png", vars) != 0 && strlen(failed) < sizeof failed - 128)
                snprintf(failed + strlen(failed), sizeof failed - strlen(failed), " %s.%s", names[i],
                         t ? "svg" : "png");
    }
    if (*failed)
        fprintf(stderr, "alloclab: gnuplot could not draw:%s (see the .log files beside them in %s)\n", failed, dir);
}
