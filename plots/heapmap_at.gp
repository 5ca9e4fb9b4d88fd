# heapmap_at: the address space after one operation, every byte of the regions live, free or unmapped
# Drawn by alloclab heapmap --at OP (runner/grader/heapmap_draw.c), which sets tics, breaks, break_text,
# ytop (the drawn axis, here across), at, title_text and the totals at_live, at_listed, at_unlisted, at_unmapped (bytes) and
# at_blocks (the free blocks the strategy lists, -1: it lists none).
if (term eq 'png') { set terminal pngcairo size 1200,520 noenhanced font 'sans,10' } else { set terminal svg size 1200,520 noenhanced font 'sans,10' }
set output out
moment = dir.'/heapmap_at.csv'
kib(b) = b / 1024.0
color(k) = k eq 'live' ? 0x2f6db5 : k eq 'listed_free' ? 0x5cb85c : k eq 'unlisted' ? (at_blocks >= 0 ? 0xf0ad4e : 0x9fd89f) : 0xffffff
unlisted_title = at_blocks >= 0 ? 'mapped, neither: headers, padding, metadata' : 'free: mapped, in no live block'
set multiplot
set lmargin at screen 0.08
set rmargin at screen 0.74
set tmargin at screen 0.90
set bmargin at screen 0.55
set title title_text.sprintf(': the address space after op %d', at)
set xrange [0:ytop]
eval 'set xtics '.tics
set xtics rotate by -20 font ',8'
set yrange [0:1]
unset ytics
set key outside right top
set style fill solid 1.0 noborder
if (words(breaks) > 0) { do for [i=1:words(breaks)] { \
    set arrow (10 + i) from first word(breaks, i) + 0, graph 0 to first word(breaks, i) + 0, graph 1 nohead dt 2 lw 1.5 lc rgb 'black' front; \
    set label (10 + i) word(break_text, i).' not drawn' at first word(breaks, i) + 0, graph 1.04 center front font ',8' } }
plot moment using ((column('x_lo') + column('x_hi')) / 2):(0.5):'x_lo':'x_hi':(0):(1):(color(strcol('kind'))) \
         with boxxyerror fc rgb variable notitle, \
     NaN with boxes fc rgb '#2f6db5' title 'live', \
     NaN with boxes fc rgb '#5cb85c' title (at_blocks >= 0 ? sprintf('free: the %d blocks it lists', at_blocks) : ''), \
     NaN with boxes fc rgb (at_blocks >= 0 ? '#f0ad4e' : '#9fd89f') title unlisted_title, \
     NaN with boxes fc rgb '#ffffff' title 'unmapped, between its mappings'
unset title
unset arrow
unset label
set tmargin at screen 0.40
set bmargin at screen 0.16
set xrange [0:*]
set xtics auto rotate by 0 font ',10'
set xlabel 'KiB'
set yrange [0.4:4.6]
eval sprintf("set ytics ('live' 4, '%s' 3, '%s' 2, 'unmapped' 1)", at_blocks >= 0 ? 'free (listed)' : '', at_blocks >= 0 ? 'free (other)' : 'free')
set grid xtics
set style fill solid 1.0 border lc rgb 'black'
plot '+' using (kib(at_live) / 2):(4):(0):(kib(at_live)):(3.7):(4.3) every ::0::0 with boxxyerror fc rgb '#2f6db5' notitle, \
     '+' using (kib(at_listed) / 2):(3):(0):(kib(at_listed)):(2.7):(3.3) every ::0::0 with boxxyerror fc rgb '#5cb85c' notitle, \
     '+' using (kib(at_unlisted) / 2):(2):(0):(kib(at_unlisted)):(1.7):(2.3) every ::0::0 with boxxyerror fc rgb '#f0ad4e' notitle, \
     '+' using (kib(at_unmapped) / 2):(1):(0):(kib(at_unmapped)):(0.7):(1.3) every ::0::0 with boxxyerror fc rgb '#dddddd' notitle, \
     '+' using (kib(at_live)):(4):(sprintf(' %.1f KiB', kib(at_live))) every ::0::0 with labels left notitle, \
     '+' using (kib(at_listed)):(3):(sprintf(' %.1f KiB', kib(at_listed))) every ::0::0 with labels left notitle, \
     '+' using (kib(at_unlisted)):(2):(sprintf(' %.1f KiB', kib(at_unlisted))) every ::0::0 with labels left notitle, \
     '+' using (kib(at_unmapped)):(1):(sprintf(' %.1f KiB', kib(at_unmapped))) every ::0::0 with labels left notitle
unset multiplot
