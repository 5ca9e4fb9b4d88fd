# (g) fork cost against populated size
set title 'fork(): time against the view size (median of 7 forks)'
set logscale xy
set xlabel 'view size (MiB, log)'
set ylabel 'fork() time (ms, log)'
plot for [s in 'system_malloc fork_cow mprotect_cow'] summary using (column('size_bytes')/1048576):(is(G_FORK, s) ? column('fork_ns_median')/1e6 : NaN) with linespoints lw 2 title s
