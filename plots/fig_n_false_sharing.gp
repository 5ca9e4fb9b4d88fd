# (n) false sharing: where the heap put two threads' small objects, and what each write then cost
# needs: shared_lines_median
nf = words(fs_heaps)
stats summary using (strcol('group') eq G_FALSE_SHARING ? column('workers') : NaN) nooutput
top = STATS_max
set multiplot layout 1,2 title sprintf('false_sharing at %d workers: cache-thrash (own objects) and cache-scratch (first objects from worker 0, freed by their worker)', top)
set style fill solid 0.6
set boxwidth 0.35
set xrange [0.4:nf + 0.6]
xt = 'set xtics rotate by -30 ('
do for [i=1:nf] { xt = xt.sprintf("'%s' %d%s", word(fs_heaps, i), i, i < nf ? ', ' : ')') }
eval xt
set key inside top left
modes = 'thrash scratch'
at(s, m, n) = strcol('group') eq G_FALSE_SHARING && strcol('strategy') eq s && strcol('mode') eq m && column('workers') == n
pick(s, m, n, name) = at(s, m, n) ? column(name) : NaN
set title 'objects on a line another worker used (from the addresses)'
set ylabel 'share of a worker''s objects (the worst worker)'
set yrange [0:1.25]
plot for [k=1:2] for [i=1:nf] summary using (i - 0.375 + 0.35 * k):(pick(word(fs_heaps, i), word(modes, k), top, 'shared_lines_median')) \
         with boxes lc k title (i == 1 ? word(modes, k) : '')
# the slowdown: a write's time at top workers over at one, per heap and mode
array one[2 * nf]
do for [i=1:nf] {
    do for [k=1:2] {
        undefine STATS_max
        stats summary using (pick(word(fs_heaps, i), word(modes, k), 1, 'write_ns_median')) nooutput
        one[2 * (i - 1) + k] = exists('STATS_max') ? STATS_max : NaN
    }
}
set title (false_sharing_cost == false_sharing_cost ? sprintf('time per write, %d workers over 1 (grey: a shared line, calibrated: %.2fx)', top, false_sharing_cost) : sprintf('time per write, %d workers over 1', top))
set ylabel 'slowdown (1: none)'
set yrange [0:*]
set offsets 0, 0, graph 0.15, 0 # room for the key above the bars
plot for [k=1:2] for [i=1:nf] summary using (i - 0.375 + 0.35 * k):(pick(word(fs_heaps, i), word(modes, k), top, 'write_ns_median') / one[2 * (i - 1) + k]) \
         with boxes lc k title (i == 1 ? word(modes, k) : ''), \
     (false_sharing_cost == false_sharing_cost ? false_sharing_cost : 1/0) with lines dt 2 lc 'grey' notitle
unset multiplot
