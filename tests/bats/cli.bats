#!/usr/bin/env bats
# The command line: listing, help, and one-line errors with exit 2.

setup() {
    ALLOCLAB=${ALLOCLAB:-$BATS_TEST_DIRNAME/../../build/alloclab}
}

@test "list names the three heap strategies" {
    run "$ALLOCLAB" list
    [ "$status" -eq 0 ]
    [[ "$output" == *system_malloc* ]]
    [[ "$output" == *locked_freelist* ]]
    [[ "$output" == *block_suballoc* ]]
}

@test "list --verbose says how each strategy copies" {
    run "$ALLOCLAB" list --verbose
    [ "$status" -eq 0 ]
    [[ "$output" == *"eager (heap + memcpy)"* ]]
}

@test "--help prints usage and exits 0" {
    run "$ALLOCLAB" --help
    [ "$status" -eq 0 ]
    [[ "$output" == *"usage: alloclab"* ]]
}

@test "every command answers --help with usage and exit 0" {
    for cmd in list run sysinfo bench check gen-traces claims report; do
        run "$ALLOCLAB" "$cmd" --help
        [ "$status" -eq 0 ]
        [[ "$output" == *"usage: alloclab"* ]]
    done
}

@test "no command: usage on stderr, exit 2" {
    run "$ALLOCLAB"
    [ "$status" -eq 2 ]
}

@test "unknown command: one line, exit 2" {
    run "$ALLOCLAB" frobnicate
    [ "$status" -eq 2 ]
    [ "${#lines[@]}" -eq 1 ]
    [[ "${lines[0]}" == "alloclab: unknown command 'frobnicate'"* ]]
}

@test "unknown option: one line, exit 2" {
    run "$ALLOCLAB" --frobnicate
    [ "$status" -eq 2 ]
    [ "${#lines[@]}" -eq 1 ]
    [[ "${lines[0]}" == "alloclab: unknown option '--frobnicate'"* ]]
    run "$ALLOCLAB" list --frobnicate
    [ "$status" -eq 2 ]
    [ "${#lines[@]}" -eq 1 ]
}
