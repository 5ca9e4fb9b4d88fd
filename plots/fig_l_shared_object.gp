# (l) one shared object: reads per second and CPU per read, by sync and threads
# needs: reads_per_sec_median
set multiplot layout 1,2 title 'shared_object on system_malloc: a 64 KiB object read by every thread; solid: no writes, dashed: the most writes per read'
syncs = 'mutex rwlock refcount rcu'
nr = words(shared_rates)
lo = word(shared_rates, 1)
hi = word(shared_rates, nr)
pick(s, rate, fig) = (strcol('group') eq G_SHARED && strcol('sync') eq s && strcol('write_rate') eq rate) ? column(fig) : NaN
set xlabel 'threads'
stats summary using (strcol('group') eq G_SHARED ? column('workers') : NaN) nooutput
set xtics 1
if (STATS_max > 16) { set xtics auto } # a big machine's sweep: the powers of two and a few more
set key inside top left
set logscale y
set datafile missing NaN # a row of another cell is missing here, and the line goes on through it
stats summary using (column('workers') == 1 ? pick('rcu', lo, 'reads_per_sec_median') : NaN) nooutput
rcu1 = STATS_max
set title 'reads per second (log); grey: rcu at 1 thread, times the threads'
set ylabel 'reads/s (log)'
plot for [i=1:4] summary using 'workers':(pick(word(syncs, i), lo, 'reads_per_sec_median')) with linespoints lw 2 lc i title word(syncs, i).' w='.lo, \
     for [i=1:4] summary using 'workers':(pick(word(syncs, i), hi, 'reads_per_sec_median')) with linespoints lw 1 dt 2 lc i title word(syncs, i).' w='.hi, \
     summary using 'workers':(pick('rcu', lo, 'reads_per_sec_median') * 0 + rcu1 * column('workers')) with lines lc 'grey' title 'ideal (linear)'
set title 'CPU time per read (writes left out)'
set ylabel 'ns per read (log)'
plot for [i=1:4] summary using 'workers':(pick(word(syncs, i), lo, 'read_cpu_ns_median')) with linespoints lw 2 lc i title word(syncs, i).' w='.lo, \
     for [i=1:4] summary using 'workers':(pick(word(syncs, i), hi, 'read_cpu_ns_median')) with linespoints lw 1 dt 2 lc i title word(syncs, i).' w='.hi
unset multiplot
