# each machine's limits (calibrate.csv): what one page's fault and a COW fault cost there
data = dir.'/machines.csv'
set title "each machine's limits: a first-touch fault, the kernel's COW fault, SIGSEGV + mprotect (ns a page)"
set style data histograms
set style histogram cluster gap 1
set style fill solid 0.6
set ylabel 'ns per page'
set yrange [0:*]
set key top left
set xtics rotate by -20
plot data using 'first_touch_fault':xtic(1) title 'first-touch fault', '' using 'kernel_cow_fault' title 'kernel COW fault', \
     '' using 'segv_mprotect_round_trip' title 'SIGSEGV + mprotect round trip'
