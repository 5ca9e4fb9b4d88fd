# (e) churn latency at 1 thread: allocations and frees apart
set title 'churn at 1 thread: sampled allocation and free latency, stamp cost taken out (dashed: the timer step)'
set style fill solid 0.6
set boxwidth 0.18
set logscale y
set yrange [1:*]
set ylabel 'nanoseconds (log; a bar under the dashed line cannot be told from 0)'
set xtics ()
do for [i=1:nh] { set xtics add (word(heaps, i) i) }
set xrange [0.4:nh+0.6]
churn1(x) = (strcol('group') eq G_CHURN && column('workers') == 1) ? x : NaN
stats summary using (churn1(column('lat_resolution_ns_median'))) nooutput
if (exists('STATS_max')) { set arrow from graph 0, first STATS_max to graph 1, first STATS_max nohead dt 2 lc 'black' }
lat(i, name) = (is(G_CHURN, word(heaps, i)) && column('workers') == 1) ? (column(name) > 1 ? column(name) : 1) : NaN
plot for [i=1:nh] summary using (i-0.3):(lat(i, 'alloc_p50_ns_median')) with boxes lc 1 title (i == 1 ? 'alloc p50' : ''), \
     for [i=1:nh] summary using (i-0.1):(lat(i, 'alloc_p999_ns_median')) with boxes lc 2 title (i == 1 ? 'alloc p99.9' : ''), \
     for [i=1:nh] summary using (i+0.1):(lat(i, 'free_p50_ns_median')) with boxes lc 3 title (i == 1 ? 'free p50' : ''), \
     for [i=1:nh] summary using (i+0.3):(lat(i, 'free_p999_ns_median')) with boxes lc 4 title (i == 1 ? 'free p99.9' : '')
