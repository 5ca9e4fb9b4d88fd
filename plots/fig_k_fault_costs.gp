# (k) what one copied page costs: the kernel's own faults, the round trips user space adds, each copy-on-write strategy
set title "one page's first write, ns, one thread (calibrate.csv: median of 5, min to max). Purple: the kernel alone; green: a round trip, no copy; blue: a strategy"
calibrate = dir.'/calibrate.csv'
names = 'first_touch_fault kernel_cow_fault fork_cow_fault segv_mprotect_round_trip mprotect_cow_fault uffd_wp_round_trip uffd_cow_fault uffd_cow_async_fault'
nn = words(names)
set xtics rotate by -25 ()
do for [i=1:nn] { set xtics add (word(names, i) i) }
set xrange [0.4:nn+0.6]
set yrange [0:*]
set ylabel 'ns per page'
set style fill solid 0.6
set boxwidth 0.7
# purple: the kernel alone; green: a round trip, no copy; blue: a strategy's whole first write
kind(n) = (n eq 'segv_mprotect_round_trip' || n eq 'uffd_wp_round_trip') ? 2 : (n eq 'first_touch_fault' || n eq 'kernel_cow_fault') ? 1 : 3
mine(i) = strcol('figure') eq word(names, i)
plot for [i=1:nn] calibrate using (i):(mine(i) ? column('value') : NaN) with boxes lc kind(word(names, i)) notitle, \
     for [i=1:nn] calibrate using (i):(mine(i) ? column('value') : NaN):(mine(i) ? column('min') : NaN):(mine(i) ? column('max') : NaN) with yerrorbars lc 'black' pt 0 notitle
