#!/usr/bin/env bash
# new-allocator.sh NAME: allocators/NAME.c from the template, registered by
# the next build. Called by `make new-allocator NAME=...`.
set -euo pipefail
name=${1:-}
here=$(cd "$(dirname "$0")" && pwd)
if [[ ! $name =~ ^[a-z][a-z0-9_]{0,30}$ ]]; then
    echo "usage: make new-allocator NAME=<name>: a lower-case C identifier (letters, digits, _)" >&2
    exit 2
fi
target=$here/../$name.c
if [ -e "$target" ] || [ "$name" = template ]; then
    echo "allocators/$name.c exists already: choose another NAME" >&2
    exit 2
fi
sed -e "s/\btemplate_/${name}_/g" -e "s/allocator_template/allocator_${name}/" \
    -e "s/\.name = \"template\"/.name = \"${name}\"/" \
    -e "s/^ \* template - the starting point of your own strategy\./ * ${name} - started from allocators\/template\/template.c./" \
    "$here/template.c" > "$target"
echo "created allocators/$name.c; build and grade it with: make check ALLOC=$name"
