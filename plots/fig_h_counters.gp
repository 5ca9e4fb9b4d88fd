# (h) hardware counters per strategy on read_heavy (drawn only where the machine has them)
set multiplot layout 1,2 title 'read_heavy: hardware counters (median)'
set style fill solid 0.5
set boxwidth 0.6
set xtics rotate by -30 ('system_malloc' 1, 'locked_freelist' 2, 'block_suballoc' 3, 'fork_cow' 4, 'mprotect_cow' 5)
set xrange [0.3:5.7]
unset key
set title 'instructions per cycle'
set ylabel 'instructions / cycle'
set yrange [0:*]
plot for [i=1:5] summary using (i):((is('main', word(strategies, i)) && strcol('workload') eq 'read_heavy') ? column('instructions_median')/column('cycles_median') : NaN) with boxes lc i
set title 'dTLB load misses'
set ylabel 'misses in the measured phase (log)'
set yrange [*:*]
set logscale y
plot for [i=1:5] summary using (i):((is('main', word(strategies, i)) && strcol('workload') eq 'read_heavy') ? column('dtlb_load_misses_median') : NaN) with boxes lc i
unset multiplot
