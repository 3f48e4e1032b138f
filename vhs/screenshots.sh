#!/usr/bin/env bash
# Still screenshots of each step of `m2mport demo`, for the README.
#
# Plays vhs/demo.tape in tmux with vhs/replay.sh (which builds m2mport), saving the screen at
# each "# shot: NAME" comment of the tape, then renders each with freeze
# (github.com/charmbracelet/freeze, installed with `go install` when missing) into
# vhs/screenshots/NAME.png. The walk through the demo is the tape's, so the recording and the
# stills can't drift apart. Needs Go, tmux and perl (Debian's perl-base is enough). The theme
# (m2mport's "charm", dark, true colour), the size (100x30) and the font are fixed, so the
# images only change when the TUI does; what still moves between runs is the sandbox's ports,
# token times and the report's timestamp.
#
#   vhs/screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."

out=vhs/screenshots
gobin="$(go env GOPATH)/bin"
command -v perl >/dev/null || { echo "screenshots.sh needs perl" >&2; exit 1; }
freeze="$(command -v freeze || echo "$gobin/freeze")"
if [ ! -x "$freeze" ]; then
  go install github.com/charmbracelet/freeze@v0.2.2
  freeze="$gobin/freeze"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work" /tmp/m2mport-demo' EXIT # the tape keeps the demo's report there

# sgr rewrites tmux's SGR sequences into the subset freeze draws: freeze ignores "default
# colour" (39, 49), reverse video and the 40-47 backgrounds, and ends a background at each
# line's end. Every style change becomes a reset followed by the whole current style, and every
# line starts by restating it.
sgr() {
  perl -CSD -ne '
    BEGIN { ($fg, $bg, $ul, $it, $rv) = ("", "", 0, 0, 0) }
    sub style {
      my ($f, $b) = ($fg, $bg);
      if ($rv) { ($f, $b) = ($b eq "" ? "38;2;30;30;46" : "38" . substr($b, 2), $f eq "" ? "48;2;228;225;236" : "48" . substr($f, 2)) }
      return "\e[0m" . ($f ne "" ? "\e[${f}m" : "") . ($b ne "" ? "\e[${b}m" : "") . ($ul ? "\e[4m" : "") . ($it ? "\e[3m" : "");
    }
    sub apply {
      my @p = split /[;:]/, ($_[0] eq "" ? "0" : $_[0]);
      while (@p) {
        my $v = shift @p;
        if ($v == 0) { ($fg, $bg, $ul, $it, $rv) = ("", "", 0, 0, 0) }
        elsif ($v == 38 || $v == 48) {
          my $k = shift @p;
          my $c = $k == 5 ? "5;" . shift(@p) : "2;" . join(";", splice(@p, 0, 3));
          if ($v == 38) { $fg = "38;$c" } else { $bg = "48;$c" }
        }
        elsif ($v == 39) { $fg = "" }
        elsif ($v == 49) { $bg = "" }
        elsif (($v >= 30 && $v <= 37) || ($v >= 90 && $v <= 97)) { $fg = "38;5;" . ($v >= 90 ? $v - 82 : $v - 30) }
        elsif (($v >= 40 && $v <= 47) || ($v >= 100 && $v <= 107)) { $bg = "48;5;" . ($v >= 100 ? $v - 92 : $v - 40) }
        elsif ($v == 4) { $ul = 1 } elsif ($v == 24) { $ul = 0 }
        elsif ($v == 3) { $it = 1 } elsif ($v == 23) { $it = 0 }
        elsif ($v == 7) { $rv = 1 } elsif ($v == 27) { $rv = 0 }
      }
      return style();
    }
    my $start = style();
    s/\e\[([0-9;:]*)m/apply($1)/ge;
    print $start . $_;
  '
}

# A slower replay than replay.sh's default, so each screen has settled when it is saved.
SHOTS="$work" SPEED=0.3 vhs/replay.sh vhs/demo.tape
mkdir -p "$out"
for ansi in "$work"/*.ansi; do
  name="$(basename "$ansi" .ansi)"
  # A fixed size keeps freeze at 1x (it renders 4x when it sizes the image itself): 100x30
  # cells of a 16 px font.
  sgr <"$ansi" | "$freeze" -l ansi --background "#1e1e2e" --font.size 16 --line-height 1.2 \
    --padding 20,28 --window=false --width 1024 --height 640 -o "$out/$name.png" >/dev/null
  echo "$out/$name.png"
done
