# SPDX-License-Identifier: GPL-2.0
#
# Charts of the sernet benchmark. plot.py writes the .dat files (one row
# per category: median min max for each system) and calls
#   gnuplot -e "dir='build/bench'; sub='...'" tools/bench/plot.gp

set terminal pngcairo size 1100,620 font "Sans,10" noenhanced
set style data histogram
set style histogram errorbars gap 2 lw 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set key top left
set grid ytics
set xtics nomirror
set errorbars small
set datafile missing "NaN"

sernet = "#1b7837"; s2n = "#c2a5cf"; s2nd = "#762a83"; s2nn = "#e08214"
base = "#999999"

set output dir."/throughput.png"
set title "Throughput over a pty, MB/s (higher is better)\n".sub
set ylabel "MB/s"
set yrange [0:*]
plot dir."/throughput.dat" \
	   using 2:3:4:xtic(1) title "sernet (kernel)" lc rgb sernet, \
	'' using 5:6:7 title "ser2net (lowest delay)" lc rgb s2n, \
	'' using 8:9:10 title "ser2net (defaults)" lc rgb s2nd, \
	'' using 11:12:13 title "userspace baseline" lc rgb base

set output dir."/cpu.png"
set title "CPU seconds per MB, all processes of the guest (lower is better)\n".sub
set ylabel "CPU s / MB (log scale)"
set logscale y
set yrange [*:*]
plot dir."/cpu.dat" \
	   using 2:3:4:xtic(1) title "sernet (kernel)" lc rgb sernet, \
	'' using 5:6:7 title "ser2net (lowest delay)" lc rgb s2n, \
	'' using 8:9:10 title "ser2net (defaults)" lc rgb s2nd, \
	'' using 11:12:13 title "userspace baseline" lc rgb base

set terminal pngcairo size 1100,900 font "Sans,10" noenhanced
set output dir."/latency.png"
set multiplot layout 2,1 title "Round trip client -> device -> echo -> client, us (lower is better)\n".sub
set ylabel "us (log scale)"
set format y "%.0f"
set title "lowest packing each allows"
plot dir."/latency_lowest.dat" \
	   using 2:3:4:xtic(1) title "sernet (kernel)" lc rgb sernet, \
	'' using 5:6:7 title "ser2net (lowest delay)" lc rgb s2n, \
	'' using 8:9:10 title "userspace baseline" lc rgb base
set title "K3 default packing (ser2net: its defaults, with Nagle and with nodelay)"
plot dir."/latency_k3.dat" \
	   using 2:3:4:xtic(1) title "sernet (kernel)" lc rgb sernet, \
	'' using 5:6:7 title "ser2net (defaults)" lc rgb s2nd, \
	'' using 8:9:10 title "ser2net (defaults + nodelay)" lc rgb s2nn, \
	'' using 11:12:13 title "userspace baseline" lc rgb base
unset multiplot
