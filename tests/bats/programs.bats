#!/usr/bin/env bats
# The programs workload's two ways of running a program on a strategy
# (workloads/programs.c): through liballoclab.so (via=preload) and as its
# users run it (via=packaged: glibc with nothing preloaded, or the
# allocator's own library preloaded alone); its own program,
# alloclab-server; and what it refuses.

setup() {
    ALLOCLAB=${ALLOCLAB:-$BATS_TEST_DIRNAME/../../build/alloclab}
    SERVER=$(dirname "$ALLOCLAB")/alloclab-server
    [ -x "$SERVER" ] || { echo "build it first: make all"; false; }
    cd "$BATS_TEST_TMPDIR"
}

# the strategies this machine can run
available() { ! "$ALLOCLAB" list | grep -A1 "^  $1 " | grep -q 'unavailable here'; }

# a column of the one measured row of a run's CSV file
val() { awk -F, -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i } NR == 2 { print $c }' "$1"; }

@test "refused in one line, exit 2, no result file: packaged without a packaged form, and via=none" {
    for args in "--strategy locked_freelist --via packaged" "--strategy block_suballoc --program server --via packaged" \
                "--strategy system_malloc --via none" "--strategy jemalloc --program server --via none"; do
        rm -f out.csv
        run "$ALLOCLAB" run --workload programs $args --reps 1 --out out.csv
        echo "$args -> $status: $output"
        [ "$status" -eq 2 ] && [ "${#lines[@]}" -eq 1 ]
        [[ "$output" == "alloclab: run: "* ]]
        [ ! -e out.csv ]
    done
    run "$ALLOCLAB" run --workload programs --strategy locked_freelist --via packaged
    [[ "$output" == *"locked_freelist has no packaged form"* ]]
    run "$ALLOCLAB" run --workload programs --strategy system_malloc --via none
    [[ "$output" == *"via=none is now via=packaged"* ]]
}

@test "the server through liballoclab.so and as packaged, for system_malloc and jemalloc: which library each run loaded" {
    for s in system_malloc jemalloc; do
        available "$s" || { echo "$s unavailable here: skipped"; continue; }
        for via in preload packaged; do
            rm -rf ld && mkdir ld
            LD_DEBUG=libs LD_DEBUG_OUTPUT=$PWD/ld/ld run "$ALLOCLAB" run --strategy "$s" --workload programs \
                --program server --via "$via" --reps 2 --out "$s-$via.csv"
            echo "$s $via: $output"
            [ "$status" -eq 0 ]
            [ "$(val "$s-$via.csv" status)" = ok ] && [ "$(val "$s-$via.csv" via)" = "$via" ]
            [ "$(tail -n +2 "$s-$via.csv" | grep -c ',ok,')" -eq 2 ]
            awk -v w="$(val "$s-$via.csv" wall_ns)" 'BEGIN { exit !(w > 0) }'
            # the server's own processes (a warm-up and two repetitions), and what the loader started in them
            servers=$(grep -l 'initialize program: .*alloclab-server' ld/*)
            # counted by the loader's own lines: a file is per process id, which the system may reuse
            [ "$(cat ld/* | grep -c 'initialize program: .*alloclab-server')" -eq 3 ]
            for f in $servers; do
                case $s-$via in
                    *-preload) grep -q 'calling init: .*liballoclab.so' "$f" && ! grep -q 'libjemalloc' "$f" ;;
                    jemalloc-packaged) grep -q 'calling init: .*libjemalloc.so.2' "$f" && ! grep -q liballoclab "$f" ;;
                    system_malloc-packaged) ! grep -q 'liballoclab\|libjemalloc\|libmimalloc\|libtcmalloc' "$f" ;;
                esac
            done
        done
    done
}

@test "the server's workers are its threads: one run, on every worker's processing unit" {
    [ "$(nproc)" -ge 2 ] || skip "one processing unit here"
    run "$ALLOCLAB" run --strategy system_malloc --workload programs --program server --via packaged \
        --workers 2 --reps 1 --out two.csv
    echo "$output"
    [ "$status" -eq 0 ] && [ "$(val two.csv status)" = ok ]
    [ "$(val two.csv pus)" = "0;1" ]
    # its CPU time is one run's: two threads' worth, from worker 0's single run
    awk -v c="$(val two.csv program_cpu_ns)" 'BEGIN { exit !(c > 0) }'
    run "$ALLOCLAB" run --workload programs --help
    [[ "$output" == *"the server: one run with this many threads"* ]]
}

@test "alloclab-server: its output depends on its arguments only, and bad arguments are one line and exit 2" {
    a=$("$SERVER" -t 2 -n 20000 -w 100 -s 7 2> speed)
    b=$("$SERVER" -t 2 -n 20000 -w 100 -s 7 2> /dev/null)
    [ "$a" = "$b" ] && [[ "$a" == "threads 2 replacements 20000 window 100 checksum "* ]]
    grep -q 'replacements/s' speed
    [ "$a" != "$("$SERVER" -t 2 -n 20000 -w 100 -s 8 2> /dev/null)" ]
    for args in "-t 0" "-t many" "-n -5" "-w 0" "-x" "extra"; do
        run "$SERVER" $args
        echo "$args -> $status: $output"
        [ "$status" -eq 2 ] && [ "${#lines[@]}" -eq 1 ]
    done
}

@test "the bench plans each program as packaged on system_malloc and the reference allocators, and the server at 1 thread and at every unit" {
    run "$ALLOCLAB" bench --profile default --dry-run
    [ "$status" -eq 0 ]
    for s in system_malloc jemalloc mimalloc tcmalloc; do
        available "$s" || continue
        grep -q "^programs $s .*program=sqlite .*via=packaged" <<< "$output"
        grep -q "^programs $s .*program=server .*via=packaged .*workers=1 " <<< "$output"
        grep -q "^programs $s .*program=server .*via=packaged .*workers=$(nproc) " <<< "$output"
    done
    ! grep -q "^programs \(locked_freelist\|block_suballoc\) .*via=packaged" <<< "$output"
    grep -q "^programs block_suballoc .*program=server .*via=preload" <<< "$output"
}
