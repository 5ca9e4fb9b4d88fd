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
            if (!(col in at)) exit 1
            print $(at[col]); exit
        }' "$root/results/reference/$1"
}

# a note's text on one line, runs of spaces as one: a phrase may break across lines
joined() { tr '\n' ' ' < "$1" | tr -s ' '; }

# the value of {file row column} references in an expression, formatted
evaluate() { # format expression
    local expr=$2 ref file row column raw
    while [[ "$expr" =~ \{([^}]*)\} ]]; do
        ref=${BASH_REMATCH[1]}
        read -r file row column <<< "$ref"
        raw=$(value_of "$file" "$row" "$column")
        [[ -n "$raw" && "$raw" != NA ]] || { echo "no $column for $row in $file" >&2; return 1; }
        expr=${expr//"{$ref}"/($raw)}
    done
    awk "BEGIN { printf \"$1\", $expr }"
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
        joined "$root/$note" | grep -qF -- "$phrase" || { echo "$note no longer says: $phrase"; bad=1; continue; }
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
    [ "$n" -eq 17 ]
}

@test "every number in the notes is a reference figure or declared for what it is" {
    bad=0
    for note in "$root"/notes/*.md "$root"/notes/assignments/*.md; do
        rel=${note#"$root"/}
        { awk -F'\t' -v n="$rel" '$1 == n { print $2 }' "$root/tests/notes_figures.txt"
          awk -F'\t' -v n="$rel" '$1 == n { print $3 }' "$root/tests/notes_numbers.txt"; } > "$BATS_TEST_TMPDIR/phrases"
        out=$(awk -v phrases_file="$BATS_TEST_TMPDIR/phrases" -f "$root/tests/notes_numbers.awk" "$note") ||
            { printf '%s\n' "$out" | sed "s|^|$rel: |"; bad=1; }
    done
    [ "$bad" -eq 0 ]
}

@test "the notes' derived figures are computed from the reference run" {
    bad=0 checked=0
    while IFS=$'\t' read -r note kind phrase check; do
        [ "$kind" = derived ] || continue
        figure=$(evaluate "${check%% *}" "${check#* }") || { echo "$note: cannot compute $check"; bad=1; continue; }
        [[ "$phrase" == *"$figure"* ]] || { echo "$note says '$phrase'; the reference gives $figure"; bad=1; }
        checked=$((checked + 1))
    done < "$root/tests/notes_numbers.txt"
    echo "checked $checked derived figures"
    [ "$bad" -eq 0 ] && [ "$checked" -ge 10 ]
}

@test "the notes' figures from the reference's report, claims, check, misuse and heap map outputs are there" {
    # a figure the note rounds matches a reference figure at the note's precision
    cat "$root"/results/reference/{claims.md,report.md,meta.txt,misuse.md} "$root"/results/reference/check_*.txt \
        "$root"/results/reference/heapmap/*/heapmap.txt |
        tr -d ',' | grep -oE '[0-9]+(\.[0-9]+)?(e[+-]?[0-9]+)?' | sort -u > "$BATS_TEST_TMPDIR/words"
    awk -F'\t' '
        FNR == NR { word[++words] = $0; next }
        $2 != "run" { next }
        {
            phrase = $3; gsub(/,/, "", phrase)
            while (match(phrase, /[0-9]+(\.[0-9]+)?(e[+-]?[0-9]+)?/)) {
                number = substr(phrase, RSTART, RLENGTH); phrase = substr(phrase, RSTART + RLENGTH)
                decimals = index(number, ".") ? length(number) - index(number, ".") : 0
                found = 0
                for (i = 1; i <= words && !found; i++) # 1.86e+08 as written; others at their precision
                    found = index(number, "e") ? word[i] == number : sprintf("%." decimals "f", word[i]) == number
                if (!found) { print $1 ": \"" $3 "\": " number " is not in the reference outputs"; bad = 1 }
                checked++
            }
        }
        END { print "checked " checked " numbers"; exit bad || checked < 50 }' \
        "$BATS_TEST_TMPDIR/words" "$root/tests/notes_numbers.txt"
}

@test "every declared number has a known kind" {
    awk -F'\t' '!/^#/ && NF && $2 !~ /^(run|derived|setting|fact|course|history|experiment)$/ { print; bad = 1 } END { exit bad }' \
        "$root/tests/notes_numbers.txt"
}

@test "the misuse lesson's table is the reference run's" {
    # the first table of each: a row per heap, a column per case
    table() { awk '/^\| heap \|/ { t = 1 } t && /^$/ { exit } t' "$1"; }
    [ -n "$(table "$root/results/reference/misuse.md")" ]
    diff <(table "$root/results/reference/misuse.md") <(table "$root/notes/17-misuse.md")
    # and its messages are the reference's
    for m in "free(): double free detected in tcache 2" "malloc(): unaligned tcache chunk detected" \
        "double free or corruption (out)" "munmap_chunk(): invalid pointer" "Attempt to free invalid pointer"; do
        grep -qF -- "$m" "$root/results/reference/misuse.md" || { echo "not in misuse.md: $m"; false; }
        tr '\n' ' ' < "$root/notes/17-misuse.md" | tr -s ' ' | grep -qF -- "$m" || { echo "not in the lesson: $m"; false; }
    done
}

@test "every lesson quoting the reference machine's own limits says what to read on yours" {
    # a figure of calibrate.csv (a page fault's cost, the churn floor, false
    # sharing...) or the timer's step is that machine's: the lesson says what
    # a reader reads in their own run instead ("On your machine")
    notes=$({ awk -F'\t' '!/^#/ && $3 == "calibrate.csv" { print $1 }' "$root/tests/notes_figures.txt"
              awk -F'\t' '$2 == "derived" && $4 ~ /calibrate\.csv|lat_resolution_ns/ { print $1 }' "$root/tests/notes_numbers.txt"; } | sort -u)
    bad=0 checked=0
    for note in $notes; do
        checked=$((checked + 1))
        joined "$root/$note" | grep -q 'On your machine' || { echo "$note quotes the reference machine's limits with no \"On your machine\""; bad=1; }
    done
    echo "checked $checked lessons"
    [ "$bad" -eq 0 ] && [ "$checked" -ge 6 ]
}
