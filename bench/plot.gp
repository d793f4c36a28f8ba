# accelfd benchmark plots, from the data files accel_bench --out writes:
#   gnuplot -e "data='DIR'; out='DIR'" bench/plot.gp
# latency_cdf.png: NOP round trip CDF per path; throughput.png: NOP
# throughput against batch; scaling.png: aggregate throughput and Jain's
# fairness index against processes.
set terminal pngcairo size 900,560 font ",10" noenhanced
set key outside right top
set grid
# How many paths (data blocks) the CDF file holds, before any range is set.
stats data."/latency_cdf.dat" using 1 nooutput

set output out."/latency_cdf.png"
set title "NOP round trip, one outstanding (cumulative)"
set xlabel "latency (ns, log scale)"
set ylabel "fraction of round trips"
set logscale x
set yrange [0:1]
plot for [i=0:STATS_blocks-1] data."/latency_cdf.dat" index i using 1:2 with steps lw 2 \
	title columnheader(1)
unset logscale x
set yrange [*:*]

set output out."/throughput.png"
set title "NOP throughput against batch size"
set xlabel "descriptors per batch (log scale)"
set ylabel "operations per second"
set logscale x 2
set key autotitle columnhead
plot for [c=2:4] data."/throughput.dat" using 1:c with linespoints lw 2 pt 7
unset logscale x

set output out."/scaling.png"
set title "Processes with a queue each"
set xlabel "processes"
set ylabel "aggregate operations per second"
set y2label "Jain's fairness index"
set y2range [0:1.05]
set ytics nomirror
set y2tics
plot data."/scaling.dat" using 1:2 axes x1y1 with linespoints lw 2 pt 7, \
     data."/scaling.dat" using 1:3 axes x1y2 with linespoints lw 2 pt 5 dt 2
