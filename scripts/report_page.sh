#!/usr/bin/env bash
# The report's page: one self-contained HTML file (inline SVG and CSS, no
# script needed to see it, nothing fetched) from the pieces that
# scripts/report_db.sh wrote with the report's queries (scripts/report.sql).
# gnuplot draws the charts (scripts/report.gp); psql made the tables.
#   bash scripts/report_page.sh PIECES_DIR PAGE.html
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$1 page=$2

# (tab is white space to read: empty fields would vanish)
IFS=$'\x1f' read -r users leads clients rate by_m by_u branches anomalies < <(tr '\t' '\037' <"$dir/headline.tsv")
IFS=$'\x1f' read -r n_branches n_bins n_months first_month last_month not_drawn db schema refreshed \
    < <(tr '\t' '\037' <"$dir/counts.tsv")

esc() { sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g' <<<"$1"; }
percent() { [ -n "$1" ] && awk -v r="$1" 'BEGIN { printf "%.1f%%", 100 * r }' || echo '–'; }

# An SVG chart inline: its title for screen readers, and its ids made its
# own (each chart repeats gnuplot's).
drawn=0
chart() {
    drawn=$((drawn + 1))
    echo "<figure data-chart=\"$1\">"
    gnuplot -e "dir='$dir'; chart='$1'" "$here/report.gp" |
        sed -e '/^<?xml/d' -e "s|<title>Gnuplot</title>|<title>$2</title>|" \
            -e "s/id='/id='$1-/g; s/id=\"/id=\"$1-/g; s/href='#/href='#$1-/g; s/url(#/url(#$1-/g" \
            -e "s|^<svg *\$|<svg role=\"img\" class=\"chart\"|"
    echo "<figcaption>$3</figcaption></figure>"
}
message() { echo "<p class=\"message\" data-message=\"$1\">$2</p>"; }
numbers() { echo "<details><summary>The numbers</summary>"; cat "$@"; echo "</details>"; }

nobody="No users: nothing to chart."
branch_charts() {
    if ((users == 0)); then
        message no-users "$nobody"
    elif ((branches == 1)); then
        message one-branch "Only one branch: there is nothing to compare across branches. Its figures are in the table below."
    else
        "$@"
    fi
}

{
cat <<EOF
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Lead conversions: $(esc "$db")</title>
<style>
body { font: 15px/1.45 "DejaVu Sans", system-ui, sans-serif; color: #1a1a1a; background: #fff; margin: 0; }
header, main, footer { max-width: 1000px; margin: 0 auto; padding: 0 20px; }
h1 { font-size: 1.6em; margin: 0.8em 0 0.2em; }
h2 { font-size: 1.2em; margin: 1.8em 0 0.5em; border-bottom: 1px solid #bbb; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(118px, 1fr)); gap: 10px; margin: 0; }
.cards div { border: 1px solid #999; border-radius: 6px; padding: 6px 12px; }
.cards dt { font-size: 0.85em; color: #333; }
.cards dd { margin: 0; font-size: 1.7em; font-weight: bold; }
figure { margin: 0; }
svg.chart { display: block; max-width: 100%; height: auto; }
figcaption, .note { font-size: 0.9em; color: #333; }
.message { border-left: 5px solid #444; background: #eee; padding: 12px 16px; font-weight: bold; }
details { margin: 0.6em 0; }
summary { cursor: pointer; color: #203a80; }
table.numbers { border-collapse: collapse; font-size: 0.85em; margin: 0.4em 0; }
table.numbers th, table.numbers td { border: 1px solid #aaa; padding: 2px 7px; }
table.numbers th { background: #f0f0f0; text-align: left; }
table.numbers caption { text-align: left; font-weight: bold; padding: 4px 0; }
footer { margin: 2.5em auto 1.5em; font-size: 0.85em; color: #444; }
</style>
</head>
<body>
<header>
<h1>Lead conversions</h1>
<p>Database <b>$(esc "$db")</b>, source tables of schema <b>$(esc "${schema:-?}")</b>; the facts
were computed at <b>$(esc "$refreshed")</b>.</p>
</header>
<main>
<section id="headline" aria-labelledby="h-headline">
<h2 id="h-headline">Headline</h2>
<dl class="cards" data-users="$users" data-leads="$leads" data-clients="$clients"
    data-conversion-rate="$rate" data-clients-by-membership="$by_m"
    data-clients-by-user-credit="$by_u" data-branches="$branches" data-anomalies="$anomalies">
<div><dt>users</dt><dd>$users</dd></div>
<div><dt>leads</dt><dd>$leads</dd></div>
<div><dt>clients</dt><dd>$clients</dd></div>
<div><dt>conversion rate</dt><dd>$(percent "$rate")</dd></div>
<div><dt>by MEMBERSHIP</dt><dd>$by_m</dd></div>
<div><dt>by USER_CREDIT</dt><dd>$by_u</dd></div>
<div><dt>branches</dt><dd>$branches</dd></div>
</dl>
<p class="note">Any first purchase, a membership or a credit pack (USER_CREDIT), makes a lead a
client here (the ALL filter); the branches' charts also show each branch's own policy.</p>
EOF
((users > 0)) || message no-users "No users in the facts: the database's dim_user has no rows (or the facts are empty), so there is nothing to chart."
echo "</section>"

echo '<section id="branches"><h2>Conversion rate by branch, under its own policy</h2>'
branch_charts chart policy "Conversion rate by branch under its own policy" \
    "Share of each branch's users who became clients under the branch's policy (leadconv_branch_policy; ALL where it has none), best first$( ((n_branches > 30)) && echo "; the 30 branches with the most users, of $n_branches (all in branches.csv)")."
numbers "$dir/t_branches.html"
echo '</section>'

echo '<section id="filters"><h2>Conversion rate by branch, under each filter</h2>'
branch_charts chart filters "Conversion rate by branch under each filter" \
    "MEMBERSHIP counts memberships only, USER_CREDIT credit packs only, ALL either; every user counts under every filter, leads included$( ((n_branches > 30)) && echo "; the same 30 branches as above")."
numbers "$dir/t_rates.html"
echo '</section>'

echo '<section id="days"><h2>Days from sign-up to conversion</h2>'
if ((users == 0)); then
    message no-users "$nobody"
elif ((clients == 0)); then
    message no-clients "No clients: nobody has converted, so there is nothing to chart."
elif ((n_bins > 0)); then
    chart days "Days from sign-up to conversion, per type" \
        "Clients by the days between signing up and their first purchase, per type of that purchase, with the median (dashed) and 90th percentile (dotted). Purchases dated before the user signed up, and undated ones, are counted in the table, not drawn."
else
    message no-spans "No client has a dated conversion after signing up: nothing to chart."
fi
numbers "$dir/t_days.html" "$dir/t_hist.html"
echo '</section>'

echo '<section id="months"><h2>Conversions per local month, by type</h2>'
if ((users == 0)); then
    message no-users "$nobody"
elif ((clients == 0)); then
    message no-clients "No clients: nobody has converted, so there is nothing to chart."
elif ((n_months > 0)); then
    chart months "Conversions per local month, by type" \
        "Clients by the local month of their first purchase, memberships and credit packs stacked, $first_month to $last_month$( ((not_drawn > 0)) && echo "; $not_drawn conversions outside these months (undated, older or in the future) are in the table only")."
else
    message no-months "No conversion is dated: nothing to chart."
fi
numbers "$dir/t_months.html"
echo '</section>'

cat <<EOF
<section id="quality"><h2>Data quality</h2>
<p>The rules had to handle <b>$anomalies</b> anomalies in the source tables (leadconv_anomalies(),
every one in anomalies.csv); users_affected counts the users whose time zone a branch row decides.</p>
EOF
cat "$dir/t_quality.html"
echo '</section>'

echo '<section id="facts"><h2>The facts</h2>'
grep -v '>Record 1<' "$dir/t_status.html"
echo '</section>'

echo '</main>'
echo '<script type="application/json" id="leadconv-figures">'
cat "$dir/figures.json"
echo '</script>'
cat <<EOF
<footer>Written by <code>make report</code> (leadconv). Every figure on this page comes from the
queries that also wrote the CSV files beside it (scripts/report.sql).</footer>
</body>
</html>
EOF
} >"$page.tmp"
sed -i "s|<body>|<body data-charts=\"$drawn\">|" "$page.tmp"
mv "$page.tmp" "$page"
