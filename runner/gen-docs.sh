#!/usr/bin/env bash
# gen-docs.sh ALLOCLAB FILE [--check]: put the sections `alloclab list
# --markdown` generates between their markers in FILE
# (<!-- generated: NAME --> ... <!-- end: NAME -->). With --check, change
# nothing and fail, naming the sections, when FILE differs from the code.
set -euo pipefail
alloclab=$1 file=$2 mode=${3:-write}
generated=$(mktemp) updated=$(mktemp)
trap 'rm -f "$generated" "$updated"' EXIT
"$alloclab" list --markdown > "$generated"
awk -v gen="$generated" '
    BEGIN { # every generated section, by name
        while ((getline line < gen) > 0) {
            if (line ~ /^<!-- generated: /) { name = line; sub(/^<!-- generated: /, "", name); sub(/ -->$/, "", name); body[name] = ""; cur = name; continue }
            if (line ~ /^<!-- end: /) { cur = ""; continue }
            if (cur != "") body[cur] = body[cur] line "\n"
        }
    }
    /^<!-- generated: / { print; name = $0; sub(/^<!-- generated: /, "", name); sub(/ -->$/, "", name)
                          if (!(name in body)) { print "gen-docs: unknown section " name > "/dev/stderr"; exit 1 }
                          printf "%s", body[name]; skipping = 1; next }
    /^<!-- end: / { skipping = 0 }
    !skipping { print }
' "$file" > "$updated"
if [ "$mode" = --check ]; then
    if ! diff -u "$file" "$updated" >&2; then
        echo "gen-docs: $file is out of date with the code: run 'make docs'" >&2
        exit 1
    fi
    exit 0
fi
cat "$updated" > "$file"
