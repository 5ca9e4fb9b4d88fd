# (j) programs: each program's wall time under each heap strategy through liballoclab.so, and as packaged beside it
# needs: program_cpu_ns_median
set title 'real programs: wall time with each heap strategy through liballoclab.so (solid) and as packaged (hatched)'
set style fill solid 0.6
set ylabel 'wall time (ms)'
set yrange [0:*]
np = words(programs)
nhp = words(program_heaps)
set xtics ()
do for [p=1:np] { set xtics add (word(programs, p) p) }
set xrange [0.4:np+0.6]
# two slots a strategy: through the preload library, then as packaged
width = 0.8 / (2 * nhp)
set boxwidth width * 0.9
# a row's group: its program, with its threads when it had more than one worker (the server)
group_of(dummy) = strcol('program') . (column('workers') > 1 ? sprintf('/%dt', int(column('workers'))) : '')
pidx(s) = s eq word(programs, 1) ? 1 : s eq word(programs, 2) ? 2 : s eq word(programs, 3) ? 3 : \
          s eq word(programs, 4) ? 4 : s eq word(programs, 5) ? 5 : s eq word(programs, 6) ? 6 : \
          s eq word(programs, 7) ? 7 : s eq word(programs, 8) ? 8 : NaN
x(slot) = pidx(group_of(0)) - 0.4 + (slot - 0.5) * width
# runs made before via=packaged had that name called it none
via_is(v) = strcol('via') eq v || (v eq 'packaged' && strcol('via') eq 'none')
run(s, v) = (strcol('group') eq G_PROGRAMS && strcol('strategy') eq s && via_is(v)) ? column('wall_ns_median') / 1e6 : NaN
plot for [h=1:nhp] summary using (x(2 * h - 1)):(run(word(program_heaps, h), 'preload')) with boxes lc h \
         title word(program_heaps, h), \
     for [h=1:nhp] summary using (x(2 * h)):(run(word(program_heaps, h), 'packaged')) with boxes lc h \
         fs pattern 4 border notitle
