#!/usr/bin/env bash
# new-allocator.sh NAME [FROM]: allocators/NAME.c from the template (a heap),
# or from the built-in strategy FROM (a copy-on-write one for level 4, say),
# registered by the next build. Called by `make new-allocator NAME=... [FROM=...]`.
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
from=${2:-}
if [ -n "$from" ]; then
    if [[ ! $from =~ ^[a-z][a-z0-9_]{0,30}$ ]] || [ ! -f "$here/../$from.c" ]; then
        echo "FROM=$from: no such strategy in allocators/ (see: build/alloclab list)" >&2
        exit 2
    fi
    sed -e "s/allocator_${from}\b/allocator_${name}/" -e "s/\.name = \"${from}\"/.name = \"${name}\"/" \
        -e "1,3s/^ \* ${from} - / * ${name} - started from allocators\/${from}.c: /" "$here/../$from.c" > "$target"
    echo "created allocators/$name.c from $from; build and grade it with: make check ALLOC=$name"
    exit 0
fi
sed -e "s/\btemplate_/${name}_/g" -e "s/allocator_template/allocator_${name}/" \
    -e "s/\.name = \"template\"/.name = \"${name}\"/" \
    -e "s/^ \* template - the starting point of your own strategy\./ * ${name} - started from allocators\/template\/template.c./" \
    "$here/template.c" > "$target"
echo "created allocators/$name.c; build and grade it with: make check ALLOC=$name"
