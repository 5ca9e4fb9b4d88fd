#!/usr/bin/env bats
# The instrument stays out of the measurement: a library heap's reserved
# bytes come from the untimed memory pass (rep 0) and never from a timed
# repetition; the plain-loop control runs beside system_malloc and the
# report gives the harness cost; the copy-on-write fault targets are taken
# over each strategy's own floor.

setup() {
    ALLOCLAB=${ALLOCLAB:-$BATS_TEST_DIRNAME/../../build/alloclab}
}

# col FILE COLUMN: that column of every data row
col() {
    awk -F, -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next } { print $k }' "$1"
}

@test "a library heap: the memory pass (rep 0) has the memory figures alone, timed repetitions have none of it" {
    cd "$BATS_TEST_TMPDIR"
    run "$ALLOCLAB" run --strategy system_malloc --workload churn --ops 200000 --window 4096 --reps 3 --out raw.csv
    [ "$status" -eq 0 ]
    [ "$(col raw.csv rep | tr '\n' ' ')" = "0 1 2 3 " ]
    # rep 0: fragmentation and the reserved peak measured, no time at all
    [ "$(col raw.csv fragmentation | head -1)" != NA ]
    [ "$(col raw.csv reserved_peak_kib | head -1)" != NA ]
    [ "$(col raw.csv wall_ns | head -1)" = NA ]
    [ "$(col raw.csv ops_per_sec | head -1)" = NA ]
    # timed: times, and no reserved peak (nothing asked the library)
    [ "$(col raw.csv reserved_peak_kib | tail -3 | sort -u)" = NA ]
    ! col raw.csv ops_per_sec | tail -3 | grep -q NA
    # the summary counts 3 measured repetitions and takes fragmentation from the pass
    [ "$(col summary.csv reps_ok)" = 3 ]
    [ "$(col summary.csv fragmentation_median)" = "$(col raw.csv fragmentation | head -1)" ]
}

@test "alloclab's own heap counts what it reserved in every repetition" {
    cd "$BATS_TEST_TMPDIR"
    run "$ALLOCLAB" run --strategy block_suballoc --workload churn --ops 200000 --window 4096 --reps 2 --out raw.csv
    [ "$status" -eq 0 ]
    ! col raw.csv fragmentation | grep -q NA
}

@test "the plain-loop control: a cell of its own, no stamps, refused where there is no plain loop" {
    cd "$BATS_TEST_TMPDIR"
    run "$ALLOCLAB" run --strategy plain_loop --workload larson --ops 200000 --reps 2 --out raw.csv
    [ "$status" -eq 0 ]
    [ "$(col raw.csv strategy | sort -u)" = plain_loop ]
    [ "$(col raw.csv rep | tr '\n' ' ')" = "1 2 " ] # nothing to sample in a memory pass
    [ "$(col raw.csv alloc_p50_ns | sort -u)" = NA ]
    ! col raw.csv ops_per_sec | grep -q NA
    run "$ALLOCLAB" run --strategy plain_loop --workload write_heavy --reps 1 --out other.csv
    [ "$status" -eq 2 ]
    [ "$(grep -c . <<< "$output")" -eq 1 ]
    grep -q "no plain loop" <<< "$output"
    [ ! -e other.csv ]
}

@test "the bench runs the control beside system_malloc in every heap group, and the report gives the harness cost" {
    run "$ALLOCLAB" bench --profile test --workload producer_consumer --dry-run
    [ "$status" -eq 0 ]
    [ "$(grep -c " plain_loop " <<< "$output")" -eq "$(grep -c " system_malloc " <<< "$output")" ]
    out="$BATS_TEST_TMPDIR/run"
    run "$ALLOCLAB" bench --profile test --workload churn --out "$out"
    [ "$status" -eq 0 ]
    grep -q "^## harness cost" "$out/report.md"
    # one row per system_malloc cell of the churn and frag groups
    [ "$(grep -c '^| churn | churn |\|^| frag | churn |' "$out/report.md")" -eq \
      "$(awk -F, '$2 == "system_malloc" && $3 == "churn"' "$out/summary.csv" | wc -l)" ]
    grep -q "^| harness cost, churn (churn)" "$out/report.md"
    grep -q "^| harness cost, frag (churn)" "$out/report.md"
}

@test "the fault targets are over each strategy's own floor, paired round by round" {
    out="$BATS_TEST_TMPDIR/cal"
    mkdir -p "$out"
    run "$ALLOCLAB" sysinfo --calibrate --out "$out"
    [ "$status" -eq 0 ]
    for r in mprotect_cow_floor mprotect_cow_over_floor uffd_cow_over_floor uffd_cow_async_over_floor; do
        grep -q "^$r," "$out/calibrate.csv" || { echo "no $r"; false; }
    done
    # the floor is the same kernel work with nothing added: the strategy costs about as much or more
    ratio=$(awk -F, '$1 == "mprotect_cow_over_floor" { print $2 }' "$out/calibrate.csv")
    awk -v r="$ratio" 'BEGIN { exit !(r > 0.7 && r < 3) }'
}
