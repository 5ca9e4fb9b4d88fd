#!/usr/bin/env bats
# `alloclab bench`: the test profile writes its CSVs, bad input exits 2.

setup() {
    ALLOCLAB=${ALLOCLAB:-$BATS_TEST_DIRNAME/../../build/alloclab}
}

@test "bench --profile test writes churn and copy-on-write figures" {
    out=$BATS_TEST_TMPDIR/run
    run "$ALLOCLAB" bench --profile test --out "$out"
    [ "$status" -eq 0 ]
    [[ "$output" == *"mprotect_cow"* ]]
    [ -s "$out/churn-preview.csv" ]
    [ -s "$out/cow-cost.csv" ]
    # a header and one row per heap strategy and thread count, no NA figures
    [ "$(wc -l < "$out/churn-preview.csv")" -eq 7 ]
    ! grep -q ',NA' "$out/cow-cost.csv"
    [ ! -e "$out/churn-preview.csv.tmp" ]
}

@test "bench with an unknown profile: one line, exit 2" {
    run "$ALLOCLAB" bench --profile enormous
    [ "$status" -eq 2 ]
    [ "${#lines[@]}" -eq 1 ]
    [[ "${lines[0]}" == "alloclab: bench: unknown profile 'enormous'"* ]]
}

@test "bench with an unwritable --out: one line, exit 2" {
    run "$ALLOCLAB" bench --profile test --out /proc/no/such/dir
    [ "$status" -eq 2 ]
    [ "${#lines[@]}" -eq 1 ]
}
