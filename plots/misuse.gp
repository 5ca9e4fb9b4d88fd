# misuse: what each heap does with each misuse case (alloclab misuse), a cell per heap and case
# Drawn by alloclab misuse (runner/grader/misuse_out.c), which sets xtics_list (the cases), ytics_list (the
# heaps), ncases and nsubjects; misuse.csv's rows come heap by heap, case by case, in that order.
if (term eq 'png') { set terminal pngcairo size 1300,700 noenhanced font 'sans,10' } else { set terminal svg size 1300,700 noenhanced font 'sans,10' }
set output out
data = dir.'/misuse.csv'
set title 'What each heap does with misuse: each case in a process of its own'
set xrange [-0.5:ncases - 0.5]
set yrange [nsubjects - 0.5:-0.5]
eval 'set xtics '.xtics_list
eval 'set ytics '.ytics_list
set xtics rotate by -25 font ',9'
set ytics font ',9'
set tics scale 0
unset grid
set lmargin 22
set bmargin 8
set key outside right top
set style fill solid 1.0 border lc rgb 'white'
color(c) = c eq 'detected' ? 0x5cb85c : c eq 'crashed' ? 0xf0ad4e : c eq 'corrupted' ? 0xd9534f : \
           c eq 'warned' ? 0xffd966 : c eq 'harmless' ? 0xcfe2f3 : c eq 'hung' ? 0x9467bd : 0xeeeeee
x(row) = int(row) % ncases
y(row) = int(row / ncases)
plot data using (x($0)):(y($0)):(x($0) - 0.5):(x($0) + 0.5):(y($0) - 0.5):(y($0) + 0.5):(color(strcol('class'))) \
         with boxxyerror fc rgb variable notitle, \
     data using (x($0)):(y($0)):(strcol('class')) with labels font ',8' notitle, \
     NaN with boxes fc rgb '#5cb85c' title 'detected: stopped, with its own message', \
     NaN with boxes fc rgb '#f0ad4e' title 'crashed: a signal, no message', \
     NaN with boxes fc rgb '#d9534f' title 'corrupted: carried on, silently wrong', \
     NaN with boxes fc rgb '#ffd966' title 'warned, and carried on', \
     NaN with boxes fc rgb '#cfe2f3' title 'harmless', \
     NaN with boxes fc rgb '#9467bd' title 'hung (killed)', \
     NaN with boxes fc rgb '#eeeeee' title 'NA: not run'
