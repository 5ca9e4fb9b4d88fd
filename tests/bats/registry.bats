#!/usr/bin/env bats
# Adding a file to allocators/ adds a strategy, with no other edit.

@test "a new file in allocators/ registers itself" {
    root=$BATS_TEST_DIRNAME/../..
    copy=$BATS_TEST_TMPDIR/tree
    mkdir -p "$copy"
    # a copy of the tree without build products
    (cd "$root" && tar --exclude=./build --exclude=./.git --exclude=./results -cf - .) | (cd "$copy" && tar xf -)
    sed -e 's/allocator_system_malloc/allocator_extra_probe/' \
        -e 's/\.name = "system_malloc"/.name = "extra_probe"/' \
        "$copy/allocators/system_malloc.c" > "$copy/allocators/extra_probe.c"
    run make -C "$copy" -s all
    [ "$status" -eq 0 ]
    run "$copy/build/alloclab" list
    [ "$status" -eq 0 ]
    [[ "$output" == *extra_probe* ]]
    [[ "$output" == *system_malloc* ]]
    # and removing it unregisters it again
    rm "$copy/allocators/extra_probe.c"
    run make -C "$copy" -s all
    [ "$status" -eq 0 ]
    run "$copy/build/alloclab" list
    [[ "$output" != *extra_probe* ]]
}
