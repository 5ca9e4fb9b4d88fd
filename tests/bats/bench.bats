#!/usr/bin/env bats
# `alloclab bench`: the test profile writes every file and figure; without
# gnuplot the CSVs and the report are still written, with one clear message.

setup() {
    ALLOCLAB=${ALLOCLAB:-$BATS_TEST_DIRNAME/../../build/alloclab}
}

@test "bench --profile test writes every file and every figure" {
    out=$BATS_TEST_TMPDIR/run
    run "$ALLOCLAB" bench --profile test --out "$out"
    echo "$output"
    [ "$status" -eq 0 ]
    for f in raw.csv summary.csv timeline.csv calibrate.csv c2.csv meta.txt report.md claims.md; do
        [ -s "$out/$f" ] || { echo "missing $f"; false; }
    done
    for fig in fig_a_time fig_b_crossover fig_c_overcommit fig_d_churn_scaling fig_e_churn_latency \
               fig_f_faults fig_g_fork; do
        [ -s "$out/$fig.png" ] || { echo "missing $fig.png"; false; }
        [ -s "$out/$fig.svg" ] || { echo "missing $fig.svg"; false; }
        # a real PNG, not an empty or error file
        [ "$(head -c 8 "$out/$fig.png" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]
    done
    # (h) is drawn where the machine has hardware counters, and explained where not
    if grep -q 'cycles=NA' "$out/meta.txt"; then
        grep -q 'no hardware counters' "$out/report.md"
    else
        [ -s "$out/fig_h_counters.png" ]
    fi
    # every strategy appears in every main table, and the report links the figures
    for s in system_malloc locked_freelist block_suballoc fork_cow mprotect_cow; do
        [ "$(grep -c "^| $s " "$out/report.md")" -ge 3 ]
    done
    grep -q '(fig_a_time.png)' "$out/report.md"
    ! ls "$out"/*.tmp* 2>/dev/null
}

@test "without gnuplot: CSVs and report still written, one message names the missing figures" {
    out=$BATS_TEST_TMPDIR/nogp
    GNUPLOT=/nonexistent/gnuplot run "$ALLOCLAB" bench --profile test --workload read_heavy --out "$out"
    [ "$status" -eq 0 ]
    [ -s "$out/summary.csv" ]
    [ -s "$out/report.md" ]
    [ "$(grep -c 'gnuplot is not installed' <<< "$output")" -eq 1 ]
    grep 'gnuplot is not installed' <<< "$output" | grep -q fig_a_time
    ! ls "$out"/*.png 2>/dev/null
    grep -q 'not drawn' "$out/report.md"
}

@test "bench --workload keeps one workload's cells" {
    out=$BATS_TEST_TMPDIR/only
    run "$ALLOCLAB" bench --profile test --workload churn --out "$out"
    [ "$status" -eq 0 ]
    [ "$(tail -n +2 "$out/summary.csv" | cut -d, -f3 | sort -u)" = "churn" ]
}

@test "bench with an unknown profile or workload: one line, exit 2" {
    run "$ALLOCLAB" bench --profile enormous
    [ "$status" -eq 2 ]
    [ "${#lines[@]}" -eq 1 ]
    [[ "${lines[0]}" == "alloclab: bench: unknown profile 'enormous'"* ]]
    run "$ALLOCLAB" bench --workload nosuch
    [ "$status" -eq 2 ]
    [ "${#lines[@]}" -eq 1 ]
}

@test "bench with an unwritable --out: one line, exit 2" {
    run "$ALLOCLAB" bench --profile test --out /proc/no/such/dir
    [ "$status" -eq 2 ]
    [ "${#lines[@]}" -eq 1 ]
}

@test "claims on a folder that is not a run: one line, exit 2" {
    run "$ALLOCLAB" claims "$BATS_TEST_TMPDIR"
    [ "$status" -eq 2 ]
    [ "${#lines[@]}" -eq 1 ]
}
