#!/usr/bin/env bats
# Adding a file to allocators/ adds a strategy, and one to workloads/ a workload, with no other edit.

@test "a new file in allocators/ registers itself" {
    root=$BATS_TEST_DIRNAME/../..
    copy=$BATS_TEST_TMPDIR/tree
    mkdir -p "$copy"
    # a copy of the tree without build products
    (cd "$root" && tar --exclude=./build --exclude=./.git --exclude=./results -cf - .) | (cd "$copy" && tar xf -)
    sed -e 's/allocator_system_malloc/allocator_extra_probe/' \
        -e 's/\.name = "system_malloc"/.name = "extra_probe"/' \
        "$copy/allocators/system_malloc.c" > "$copy/allocators/extra_probe.c"
    # and a strategy on a library this machine does not have: unavailable, and said so, never a failure
    sed -e 's/allocator_tcmalloc/allocator_no_library/' -e 's/\.name = "tcmalloc"/.name = "no_library"/' \
        -e 's/"libtcmalloc_minimal.so.4"/"liballoclab-missing.so.0"/' -e 's/"libtcmalloc-minimal4"/"alloclab-missing"/' \
        "$copy/allocators/tcmalloc.c" > "$copy/allocators/no_library.c"
    grep -q 'liballoclab-missing.so.0' "$copy/allocators/no_library.c"
    run make -C "$copy" -s all
    [ "$status" -eq 0 ]
    run "$copy/build/alloclab" list
    [ "$status" -eq 0 ]
    [[ "$output" == *extra_probe* ]]
    [[ "$output" == *system_malloc* ]]
    [[ "$output" == *"unavailable here: liballoclab-missing.so.0 is not installed (apt-get install alloclab-missing)"* ]]
    run "$copy/build/alloclab" run --strategy no_library --workload churn --ops 1000
    [ "$status" -eq 2 ]
    [ "${#lines[@]}" -eq 1 ]
    [[ "$output" == *"no_library is unavailable: liballoclab-missing.so.0 is not installed"* ]]
    run "$copy/build/alloclab" check --strategy no_library --trace workloads/traces/lifo.rep
    [ "$status" -eq 2 ]
    [ "${#lines[@]}" -eq 1 ]
    [[ "$output" == *"no_library is unavailable"* ]]
    # in a bench its cells are one unavailable row each, and the report says why; the rest ran
    run "$copy/build/alloclab" bench --profile test --workload churn --out "$BATS_TEST_TMPDIR/nolib"
    [ "$status" -eq 0 ]
    grep -q '^churn,no_library,churn,.*,unavailable,' "$BATS_TEST_TMPDIR/nolib/summary.csv"
    grep -q '^churn,system_malloc,churn,.*,ok,' "$BATS_TEST_TMPDIR/nolib/summary.csv"
    grep -q '| no_library | unavailable: liballoclab-missing.so.0 is not installed (apt-get install alloclab-missing) |' \
        "$BATS_TEST_TMPDIR/nolib/report.md"
    rm "$copy/allocators/no_library.c"
    # and removing it unregisters it again
    rm "$copy/allocators/extra_probe.c"
    run make -C "$copy" -s all
    [ "$status" -eq 0 ]
    run "$copy/build/alloclab" list
    [[ "$output" != *extra_probe* ]]
}

# A copy of the tree without build products, in $1.
copy_tree() {
    mkdir -p "$1"
    (cd "$BATS_TEST_DIRNAME/../.." && tar --exclude=./build --exclude=./.git --exclude=./results -cf - .) | (cd "$1" && tar xf -)
}

@test "a new file in workloads/ is a workload: listed with its knobs, run, in the CSV and in bench, with no other edit" {
    copy=$BATS_TEST_TMPDIR/wtree
    copy_tree "$copy"
    sed -e 's/workload_fork_cost/workload_extra_probe/' -e 's/\.name = "fork_cost"/.name = "extra_probe"/' \
        "$copy/workloads/fork_cost.c" > "$copy/workloads/extra_probe.c"
    # and one whose plan has no cells in the test profile
    sed -e 's/workload_fork_cost/workload_no_cells/' -e 's/\.name = "fork_cost"/.name = "no_cells"/' \
        -e 's/PER_PROFILE("size=16M,32M",/PER_PROFILE(NULL,/' "$copy/workloads/fork_cost.c" > "$copy/workloads/no_cells.c"
    grep -q 'PER_PROFILE(NULL,' "$copy/workloads/no_cells.c"
    run make -C "$copy" -s all
    [ "$status" -eq 0 ]
    run "$copy/build/alloclab" list --verbose
    [[ "$output" == *"extra_probe"* ]]
    [ "$(grep -A4 '^  extra_probe' <<< "$output" | grep -c -- '--size\|--workers\|--seed')" -eq 3 ]
    # its knobs are run options, its results CSV columns
    out=$BATS_TEST_TMPDIR/probe.csv
    run "$copy/build/alloclab" run --strategy fork_cow --workload extra_probe --size 8M --reps 1 --out "$out"
    [ "$status" -eq 0 ]
    col() { head -1 "$out" | tr , '\n' | grep -nx "$1" | cut -d: -f1; }
    [ "$(tail -n +2 "$out" | cut -d, -f"$(col workload)")" = extra_probe ]
    [ "$(tail -n +2 "$out" | cut -d, -f"$(col size_bytes)")" = 8388608 ]
    tail -n +2 "$out" | cut -d, -f"$(col fork_ns)" | grep -qE '^[0-9]+$'
    # it takes part in the test bench, and alone with --workload
    run "$copy/build/alloclab" bench --profile test --out "$BATS_TEST_TMPDIR/all"
    [ "$status" -eq 0 ]
    grep -q '^fork,fork_cow,extra_probe,' "$BATS_TEST_TMPDIR/all/summary.csv"
    grep -q '## extra_probe (fork)' "$BATS_TEST_TMPDIR/all/report.md"
    run "$copy/build/alloclab" bench --profile test --workload extra_probe --out "$BATS_TEST_TMPDIR/one"
    [ "$status" -eq 0 ]
    [ "$(tail -n +2 "$BATS_TEST_TMPDIR/one/summary.csv" | cut -d, -f3 | sort -u)" = extra_probe ]
    # a workload with no cells in the profile is refused, in one line
    run "$copy/build/alloclab" bench --profile test --workload no_cells
    [ "$status" -eq 2 ]
    [ "${#lines[@]}" -eq 1 ]
    [[ "$output" == *"no_cells has no cells in profile test"* ]]
}

@test "a new file in runner/analysis/claims/ is a claim: judged into a run's claims.md, in order, with no other edit" {
    root=$BATS_TEST_DIRNAME/../..
    copy=$BATS_TEST_TMPDIR/ctree
    mkdir -p "$copy"
    # the tree with its plain build (objects as they are: only the new claim, the registry and the
    # link are made again, seconds rather than a minute)
    (cd "$root" && tar --exclude=./.git --exclude=./results --exclude='./build/san-*' --exclude=./build/debug \
        -cf - .) | (cd "$copy" && tar xf -)
    sed -e 's/\bclaim_C9\b/claim_C10/' -e 's/\.name = "C9"/.name = "C10"/' \
        "$copy/runner/analysis/claims/C9.c" > "$copy/runner/analysis/claims/C10.c"
    grep -q 'claim_C10 = {' "$copy/runner/analysis/claims/C10.c"
    run make -C "$copy" -s build/alloclab
    [ "$status" -eq 0 ]
    # a run's files (the reference bench's), judged again by the copy's build
    out=$BATS_TEST_TMPDIR/run
    mkdir -p "$out"
    cp "$root"/results/reference/*.csv "$root"/results/reference/meta.txt "$out"/
    run "$copy/build/alloclab" claims "$out"
    [ "$status" -eq 0 ]
    grep -q '^| C10 | ' "$out/claims.md"
    grep -q '^## C10: with copy-on-write "readers never need' "$out/claims.md"
    # after C9 (the registry orders names as numbers), and judged as C9 is: the same judge on the same cells
    [ "$(sed -n 's/^| \(C[0-9]*\) | .*/\1/p' "$out/claims.md" | tr '\n' ' ')" = "C1 C2 C3 C4 C5 C6 C7 C8 C9 C10 " ]
    [ "$(sed -n 's/^| C9 | //p' "$out/claims.md")" = "$(sed -n 's/^| C10 | //p' "$out/claims.md")" ]
    [[ "$output" == *"  C10  "* ]]
}
