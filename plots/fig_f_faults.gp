# (f) faults and pages copied per written page, over the write-fraction sweep
set multiplot layout 1,2 title 'write_heavy: work per written page'
set logscale x
set xlabel 'fraction of pages written (log)'
set logscale y
set key inside top right
set title 'minor faults per written page'
set ylabel 'faults / page (log)'
plot for [s in strategies] summary using 'write_fraction':((is(G_SWEEP, s) && column('pages_written_median') > 0) ? column('minor_faults_median')/column('pages_written_median') : NaN) with linespoints lw 2 title s
set title 'pages copied per written page'
set ylabel 'copies / page (log)'
plot for [s in strategies] summary using 'write_fraction':((is(G_SWEEP, s) && column('pages_written_median') > 0) ? column('pages_copied_median')/column('pages_written_median') : NaN) with linespoints lw 2 title s
unset multiplot
