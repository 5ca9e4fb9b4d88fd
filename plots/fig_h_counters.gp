# (h) hardware counters per strategy on read_heavy, the most lookups measured (drawn only where the machine has them)
# needs: cycles_median
set multiplot layout 1,2 title 'read_heavy: hardware counters (median)'
set style fill solid 0.5
set boxwidth 0.6
eval strategy_xtics
set xrange [0.3:ns+0.7]
unset key
set title 'instructions per cycle'
set ylabel 'instructions / cycle'
set yrange [0:*]
plot for [i=1:ns] summary using (i):((is(G_LOOKUPS, word(strategies, i)) && strcol('view') eq 'private' && column('reads') == most_reads) ? column('instructions_median')/column('cycles_median') : NaN) with boxes lc i
set title 'dTLB load misses'
set ylabel 'misses in the measured phase (log)'
set yrange [*:*]
set logscale y
plot for [i=1:ns] summary using (i):((is(G_LOOKUPS, word(strategies, i)) && strcol('view') eq 'private' && column('reads') == most_reads) ? column('dtlb_load_misses_median') : NaN) with boxes lc i
unset multiplot
