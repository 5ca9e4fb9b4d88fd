# (i) read_heavy: wall time against lookups per copy, each strategy and the control
set title 'read_heavy: wall time against lookups per worker from one copy (dashed: the control, no view)'
set logscale x
set logscale y
set xlabel 'lookups per worker (log)'
set ylabel 'wall time (ms, log)'
rh(s, view) = (strcol('group') eq G_LOOKUPS && strcol('strategy') eq s && strcol('view') eq view) ? column('wall_ns_median')/1e6 : NaN
control(x) = (strcol('group') eq G_LOOKUPS && strcol('view') eq 'none') ? column('wall_ns_median')/1e6 : NaN
plot for [s in strategies] summary using 'reads':(rh(s, 'private')) with linespoints lw 2 title s, \
     summary using 'reads':(control(0)) with linespoints lw 2 dt 2 lc 'black' title 'control (the lookups alone)'
