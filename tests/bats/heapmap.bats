#!/usr/bin/env bats
# alloclab heapmap and step --map: a heap drawn over a trace.

setup() {
    ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
    ALLOCLAB=${ALLOCLAB:-$ROOT/build/alloclab}
    cd "$ROOT"
    # allocations, a realloc that grows, frees in another order
    printf '%s\n' 4096 6 10 1 'a 0 100' 'a 1 200' 'a 2 50' 'f 1' 'r 0 3000' 'a 3 64' 'f 2' 'a 4 10' 'f 0' \
        'a 5 400' > "$BATS_TEST_TMPDIR/short.rep"
}

# Is every bar of heapmap_blocks.csv alive exactly while its block is, after every operation of the
# trace? One line per operation where the two differ.
bars_are_live_blocks() { # trace blocks.csv
    awk -F'[ ,]' '
        FNR == NR { if (FNR > 4) { k = FNR - 5; if ($1 == "f") delete size[$2]; else size[$2] = $3
                                   for (id in size) live[k, id] = size[id]; ops = k + 1 }
                    next }
        FNR > 1 { for (k = $4; k < $5; k++) bar[k, $1] = $3 }
        END {
            for (key in live) if (!(key in bar) || bar[key] != live[key]) {
                split(key, p, SUBSEP); print "op " p[1] ": id " p[2] " live, no bar of its size"; bad = 1 }
            for (key in bar) if (!(key in live)) { split(key, p, SUBSEP); print "op " p[1] ": a bar for id " p[2] " not live"; bad = 1 }
            exit bad
        }' "$1" "$2"
}

@test "heapmap: png, svg and csv, whose bars are the trace's live blocks after every operation, for every kind of heap" {
    command -v gnuplot || skip "gnuplot is not installed (apt-get install gnuplot-nox)"
    drawn=0
    for s in locked_freelist block_suballoc system_malloc jemalloc; do
        out=$BATS_TEST_TMPDIR/$s
        at=() # the moment on two of them: each figure is a gnuplot run
        [[ $s == locked_freelist || $s == system_malloc ]] && at=(--at 6)
        run "$ALLOCLAB" heapmap --strategy "$s" --trace "$BATS_TEST_TMPDIR/short.rep" "${at[@]}" --out "$out"
        echo "$output"
        if [[ "$output" == *"is unavailable"* ]]; then continue; fi # a reference library not installed
        [ "$status" -eq 0 ]
        for f in heapmap.png heapmap.svg heapmap_blocks.csv heapmap_mappings.csv heapmap_regions.csv \
            heapmap_util.csv ${at:+heapmap_at.png heapmap_at.svg heapmap_at.csv}; do
            [ -s "$out/$f" ] || { echo "$s: no $f"; false; }
        done
        head -1 "$out/heapmap_blocks.csv" | grep -qx 'id,addr,size,from,to,region,y_lo,y_hi'
        bars_are_live_blocks "$BATS_TEST_TMPDIR/short.rep" "$out/heapmap_blocks.csv"
        if [ -n "${at[*]}" ]; then # the moment: ids 0 (3000 B) and 3 (64 B), every live byte counted once
            [[ "$output" == *"after op 6: live 3064 B"* ]]
            [ "$(awk -F, '$1 == "live" { n += $4 } END { print n }' "$out/heapmap_at.csv")" -eq 3064 ]
        fi
        # the mappings: the ledger's for alloclab's heaps, the kernel's for a library's; some hold the blocks
        [ "$(wc -l < "$out/heapmap_mappings.csv")" -ge 2 ]
        drawn=$((drawn + 1))
    done
    [ "$drawn" -ge 3 ]
}

@test "heapmap: the free blocks a strategy lists are counted apart at the moment" {
    command -v gnuplot || skip "gnuplot is not installed (apt-get install gnuplot-nox)"
    run "$ALLOCLAB" heapmap --strategy locked_freelist --trace "$BATS_TEST_TMPDIR/short.rep" --at 3 --out "$BATS_TEST_TMPDIR/m"
    echo "$output"
    [ "$status" -eq 0 ]
    # after op 3, id 1's block is a hole between ids 0 and 2: two free blocks with the rest of the arena
    [[ "$output" == *"in the 2 free blocks the strategy lists"* ]]
    grep -q '^listed_free,' "$BATS_TEST_TMPDIR/m/heapmap_at.csv"
}

@test "heapmap: bad input gets one line and exit 2" {
    for args in "" "--strategy nosuch --trace $BATS_TEST_TMPDIR/short.rep" \
        "--strategy fork_cow --trace $BATS_TEST_TMPDIR/short.rep" "--strategy locked_freelist" \
        "--strategy locked_freelist --trace /nonexistent.rep" \
        "--strategy locked_freelist --trace $BATS_TEST_TMPDIR/short.rep --at 10" \
        "--strategy locked_freelist --trace $BATS_TEST_TMPDIR/short.rep --at -1" \
        "--strategy locked_freelist --trace $BATS_TEST_TMPDIR/short.rep --at x" \
        "--strategy locked_freelist --options fit=worst --trace $BATS_TEST_TMPDIR/short.rep" \
        "--strategy locked_freelist --trace $BATS_TEST_TMPDIR/short.rep --out /proc/version/x" \
        "--strategy locked_freelist --trace $BATS_TEST_TMPDIR/short.rep extra" "--bogus"; do
        run "$ALLOCLAB" heapmap $args
        echo "heapmap $args: $status: $output"
        [ "$status" -eq 2 ] && [ "${#lines[@]}" -eq 1 ] && [[ "$output" == "alloclab: "* ]]
    done
    [[ "$output" == *"unknown or incomplete option '--bogus'"* ]]
    run "$ALLOCLAB" heapmap --strategy locked_freelist --trace "$BATS_TEST_TMPDIR/short.rep" --at 10
    [[ "$output" == *"--at 10: short.rep has operations 0 to 9"* ]]
    printf '10\n1\n1\n1\nf 0\n' > "$BATS_TEST_TMPDIR/bad.rep"
    run "$ALLOCLAB" heapmap --strategy locked_freelist --trace "$BATS_TEST_TMPDIR/bad.rep"
    [ "$status" -eq 2 ] && [[ "$output" == *"bad.rep:5:"* ]]
    run "$ALLOCLAB" heapmap --help
    [ "$status" -eq 0 ] && [[ "$output" == *"heapmap --strategy S"* ]]
}

@test "step --map draws the map after each operation, and the answers are as without it" {
    command -v gnuplot || skip "gnuplot is not installed (apt-get install gnuplot-nox)"
    printf '%s\n' 4096 2 3 1 'a 0 100' 'a 1 200' 'f 0' > "$BATS_TEST_TMPDIR/three.rep"
    run "$ALLOCLAB" step --strategy locked_freelist --trace "$BATS_TEST_TMPDIR/three.rep" --answers
    plain=$output
    run "$ALLOCLAB" step --strategy locked_freelist --trace "$BATS_TEST_TMPDIR/three.rep" --answers \
        --map "$BATS_TEST_TMPDIR/steps"
    echo "$output"
    [ "$status" -eq 0 ]
    for k in 000 001 002; do
        [ -s "$BATS_TEST_TMPDIR/steps/step-$k.png" ]
        [[ "$output" == *"map: $BATS_TEST_TMPDIR/steps/step-$k.png"* ]]
    done
    [ ! -e "$BATS_TEST_TMPDIR/steps/step-003.png" ]
    diff <(grep -v '^  map: ' <<< "$output") <(echo "$plain")
    # the last moment: id 1 alone is live
    [ "$(awk -F, '$1 == "live" { n += $4 } END { print n }' "$BATS_TEST_TMPDIR/steps/heapmap_at.csv")" -eq 200 ]
    run "$ALLOCLAB" step --strategy locked_freelist --trace "$BATS_TEST_TMPDIR/three.rep" --answers --map /proc/version/x
    [ "$status" -eq 2 ] && [ "${#lines[@]}" -eq 1 ]
}
