# (d) churn: ops/s against threads per heap strategy, with linear scaling from 1 thread
set title 'churn: operations per second against threads (dashed: linear scaling from 1 thread)'
set xlabel 'threads'
set ylabel 'operations per second'
# a tick a thread on a small machine; on a big one, the sweep's points are the powers of two and a few more
stats summary using (strcol('group') eq G_CHURN ? column('workers') : NaN) nooutput
set xtics 1
if (STATS_max > 16) { set xtics auto }
set yrange [0:*]
array base[nh]
do for [i=1:nh] {
    stats summary using ((is(G_CHURN, word(heaps, i)) && column('workers') == 1) ? column('ops_per_sec_median') : NaN) nooutput
    base[i] = STATS_max
}
plot for [i=1:nh] summary using 'workers':(is(G_CHURN, word(heaps, i)) ? column('ops_per_sec_median') : NaN) with linespoints lw 2 lc i title word(heaps, i), \
     for [i=1:nh] summary using 'workers':(is(G_CHURN, word(heaps, i)) ? base[i] * column('workers') : NaN) with lines dt 2 lc i notitle
