#!/usr/bin/env bats
# `alloclab run`: rows for good cells, one-line errors and exit 2 for bad input.

setup() {
    ALLOCLAB=${ALLOCLAB:-$BATS_TEST_DIRNAME/../../build/alloclab}
    small=(--size 4M --workers 1 --reps 1 --reads 20000)
}

# every bad input: exactly one line on stderr, exit status 2, no output file
bad() {
    run "$ALLOCLAB" run "$@"
    echo "$output"
    [ "$status" -eq 2 ]
    [ "${#lines[@]}" -eq 1 ]
    [[ "${lines[0]}" == alloclab:* ]]
}

@test "bad input: unknown names" {
    bad --strategy nosuch --workload read_heavy
    bad --strategy system_malloc --workload nosuch
    bad --strategy system_malloc
    bad --strategy system_malloc --workload read_heavy --pattern zigzag
    bad --strategy system_malloc --workload read_heavy --pin everywhere
    bad --strategy system_malloc --workload read_heavy --thp sometimes
    bad --strategy system_malloc --workload read_heavy --model fibres
    bad --strategy system_malloc --workload read_heavy --options fit=best
    bad --strategy system_malloc --workload read_heavy --frobnicate
}

@test "bad input: sizes" {
    bad --strategy system_malloc --workload read_heavy --size 0
    bad --strategy system_malloc --workload read_heavy --size 64X
    bad --strategy system_malloc --workload read_heavy --size 1000
    bad --strategy system_malloc --workload read_heavy --size 100T
    bad --strategy system_malloc --workload read_heavy --size 99999999999999999999999
}

@test "bad input: workers, fractions, repetitions, numbers" {
    bad --strategy system_malloc --workload read_heavy --workers 0
    bad --strategy system_malloc --workload read_heavy --workers 1000000
    bad --strategy system_malloc --workload read_heavy --workers 64
    bad --strategy system_malloc --workload read_heavy --workers two
    bad --strategy system_malloc --workload read_heavy --write-fraction 1.5
    bad --strategy system_malloc --workload read_heavy --write-fraction -0.1
    bad --strategy system_malloc --workload read_heavy --write-fraction half
    bad --strategy system_malloc --workload read_heavy --reps -1
    bad --strategy system_malloc --workload read_heavy --reps 0
    bad --strategy system_malloc --workload read_heavy --seed 12abc
    bad --strategy system_malloc --workload read_heavy --cell-timeout 0
}

@test "bad input: an unwritable --out, and fork_cow as threads" {
    bad --strategy system_malloc --workload read_heavy --out /proc/nope/raw.csv
    bad --strategy fork_cow --workload read_heavy --model threads
    # the control reads the shared original in place: threads only
    bad --strategy fork_cow --workload read_heavy --view none
}

@test "read_heavy's control takes no view: nothing copied, nothing of the data set written" {
    out=$BATS_TEST_TMPDIR/control.csv
    run "$ALLOCLAB" run --strategy system_malloc --workload read_heavy "${small[@]}" --workers 2 \
        --write-fraction 0.01 --view none --out "$out"
    [ "$status" -eq 0 ]
    col() { head -1 "$out" | tr , '\n' | grep -nx "$1" | cut -d: -f1; }
    val() { tail -n +2 "$out" | head -1 | cut -d, -f"$(col "$1")"; }
    [ "$(val view)" = none ] && [ "$(val status)" = ok ]
    [ "$(val pages_copied)" = 0 ] && [ "$(val pages_written)" = 0 ]
    # the same cell with views: each worker writes round(0.01 x 1024) = 10 pages of its own copy
    run "$ALLOCLAB" run --strategy system_malloc --workload read_heavy "${small[@]}" --workers 2 \
        --write-fraction 0.01 --out "$out"
    [ "$(val view)" = private ] && [ "$(val pages_written)" = 20 ] && [ "$(val pages_copied)" = 2048 ]
}

@test "churn times allocations and frees apart, with the timer's resolution" {
    out=$BATS_TEST_TMPDIR/lat.csv
    run "$ALLOCLAB" run --strategy block_suballoc --workload churn --ops 200000 --reps 1 --out "$out"
    [ "$status" -eq 0 ]
    col() { head -1 "$out" | tr , '\n' | grep -nx "$1" | cut -d: -f1; }
    val() { tail -1 "$out" | cut -d, -f"$(col "$1")"; } # rep 1: rep 0 is the memory pass, with no times
    for c in alloc_p50_ns alloc_p999_ns free_p50_ns free_p999_ns; do
        [[ "$(val $c)" =~ ^[0-9]+$ ]] || { echo "$c = $(val $c)"; false; }
    done
    awk -v r="$(val lat_resolution_ns)" 'BEGIN { exit !(r > 0 && r < 1000) }'
    # the step is the one sysinfo (meta.txt) finds on this machine, within 2%
    step=$("$ALLOCLAB" sysinfo | sed -n 's/^latency timer: .*, step [0-9.]* ticks = \([0-9.]*\) ns;.*/\1/p')
    [ -n "$step" ]
    awk -v r="$(val lat_resolution_ns)" -v s="$step" 'BEGIN { exit !(r > 0.98 * s && r < 1.02 * s) }'
    # percentiles in order, for each kind
    [ "$(val alloc_p50_ns)" -le "$(val alloc_p999_ns)" ] && [ "$(val free_p50_ns)" -le "$(val free_p999_ns)" ]
    [ "$(val alloc_p999_ns)" -le "$(val alloc_max_ns)" ]
}

@test "one name, one meaning: no CSV header repeats a name; knobs and counts apart" {
    out=$BATS_TEST_TMPDIR/names
    mkdir -p "$out"
    run "$ALLOCLAB" run --strategy system_malloc --workload churn --ops 20000 --reps 1 --out "$out/churn.csv"
    [ "$status" -eq 0 ]
    run "$ALLOCLAB" run --strategy system_malloc --workload shared_object --workers 1 --reads 2000 \
        --write-rate 0.1 --reps 1 --out "$out/so.csv"
    [ "$status" -eq 0 ]
    for f in churn.csv churn.csv.summary.csv so.csv so.csv.summary.csv; do
        [ -s "$out/$f" ]
        twice=$(head -1 "$out/$f" | tr , '\n' | sort | uniq -d)
        [ -z "$twice" ] || { echo "$f names twice: $twice"; false; }
    done
    col() { head -1 "$1" | tr , '\n' | grep -nx "$2" | cut -d: -f1; }
    val() { tail -1 "$1" | cut -d, -f"$(col "$1" "$2")"; } # rep 1: rep 0 is the memory pass, with no times
    # churn's ops knob is what was asked; ops_done what the worker did (the window's fill on top)
    [ "$(val "$out/churn.csv" ops)" = 20000 ]
    [ "$(val "$out/churn.csv" ops_done)" -ge 20000 ]
    # shared_object's writes done is a count of its own; writes is false_sharing's knob, NA here
    [[ "$(val "$out/so.csv" writes_done)" =~ ^[0-9]+$ ]] && [ "$(val "$out/so.csv" writes)" = NA ]
}

@test "a restricted cpuset is respected" {
    command -v taskset || skip "no taskset"
    run taskset -c 0 "$ALLOCLAB" run --strategy system_malloc --workload read_heavy --workers 2 --size 4M --reps 1
    [ "$status" -eq 2 ]
    [[ "$output" == *"only 1 processing units"* ]]
    run taskset -c 0 "$ALLOCLAB" run --strategy system_malloc --workload read_heavy --workers 2 --size 4M --reps 1 \
        --reads 1000 --oversubscribe --out "$BATS_TEST_TMPDIR/raw.csv"
    [ "$status" -eq 0 ]
    # both workers ran on PU 0, and every row says it was oversubscribed
    col() { head -1 "$BATS_TEST_TMPDIR/raw.csv" | tr , '\n' | grep -nx "$1" | cut -d: -f1; }
    [ "$(tail -n +2 "$BATS_TEST_TMPDIR/raw.csv" | cut -d, -f"$(col pus)" | sort -u)" = "0;0" ]
    [ "$(tail -n +2 "$BATS_TEST_TMPDIR/raw.csv" | cut -d, -f"$(col oversubscribed)" | sort -u)" = "1" ]
}

@test "a good cell writes raw and summary CSV with the required columns" {
    out=$BATS_TEST_TMPDIR/run/raw.csv
    mkdir -p "$(dirname "$out")"
    run "$ALLOCLAB" run --strategy mprotect_cow --workload write_heavy --size 4M --workers 2 --reps 3 \
        --write-fraction 0.25 --pattern random --out "$out"
    [ "$status" -eq 0 ]
    header=$(head -1 "$out")
    for c in strategy workload model workers size_bytes write_fraction pattern thp rep status wall_ns \
             provision_ns work_ns pages_written pages_copied minor_faults major_faults context_switches \
             cpu_migrations cycles instructions cache_misses dtlb_load_misses pss_kib private_dirty_kib \
             rss_peak_kib committed_delta_kib pus; do
        [[ ",$header," == *",$c,"* ]] || { echo "missing column $c"; false; }
    done
    [ "$(wc -l < "$out")" -eq 4 ]            # header + 3 measured repetitions, warm-up dropped
    [ "$(grep -c ',ok,' "$out")" -eq 3 ]
    [ -s "$BATS_TEST_TMPDIR/run/summary.csv" ]
    head -1 "$BATS_TEST_TMPDIR/run/summary.csv" | grep -q wall_ns_mad
    # 2 workers x 256 of 1024 pages, copied exactly by mprotect_cow
    col() { head -1 "$out" | tr , '\n' | grep -nx "$1" | cut -d: -f1; }
    [ "$(tail -n +2 "$out" | cut -d, -f"$(col pages_written)" | sort -u)" = "512" ]
    [ "$(tail -n +2 "$out" | cut -d, -f"$(col pages_copied)" | sort -u)" = "512" ]
    # a hardware counter is a number or NA, never an empty field
    ! tail -n +2 "$out" | cut -d, -f"$(col cycles)" | grep -qvE '^([0-9]+|NA)$'
    # no temporary file is left behind
    ! ls "$BATS_TEST_TMPDIR/run" | grep -q tmp
}

@test "SIGINT stops the run, keeps completed rows and leaves no process behind" {
    out=$BATS_TEST_TMPDIR/int.csv
    "$ALLOCLAB" run --strategy fork_cow --workload read_heavy --size 64M --workers 2 --reps 200 \
        --reads 2000000 --out "$out" 2>/dev/null &
    pid=$!
    sleep 3
    kill -INT $pid
    status=0
    wait $pid || status=$?
    [ "$status" -eq 130 ]
    sleep 0.5
    ! pgrep -f -- "--reps 200 --reads 2000000" >/dev/null
    [ "$(grep -c ',ok,' "$out")" -ge 1 ]
    ! ls "$out".tmp.* 2>/dev/null
}

@test "overcommit past 80% of MemAvailable is refused unless --force" {
    avail_kib=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo)
    size_m=$(( avail_kib * 45 / 100 / 1024 ))   # 3 x 45% = 135% of MemAvailable
    bad --strategy fork_cow --workload overcommit --workers 2 --size "${size_m}M"
    [[ "$output" == *"--force"* ]]
    [[ "$output" == *"80%"* ]]
}

@test "churn on a copy-on-write strategy is reported not applicable, with the reason" {
    run "$ALLOCLAB" run --strategy mprotect_cow --workload churn --ops 1000 --out "$BATS_TEST_TMPDIR/raw.csv"
    [ "$status" -eq 0 ]
    grep -q 'not_applicable' "$BATS_TEST_TMPDIR/raw.csv"
    grep -q 'has no heap' "$BATS_TEST_TMPDIR/raw.csv"
}

@test "a row carries the knobs of its own workload, and no knob of another" {
    out=$BATS_TEST_TMPDIR/keys.csv
    run "$ALLOCLAB" run --strategy block_suballoc --workload churn --ops 20000 --window 64 --sizes fixed:32 \
        --reps 1 --out "$out"
    [ "$status" -eq 0 ]
    col() { head -1 "$out" | tr , '\n' | grep -nx "$1" | cut -d: -f1; }
    val() { tail -n +2 "$out" | head -1 | cut -d, -f"$(col "$1")"; }
    [ "$(val ops)" = 20000 ] && [ "$(val window)" = 64 ] && [ "$(val sizes)" = '"fixed:32"' ]
    [ "$(val workers)" = 1 ] && [ "$(val seed)" = 1 ]
    for other in size_bytes write_fraction pattern reads steps trace; do
        [ "$(val $other)" = NA ] || { echo "churn row has $other=$(val $other)"; false; }
    done
    [ "$(val options)" = '"keep_empty=1"' ]
    # a knob of another workload is refused, naming whose it is
    bad --strategy block_suballoc --workload churn --reads 5
    [[ "$output" == *"--reads is a knob of read_heavy, not of churn"* ]]
}

@test "strategy options come from the strategy's table: listed, checked, refused in one line" {
    run "$ALLOCLAB" list --verbose
    [[ "$output" == *"fit "*"first|best|next"* ]]
    [[ "$output" == *"granule "*"4k"* ]]
    bad --strategy locked_freelist --workload churn --options fit=worst
    [[ "$output" == *"fit must be first|best|next, not 'worst'"* ]]
    bad --strategy mprotect_cow --workload write_heavy --granule 12k
    bad --strategy system_malloc --workload write_heavy --granule 16k
    out=$BATS_TEST_TMPDIR/granule.csv
    run "$ALLOCLAB" run --strategy mprotect_cow --workload write_heavy --size 4M --workers 1 --reps 1 \
        --write-fraction 0.25 --granule 16k --out "$out"
    [ "$status" -eq 0 ]
    grep -q '"granule=16k"' "$out"
}

@test "list --verbose documents every workload's knobs" {
    run "$ALLOCLAB" list --verbose
    [ "$status" -eq 0 ]
    for w in read_heavy write_heavy overcommit churn fork_cost; do
        [[ "$output" == *"$w"* ]]
    done
    [ "$(grep -c 'knobs:' <<< "$output")" -ge 5 ]
}

@test "the heap is measured without the harness's own memory: system_malloc's baseline comes after it" {
    # 64 live blocks of 64 B (4 KiB): glibc's arena holds about 33x that. The
    # runner's latency arrays (512 KiB a worker) and churn's window come from
    # the same C library heap; counted as the heap's they would read over 128x.
    out=$BATS_TEST_TMPDIR/base.csv
    run "$ALLOCLAB" run --strategy system_malloc --workload churn --window 64 --sizes fixed:64 --ops 20000 \
        --reps 1 --out "$out"
    [ "$status" -eq 0 ]
    col() { head -1 "$out" | tr , '\n' | grep -nx "$1" | cut -d: -f1; }
    frag=$(tail -n +2 "$out" | head -1 | cut -d, -f"$(col fragmentation)")
    echo "fragmentation $frag"
    awk -v f="$frag" 'BEGIN { exit !(f > 1 && f < 100) }'
}
