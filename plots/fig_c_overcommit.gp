# (c) overcommit: PSS against fraction written, with MemAvailable and CommitLimit
set title 'overcommit: memory as workers write their views (first repetition)'
set xlabel 'fraction of each view written'
set ylabel 'MiB (log)'
set logscale y
plot for [s in strategies] timeline using 'fraction_written':((strcol('strategy') eq s && column('rep') == 1) ? column('pss_sum_kib')/1024 : NaN) with linespoints lw 2 title s.' PSS sum', \
     timeline using 'fraction_written':((strcol('strategy') eq 'fork_cow' && column('rep') == 1) ? column('mem_available_kib')/1024 : NaN) with lines dt 2 lc 'gray40' title 'MemAvailable (during fork_cow)', \
     timeline using 'fraction_written':((column('rep') == 1) ? column('commit_limit_kib')/1024 : NaN) with lines dt 3 lc 'red' title 'CommitLimit'
