#!/usr/bin/perl
# The CSV loader's line splitter (see docs/csv-loading.md).
#
#   split.pl NCOLS FILE ROWS
#
# It reads FILE as bytes and sorts its lines in two.  A plain line is a
# record that COPY ... (FORMAT csv, ESCAPE '\') reads as the loader's dialect
# does: one line of NCOLS fields, UTF-8, without NUL or CR, not blank,
# without "" inside quotes or a quoted "NULL", after the header (if any)
# and not equal to it.  Plain lines go to file ROWS, each led by its number
# and an empty field, for COPY into lc_stage.  The other records are split
# here and printed, for COPY into lc_rec (file.sql).
#
# Output: COPY text rows (line, nlines, status, rec, fields, quoted_null):
#  - a record: its first line, its number of lines, status ok, malformed
#    (the quoting), nul or bad_utf8 (the bytes of the line); rec the record
#    (a line of bad bytes as \x and hex); fields the values (unquoted and
#    unescaped; an unquoted empty field NULL) and quoted_null the positions
#    of fields that were a quoted "NULL" (text; an unquoted NULL is SQL NULL);
#  - status bom (line 1, 0 lines): a UTF-8 byte order mark was dropped;
#  - the summary, last: line 0, the file's number of lines, status summary,
#    and in rec the number of CRs dropped before a line end.
use strict;
use warnings;

my $utf8 = qr/[\x00-\x7F]|[\xC2-\xDF][\x80-\xBF]|\xE0[\xA0-\xBF][\x80-\xBF]
  |[\xE1-\xEC\xEE\xEF][\x80-\xBF]{2}|\xED[\x80-\x9F][\x80-\xBF]
  |\xF0[\x90-\xBF][\x80-\xBF]{2}|[\xF1-\xF3][\x80-\xBF]{3}|\xF4[\x80-\x8F][\x80-\xBF]{2}/x;
# A field and its separator.  A quoted field may hold \" \\ "" and any other
# character; it is the longest one followed by a comma or the end.
my $field = qr/\G("[^"\\]*(?:(?:\\.|"")[^"\\]*)*"|[^,"]*)(,|\z)/s;
my %copy_escape = ("\t" => '\t', "\n" => '\n', "\r" => '\r');

die "usage: $0 NCOLS FILE ROWS\n" unless @ARGV == 3 && $ARGV[0] =~ /^[1-9][0-9]*$/;
my ($ncols, $path, $rows_path) = @ARGV;
# A plain line: NCOLS fields, quoted ones without "" inside.
my $plain_field = qr/"[^"\\]*(?:\\.[^"\\]*)*"|[^,"]*/;
my $plain = qr/\A(?:$plain_field,){@{[$ncols - 1]}}$plain_field\z/;

# The header is the first record that is not blank, if it names columns:
# until a record that cannot be blank, every record may be it, and a later
# line equal to one of them may be it repeated.  Should one of them have
# other than NCOLS fields, no line is plain.
my %head;
my $head_seen = 0;
my $plain_ok = 1;

binmode STDOUT;
open(my $fh, '<:raw', $path) or die "split.pl: cannot read $path: $!\n";
open(my $rows, '>:raw', $rows_path) or die "split.pl: cannot write $rows_path: $!\n";
my (@group, $open, $cr);
while (my $text = <$fh>) {
    $text =~ s/\n\z//;
    $cr++ if $text =~ s/\r\z//;
    my $line = [$., $text =~ /\x00/ ? 'nul' : valid_utf8($text) ? 'ok' : 'bad_utf8', $text];
    if ($. == 1 && $line->[1] eq 'ok' && $line->[2] =~ s/^\xEF\xBB\xBF//) {
        print_row(1, 0, 'bom', undef, undef, undef);
    }
    if (!$open && $head_seen && $plain_ok && $line->[1] eq 'ok' && $text !~ /\r/ && !maybe_blank($text)
        && $text =~ $plain && $text !~ /(?:^|,)"NULL"(?=,|\z)/ && !exists $head{$text}) {
        print $rows "$.,,$text\n";
        next;
    }
    # A line whose quotes (not counting \" and \\) are odd in number opens a
    # quoted field that goes on to the next line with an odd number.
    push @group, $line;
    $open = !$open if odd_quotes($line);
    next if $open;
    print_group(@group);
    @group = ();
}
print_group(@group) if @group;    # an unterminated quote
close($rows) or die "split.pl: cannot write $rows_path: $!\n";
print_row(0, $. // 0, 'summary', $cr // 0, undef, undef);

# The records of a group of lines: one, or when it spans lines and does not
# parse, its lines one by one.
sub print_group {
    my @group = @_;
    my $ok = !grep { $_->[1] ne 'ok' } @group;
    my $rec = join("\n", map { $_->[1] eq 'ok' ? $_->[2] : '' } @group);
    my @fields = $ok ? split_record($rec) : ();
    if (@fields || @group == 1) {
        print_record($group[0], scalar @group, $ok, $rec, @fields);
    } else {
        print_record($_, 1, $_->[1] eq 'ok', $_->[2], $_->[1] eq 'ok' ? split_record($_->[2]) : ())
            for @group;
    }
}

sub valid_utf8 {
    my ($s) = @_;
    return 1 unless $s =~ /[\x80-\xFF]/;
    pos($s) = 0;
    1 while $s =~ /\G$utf8/gc;
    return (pos($s) // 0) == length($s);
}

# Blank for file.sql ([[:space:]]), or made of other characters than ASCII.
sub maybe_blank { return $_[0] =~ /^[\s\x80-\xFF]*\z/ }

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

sub print_record {
    my ($line, $nlines, $ok, $rec, @raw) = @_;
    my $status = !$ok ? $line->[1] : @raw ? 'ok' : 'malformed';
    $rec = '\x' . unpack('H*', $line->[2]) unless $ok;
    if (!$head_seen) {
        my $blank = $ok && $nlines == 1 && $rec =~ /^[\t\x0B\f\r ]*\z/;
        $head{$rec} = 1 unless $blank;
        $plain_ok = 0 if !$blank && $status eq 'ok' && @raw != $ncols;
        $head_seen = !($ok && $nlines == 1 && maybe_blank($rec));
    }
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
    print_row($line->[0], $nlines, $status, $rec, @raw ? '{' . join(',', @elements) . '}' : undef,
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
