#!/usr/bin/env bats
# The notes quote the reference run (results/reference): each figure listed
# in tests/notes_figures.txt is formatted from the reference's CSV files and
# must appear, in its phrase, in the note that quotes it.

setup() {
    root=$BATS_TEST_DIRNAME/../..
}

# the value of a column in the row of a CSV file matching key=value pairs
value_of() { # file selector column
    awk -F, -v sel="$2" -v col="$3" '
        NR == 1 { for (i = 1; i <= NF; i++) at[$i] = i; n = split(sel, pairs, ","); next }
        {
            for (k = 1; k <= n; k++) {
                split(pairs[k], kv, "=")
                v = $(at[kv[1]])
                if (!(kv[1] in at) || (v != kv[2] && !(v ~ /^[-0-9.e+]+$/ && kv[2] ~ /^[-0-9.e+]+$/ && v + 0 == kv[2] + 0)))
                    next
            }
            print $(at[col]); exit
        }' "$root/results/reference/$1"
}

@test "every figure the notes quote from the reference run is the reference's" {
    bad=0 checked=0
    while IFS=$'\t' read -r note phrase file row column format scale; do
        [[ -z "$note" || "$note" == \#* ]] && continue
        raw=$(value_of "$file" "$row" "$column")
        if [ -z "$raw" ] || [ "$raw" = NA ]; then
            echo "$file has no $column for $row"; bad=1; continue
        fi
        figure=$(awk -v x="$raw" -v s="$scale" -v f="$format" 'BEGIN { printf f, x * s }')
        grep -qF -- "$phrase" "$root/$note" || { echo "$note no longer says: $phrase"; bad=1; continue; }
        [[ "$phrase" == *"$figure"* ]] || { echo "$note quotes '$phrase'; the reference gives $figure ($column of $row)"; bad=1; }
        checked=$((checked + 1))
    done < "$root/tests/notes_figures.txt"
    echo "checked $checked figures"
    [ "$bad" -eq 0 ] && [ "$checked" -ge 25 ]
}

@test "the scores the notes quote are the reference check's" {
    for s in locked_freelist block_suballoc; do
        score=$(sed -n "s/^$s score: \([0-9]*\)\/100.*/\1/p" "$root/results/reference/check_$s.txt")
        util=$(sed -n 's/.*utilization U = \([0-9.]*\)%.*/\1/p' "$root/results/reference/check_$s.txt")
        [ -n "$score" ] && [ -n "$util" ]
        echo "$s: score $score, U $util%"
        # the notes' lines joined: a phrase may break across them
        tr '\n' ' ' < "$root/notes/05-trace.md" | grep -q "$s [^.]*$score"
        tr '\n' ' ' < "$root/notes/assignments/README.md" |
            grep -qE "$s [^;]*U = ($util|$(printf '%.0f' "$util"))%[^;]*scores[^;]*$score"
    done
}

@test "the notes are numbered in the order of the course" {
    n=0
    while read -r file; do
        n=$((n + 1))
        printf -v want '%02d-' "$n"
        [[ "$(basename "$file")" == "$want"* ]] || { echo "lesson $n is $file"; false; }
        head -1 "$root/notes/$file" | grep -q "^# $n\. " || { echo "$file's title is not numbered $n"; false; }
    done < <(sed -n 's/^[0-9]*\. \[[^]]*\](\([0-9][0-9]-[a-z_-]*\.md\)).*/\1/p' "$root/notes/README.md")
    [ "$n" -eq 12 ]
}
