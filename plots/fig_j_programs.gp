# (j) programs: each real program's wall time under each heap strategy, and as packaged
# needs: program_cpu_ns_median
set title 'real programs: wall time with each heap strategy as malloc (liballoclab.so), and as packaged (black)'
set style fill solid 0.6
set ylabel 'wall time (ms)'
set yrange [0:*]
np = words(programs)
nhp = words(program_heaps)
set xtics ()
do for [p=1:np] { set xtics add (word(programs, p) p) }
set xrange [0.4:np+0.6]
width = 0.8 / (nhp + 1)
set boxwidth width * 0.9
pidx(s) = s eq word(programs, 1) ? 1 : s eq word(programs, 2) ? 2 : s eq word(programs, 3) ? 3 : \
          s eq word(programs, 4) ? 4 : s eq word(programs, 5) ? 5 : s eq word(programs, 6) ? 6 : NaN
x(slot) = pidx(strcol('program')) - 0.4 + (slot - 0.5) * width
run(s, via) = (strcol('group') eq G_PROGRAMS && strcol('strategy') eq s && strcol('via') eq via) ? column('wall_ns_median') / 1e6 : NaN
plot for [h=1:nhp] summary using (x(h)):(run(word(program_heaps, h), 'preload')) with boxes lc h title word(program_heaps, h), \
     summary using (x(nhp + 1)):(run('system_malloc', 'none')) with boxes lc 'black' title 'as packaged'
