# common.gp: loaded before every figure script. Expects dir, caption, term, out.
if (term eq 'png') { set terminal pngcairo size 1100,650 noenhanced font 'sans,10' } else { set terminal svg size 1100,650 noenhanced font 'sans,10' }
set output out
set datafile separator ','
set datafile columnheaders
set datafile missing 'NA'
set grid
set key outside right top
set label 99 caption at screen 0.01, 0.015 font ',8'
strategies = 'system_malloc locked_freelist block_suballoc fork_cow mprotect_cow'
heaps = 'system_malloc locked_freelist block_suballoc'
summary = dir.'/summary.csv'
timeline = dir.'/timeline.csv'
is(group, strategy) = strcol('group') eq group && strcol('strategy') eq strategy
