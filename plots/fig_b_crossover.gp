# (b) the crossover: wall time against the fraction of pages written
set title 'write_heavy: wall time against write fraction (0 is drawn at 1e-4)'
set logscale x
set xlabel 'fraction of pages written by each worker (log)'
set ylabel 'wall time (ms)'
set yrange [0:*]
plot for [s in strategies] summary using ((column('write_fraction') > 0 ? column('write_fraction') : 1e-4)):(is(G_SWEEP, s) ? column('wall_ns_median')/1e6 : NaN) with linespoints lw 2 title s
