#!/usr/bin/perl
# The CSV loader's line splitter (see docs/csv-loading.md).
#
#   split.pl NCOLS FILE      the file's records, for table lc_rec (file.sql)
#   split.pl --number FILE   each line led by its number and two commas
#
# It reads FILE as bytes.  When the file is well formed, which means COPY
# ... (FORMAT csv, ESCAPE '\') reads every line as this dialect does (one
# record of NCOLS fields per line, UTF-8, no NUL, CR, BOM, blank line, `\.`
# line, `""` inside quotes, quoted "NULL", nor a repeat of the first line),
# it prints only the first record and a summary with status `copy`: file.sql
# then loads the file with COPY.  Otherwise it prints every record.
#
# Output: COPY text rows (line, nlines, status, rec, fields, quoted_null):
#  - a record: its first line, its number of lines, status ok, malformed
#    (the quoting), nul or bad_utf8 (the bytes of the line); rec the record
#    (a line of bad bytes as \x and hex); fields the values (unquoted and
#    unescaped; an unquoted empty field NULL) and quoted_null the positions
#    of fields that were a quoted "NULL" (text; an unquoted NULL is SQL NULL);
#  - status bom (line 1, 0 lines): a UTF-8 byte order mark was dropped;
#  - the summary, last: line 0, the file's number of lines, status copy or
#    split, and in rec the number of CRs dropped before a line end.
use strict;
use warnings;

my $utf8 = qr/[\x00-\x7F]|[\xC2-\xDF][\x80-\xBF]|\xE0[\xA0-\xBF][\x80-\xBF]
  |[\xE1-\xEC\xEE\xEF][\x80-\xBF]{2}|\xED[\x80-\x9F][\x80-\xBF]
  |\xF0[\x90-\xBF][\x80-\xBF]{2}|[\xF1-\xF3][\x80-\xBF]{3}|\xF4[\x80-\x8F][\x80-\xBF]{2}/x;
# A field and its separator.  A quoted field may hold \" \\ "" and any other
# character; it is the longest one followed by a comma or the end.
my $field = qr/\G("[^"\\]*(?:(?:\\.|"")[^"\\]*)*"|[^,"]*)(,|\z)/s;
my %copy_escape = ("\t" => '\t', "\n" => '\n', "\r" => '\r');

binmode STDOUT;
if (@ARGV == 2 && $ARGV[0] eq '--number') {
    my $fh = open_file($ARGV[1]);
    print "$.,,$_" while <$fh>;    # line, quoted_null (none), the fields
    exit 0;
}
die "usage: $0 NCOLS FILE | --number FILE\n" unless @ARGV == 2 && $ARGV[0] =~ /^[1-9][0-9]*$/;
my ($ncols, $path) = @ARGV;

my ($nlines, $first) = well_formed($ncols, $path);
if (defined $nlines) {
    print_record(1, 1, 'ok', $first, split_record($first)) if defined $first;
    print_row(0, $nlines, 'copy', 0, undef, undef);
    exit 0;
}

# Lines: [number, status, text], a CR before the line end dropped.  A line
# whose quotes (not counting \" and \\) are odd in number opens a quoted
# field that goes on to the next line with an odd number: a record.
my (@group, $open, $cr);
my $fh = open_file($path);
while (my $text = <$fh>) {
    $text =~ s/\n\z//;
    $cr++ if $text =~ s/\r\z//;
    my $line = [$., $text =~ /\x00/ ? 'nul' : valid_utf8($text) ? 'ok' : 'bad_utf8', $text];
    if ($. == 1 && $line->[1] eq 'ok' && $line->[2] =~ s/^\xEF\xBB\xBF//) {
        print_row(1, 0, 'bom', undef, undef, undef);
    }
    push @group, $line;
    $open = !$open if odd_quotes($line);
    next if $open;
    print_group(@group);
    @group = ();
}
print_group(@group) if @group;    # an unterminated quote
print_row(0, $. // 0, 'split', $cr // 0, undef, undef);

sub print_group {
    my @group = @_;
    my $ok = !grep { $_->[1] ne 'ok' } @group;
    my $rec = join("\n", map { $_->[1] eq 'ok' ? $_->[2] : '' } @group);
    my @fields = $ok ? split_record($rec) : ();
    if (@fields || @group == 1) {
        print_line_record($group[0], scalar @group, $ok, $rec, @fields);
    } else {    # a multi-line record that does not parse: its lines one by one
        print_line_record($_, 1, $_->[1] eq 'ok', $_->[2], $_->[1] eq 'ok' ? split_record($_->[2]) : ())
            for @group;
    }
}

sub open_file {
    open(my $fh, '<:raw', $_[0]) or die "split.pl: cannot read $_[0]: $!\n";
    return $fh;
}

sub valid_utf8 {
    my ($s) = @_;
    return 1 unless $s =~ /[\x80-\xFF]/;
    pos($s) = 0;
    1 while $s =~ /\G$utf8/gc;
    return (pos($s) // 0) == length($s);
}

sub odd_quotes {
    my ($line) = @_;
    return 0 unless $line->[1] eq 'ok';
    (my $q = $line->[2]) =~ s/\\[\\"]//g;
    return ($q =~ tr/"//) % 2;
}

# The raw fields of a record, quotes kept; () when the quoting is malformed.
sub split_record {
    my ($rec) = @_;
    my @raw;
    pos($rec) = 0;
    while ($rec =~ /$field/gc) {
        push @raw, $1;
        return @raw if $2 eq '';
    }
    return ();
}

sub print_line_record {
    my ($line, $nlines, $ok, $rec, @raw) = @_;
    my $status = !$ok ? $line->[1] : @raw ? 'ok' : 'malformed';
    $rec = '\x' . unpack('H*', $line->[2]) unless $ok;
    print_record($line->[0], $nlines, $status, $rec, @raw);
}

sub print_record {
    my ($line, $nlines, $status, $rec, @raw) = @_;
    my (@elements, @quoted_null);
    my $i = 0;
    for my $v (@raw) {    # an element of a text[] literal per field
        $i++;
        if ($v eq '') {
            push @elements, 'NULL';
            next;
        }
        if (ord($v) == 34) {    # a quoted field
            $v = substr($v, 1, -1);
            if (index($v, '""') >= 0) {
                $v =~ s/\\(["\\])|""/defined $1 ? $1 : '"'/ge;
            } elsif (index($v, '\\') >= 0) {
                $v =~ s/\\(["\\])/$1/g;
            }
            push @quoted_null, $i if $v eq 'NULL';
        }
        if ($v =~ tr/"\\//) {
            $v =~ s/\\/\\\\/g;
            $v =~ s/"/\\"/g;
        }
        push @elements, qq("$v");
    }
    print_row($line, $nlines, $status, $rec, @raw ? '{' . join(',', @elements) . '}' : undef,
              @quoted_null ? '{' . join(',', @quoted_null) . '}' : undef);
}

sub print_row {
    print join("\t", map { defined ? copy_escape($_) : '\N' } @_), "\n";
}

sub copy_escape {
    my ($s) = @_;
    return $s unless $s =~ tr/\\\t\n\r//;
    $s =~ s/\\/\\\\/g;
    $s =~ s/([\t\n\r])/$copy_escape{$1}/g if $s =~ tr/\t\n\r//;
    return $s;
}

# When COPY reads the file as this dialect does (see the top): its number of
# lines and its first line.
sub well_formed {
    my ($ncols, $path) = @_;
    my $plain = qr/"[^"\\]*(?:\\.[^"\\]*)*"|[^,"]*/;
    my $shape = qr/\A(?:$plain,){@{[$ncols - 1]}}$plain\z/;
    my $fh = open_file($path);
    my ($n, $first) = (0);
    while (my $line = <$fh>) {
        $n++;
        chomp $line;
        return if $line =~ /[\x00\r]/ || !valid_utf8($line) || $line =~ /^[\s\x80-\xFF]*\z/
            || $line eq '\.' || $line !~ $shape || $line =~ /(?:^|,)"NULL"(?=,|\z)/;
        if (defined $first) {
            return if $line eq $first;
        } else {
            return if $line =~ /^\xEF\xBB\xBF/;
            $first = $line;
        }
    }
    return ($n, $first);
}
