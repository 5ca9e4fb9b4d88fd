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
    for f in raw.csv summary.csv timeline.csv calibrate.csv calibrate_end.csv c2.csv meta.txt report.md claims.md; do
        [ -s "$out/$f" ] || { echo "missing $f"; false; }
    done
    for fig in fig_a_time fig_b_crossover fig_c_overcommit fig_d_churn_scaling fig_e_churn_latency \
               fig_f_faults fig_g_fork fig_i_lookups fig_m_scaling fig_n_false_sharing fig_o_memory_over_time \
               fig_p_remote_frees; do
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

@test "a cell whose interval straddles a verdict's threshold gets more repetitions, within the budget meta.txt states" {
    out=$BATS_TEST_TMPDIR/straddle
    run "$ALLOCLAB" bench --profile test --workload shared_object --out "$out"
    echo "$output"
    [ "$status" -eq 0 ]
    grep -q '^more repetitions: .* up to 1 more a cell, none started after 5 s ' "$out/meta.txt"
    [[ "$output" == *"more repetitions for "*" cells whose interval straddled a verdict's threshold"* ]]
    # the test profile measures one repetition: too few for an interval, so C9's cells (refcount against the
    # mutex at write rate 0, which decide it) straddle and get a second; rwlock and rcu decide nothing and do not
    reps() { # sync write_rate: the most repetitions any of its cells has
        awk -F, -v sync="$1" -v rate="$2" 'NR == 1 { for (i = 1; i <= NF; i++) at[$i] = i; next }
            $(at["sync"]) == sync && $(at["write_rate"]) + 0 == rate && $(at["rep"]) > most { most = $(at["rep"]) }
            END { print most + 0 }' "$out/raw.csv"
    }
    [ "$(reps refcount 0)" -eq 2 ] && [ "$(reps mutex 0)" -eq 2 ]
    [ "$(reps rwlock 0)" -eq 1 ] && [ "$(reps rcu 0)" -eq 1 ] && [ "$(reps rcu 0.01)" -eq 1 ]
    # summary.csv counts them
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) at[$i] = i; next }
        $(at["sync"]) == "refcount" && $(at["write_rate"]) + 0 == 0 && $(at["reps_ok"]) != 2 { bad = 1 }
        END { exit bad }' "$out/summary.csv"
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

@test "bench --workload W runs W's cells, for every W, and writes its report" {
    workloads=$("$ALLOCLAB" list | sed -n '/^workloads:/,$p' | awk 'NR > 1 {print $1}')
    [ "$(wc -w <<< "$workloads")" -ge 6 ]
    for w in $workloads; do
        out=$BATS_TEST_TMPDIR/only-$w
        run "$ALLOCLAB" bench --profile test --workload "$w" --out "$out"
        echo "$w: $output"
        [ "$status" -eq 0 ]
        [ "$(tail -n +2 "$out/summary.csv" | cut -d, -f3 | sort -u)" = "$w" ]
        [ -s "$out/report.md" ] && [ -s "$out/claims.md" ]
        grep -q "^## $w (" "$out/report.md"
    done
}

@test "bench --dry-run lists the cells the workloads' plans ask for, and runs nothing" {
    run "$ALLOCLAB" bench --profile test --dry-run
    [ "$status" -eq 0 ]
    # write_heavy's sweep: every strategy at 7 fractions
    [ "$(grep -c '^sweep  *system_malloc  *write_heavy .*write-fraction=' <<< "$output")" -eq 7 ]
    # churn from 1 thread to every usable processing unit, one not-applicable cell for a strategy without a heap
    pus=$(nproc)
    [ "$(grep -c '^churn  *block_suballoc ' <<< "$output")" -eq "$pus" ]
    [ "$(grep -c '^churn  *fork_cow ' <<< "$output")" -eq 1 ]
}

@test "the README lists every file a run folder holds, and nothing it does not; report rebuilds it" {
    out=$BATS_TEST_TMPDIR/files
    run "$ALLOCLAB" bench --profile test --workload read_heavy --out "$out"
    [ "$status" -eq 0 ]
    readme=$BATS_TEST_DIRNAME/../../README.md
    listed=$(sed -n '/^| file | what it holds |/,/^$/p' "$readme" | awk -F'|' 'NR > 2 {print $2}' | grep -o '`[^`]*`' | tr -d '`')
    for f in $(ls "$out" | sed 's/^fig_.*\.log$/fig_*.log/; s/^fig_.*\.png$/fig_*.png/; s/^fig_.*\.svg$/fig_*.svg/' | sort -u); do
        grep -qxF "$f" <<< "$listed" || { echo "README does not list $f"; false; }
    done
    for f in $listed; do
        case $f in c2.csv|fig_*.log) continue ;; esac # the full bench only; a figure gnuplot failed
        compgen -G "$out/$f" >/dev/null || { echo "README lists $f, which the run folder lacks"; false; }
    done
    # and `alloclab report` rebuilds the report and claims from the CSV files alone
    cp "$out/report.md" "$BATS_TEST_TMPDIR/first.md"
    rm "$out/report.md" "$out/claims.md"
    run "$ALLOCLAB" report "$out"
    [ "$status" -eq 0 ]
    cmp "$out/report.md" "$BATS_TEST_TMPDIR/first.md"
    [ -s "$out/claims.md" ]
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

@test "the README's tables of strategies, workloads, knobs, columns and run usage match the code" {
    run "$BATS_TEST_DIRNAME/../../runner/gen-docs.sh" "$ALLOCLAB" "$BATS_TEST_DIRNAME/../../README.md" --check
    echo "$output"
    [ "$status" -eq 0 ]
}

@test "claims or report on a folder that is not a run: one line, exit 2" {
    for cmd in claims report; do
        run "$ALLOCLAB" "$cmd" "$BATS_TEST_TMPDIR"
        [ "$status" -eq 2 ]
        [ "${#lines[@]}" -eq 1 ]
    done
}


@test "bench --resume DIR keeps the rows an interrupted run wrote and runs the rest" {
    out=$BATS_TEST_TMPDIR/res
    run "$ALLOCLAB" bench --profile test --workload larson --out "$out"
    [ "$status" -eq 0 ]
    # meta.txt: the plan's cells and estimate before, the time taken after
    grep -q '^cells: 17$' "$out/meta.txt"
    grep -q '^estimated time: .* on this machine (' "$out/meta.txt"
    grep -q '^took: .*, estimated ' "$out/meta.txt"
    all=$(tail -n +2 "$out/raw.csv" | wc -l)
    # an interruption after 9 rows: the rest of the run's files are not there yet
    head -10 "$out/raw.csv" > "$BATS_TEST_TMPDIR/kept.csv"
    cp "$BATS_TEST_TMPDIR/kept.csv" "$out/raw.csv"
    rm "$out/summary.csv" "$out/report.md" "$out/claims.md"
    run "$ALLOCLAB" bench --resume "$out"
    echo "status $status: $output"
    [ "$status" -eq 0 ]
    # the 9 rows as they were, every cell's repetitions once, as many as the whole run had
    head -10 "$out/raw.csv" | cmp - "$BATS_TEST_TMPDIR/kept.csv"
    [ "$(tail -n +2 "$out/raw.csv" | wc -l)" -eq "$all" ]
    col() { head -1 "$out/raw.csv" | tr , '\n' | grep -nx "$1" | cut -d: -f1; }
    [ -z "$(tail -n +2 "$out/raw.csv" | cut -d, -f1-"$(col rep)" | sort | uniq -d)" ]
    grep -q '^resumed: .*, 9 rows kept$' "$out/meta.txt"
    [ -s "$out/summary.csv" ] && [ -s "$out/report.md" ]
    # a row no planned cell has (another plan, machine or build) is refused, not mixed in
    sed -i '2s/,60000,/,60001,/' "$out/raw.csv"
    run "$ALLOCLAB" bench --resume "$out"
    [ "$status" -eq 2 ]
    [ "${#lines[@]}" -eq 1 ]
    [[ "$output" == *"no cell of this plan"* ]]
}

@test "bench --resume: a folder that is not a run, or a run of another profile or workload: one line, exit 2" {
    run "$ALLOCLAB" bench --resume "$BATS_TEST_TMPDIR"
    [ "$status" -eq 2 ]
    [ "${#lines[@]}" -eq 1 ]
    [[ "$output" == *"not a bench's run folder"* ]]
    mkdir -p "$BATS_TEST_TMPDIR/was"
    printf 'profile: quick\nworkload filter: churn\ncommand: alloclab bench --profile quick --workload churn\n' \
        > "$BATS_TEST_TMPDIR/was/meta.txt"
    for other in "--profile default" "--workload larson" "--out $BATS_TEST_TMPDIR/elsewhere"; do
        run "$ALLOCLAB" bench --resume "$BATS_TEST_TMPDIR/was" $other
        echo "$other: $output"
        [ "$status" -eq 2 ]
        [ "${#lines[@]}" -eq 1 ]
    done
    [[ "$(run "$ALLOCLAB" bench --resume "$BATS_TEST_TMPDIR/was" --profile default; echo "$output")" == *"profile quick, not default"* ]]
    [ ! -e "$BATS_TEST_TMPDIR/elsewhere" ]
}
