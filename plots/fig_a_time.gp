# (a) time per strategy for each workload: median wall time, min-max whiskers
set multiplot layout 1,2 title 'Wall time per strategy (median of repetitions, min-max whiskers)'
set style fill solid 0.5
set boxwidth 0.6
eval strategy_xtics
set xrange [0.3:ns+0.7]
set yrange [0:*]
set ylabel 'wall time (ms)'
unset key
sel(w, i) = is(G_MAIN, word(strategies, i)) && strcol('workload') eq w
ms(w, i, name) = sel(w, i) ? column(name)/1e6 : NaN
do for [w in 'write_heavy overcommit'] {
    set title w
    plot for [i=1:ns] summary using (i):(ms(w, i, 'wall_ns_median')) with boxes lc i, \
         for [i=1:ns] summary using (i):(ms(w, i, 'wall_ns_median')):(ms(w, i, 'wall_ns_min')):(ms(w, i, 'wall_ns_max')) with yerrorbars lc 'black' pt 0
}
unset multiplot
