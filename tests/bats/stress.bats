#!/usr/bin/env bats
# The stress workloads from the command line: what they refuse, in one line,
# and what a run of each writes; the bench plans their sweeps without
# repeating a cell where a worker count is capped.

setup() {
    ALLOCLAB=${ALLOCLAB:-$BATS_TEST_DIRNAME/../../build/alloclab}
}

@test "the stress workloads are listed, with their knobs" {
    run "$ALLOCLAB" list --verbose
    [ "$status" -eq 0 ]
    for w in larson producer_consumer false_sharing memory_over_time; do
        grep -q "^  $w " <<< "$output" || { echo "missing $w"; false; }
    done
    grep -q -- "--mode" <<< "$output" && grep -q "thrash|scratch" <<< "$output"
    grep -q "sleep|trickle" <<< "$output"
}

@test "bad stress settings: one line, exit 2, before anything runs (no result file)" {
    cd "$BATS_TEST_TMPDIR"
    bad=("producer_consumer --workers 1"
         "programs --via none" # packaged's name before: refused with a hint (programs.bats)
         "larson --min-size 2000 --max-size 100"
         "memory_over_time --min-size 600 --max-size 500"
         "false_sharing --object 0"
         "false_sharing --mode shared"
         "memory_over_time --until 0"
         "memory_over_time --idle busy")
    for args in "${bad[@]}"; do
        rm -f out.csv
        run "$ALLOCLAB" run --strategy jemalloc --workload $args --reps 1 --out out.csv
        echo "$args -> $status: $output"
        [ "$status" -eq 2 ]
        [ "$(grep -c . <<< "$output")" -eq 1 ]
        grep -q "^alloclab: " <<< "$output"
        [ ! -e out.csv ]
        ! grep -q "Segmentation\|Aborted\|core dumped" <<< "$output"
    done
    run "$ALLOCLAB" run --strategy system_malloc --workload producer_consumer --workers 1 --reps 1
    grep -q "at least 2" <<< "$output"
}

@test "each stress workload runs on a heap, and on a copy-on-write strategy says not applicable" {
    cd "$BATS_TEST_TMPDIR"
    for args in "larson --ops 20000 --round 2000" "producer_consumer --blocks 5000" \
                "false_sharing --iterations 50 --writes 100" "memory_over_time --burst 1M --until 5"; do
        run "$ALLOCLAB" run --strategy block_suballoc --workload $args --reps 1 --out ok.csv
        echo "$args: $output"
        [ "$status" -eq 0 ]
        # one measured repetition (rep 0, where there is one, is the memory pass)
        [ "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) at[$i] = i; next }
                      $(at["rep"]) >= 1 && $(at["status"]) == "ok"' ok.csv | wc -l)" -eq 1 ]
        run "$ALLOCLAB" run --strategy mprotect_cow --workload $args --reps 1 --out na.csv
        grep -q "not_applicable\|not applicable" na.csv
    done
    # memory_over_time writes its samples: before, burst, freed, then 1, 2 and 5 ms after
    [ "$(tail -n +2 ok.csv.timeline.csv | awk -F, '$0 ~ /memory_over_time/' | wc -l)" -eq 6 ]
}

@test "a capped worker count is one cell, not two (workers=1,2,4,all on this machine)" {
    run "$ALLOCLAB" bench --profile default --dry-run
    [ "$status" -eq 0 ]
    [ -z "$(sort <<< "$output" | uniq -d)" ] || { sort <<< "$output" | uniq -d; false; }
    pus=$(nproc)
    # larson sweeps 1, 2, 4 and every unit: on a machine with fewer, the counts above it collapse into one
    n=$(grep -c '^larson *system_malloc ' <<< "$output")
    expected=$(for w in 1 2 4 $pus; do echo $((w > pus ? pus : w)); done | sort -u | wc -l)
    [ "$n" -eq "$expected" ]
}

@test "model=threads,processes: fork_cow gets its processes cell only, a heap both" {
    run "$ALLOCLAB" bench --profile full --dry-run
    [ "$status" -eq 0 ]
    sc=$(grep '^scaling' <<< "$output" | grep ' workers=1 ')
    [ "$(grep -c 'fork_cow .*write_heavy' <<< "$sc")" -eq 1 ]
    [ "$(grep -c 'system_malloc .*write_heavy.*model=processes' <<< "$sc")" -eq 1 ]
    [ "$(grep -c 'system_malloc .*write_heavy' <<< "$sc")" -eq 2 ]
}
