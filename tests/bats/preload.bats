#!/usr/bin/env bats
# build/liballoclab.so: any heap strategy as the malloc of an unmodified
# program (allocators/preload/preload.c). Real programs give the C library's
# output under every heap strategy; tests/programs/preload_probe.c asks for
# every entry point, alignments over 16, usable sizes, cross-thread frees
# and fork(); tests/programs/fork_storm.c forks hundreds of times while
# another thread allocates. The Makefile builds both (make all).

setup() {
    PRELOAD=${PRELOAD:-$(dirname "$ALLOCLAB")/liballoclab.so}
    PROBE=$(dirname "$ALLOCLAB")/programs/preload_probe
    STORM=$(dirname "$ALLOCLAB")/programs/fork_storm
    [ -f "$PRELOAD" ] && [ -x "$PROBE" ] && [ -x "$STORM" ] || { echo "build them first: make all"; false; }
    # jemalloc's thread-local storage needs room that glibc leaves only when told at start
    export GLIBC_TUNABLES=glibc.rtld.optional_static_tls=16384
    root=$BATS_TEST_DIRNAME/../..
}

# the heap strategies this machine can run
heap_strategies() {
    "$ALLOCLAB" list --verbose | awk '
        /^  [a-z_0-9]+ / { if (name != "" && heap && !gone) print name; name = $1; heap = 0; gone = 0 }
        /heap: yes/ { heap = 1 }
        /unavailable here/ { gone = 1 }
        /^workloads:/ { if (name != "" && heap && !gone) print name; exit }'
}

under() { # strategy command...
    local s=$1
    shift
    ALLOCLAB_STRATEGY=$s LD_PRELOAD=$PRELOAD timeout 120 "$@"
}

@test "every heap strategy serves the probe: every entry point, alignments to 64 KiB, usable sizes, threads, fork" {
    "$PROBE"
    n=0
    for s in $(heap_strategies); do
        run under "$s" "$PROBE"
        echo "$s: $output"
        [ "$status" -eq 0 ] && [ "$output" = ok ]
        n=$((n + 1))
    done
    [ "$n" -ge 3 ]
}

@test "headerless strategies: malloc_usable_size answers as their library does on its own; a header strategy's is the size asked" {
    # requests of 24 bytes and up: below that alloclab rounds to 16 bytes, where the libraries give 8
    "$PROBE" usable | tail -n +3 > "$BATS_TEST_TMPDIR/glibc"
    run under system_malloc "$PROBE" usable
    echo "$output"
    diff <(tail -n +3 <<< "$output") "$BATS_TEST_TMPDIR/glibc"
    for pair in jemalloc:libjemalloc.so.2 mimalloc:libmimalloc.so.2 tcmalloc:libtcmalloc_minimal.so.4; do
        s=${pair%%:*}
        heap_strategies | grep -qx "$s" || continue
        LD_PRELOAD=${pair#*:} "$PROBE" usable | tail -n +3 > "$BATS_TEST_TMPDIR/$s"
        run under "$s" "$PROBE" usable
        echo "$s: $output"
        diff <(tail -n +3 <<< "$output") "$BATS_TEST_TMPDIR/$s"
        ! diff -q "$BATS_TEST_TMPDIR/$s" "$BATS_TEST_TMPDIR/glibc" # the library's own answers, not glibc's
    done
    # and in a program that links another malloc after it (redis-server links jemalloc), still glibc's
    ALLOCLAB_STRATEGY=system_malloc LD_PRELOAD="$PRELOAD libjemalloc.so.2" run timeout 60 "$PROBE" usable
    diff <(tail -n +3 <<< "$output") "$BATS_TEST_TMPDIR/glibc"
    # block_suballoc keeps its 16-byte header, which holds the size asked: 100 bytes are 100
    run under block_suballoc "$PROBE" usable
    grep -qx '100: 100 [0-9]*' <<< "$output"
}

@test "fork storm: 200 forks while another thread allocates, under every heap strategy; a child stuck on a lock fails, never hangs" {
    n=0
    for s in $(heap_strategies); do
        ALLOCLAB_STRATEGY=$s LD_PRELOAD=$PRELOAD run timeout 30 "$STORM" 200 1
        echo "$s: $output"
        [ "$status" -eq 0 ] && [ "$output" = ok ]
        n=$((n + 1))
    done
    [ "$n" -ge 3 ]
}

@test "sort, a compressor and a compiler give the C library's output under every heap strategy" {
    seq 1 100000 | awk '{ print ($1 * 7919) % 100003, "line", $1 }' > "$BATS_TEST_TMPDIR/in.txt"
    sort "$BATS_TEST_TMPDIR/in.txt" > "$BATS_TEST_TMPDIR/sorted"
    gzip -c < "$BATS_TEST_TMPDIR/in.txt" > "$BATS_TEST_TMPDIR/zipped"
    compile=(cc -std=c11 -D_GNU_SOURCE -I"$root/allocators" -I"$root/workloads" -O2 -S -o - "$root/workloads/churn.c")
    "${compile[@]}" > "$BATS_TEST_TMPDIR/churn.s"
    for s in $(heap_strategies); do
        echo "== $s"
        under "$s" sort "$BATS_TEST_TMPDIR/in.txt" | cmp - "$BATS_TEST_TMPDIR/sorted"
        under "$s" gzip -c < "$BATS_TEST_TMPDIR/in.txt" | cmp - "$BATS_TEST_TMPDIR/zipped"
        under "$s" "${compile[@]}" | cmp - "$BATS_TEST_TMPDIR/churn.s"
    done
}

@test "a wrong strategy, or none, is one line and exit 2 before the program runs" {
    for env in "ALLOCLAB_STRATEGY=no_such" "ALLOCLAB_STRATEGY=fork_cow" "ALLOCLAB_STRATEGY=" \
        "ALLOCLAB_STRATEGY=locked_freelist ALLOCLAB_OPTIONS=fit=nope"; do
        run env $env LD_PRELOAD="$PRELOAD" /bin/echo ran
        echo "$env: $output"
        [ "$status" -eq 2 ]
        [ "${#lines[@]}" -eq 1 ]
        [[ "$output" == "alloclab preload: "* ]]
        [[ "$output" != *ran* ]]
    done
}
