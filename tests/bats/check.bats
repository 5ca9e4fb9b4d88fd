#!/usr/bin/env bats
# The malloc-lab driver, the trace generator, the recorder and the student template.

setup() {
    ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
    ALLOCLAB=${ALLOCLAB:-$ROOT/build/alloclab}
    RECORDER=${RECORDER:-$(dirname "$ALLOCLAB")/liballoctrace.so}
    cd "$ROOT"
}

@test "check --grade: every built-in heap strategy is correct on every trace" {
    for s in system_malloc locked_freelist block_suballoc; do
        run "$ALLOCLAB" check --strategy "$s" --grade
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *$'\ncorrect:1\n'* ]]
        grep -qE '^score:[0-9]+$' <<< "$output"
    done
}

@test "check on a copy-on-write strategy: correct, and level 4 measured; neither built-in granule passes it" {
    run "$ALLOCLAB" check --strategy mprotect_cow --options granule=64k --grade
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" == *$'\ncorrect:1\n'* ]] && [[ "$output" == *$'\nlevel4:0'* ]]
    # 64 KiB copied for each page written at random
    sparse=$(sed -n 's/^sparse_copies://p' <<< "$output")
    awk -v s="$sparse" 'BEGIN { exit !(s >= 15) }'
    # the page-at-a-time copy does not pass the stream
    run "$ALLOCLAB" check --strategy mprotect_cow --grade
    echo "$output"
    [[ "$output" == *$'\ncorrect:1\n'* ]] && [[ "$output" == *$'\nlevel4:0'* ]]
    stream=$(sed -n 's/^stream_ratio://p' <<< "$output")
    awk -v s="$stream" 'BEGIN { exit !(s > 0.8) }'
    # heap-only options are refused in one line
    run "$ALLOCLAB" check --strategy mprotect_cow --trace workloads/traces/lifo.rep
    [ "$status" -eq 2 ] && [ "${#lines[@]}" -eq 1 ]
    [[ "$output" == *"mprotect_cow serves views, not a heap: --trace, --threads and --debug are for heaps"* ]]
}

@test "check: bad input gets one line and exit 2" {
    run "$ALLOCLAB" check --strategy nosuch
    [ "$status" -eq 2 ] && [ "${#lines[@]}" -eq 1 ]
    run "$ALLOCLAB" check --strategy fork_cow
    [ "$status" -eq 2 ] && [[ "$output" == *"no heap"* ]]
    printf '10\n1\n1\n1\nf 0\n' > "$BATS_TEST_TMPDIR/bad.rep"
    run "$ALLOCLAB" check --strategy system_malloc --trace "$BATS_TEST_TMPDIR/bad.rep"
    [ "$status" -eq 2 ] && [ "${#lines[@]}" -eq 1 ]
    [[ "$output" == *"bad.rep:5:"* ]]
    run "$ALLOCLAB" check --strategy system_malloc --trace /nonexistent.rep
    [ "$status" -eq 2 ] && [ "${#lines[@]}" -eq 1 ]
}

@test "the generator still writes exactly the committed traces" {
    mkdir -p "$BATS_TEST_TMPDIR/gen"
    run "$ALLOCLAB" gen-traces "$BATS_TEST_TMPDIR/gen"
    [ "$status" -eq 0 ]
    n=0
    for f in "$BATS_TEST_TMPDIR"/gen/*.rep; do
        cmp "$f" "workloads/traces/$(basename "$f")"
        n=$((n + 1))
    done
    [ "$n" -ge 10 ]
    # every trace has its purpose written down
    for f in workloads/traces/*.rep; do
        grep -q "\`$(basename "$f")\`" workloads/traces/README.md || { echo "undocumented: $f"; false; }
    done
}

@test "the recorder captures sort and the trace replays cleanly" {
    seq 1 5000 | awk '{print ($1 * 7919) % 5003, "line", $1}' > "$BATS_TEST_TMPDIR/in.txt"
    ALLOCTRACE_OUT="$BATS_TEST_TMPDIR/sort.rep" LD_PRELOAD="$RECORDER" sort -n "$BATS_TEST_TMPDIR/in.txt" \
        > "$BATS_TEST_TMPDIR/sorted.txt"
    # the program still works under the recorder
    sort -n "$BATS_TEST_TMPDIR/in.txt" | cmp - "$BATS_TEST_TMPDIR/sorted.txt"
    [ "$(sed -n 3p "$BATS_TEST_TMPDIR/sort.rep")" -gt 10 ]
    for s in system_malloc locked_freelist block_suballoc; do
        run "$ALLOCLAB" check --strategy "$s" --trace "$BATS_TEST_TMPDIR/sort.rep" --grade
        [ "$status" -eq 0 ]
        [[ "$output" == *"correct:1"* ]]
    done
}

@test "the recorder is thread-safe: a multi-threaded program's trace replays" {
    command -v gnuplot || skip "no gnuplot"
    printf 'set terminal pngcairo\nset output "%s/x.png"\nplot sin(x)\n' "$BATS_TEST_TMPDIR" > "$BATS_TEST_TMPDIR/p.gp"
    ALLOCTRACE_OUT="$BATS_TEST_TMPDIR/gp.rep" LD_PRELOAD="$RECORDER" gnuplot "$BATS_TEST_TMPDIR/p.gp"
    [ -s "$BATS_TEST_TMPDIR/x.png" ]
    run "$ALLOCLAB" check --strategy block_suballoc --trace "$BATS_TEST_TMPDIR/gp.rep" --grade
    [ "$status" -eq 0 ]
    [[ "$output" == *"correct:1"* ]]
}

@test "make new-allocator creates a registered strategy that passes make check, short of level 1 (U >= 60%), and whose heap checker holds" {
    copy=$BATS_TEST_TMPDIR/tree
    mkdir -p "$copy"
    tar --exclude=./build --exclude=./.git --exclude=./results -cf - . | (cd "$copy" && tar xf -)
    run make -C "$copy" -s new-allocator NAME=mine
    [ "$status" -eq 0 ]
    [ -f "$copy/allocators/mine.c" ]
    # level 4 starts from a built-in copy-on-write strategy
    run make -C "$copy" -s new-allocator NAME=mine_cow FROM=mprotect_cow
    [ "$status" -eq 0 ]
    grep -q 'const struct allocator allocator_mine_cow = {' "$copy/allocators/mine_cow.c"
    run make -C "$copy" -s new-allocator NAME=other FROM=no_such_strategy
    [ "$status" -eq 2 ] && [[ "$output" == *"FROM=no_such_strategy: no such strategy in allocators/"* ]]
    # and one without the template's fork hooks: liballoclab.so holds its global lock around its calls instead
    make -C "$copy" -s new-allocator NAME=mine_locked
    sed -i 's|    .fork = &mine_locked_fork,|    .fork = 0 ? \&mine_locked_fork : NULL, /* no hooks, on purpose */|' "$copy/allocators/mine_locked.c"
    grep -q 'no hooks, on purpose' "$copy/allocators/mine_locked.c"
    run make -C "$copy" -s check ALLOC=mine
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" == *"all "*" traces correct"* ]]
    # the template reuses nothing until its heap is empty: level 1's bar (U >= 60%) is not met
    util=$(sed -n 's/.*utilization U = \([0-9]*\)\.[0-9]%.*/\1/p' <<< "$output")
    [ -n "$util" ] && [ "$util" -lt 60 ]
    run "$copy/build/alloclab" list
    [[ "$output" == *mine* ]] && [[ "$output" == *mine_cow* ]]
    run "$copy/build/alloclab" check --strategy mine_cow --grade
    echo "$output"
    [ "$status" -eq 0 ] && [[ "$output" == *$'\ncorrect:1\n'* ]]
    # and it is a program's malloc with no code of its own: sort and the compiler give glibc's output
    seq 1 20000 | awk '{ print ($1 * 7919) % 20011 }' > "$BATS_TEST_TMPDIR/in.txt"
    ALLOCLAB_STRATEGY=mine LD_PRELOAD="$copy/build/liballoclab.so" sort "$BATS_TEST_TMPDIR/in.txt" |
        cmp - <(sort "$BATS_TEST_TMPDIR/in.txt")
    ALLOCLAB_STRATEGY=mine LD_PRELOAD="$copy/build/liballoclab.so" cc -O2 -S -o - -Iallocators -Iworkloads \
        workloads/churn.c | cmp - <(cc -O2 -S -o - -Iallocators -Iworkloads workloads/churn.c)
    # fork() while another thread allocates: the template's hooks, and the global lock without them
    run "$copy/build/alloclab" list --verbose
    grep -A2 '^  mine ' <<< "$output" | grep -q 'fork safety: own hooks; blocks: 16-byte header'
    grep -A2 '^  mine_locked ' <<< "$output" | grep -q 'fork safety: global lock in liballoclab.so'
    for s in mine mine_locked; do
        ALLOCLAB_STRATEGY=$s LD_PRELOAD="$copy/build/liballoclab.so" run timeout 30 "$copy/build/programs/fork_storm" 100 1
        echo "$s: $output"
        [ "$status" -eq 0 ] && [ "$output" = ok ]
    done
    # the template's heap checker holds after every operation of a trace
    run "$copy/build/alloclab" check --strategy mine --trace workloads/traces/realloc_grow.rep --debug
    [ "$status" -eq 0 ]
    # and its heap unit tests pass on it alone
    run make -C "$copy" -s check-heap ALLOC=mine
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" == *"mine: random ops vs shadow table"* ]]
    run make -C "$copy" -s new-allocator NAME=mine
    [ "$status" -ne 0 ]
    run make -C "$copy" -s new-allocator NAME='Not OK'
    [ "$status" -ne 0 ]
    run make -C "$copy" -s check
    [ "$status" -ne 0 ]
}

@test "registered strategies broken on purpose: an overlap and a crash each fail, with correct:0, score:0 and the operation named; under a real program a crash or a hang fails its cell, naming the program" {
    copy=$BATS_TEST_TMPDIR/broken
    mkdir -p "$copy"
    tar --exclude=./build --exclude=./.git --exclude=./results -cf - . | (cd "$copy" && tar xf -)
    # the template, broken: every block overlaps the previous one by 16 bytes
    make -C "$copy" -s new-allocator NAME=overlapper
    sed -i 's|    h->bump += need;|    h->bump += need > 16 ? need - 16 : need; /* BROKEN on purpose */|' "$copy/allocators/overlapper.c"
    grep -q 'BROKEN on purpose' "$copy/allocators/overlapper.c"
    # and broken otherwise: it dereferences a wild pointer once 4 KiB are live
    make -C "$copy" -s new-allocator NAME=crasher
    sed -i "s|    h->live += size;|    h->live += size; volatile int *volatile wild = NULL; if (h->live > 4096) *wild = 1; /* BROKEN on purpose */|" \
        "$copy/allocators/crasher.c"
    grep -q 'BROKEN on purpose' "$copy/allocators/crasher.c"
    # and one that spins forever once 64 KiB are live
    make -C "$copy" -s new-allocator NAME=hanger
    sed -i "s|    h->live += size;|    h->live += size; if (h->live > 65536) for (volatile int spin = 1; spin;) {} /* BROKEN on purpose */|" \
        "$copy/allocators/hanger.c"
    grep -q 'BROKEN on purpose' "$copy/allocators/hanger.c"
    # copy-on-write strategies broken on purpose: one says it copied nothing, one shares its views' writes
    sed -e 's/allocator_mprotect_cow/allocator_liar_cow/' -e 's/\.name = "mprotect_cow"/.name = "liar_cow"/' \
        -e 's|    return (double)(atomic_load(&v->copied) \* (v->granule / os_page_size()));|    return (void)v, 0; /* BROKEN on purpose */|' \
        "$copy/allocators/mprotect_cow.c" > "$copy/allocators/liar_cow.c"
    grep -q 'BROKEN on purpose' "$copy/allocators/liar_cow.c"
    sed -e 's/allocator_mprotect_cow/allocator_leaky_cow/' -e 's/\.name = "mprotect_cow"/.name = "leaky_cow"/' \
        -e 's|    if (memfd_view_map(addr, len, fd) != 0)|    if (mmap(addr, len, PROT_READ \| PROT_WRITE, MAP_SHARED \| MAP_FIXED, fd, 0) == MAP_FAILED) /* BROKEN on purpose */\n        return -1;\n    return 0;\n    if (memfd_view_map(addr, len, fd) != 0)|' \
        "$copy/allocators/mprotect_cow.c" > "$copy/allocators/leaky_cow.c"
    grep -q 'BROKEN on purpose' "$copy/allocators/leaky_cow.c"
    make -C "$copy" -s all
    # the copy-on-write grader: a lie about what was copied, and views that share their writes, fail
    run "$copy/build/alloclab" check --strategy liar_cow --grade
    echo "$output"
    [ "$status" -eq 1 ]
    [[ "$output" == *"32768 pages written but 0 copied: a write that reached no copy"* ]]
    [[ "$output" == *$'\ncorrect:0\n'* ]] && [[ "$output" == *$'\nlevel4:0'* ]]
    run "$copy/build/alloclab" check --strategy leaky_cow --grade
    echo "$output"
    [ "$status" -eq 1 ]
    [[ "$output" == *"stream"*"no  failed: worker "* ]]
    [[ "$output" == *$'\ncorrect:0\n'* ]]
    # as a real program's malloc: a failed cell naming the program, never a hang
    run "$copy/build/alloclab" run --strategy crasher --workload programs --program sqlite --reps 1
    echo "$output"
    [ "$status" -ne 0 ]
    [[ "$output" == *"sqlite under crasher died of Segmentation fault"* ]]
    SECONDS=0
    run "$copy/build/alloclab" run --strategy hanger --workload programs --program lua --limit 2 --reps 1
    echo "$output"
    [ "$status" -ne 0 ] && [ "$SECONDS" -lt 60 ]
    [[ "$output" == *"lua under hanger did not finish in 2 s"* ]]
    run "$copy/build/alloclab" check --strategy overlapper --trace workloads/traces/lifo.rep --grade
    echo "$output"
    [ "$status" -eq 1 ]
    [[ "$output" == *$'\ncorrect:0\n'* ]]
    [[ "$output" == *$'\nscore:0'* ]]
    # the contract's own line runs first, and catches it there; lifo.rep fails too
    [[ "$output" == *"FIRST VIOLATION: trace contract, op "*"overlaps live block id"* ]]
    [ "$(grep -c '^lifo.rep .* no ' <<< "$output")" -eq 1 ]
    # a crash fails its trace, in a child process: the grader goes on to the next and still scores
    run "$copy/build/alloclab" check --strategy crasher --trace workloads/traces/lifo.rep \
        --trace workloads/traces/fifo.rep --grade
    echo "$output"
    [ "$status" -eq 1 ]
    [[ "$output" == *"FIRST VIOLATION: trace contract: the strategy crashed (SIGSEGV) at op "* ]]
    [ "$(grep -c '^lifo.rep .* no ' <<< "$output")" -eq 1 ] && [ "$(grep -c '^fifo.rep .* no ' <<< "$output")" -eq 1 ]
    [[ "$output" == *$'\ncorrect:0\nscore:0'* ]]
}

@test "the recorder follows a program's children: %p gives each its own file, and without it no child truncates the trace" {
    seq 1 3000 | awk '{print ($1 * 7919) % 3001}' > "$BATS_TEST_TMPDIR/in"
    cmd='sort -n "$1" | sort -r > /dev/null; true'
    ALLOCTRACE_OUT="$BATS_TEST_TMPDIR/each.%p.rep" LD_PRELOAD="$RECORDER" bash -c "$cmd" sh "$BATS_TEST_TMPDIR/in"
    [ "$(ls "$BATS_TEST_TMPDIR"/each.*.rep | wc -l)" -eq 3 ] # the shell and both sorts
    ALLOCTRACE_OUT="$BATS_TEST_TMPDIR/one.rep" LD_PRELOAD="$RECORDER" bash -c "$cmd" sh "$BATS_TEST_TMPDIR/in"
    # one file, the shell's own: as many operations as the shell's file of the %p run, give or take its environment
    shell=$(for f in "$BATS_TEST_TMPDIR"/each.*.rep; do sed -n 3p "$f"; done | sort -n | tail -1)
    ops=$(sed -n 3p "$BATS_TEST_TMPDIR/one.rep")
    [ "$ops" -gt $((shell - 50)) ] && [ "$ops" -lt $((shell + 50)) ]
    for f in "$BATS_TEST_TMPDIR"/*.rep; do
        run "$ALLOCLAB" check --strategy block_suballoc --trace "$f" --grade
        [ "$status" -eq 0 ] && [[ "$output" == *"correct:1"* ]]
    done
}

@test "step: predictions are judged against what the strategy does, the answer key needs no input" {
    run "$ALLOCLAB" step --strategy locked_freelist --trace notes/step/fits.rep --answers
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$(grep -c '^op ' <<< "$output")" -eq 13 ]
    ! grep -q ' > ' <<< "$output" # asks nothing
    # first fit takes the first hole on the list, best fit the smallest that fits
    grep -A1 '^op 7:' <<< "$output" | grep -q 'answer: #0'
    run "$ALLOCLAB" step --strategy locked_freelist --options fit=best --trace notes/step/fits.rep --answers
    grep -A1 '^op 7:' <<< "$output" | grep -q 'answer: #1'
    # a reader's predictions: the first two right, the third wrong; then input runs out
    run "$ALLOCLAB" step --strategy locked_freelist --trace notes/step/fits.rep <<< $'new\n#0\n#5'
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$(grep -c '  right (you said' <<< "$output")" -eq 2 ]
    grep -q 'not this time (you said #5)' <<< "$output"
    grep -q 'no more input: the answers from here on' <<< "$output"
    grep -q 'you predicted 2 of 3 right' <<< "$output"
    # long traces and strategies with no heap are refused in one line
    run "$ALLOCLAB" step --strategy locked_freelist --trace workloads/traces/lifo.rep
    [ "$status" -eq 2 ] && [ "${#lines[@]}" -eq 1 ]
    run "$ALLOCLAB" step --strategy fork_cow --trace notes/step/fits.rep
    [ "$status" -eq 2 ] && [ "${#lines[@]}" -eq 1 ]
}
