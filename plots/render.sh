#!/usr/bin/env bash
# render.sh RUN_DIR PROFILE: draw every figure of a run folder, PNG and SVG.
# One gnuplot script per figure (plots/fig_*.gp), each reading the run's CSV
# files directly. Without gnuplot: one message naming the figures not drawn.
set -u
dir=$1 profile=${2:-?}
here=$(cd "$(dirname "$0")" && pwd)
figures=$(cd "$here" && ls fig_*.gp | sed 's/\.gp$//')
gnuplot=${GNUPLOT:-gnuplot}  # GNUPLOT=... picks another (the tests use a missing one)
if ! command -v "$gnuplot" >/dev/null 2>&1; then
    echo "alloclab: gnuplot is not installed (apt-get install gnuplot-nox): figures not drawn: $(echo $figures)" >&2
    exit 0
fi
host=$(sed -n 's/^host: //p' "$dir/meta.txt" 2>/dev/null)
date=$(sed -n 's/^date: //p' "$dir/meta.txt" 2>/dev/null)
caption="${host:-?}, ${date:-?}, profile ${profile}"
# (h) needs hardware counters: without them the report says so instead
has_counters=$(awk -F, 'NR==1 {for (i = 1; i <= NF; i++) if ($i == "cycles_median") c = i; next}
                         c && $c != "NA" && $c != "" {found = 1} END {print found ? 1 : 0}' "$dir/summary.csv")
# the strategies the run holds, in order (a student's strategy appears too),
# and those with a heap (their churn cells ran)
strategies=$(awk -F, 'NR==1 {for (i = 1; i <= NF; i++) if ($i == "strategy") c = i; next}
                      !seen[$c]++ {printf "%s ", $c}' "$dir/summary.csv")
heaps=$(awk -F, 'NR==1 {for (i = 1; i <= NF; i++) {if ($i == "strategy") c = i; if ($i == "group") g = i; if ($i == "status") s = i}; next}
                 $g == "churn" && $s == "ok" && !seen[$c]++ {printf "%s ", $c}' "$dir/summary.csv")
failed=()
for fig in $figures; do
    if [ "$fig" = fig_h_counters ] && [ "$has_counters" = 0 ]; then
        rm -f "$dir/$fig.png" "$dir/$fig.svg"
        continue
    fi
    for term in png svg; do
        if ! "$gnuplot" -e "dir='$dir'; caption='$caption'; term='$term'; out='$dir/$fig.$term'; strategies='$strategies'; heaps='$heaps'" \
                "$here/common.gp" "$here/$fig.gp" 2>"$dir/$fig.$term.log" || [ ! -s "$dir/$fig.$term" ]; then
            failed+=("$fig.$term")
        else
            rm -f "$dir/$fig.$term.log"
        fi
    done
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "alloclab: gnuplot could not draw: ${failed[*]} (see the .log files beside them in $dir)" >&2
fi
exit 0
