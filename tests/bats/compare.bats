#!/usr/bin/env bats
# alloclab compare and merge: what changed from one run to another, with intervals; runs from several machines together.

# multiply a column of a CSV file by a factor, in place (the test runs' fields hold no commas)
scale_column() { # file column factor
    awk -F, -v OFS=, -v col="$2" -v f="$3" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; print; next }
        { if ($c != "NA") $c = $c * f; print }' "$1" > "$1.tmp" && mv "$1.tmp" "$1"
}

@test "compare: every figure of the cells both runs have, and a wall time made ten times as long is flagged" {
    # two cells of three repetitions each (a bench's test profile runs one: too few for an interval)
    mkdir -p "$BATS_TEST_TMPDIR/a"
    for s in system_malloc block_suballoc; do
        mkdir -p "$BATS_TEST_TMPDIR/$s"
        "$ALLOCLAB" run --strategy "$s" --workload churn --ops 20000 --reps 3 --out "$BATS_TEST_TMPDIR/$s/raw.csv"
    done
    cat "$BATS_TEST_TMPDIR/system_malloc/raw.csv" <(tail -n +2 "$BATS_TEST_TMPDIR/block_suballoc/raw.csv") \
        > "$BATS_TEST_TMPDIR/a/raw.csv"
    cat "$BATS_TEST_TMPDIR/system_malloc/summary.csv" <(tail -n +2 "$BATS_TEST_TMPDIR/block_suballoc/summary.csv") \
        > "$BATS_TEST_TMPDIR/a/summary.csv"
    cp -r "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
    scale_column "$BATS_TEST_TMPDIR/b/raw.csv" wall_ns 10
    scale_column "$BATS_TEST_TMPDIR/b/summary.csv" wall_ns_median 10
    run "$ALLOCLAB" compare "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b" --out "$BATS_TEST_TMPDIR/c"
    echo "$output"
    [ "$status" -eq 0 ]
    cells=2
    [[ "$output" == *"$cells cells in both runs"* ]]
    [[ "$output" == *"0 cells only in A, 0 only in B"* ]]
    md="$BATS_TEST_TMPDIR/c/compare.md"
    # every shared cell's wall time: ten times as long, beyond its interval (a percentile bootstrap, a noisy cell's too)
    [ "$(grep -c '| wall_ns | .* | 10.000x \[[0-9.]*-[0-9.]*\] | \*\*higher\*\* |' "$md")" -eq "$cells" ]
    # what was not touched did not change
    [ "$(grep '| ops_per_sec | ' "$md" | grep -c '| 1.000x \[[0-9.]*-[0-9.]*\] | no change shown |')" -eq "$cells" ]
    ! grep '| ops_per_sec | ' "$md" | grep -q 'higher\|lower'
    [ -s "$BATS_TEST_TMPDIR/c/compare.csv" ]
    # a run against itself: nothing changed
    run "$ALLOCLAB" compare "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/a" --out "$BATS_TEST_TMPDIR/same"
    [ "$status" -eq 0 ]
    [[ "$output" == *", 0 changed beyond their interval;"* ]]
    if command -v gnuplot >/dev/null; then [ -s "$BATS_TEST_TMPDIR/c/compare.png" ]; fi
}

@test "compare: cells only one run has are listed apart; folders that are not runs are refused" {
    run "$ALLOCLAB" bench --profile test --workload trace --out "$BATS_TEST_TMPDIR/t"
    [ "$status" -eq 0 ]
    run "$ALLOCLAB" bench --profile test --workload churn --out "$BATS_TEST_TMPDIR/a"
    [ "$status" -eq 0 ]
    run "$ALLOCLAB" compare "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/t" --out "$BATS_TEST_TMPDIR/c"
    [ "$status" -eq 0 ]
    [[ "$output" == *"0 cells in both runs"* ]]
    grep -q '^## Cells only in A$' "$BATS_TEST_TMPDIR/c/compare.md"
    grep -q '^## Cells only in B$' "$BATS_TEST_TMPDIR/c/compare.md"
    grep -q '^- group=trace strategy=system_malloc workload=trace ' "$BATS_TEST_TMPDIR/c/compare.md"
    run "$ALLOCLAB" compare "$BATS_TEST_TMPDIR/a" "$BATS_TEST_DIRNAME" --out "$BATS_TEST_TMPDIR/refused"
    [ "$status" -eq 2 ] && [ "${#lines[@]}" -eq 1 ]
    [ ! -e "$BATS_TEST_TMPDIR/refused" ] # nothing half-written
    [[ "$output" == *"is not a run folder"* || "$output" == *"not a run folder"* ]]
    run "$ALLOCLAB" compare "$BATS_TEST_TMPDIR/a"
    [ "$status" -eq 2 ] && [ "${#lines[@]}" -eq 1 ]
}

@test "merge: runs from several machines in one table, each against its own machine's limits" {
    for r in a b; do
        run "$ALLOCLAB" bench --profile test --workload write_heavy --out "$BATS_TEST_TMPDIR/$r"
        [ "$status" -eq 0 ]
    done
    # b's machine twice as slow at faulting pages: its raw figures differ, its floors do not
    scale_column "$BATS_TEST_TMPDIR/b/calibrate.csv" value 2
    run "$ALLOCLAB" merge "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b" --out "$BATS_TEST_TMPDIR/m"
    echo "$output"
    [ "$status" -eq 0 ]
    cells=$(( $(grep -c ',ok,' "$BATS_TEST_TMPDIR/a/summary.csv") + $(grep -c ',ok,' "$BATS_TEST_TMPDIR/b/summary.csv") ))
    [[ "$output" == *"2 runs, $cells cells in all"* ]]
    host=$(sed -n 's/^host: //p' "$BATS_TEST_TMPDIR/a/meta.txt")
    md="$BATS_TEST_TMPDIR/m/merged.md"
    # one host twice: the runs are told apart by their folders, with their topology and kernel
    grep -q "^| $host:a | .* core(s).* | Linux " "$md"
    grep -q "^| $host:b | " "$md"
    # the same cell on both, against each machine's own floor: b's floor is twice a's, so its ratio is half
    a_floor=$(awk -F, '$1 == "\"'"$host"':a\"" && $3 == "main" && $4 == "system_malloc" { print $9 }' "$BATS_TEST_TMPDIR/m/merged.csv")
    b_floor=$(awk -F, '$1 == "\"'"$host"':b\"" && $3 == "main" && $4 == "system_malloc" { print $9 }' "$BATS_TEST_TMPDIR/m/merged.csv")
    echo "x its floor: a $a_floor, b $b_floor"
    awk -v a="$a_floor" -v b="$b_floor" 'BEGIN { r = a / b; exit !(a > 0 && b > 0 && r > 1.2) }'
    if command -v gnuplot >/dev/null; then [ -s "$BATS_TEST_TMPDIR/m/merge_limits.png" ] && [ -s "$BATS_TEST_TMPDIR/m/merge_floor.png" ]; fi
    run "$ALLOCLAB" merge "$BATS_TEST_TMPDIR/a" "$BATS_TEST_DIRNAME"
    [ "$status" -eq 2 ] && [ "${#lines[@]}" -eq 1 ]
    [[ "$output" == *"not a run folder"* ]]
}
