#!/usr/bin/env bats
# alloclab misuse: each misuse case in a process of its own, on every heap, classified.

setup() {
    ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
    ALLOCLAB=${ALLOCLAB:-$ROOT/build/alloclab}
    cd "$ROOT"
}

# a column of misuse.csv's row for a heap and a case (a column before the quoted ones, or the message
# where the detail before it has no comma)
cell() { # file subject case column
    awk -F, -v s="$2" -v c="$3" -v col="$4" '
        NR == 1 { for (i = 1; i <= NF; i++) at[$i] = i; next }
        $1 == s && $4 == c { print $(at[col]); exit }' "$1"
}

@test "misuse: glibc's double free is detected with its message; each built-in heap does what it is built to" {
    out=$BATS_TEST_TMPDIR/m
    run "$ALLOCLAB" misuse --strategy system_malloc --strategy locked_freelist --strategy block_suballoc \
        --case double_free --case free_stack --case zero_write --case huge --out "$out"
    echo "$output"
    [ "$status" -eq 0 ]
    csv=$out/misuse.csv
    cat "$csv"
    # glibc, as packaged and behind the interface: stopped with "free(): double free detected in tcache 2"
    for s in glibc system_malloc; do
        [ "$(cell "$csv" "$s" double_free class)" = detected ]
        [ "$(cell "$csv" "$s" double_free ended)" = SIGABRT ]
        [[ "$(cell "$csv" "$s" double_free message)" == *"double free detected"* ]]
    done
    # block_suballoc's thread cache takes the block back twice and hands it out twice, at the same address
    [ "$(cell "$csv" block_suballoc double_free class)" = corrupted ]
    [ "$(cell "$csv" block_suballoc double_free finding)" = overlap ]
    grep -q '^block_suballoc,block_suballoc,interface,double_free,corrupted,.*, at the same address' "$csv"
    # locked_freelist reads the boundary tag in front of the pointer it is given: on the stack, garbage
    [ "$(cell "$csv" locked_freelist free_stack class)" = crashed ]
    [ "$(cell "$csv" locked_freelist free_stack stopped)" = misuse ]
    # the contract: size 0 and absurd sizes are refused, so there is nothing to misuse
    for s in system_malloc locked_freelist block_suballoc; do
        [ "$(cell "$csv" "$s" zero_write class)" = harmless ]
        [ "$(cell "$csv" "$s" huge class)" = harmless ]
        [ "$(cell "$csv" "$s" huge finding)" = refused ]
    done
    # the table: a row per heap (glibc as packaged among them), a column per case
    grep -qx '| heap | double free | free of a stack address | huge request | write to malloc(0) |' "$out/misuse.md"
    [ "$(awk '/^\| heap \|/ { t = 1 } t && /^$/ { exit } t' "$out/misuse.md" |
         grep -c '^| \(system_malloc\|glibc\|locked_freelist\|block_suballoc\) |')" -eq 4 ]
    [ "$(wc -l < "$csv")" -eq $((1 + 4 * 4)) ]
    if command -v gnuplot; then [ -s "$out/misuse.png" ] && [ -s "$out/misuse.svg" ]; fi
}

@test "misuse: every heap and case, the reference allocators as packaged too, each classified once" {
    out=$BATS_TEST_TMPDIR/all
    SECONDS=0
    run "$ALLOCLAB" misuse --out "$out"
    echo "$output"
    echo "took $SECONDS s"
    [ "$status" -eq 0 ]
    csv=$out/misuse.csv
    head -1 "$csv" | grep -qx 'subject,strategy,via,case,class,ended,stopped,finding,detail,message'
    for s in system_malloc locked_freelist block_suballoc glibc jemalloc mimalloc tcmalloc \
        "jemalloc as packaged" "mimalloc as packaged" "tcmalloc as packaged"; do
        [ "$(awk -F, -v s="$s" '$1 == s' "$csv" | wc -l)" -eq 9 ] || { echo "not 9 rows for $s"; false; }
    done
    # a class for each, from the six; NA only where a library is not installed
    awk -F, 'NR > 1 && $5 !~ /^(detected|crashed|corrupted|warned|harmless|hung)$/ && !($5 == "NA" && $6 == "not run") { print; bad = 1 }
             END { exit bad }' "$csv"
    # detected means a message; crashed means none
    awk -F, 'NR > 1 && (($5 == "detected" && $NF == "\"\"") || ($5 == "crashed" && $NF != "\"\"")) { print; bad = 1 }
             END { exit bad }' "$csv"
    [ "$SECONDS" -lt 60 ]
}

@test "misuse: bad input gets one line and exit 2" {
    for args in "--strategy nosuch" "--strategy fork_cow" "--case nosuch" "--bogus" "extra" "--out /proc/version/x"; do
        run "$ALLOCLAB" misuse $args
        echo "misuse $args: $status: $output"
        [ "$status" -eq 2 ] && [ "${#lines[@]}" -eq 1 ] && [[ "$output" == "alloclab: "* ]]
    done
    run "$ALLOCLAB" misuse --help
    [ "$status" -eq 0 ] && [[ "$output" == *"misuse [--strategy S]"* ]]
}
