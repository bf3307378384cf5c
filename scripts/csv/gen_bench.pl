#!/usr/bin/perl
# Write the brief's four input files into DIR, in the brief's style, with
# N membership purchases (and N/4 users and credit packs): the CSV loader's
# benchmark (scripts/bench_csv.sh).  With --dirty, a few values the loader
# repairs (a blank line, glued timestamps, the word NULL, invalid JSON).
use strict; use warnings;
my $dirty = @ARGV && $ARGV[0] eq '--dirty' ? shift : 0;
my ($dir, $n) = @ARGV;
die "usage: $0 [--dirty] DIR N\n" unless defined $n && -d $dir;
srand(42);
my $id = sub { sprintf '%08x-%04x-4%03x-%04x-%012x', map { int rand 2**$_ } 32, 16, 12, 16, 48 };
my $ts = sub { sprintf '2023-%02d-%02d %02d:%02d:%02d.%03d', 1 + int rand 12, 1 + int rand 28,
               int rand 24, int rand 60, int rand 60, int rand 1000 };
my @branches = map { $id->() } 1 .. 20;
my @zones = qw(Europe/Warsaw America/New_York Asia/Jakarta Europe/Dublin);
my $nusers = int($n / 4) || 1;
my @users = map { $id->() } 1 .. $nusers;

sub out { my $name = shift; open(my $fh, '>', "$dir/$name.csv") or die "$dir/$name.csv: $!\n"; $fh }

my $fh = out('dim_branch');
print $fh "branch_id,name,email,city,country,timezone_id,created_at\n";
for my $i (0 .. $#branches) {
    (my $t = $ts->()) =~ s/ //;    # the brief's branch times: date and time glued
    print $fh "$branches[$i],Gym $i,gym$i\@example.com,City $i,Country,$zones[$i % @zones],$t\n";
}
$fh = out('dim_user');
print $fh "user_id,branch_id,name,email,created_at\n";
print $fh "$users[$_],$branches[$_ % 20],User $_,user$_\@example.com,", $ts->(), "\n" for 0 .. $#users;

for my $kind ([qw(fct_membership_purchases membership), $n], [qw(fct_credit_pack_purchases credit_pack), $nusers]) {
    my ($table, $p, $rows) = @$kind;
    $fh = out($table);
    print $fh "\n" if $dirty;
    print $fh "user_id,branch_id,${p}_id,${p}_purchased_at,created_at,${p}_purchase_details\n";
    for my $i (1 .. $rows) {
        my $u = int rand $nusers;
        my ($bought, $made) = ($ts->(), $ts->());
        my $details = '"{\"name\": \"Monthly Membership\",\"source\": \"WEBPORTAL\"}"';
        if ($dirty && $i % 1000 == 0) {
            $bought =~ s/ //;
            $details = $i % 2000 ? 'NULL' : '"{not json"';
        }
        print $fh join(',', $users[$u], $branches[$u % 20], $id->(), $bought, $made, $details), "\n";
    }
}
