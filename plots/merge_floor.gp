# the main cells on every machine, each against its own machine's floor (x its floor): machines of different speed compare
data = dir.'/merged.csv'
set title "the main cells, each over the floor of the same work on its own machine (x its floor; 1 is the floor)"
nr = words(runs)
set ylabel 'x its floor'
set yrange [0:*]
set xlabel "main cells (by their row in each run's summary: the same cell where the runs' profiles match)"
set key top left
set xtics format ''
mine(k) = strcol('group') eq 'main' && strcol('run') eq word(runs, k)
set datafile missing NaN # rows of other cells and runs lie between: the line goes through them
plot for [k=1:nr] data using (mine(k) ? column('row') : NaN):(mine(k) ? column('x_floor') : NaN) \
     with linespoints pt 7 lw 1 title word(runs, k)
