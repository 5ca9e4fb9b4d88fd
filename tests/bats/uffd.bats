#!/usr/bin/env bats
# uffd_cow from the command line: as an ordinary user, and where the system
# forbids userfaultfd (unavailable, said in one line, never a crash).

setup() {
    root=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
    if "$ALLOCLAB" list | grep -q 'uffd_cow.*unavailable here'; then
        skip "uffd_cow is unavailable on this machine: $("$ALLOCLAB" list | grep uffd_cow)"
    fi
}

# pages written and copied of the one measured row of a write_heavy cell
copies() { awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } { print $c["pages_written"], $c["pages_copied"] }' "$1"; }

@test "uffd_cow: every mode copies exactly the pages written (write_heavy, random order, 2 workers)" {
    for mode in auto sigbus async; do
        run "$ALLOCLAB" run --strategy uffd_cow --options mode=$mode --workload write_heavy --size 8M \
            --write-fraction 0.3 --pattern random --reps 1 --out "$BATS_TEST_TMPDIR/$mode.csv"
        echo "$mode: $output"
        [ "$status" -eq 0 ]
        read -r written copied < <(copies "$BATS_TEST_TMPDIR/$mode.csv")
        [ "$written" -eq 1228 ] && [ "$copied" -eq 1228 ] # round(0.3 x 2048) pages, each of two workers
    done
}

@test "uffd_cow runs as an ordinary user (a user-mode-only descriptor)" {
    out=$(mktemp -d /tmp/alloclab-user.XXXXXX)
    if [ "$(id -u)" -ne 0 ]; then
        user_run=() # already one
    elif command -v setpriv >/dev/null; then
        user_run=(setpriv --reuid=65534 --regid=65534 --clear-groups)
        chmod 0777 "$out"
        # the path to the program must be open to that user
        "${user_run[@]}" test -x "$ALLOCLAB" || skip "nobody cannot reach $ALLOCLAB"
    else
        skip "setpriv is missing (util-linux)"
    fi
    "${user_run[@]}" sh -c 'id -u' | grep -vx 0
    run "${user_run[@]}" "$ALLOCLAB" run --strategy uffd_cow --workload write_heavy --size 4M --write-fraction 0.5 \
        --reps 1 --out "$out/user.csv"
    echo "$output"
    [ "$status" -eq 0 ]
    read -r written copied < <(copies "$out/user.csv")
    rm -rf "$out"
    [ "$written" -eq 1024 ] && [ "$copied" -eq 1024 ]
}

@test "uffd_cow where userfaultfd is forbidden: unavailable, with the reason, in list and run" {
    cc -std=c11 -O1 -shared -fPIC -o "$BATS_TEST_TMPDIR/deny.so" "$root/tests/programs/deny_userfaultfd.c" -ldl
    export LD_PRELOAD="$BATS_TEST_TMPDIR/deny.so"
    run "$ALLOCLAB" list
    [ "$status" -eq 0 ]
    [[ "$output" == *"unavailable here: userfaultfd is not allowed here (Operation not permitted"* ]]
    run "$ALLOCLAB" run --strategy uffd_cow --workload write_heavy --size 4M --reps 1 --out "$BATS_TEST_TMPDIR/x.csv"
    echo "$output"
    [ "$status" -eq 2 ]
    [ "${#lines[@]}" -eq 1 ]
    [[ "$output" == *"uffd_cow is unavailable: userfaultfd is not allowed here"* ]]
    [ ! -e "$BATS_TEST_TMPDIR/x.csv" ]
    # the other copy-on-write strategies still run, in the same environment
    run "$ALLOCLAB" run --strategy mprotect_cow --workload write_heavy --size 4M --reps 1 --out "$BATS_TEST_TMPDIR/m.csv"
    [ "$status" -eq 0 ]
}
