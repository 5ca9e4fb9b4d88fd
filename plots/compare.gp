# B / A: each cell both runs have, its wall time's change with the 95% interval (red: the interval leaves out 1)
data = dir.'/compare.csv'
set title "run B's wall time over run A's, cell by cell (95% intervals; red: changed beyond its interval)"
set logscale x
set xtics (0.1, 0.25, 0.5, 0.67, 0.8, 0.9, 1, 1.1, 1.25, 1.5, 2, 4, 10)
set xlabel 'B / A (log)'
set ylabel 'cells both runs have'
set ytics format ''
set key off
set arrow 1 from 1, graph 0 to 1, graph 1 nohead lc 'black' dt 2
wall(f) = strcol('figure') eq 'wall_ns'
stats data using (wall(0) && column('lo') > 0 ? column('lo') : NaN) nooutput
lo_all = STATS_records > 0 ? STATS_min : 0.5
stats data using (wall(0) && column('hi') > 0 ? column('hi') : NaN) nooutput
hi_all = STATS_records > 0 ? STATS_max : 2
set xrange [(lo_all < 0.9 ? lo_all : 0.9) / 1.1 : (hi_all > 1.1 ? hi_all : 1.1) * 1.1]
n = 0
plot data using (wall(0) ? column('ratio') : NaN):(wall(0) ? (n = n + 1) : NaN):'lo':'hi':(column('significant') > 0 ? 0xcc0000 : 0x3366aa) \
     with xerrorbars pt 7 ps 0.6 lc rgb variable
