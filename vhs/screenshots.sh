#!/usr/bin/env bash
# Still screenshots of each step of `m2mport demo`, for the README.
#
# Builds m2mport, drives the demo in a private tmux server at 100x30, and renders each screen
# with freeze (github.com/charmbracelet/freeze, installed with `go install` when missing) into
# vhs/screenshots/*.png. Needs Go, tmux and perl (Debian's perl-base is enough). The theme is
# fixed (m2mport's "charm", dark, true colour) so the images only change when the TUI does;
# what still moves between runs is the sandbox's ports, token times and the report's path.
#
#   vhs/screenshots.sh            # all shots
set -euo pipefail
cd "$(dirname "$0")/.."

out=vhs/screenshots
gobin="$(go env GOPATH)/bin"
for tool in tmux perl; do
  command -v "$tool" >/dev/null || { echo "screenshots.sh needs $tool (apt-get install $tool)" >&2; exit 1; }
done
freeze="$(command -v freeze || echo "$gobin/freeze")"
if [ ! -x "$freeze" ]; then
  go install github.com/charmbracelet/freeze@v0.2.2
  freeze="$gobin/freeze"
fi

work="$(mktemp -d)"
state=/tmp/m2mport-demo # the report path shows on the import screen: keep it short and the same
sock="m2mport-shots-$$" # a tmux server of our own: the operator's sessions are never touched
cleanup() {
  tmux -L "$sock" kill-server 2>/dev/null || true
  rm -rf "$work" "$state"
}
trap cleanup EXIT

go build -o "$work/m2mport" .
mkdir -p "$out"

# TERM and COLORTERM (and no TMUX) make m2mport draw in true colour, so the PNGs carry the
# theme's exact colours;
# XDG_STATE_HOME keeps the demo's run report out of the operator's own state directory.
tmux -L "$sock" -f /dev/null new-session -d -s demo -x 100 -y 30 \
  "env -u TMUX TERM=xterm-256color COLORTERM=truecolor XDG_STATE_HOME='$state' '$work/m2mport' demo --theme charm; sleep 600"

pane() { tmux -L "$sock" capture-pane -p -t demo "$@"; }

# wait_for REGEX: until the screen shows it (10 s at most).
wait_for() {
  for _ in $(seq 100); do
    if pane | grep -Eq -- "$1"; then
      sleep 0.3 # let the frame that drew it settle
      return
    fi
    sleep 0.1
  done
  echo "screenshots.sh: the screen never showed /$1/; it shows:" >&2
  pane >&2
  exit 1
}

keys() {
  tmux -L "$sock" send-keys -t demo "$@"
  sleep 0.3
}

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

# shot NAME: render the screen as it is now to vhs/screenshots/NAME.png. A fixed size keeps
# freeze at 1x (it renders 4x when it sizes the image itself): 100x30 cells of a 16 px font.
shot() {
  pane -e -N | sgr >"$work/$1.ansi"
  "$freeze" -l ansi --background "#1e1e2e" --font.size 16 --line-height 1.2 --padding 20,28 \
    --window=false --width 1024 --height 640 -o "$out/$1.png" "$work/$1.ansi" >/dev/null
  echo "$out/$1.png"
}

# 1 Access: both panels prefilled from the sandbox, secrets masked, both sides checked.
wait_for 'Enter connects'
keys Enter
wait_for 'Connected'
shot 1-connected

# 2 Pick three clients: Billing Worker (two APIs), Inventory Sync (already in Stytch),
# Reporting Exporter (in Stytch with other scopes). The ready ones start chosen: n clears them.
keys Enter
wait_for 'chosen'
keys n j Space Space
keys / && keys -l report && keys Enter Space Escape
keys g j
wait_for '3 chosen'
shot 2-pick

# 3 Scopes: Billing Worker keeps read:invoices and read:orders, not write:invoices.
keys Enter
wait_for 'Scopes +3 chosen'
keys j j Space
wait_for 'Scopes +2 chosen'
shot 3-scopes

# 4 Import: the plan (create, identical, conflict -> update), then the run.
keys Enter
wait_for 'Review the plan'
keys j j Space
wait_for '≠ update'
shot 4-plan
keys Enter
wait_for 'Import into this project'
keys y
wait_for 'Import finished'
wait_for 'every check'
shot 5-import

# 5 Validate: each client's token and its checklist.
keys Enter
wait_for 'all 10 checks pass'
shot 6-validate
keys q
