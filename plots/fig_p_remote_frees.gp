# (p) remote frees: larson and producer_consumer, speed and what the heap held for what was live
# needs: producer_stalls_median
nh2 = words(handoff_heaps)
stats summary using (strcol('group') eq G_LARSON ? column('workers') : NaN) nooutput
top_l = STATS_max
stats summary using (strcol('group') eq G_HANDOFF ? column('workers') : NaN) nooutput
top_h = STATS_max
set multiplot layout 1,2 title sprintf('blocks freed by another thread: larson (%d workers, a new thread each round) and producer_consumer (%d workers: one allocates, one frees)', top_l, top_h)
set style fill solid 0.6
set boxwidth 0.35
set xrange [0.4:nh2 + 0.6]
xt = 'set xtics rotate by -30 ('
do for [i=1:nh2] { xt = xt.sprintf("'%s' %d%s", word(handoff_heaps, i), i, i < nh2 ? ', ' : ')') }
eval xt
set key inside top left
set offsets 0, 0, graph 0.15, 0 # room for the key above the bars
pick(g, n, s, name) = strcol('group') eq g && strcol('strategy') eq s && column('workers') == n ? column(name) : NaN
set title 'heap operations per second (median, min-max whiskers)'
set ylabel 'operations/s (log)'
set logscale y
plot \
     for [i=1:nh2] summary using (i - 0.2):(pick(G_LARSON, top_l, word(handoff_heaps, i), 'ops_per_sec_median')) with boxes lc 1 title (i == 1 ? 'larson' : ''), \
     for [i=1:nh2] summary using (i + 0.15):(pick(G_HANDOFF, top_h, word(handoff_heaps, i), 'ops_per_sec_median')) with boxes lc 2 title (i == 1 ? 'producer_consumer' : ''), \
     for [i=1:nh2] summary using (i - 0.2):(pick(G_LARSON, top_l, word(handoff_heaps, i), 'ops_per_sec_median')):(pick(G_LARSON, top_l, word(handoff_heaps, i), 'ops_per_sec_min')):(pick(G_LARSON, top_l, word(handoff_heaps, i), 'ops_per_sec_max')) with yerrorbars lc 'black' pt 0 notitle, \
     for [i=1:nh2] summary using (i + 0.15):(pick(G_HANDOFF, top_h, word(handoff_heaps, i), 'ops_per_sec_median')):(pick(G_HANDOFF, top_h, word(handoff_heaps, i), 'ops_per_sec_min')):(pick(G_HANDOFF, top_h, word(handoff_heaps, i), 'ops_per_sec_max')) with yerrorbars lc 'black' pt 0 notitle
unset logscale y
set title 'peak bytes reserved over peak bytes live (the heap''s own counters)'
set ylabel 'ratio (1: nothing held beyond the live blocks)'
set yrange [0:*]
plot for [i=1:nh2] summary using (i - 0.2):(pick(G_LARSON, top_l, word(handoff_heaps, i), 'fragmentation_median')) with boxes lc 1 title (i == 1 ? 'larson' : ''), \
     for [i=1:nh2] summary using (i + 0.15):(pick(G_HANDOFF, top_h, word(handoff_heaps, i), 'fragmentation_median')) with boxes lc 2 title (i == 1 ? 'producer_consumer' : '')
unset multiplot
