# The report page's charts, one SVG per call (scripts/report_page.sh):
#   gnuplot -e "dir='PIECES'; chart='policy|filters|days|months'" scripts/report.gp
# Data: the tab-separated rows scripts/report_db.sh wrote from the report's
# queries.  Bars start at zero; the three colours differ in lightness, so
# they read in grey scale too, and every bar has a black edge.

C_M = '#1b3b6f'   # MEMBERSHIP: dark
C_U = '#f5c08a'   # USER_CREDIT: light
C_A = '#7f7f7f'   # ALL: mid grey
colour(f) = f eq 'MEMBERSHIP' ? 0x1b3b6f : f eq 'USER_CREDIT' ? 0xf5c08a : 0x7f7f7f

set datafile separator "\t"
set encoding utf8
set style fill solid 1.0 border rgb 'black'
set border 3 lc rgb '#444444'
set tics nomirror out
set key top right horizontal reverse Left samplen 1.5 width 1 font ',11'
width = 960
data(name) = dir . '/' . name . '.tsv'
stats data(chart) using 0 nooutput
rows = STATS_records
svg(h) = sprintf("set terminal svg size %d,%d noenhanced font 'DejaVu Sans,12' background '#ffffff'", width, h)

if (chart eq 'policy') {
    # branch, policy, users, leads, clients, conversion_rate
    eval svg(100 + 28 * rows)
    set xrange [0:122]
    set xtics 0, 20, 100 format '%g%%'
    set xlabel "conversion rate under the branch's own policy (% of its users)"
    set yrange [rows - 0.5:-0.6]
    set ytics scale 0 font ',11'
    set grid xtics lc rgb '#dddddd'
    set key outside top center
    plot data(chart) using ($6 * 50):0:($6 * 50):(0.33):(colour(strcol(2))):ytic(1) \
            with boxxyerror lc rgb variable notitle, \
         '' using ($6 * 100 + 1.5):0:(sprintf('%.1f%%  (%d of %d)', $6 * 100, $5, $3)) \
            with labels left font ',11' notitle, \
         NaN with boxes lc rgb C_M title 'policy MEMBERSHIP', \
         NaN with boxes lc rgb C_U title 'policy USER_CREDIT', \
         NaN with boxes lc rgb C_A title 'policy ALL (any purchase)'
}

if (chart eq 'filters') {
    # branch, policy, membership_rate, user_credit_rate, all_rate, users
    eval svg(110 + 48 * rows)
    set xrange [0:130]
    set xtics 0, 20, 100 format '%g%%'
    set xlabel "conversion rate (% of the branch's users; every user counted under every filter)"
    set yrange [rows - 0.5:-0.6]
    set ytics scale 0 font ',11'
    set grid xtics lc rgb '#dddddd'
    set key outside top center
    tag(f) = strcol(2) eq f ? '  (its policy)' : ''
    plot data(chart) using ($3 * 50):($0 - 0.28):($3 * 50):(0.13):ytic(1) \
            with boxxyerror lc rgb C_M title 'MEMBERSHIP', \
         '' using ($4 * 50):0:($4 * 50):(0.13) with boxxyerror lc rgb C_U title 'USER_CREDIT', \
         '' using ($5 * 50):($0 + 0.28):($5 * 50):(0.13) with boxxyerror lc rgb C_A title 'ALL (any purchase)', \
         '' using ($3 * 100 + 1.5):($0 - 0.28):(sprintf('%.1f%%%s', $3 * 100, tag('MEMBERSHIP'))) \
            with labels left font ',10' notitle, \
         '' using ($4 * 100 + 1.5):0:(sprintf('%.1f%%%s', $4 * 100, tag('USER_CREDIT'))) \
            with labels left font ',10' notitle, \
         '' using ($5 * 100 + 1.5):($0 + 0.28):(sprintf('%.1f%%%s', $5 * 100, tag('ALL'))) \
            with labels left font ',10' notitle
}

if (chart eq 'days') {
    # days: conversion_type, bin, label, clients; days_stats.gp: per type
    # its median, 90th percentile and counts; the bins' width in days
    load dir . '/days_stats.gp'
    eval svg(60 + 260 * words(types))
    set multiplot layout words(types), 1
    set style data boxes
    set boxwidth 0.85
    set style textbox opaque fc rgb 'white' noborder
    set xrange [-0.6:nbins + 0.6]
    set xtics font ',10'
    set ylabel 'clients'
    set xlabel sprintf('days from sign-up to conversion (bins of %d day%s; the last holds all longer)', \
                       w_days, w_days == 1 ? '' : 's')
    unset key
    do for [t in types] {
        stats data(chart) using (strcol(1) eq t ? $4 : NaN) nooutput
        set yrange [0:STATS_max * 1.15 + 0.2]
        set ytics 0, (STATS_max > 5 ? ceil(STATS_max / 5.0) : 1)
        unset arrow
        unset label
        m = value('median_' . t)
        p = value('p90_' . t)
        out = value('left_out_' . t)
        set title sprintf('%s: %d clients%s; median %.1f days (dashed), 90th percentile %.1f days (dotted)', \
                          t, value('clients_' . t), \
                          out > 0 ? sprintf(', %d not drawn (bought before signing up, or undated)', out) : '', \
                          m, p) font ',12'
        if (m < nbins * w_days) {
            set arrow from (m / w_days - 0.5), graph 0 to (m / w_days - 0.5), graph 1 nohead dt 2 lw 2 lc rgb 'black' front
            set label sprintf('median %.1f', m) at (m / w_days - 0.5), graph 0.95 right offset -0.4, 0 boxed font ',10' front
        }
        if (p < nbins * w_days) {
            set arrow from (p / w_days - 0.5), graph 0 to (p / w_days - 0.5), graph 1 nohead dt 3 lw 2 lc rgb 'black' front
            set label sprintf('90th percentile %.1f', p) at (p / w_days - 0.5), graph 0.83 left offset 0.4, 0 boxed font ',10' front
        }
        plot data(chart) using 2:(strcol(1) eq t ? $4 : NaN):xtic(3) lc rgb (t eq 'MEMBERSHIP' ? C_M : C_U)
    }
    unset multiplot
}

if (chart eq 'months') {
    # local_month, membership, user_credit
    eval svg(380)
    set style data histograms
    set style histogram rowstacked
    set boxwidth 0.8
    stats data(chart) using ($2 + $3) nooutput
    set yrange [0:STATS_max * 1.08 + 0.5]
    set key outside top center horizontal
    set ylabel 'conversions (clients)'
    set xlabel 'local month of the converting purchase (the branch’s time zone)'
    set xtics rotate by -60 scale 0 font ',10'
    every_nth = rows > 18 ? 3 : 1
    set grid ytics lc rgb '#dddddd'
    plot data(chart) using 2:xtic(int($0) % every_nth == 0 ? strcol(1) : '') lc rgb C_M title 'MEMBERSHIP', \
         '' using 3 lc rgb C_U title 'USER_CREDIT'
}
