# (m) scaling: speed-up over one worker for larson and the copy workloads, with the ideal (linear) line
# needs: threads_started_median
# The speed-up is the work done per second at N workers over at 1; ideal = N
# (dashed). A copy workload's workers each copy their own view, so N workers
# at wall time T(N) do N times the work: N x T(1) / T(N). larson's workers
# share a total of operations (its plan): operations per second at N over
# at 1.
nw = words(scaling_workloads)
set multiplot layout 1, 1 + nw title 'speed-up over one worker: work done per second at N over at 1 (larson: operations; a copy workload: views); dashed grey: ideal (linear)'
set xlabel 'workers'
set ylabel 'speed-up over 1 worker'
set key inside top left
set yrange [0:*]
set datafile missing NaN # a row of another cell is missing here, and the line goes on through it
cell(g, w, s, m) = strcol('group') eq g && strcol('workload') eq w && strcol('strategy') eq s && strcol('model') eq m
# the work done per second of a (workload, strategy, model)'s row, or NaN; at one worker
rate(g, w, s, m) = cell(g, w, s, m) ? (w eq 'larson' ? column('ops_per_sec_median') : column('workers') * 1e9 / column('wall_ns_median')) : NaN
one(g, w, s, m) = column('workers') == 1 ? rate(g, w, s, m) : NaN
speed(g, w, s, m, r1) = rate(g, w, s, m) / r1
models = 'threads processes'
# line j of a panel: strategy ix(j) of its list, in model md(j) (1 threads, 2 processes)
ix(j) = (j + 1) / 2
md(j) = 2 - j % 2
# one panel: g, w, the strategies in list
do for [panel = 1:1 + nw] {
    g = panel == 1 ? G_LARSON : G_SCALING
    w = panel == 1 ? 'larson' : word(scaling_workloads, panel - 1)
    list = panel == 1 ? larson_heaps : scaling_strategies
    n = words(list)
    array t1[2 * n]
    do for [i = 1:n] {
        do for [k = 1:2] {
            undefine STATS_max
            stats summary using (one(g, w, word(list, i), word(models, k))) nooutput
            t1[2 * (i - 1) + k] = exists('STATS_max') ? STATS_max : NaN
        }
    }
    set title w
    stats summary using (strcol('group') eq g && strcol('workload') eq w ? column('workers') : NaN) nooutput
    top = STATS_max
    set xrange [0.8:top + 0.2]
    set xtics 1
    if (top > 16) { set xtics auto }
    plot for [j = 1:2 * n] summary using 'workers':(speed(g, w, word(list, ix(j)), word(models, md(j)), t1[j])) \
             with linespoints lw 2 lc ix(j) dt md(j) title word(list, ix(j)).(md(j) == 2 ? ' (processes)' : ''), \
         x with lines dt 2 lc 'grey' notitle
}
unset multiplot
