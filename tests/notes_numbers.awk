# Prints every number in a note that no declared phrase covers: the notes'
# numbers are either figures of the reference run (tests/notes_figures.txt)
# or declared in tests/notes_numbers.txt with what kind of number they are.
#   awk -v phrases_file=PHRASES -f tests/notes_numbers.awk NOTE
# PHRASES: the phrases declared for NOTE, one per line.
BEGIN { while ((getline p < phrases_file) > 0) if (p != "") phrase[++phrases] = p }
/^    / { next }                              # code: commands and diagrams
{
    line = $0
    sub(/^#+ [0-9]+\. /, "# ", line)          # a lesson's own number
    sub(/^ *[0-9]+\. /, "", line)             # an ordered list's marker
    gsub(/\]\([^)]*\)/, "]", line)            # a link's target
    text = text " " line
}
END {
    gsub(/  +/, " ", text)
    # phrases are matched across line breaks and may overlap: every stretch
    # one covers, in the note's own text, is blanked
    for (i = 1; i <= phrases; i++) {
        p = phrase[i]; gsub(/  +/, " ", p)
        from = 1; found = 0
        while ((at = index(substr(text, from), p)) > 0) {
            for (k = from + at - 1; k < from + at - 1 + length(p); k++) covered[k] = 1
            from += at; found = 1
        }
        if (!found) { print "declared but not in the note: " p; bad = 1 }
    }
    blanked = ""
    for (k = 1; k <= length(text); k++) blanked = blanked (k in covered ? " " : substr(text, k, 1))
    text = blanked
    gsub(/`[^`]*`/, "``", text)               # inline code: names and commands
    rest = text
    offset = 0
    while (match(rest, /[0-9]+([.,][0-9]+)*(e[+-]?[0-9]+)?/)) {
        before = offset + RSTART > 1 ? substr(text, offset + RSTART - 1, 1) : " "
        if (before !~ /[A-Za-z_]/) {
            from = offset + RSTART - 30; if (from < 1) from = 1
            print "undeclared: " substr(rest, RSTART, RLENGTH) "   in: ..." substr(text, from, 70) "..."
            bad = 1
        }
        offset += RSTART + RLENGTH - 1
        rest = substr(rest, RSTART + RLENGTH)
    }
    exit bad
}
