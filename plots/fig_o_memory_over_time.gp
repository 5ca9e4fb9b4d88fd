# (o) memory over time: resident and reserved memory after a burst of frees, at fixed times (first repetition)
# needs: burst_kib_median
ni = words(release_idles)
nr = words(release_heaps)
set multiplot layout 1, ni title 'memory_over_time: RSS above its level before the burst (solid), the heap''s own reserved bytes (dashed); first repetition, keep=0'
set datafile missing NaN # a row of another cell is missing here, and the line goes on through it
set xtics rotate by -30 ('before' 0, 'burst' 1, 'freed' 2, '1 ms' 3, '2 ms' 4, '5 ms' 5, '10 ms' 6, '20 ms' 7, '50 ms' 8, \
    '100 ms' 9, '200 ms' 10, '500 ms' 11, '1 s' 12, '2 s' 13, '5 s' 14, '10 s' 15)
set xlabel 'when (after the frees, from step 3 on)'
set ylabel 'MiB'
set yrange [0:*]
set yrange [0:*]
set key inside top right
at(s, idle) = strcol('group') eq G_RELEASE && strcol('strategy') eq s && strcol('idle') eq idle && column('rep') == 1 && column('keep') == 0
do for [k=1:ni] {
    idle = word(release_idles, k)
    array before[nr]
    do for [i=1:nr] {
        undefine STATS_max
        stats timeline using ((at(word(release_heaps, i), idle) && column('step') == 0) ? column('rss_sum_kib') : NaN) nooutput
        before[i] = exists('STATS_max') ? STATS_max : NaN
    }
    set title 'idle='.idle.(idle eq 'sleep' ? ' (the program went quiet)' : ' (one small alloc/free every 100 us)')
    plot for [i=1:nr] timeline using 'step':(at(word(release_heaps, i), idle) ? (column('rss_sum_kib') - before[i]) / 1024 : NaN) \
             with linespoints lw 2 lc i title word(release_heaps, i), \
         for [i=1:nr] timeline using 'step':(at(word(release_heaps, i), idle) ? column('heap_reserved_kib') / 1024 : NaN) \
             with lines lw 1 dt 2 lc i notitle
}
unset multiplot
