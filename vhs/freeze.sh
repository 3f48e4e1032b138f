# vhs/freeze.sh: sourced by vhs/screenshots.sh and vhs/animate.sh. Draws a screen that tmux
# saved with its colours (capture-pane -p -e -N, as vhs/replay.sh does with SHOTS or FRAMES)
# as a PNG with freeze (github.com/charmbracelet/freeze, installed with `go install` when
# missing), in m2mport's "charm" theme on Catppuccin Mocha's background, 100x30 cells of a
# 16 px font. Needs Go and perl (Debian's perl-base is enough).
#
#   . vhs/freeze.sh; render_png screen.ansi screen.png

command -v perl >/dev/null || { echo "vhs/freeze.sh needs perl" >&2; exit 1; }
freeze="$(command -v freeze || echo "$(go env GOPATH)/bin/freeze")"
if [ ! -x "$freeze" ]; then
  go install github.com/charmbracelet/freeze@v0.2.2
  freeze="$(go env GOPATH)/bin/freeze"
fi

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

# render_png ANSI PNG draws the saved screen ANSI into PNG. A fixed size keeps freeze at 1x
# (it renders 4x when it sizes the image itself): 100x30 cells of a 16 px font.
render_png() {
  sgr <"$1" | "$freeze" -l ansi --background "#1e1e2e" --font.size 16 --line-height 1.2 \
    --padding 20,28 --window=false --width 1024 --height 640 -o "$2" >/dev/null
}
