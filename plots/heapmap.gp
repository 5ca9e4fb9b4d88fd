# heapmap: a heap's blocks (bars: address by lifetime) and mappings (bands) over a trace, utilisation beneath
# Drawn by alloclab heapmap (runner/grader/heapmap_draw.c), which sets: tics (the address axis's labels, each
# region's first address), breaks (where the axis breaks between regions) and break_text (the bytes left out
# there), ytop, nops, nblocks, at (-1: no moment), title_text.
if (term eq 'png') { set terminal pngcairo size 1200,900 noenhanced font 'sans,10' } else { set terminal svg size 1200,900 noenhanced font 'sans,10' }
set output out
blocks = dir.'/heapmap_blocks.csv'
maps = dir.'/heapmap_mappings.csv'
util = dir.'/heapmap_util.csv'
set multiplot
set lmargin at screen 0.14
set rmargin at screen 0.78
set tmargin at screen 0.94
set bmargin at screen 0.36
set title title_text.': each block a bar at its address, from its allocation to its free'
set xrange [0:nops]
set yrange [0:ytop]
set format x ''
eval 'set ytics '.tics
set ylabel 'address (the axis breaks where a stretch with no block is left out)'
set grid xtics noytics
set key outside right top
if (at >= 0) { set arrow 1 from at, graph 0 to at, graph 1 nohead lc rgb '#cc0000' lw 1.5 front }
if (words(breaks) > 0) { do for [i=1:words(breaks)] { \
    set arrow (10 + i) from graph 0, first word(breaks, i) + 0 to graph 1, first word(breaks, i) + 0 nohead dt 2 lw 1.5 lc rgb 'black' front; \
    set label (10 + i) word(break_text, i).' not drawn' at graph 0.005, first word(breaks, i) + 0 offset 0, 0.6 left front font ',8' } }
shade(id) = int(id) % 2 ? 0x2f6db5 : 0x74a9e0
# an outline shows a block a pixel thin, until there are so many that outlines are all one sees
if (nblocks <= 1500) { set style fill solid 1.0 border lc rgb '#1f3f66' } else { set style fill solid 1.0 noborder }
plot maps using (column('from')):(column('y_lo')):(column('from')):(column('to')):(column('y_lo')):(column('y_hi')) \
         with boxxyerror fs solid 1.0 noborder fc rgb '#dfe7ef' title 'mapped', \
     blocks using (column('from')):(column('y_lo')):(column('from')):(column('to')):(column('y_lo')):(column('y_hi')):(shade(column('id'))) \
         with boxxyerror fc rgb variable title 'a block', \
     NaN with lines lc rgb '#cc0000' lw 1.5 title (at >= 0 ? sprintf('the moment: after op %d', at) : ''), \
     blocks using (column('from')):((column('y_lo') + column('y_hi')) / 2):(nblocks <= 60 ? sprintf(' id %d', column('id')) : '') \
         with labels left font ',8' notitle
unset arrow
unset title
set tmargin at screen 0.31
set bmargin at screen 0.09
set format x '%g'
set xlabel 'operation'
set ytics auto
set yrange [0:105]
set ylabel 'utilisation, %'
set y2tics
set y2range [0:*]
set y2label 'MiB'
set grid ytics
if (at >= 0) { set arrow 1 from at, graph 0 to at, graph 1 nohead lc rgb '#cc0000' lw 1.5 front }
plot util using 'op':(100 * column('utilization')) with lines lw 2 lc rgb '#2a7a2a' title 'live / mapped', \
     util using 'op':(column('live_bytes') / 1048576) axes x1y2 with lines dt 2 lc rgb '#1f4e79' title 'live MiB', \
     util using 'op':(column('mapped_bytes') / 1048576) axes x1y2 with lines dt 3 lc rgb '#555555' title 'mapped MiB'
unset multiplot
