# (e) churn latency percentiles at 1 thread
set title 'churn at 1 thread: latency of one sampled operation in 64'
set style fill solid 0.6
set boxwidth 0.25
set logscale y
set ylabel 'nanoseconds (log)'
set xtics ()
do for [i=1:nh] { set xtics add (word(heaps, i) i) }
set xrange [0.4:nh+0.6]
plot for [i=1:nh] summary using (i-0.27):((is(G_CHURN, word(heaps, i)) && column('workers') == 1) ? column('lat_p50_ns_median') : NaN) with boxes lc 1 title (i == 1 ? 'p50' : ''), \
     for [i=1:nh] summary using (i):((is(G_CHURN, word(heaps, i)) && column('workers') == 1) ? column('lat_p99_ns_median') : NaN) with boxes lc 2 title (i == 1 ? 'p99' : ''), \
     for [i=1:nh] summary using (i+0.27):((is(G_CHURN, word(heaps, i)) && column('workers') == 1) ? column('lat_p999_ns_median') : NaN) with boxes lc 3 title (i == 1 ? 'p99.9' : '')
