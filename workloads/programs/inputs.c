/* inputs.c - the programs workload's inputs (inputs.h). */
#include "inputs.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char lua_script[] =
    "local depth, words, seed = tonumber(arg[1]), tonumber(arg[2]), tonumber(arg[3])\n"
    "local function tree(d) if d == 0 then return {} end return {tree(d - 1), tree(d - 1)} end\n"
    "local function count(t) if not t[1] then return 1 end return 1 + count(t[1]) + count(t[2]) end\n"
    "local nodes = 0\n"
    "for i = 1, 4 do nodes = nodes + count(tree(depth)) end\n"
    "local list, index = {}, {}\n"
    "for i = 1, words do\n"
    "  local w = string.format('w%09d', (i * 7919 + seed) % 1000003)\n"
    "  list[#list + 1] = w; index[w] = (index[w] or 0) + 1\n"
    "end\n"
    "table.sort(list)\n"
    "local text = table.concat(list, ',')\n"
    "collectgarbage()\n"
    "print(nodes, #list, #text, list[1], list[#list], index[list[1]])\n";

static int write_file(const char *path, const char *text, char err[WORKLOAD_ERR_LEN])
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) == EOF || fclose(f) != 0) {
        snprintf(err, WORKLOAD_ERR_LEN, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int programs_make_inputs(const char *dir, uint64_t scale, uint64_t seed_knob, char err[WORKLOAD_ERR_LEN])
{
    char path[128], text[2048];
    unsigned long rows = 40000 * scale, seed = (unsigned long)seed_knob;
    snprintf(path, sizeof path, "%s/load.sql", dir);
    snprintf(text, sizeof text,
             "CREATE TABLE t(id INTEGER PRIMARY KEY, k TEXT, v REAL);\n"
             "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < %lu)\n"
             "INSERT INTO t SELECT x, printf('key%%d', (x * 7919 + %lu) %% %lu), x * 0.5 FROM c;\n"
             "CREATE INDEX tk ON t(k);\n"
             "SELECT count(*), sum(v) FROM t;\n"
             "SELECT substr(k, 1, 5), count(*) FROM t GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5;\n"
             "SELECT length(group_concat(k)) FROM (SELECT k FROM t ORDER BY k);\n"
             "DELETE FROM t WHERE id %% 3 = 0; UPDATE t SET k = k || 'x' WHERE id %% 5 = 0;\n"
             "SELECT count(*), max(k) FROM t;\n",
             rows, seed, rows);
    if (write_file(path, text, err) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/load.lua", dir);
    if (write_file(path, lua_script, err) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/load.c", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return snprintf(err, WORKLOAD_ERR_LEN, "cannot write %s: %s", path, strerror(errno)), -1;
    fputs("int g(int);\n", f);
    for (unsigned long i = 0; i < 12 * scale; i++) { /* switch-heavy code: the optimiser allocates */
        fprintf(f, "int f%lu(int x) { int s = 0; for (int i = 0; i < x; i++) switch ((i * %lu) %% 7) {\n", i,
                i + seed % 97 + 3);
        for (int c = 0; c < 7; c++)
            fprintf(f, "case %d: s += g(i + %d) * %lu; break;\n", c, c, (i * (unsigned long)c) % 13 + 1);
        fputs("} return s; }\n", f);
    }
    return fclose(f) == 0 ? 0 : (snprintf(err, WORKLOAD_ERR_LEN, "cannot write %s", path), -1);
}
