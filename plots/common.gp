# common.gp: loaded before every figure script. Expects dir, caption, term, out.
if (term eq 'png') { set terminal pngcairo size 1100,650 noenhanced font 'sans,10' } else { set terminal svg size 1100,650 noenhanced font 'sans,10' }
set output out
set datafile separator ','
set datafile columnheaders
set datafile missing 'NA'
set grid
set key outside right top
set bmargin 5 # room under the x labels for the caption
set label 99 caption at screen 0.01, 0.015 font ',8'
# strategies, heaps and the group names (G_MAIN ...) come from alloclab (analysis/plots.c)
if (!exists('strategies')) { strategies = 'system_malloc locked_freelist block_suballoc fork_cow mprotect_cow' }
if (!exists('heaps')) { heaps = 'system_malloc locked_freelist block_suballoc' }
ns = words(strategies)
nh = words(heaps)
# one x position per strategy, named
strategy_xtics = 'set xtics rotate by -30 ('
do for [i=1:ns] { strategy_xtics = strategy_xtics.sprintf("'%s' %d%s", word(strategies, i), i, i < ns ? ', ' : ')') }
summary = dir.'/summary.csv'
timeline = dir.'/timeline.csv'
is(group, strategy) = strcol('group') eq group && strcol('strategy') eq strategy
