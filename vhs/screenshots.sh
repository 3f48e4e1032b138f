#!/usr/bin/env bash
# Still screenshots of each step of `m2mport demo`, for the README.
#
# Plays vhs/demo.tape in tmux with vhs/replay.sh (which builds m2mport), saving the screen at
# each "# shot: NAME" comment of the tape, then renders each with freeze
# (github.com/charmbracelet/freeze, installed with `go install` when missing) into
# vhs/screenshots/NAME.png. The walk through the demo is the tape's, so the recording and the
# stills can't drift apart; vhs/freeze.sh draws each, as it draws vhs/animate.sh's frames.
# Needs Go, tmux and perl (Debian's perl-base is enough). The theme (m2mport's "charm", dark,
# true colour), the size (100x30) and the font are fixed, so the images only change when the
# TUI does; what still moves between runs is the sandbox's ports, token times and the
# report's timestamp.
#
#   vhs/screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."

out=vhs/screenshots
# shellcheck source=vhs/freeze.sh
. vhs/freeze.sh

work="$(mktemp -d)"
trap 'rm -rf "$work" /tmp/m2mport-demo' EXIT # the tape keeps the demo's report there

# A slower replay than replay.sh's default, so each screen has settled when it is saved.
SHOTS="$work" SPEED=0.3 vhs/replay.sh vhs/demo.tape
mkdir -p "$out"
for ansi in "$work"/*.ansi; do
  name="$(basename "$ansi" .ansi)"
  render_png "$ansi" "$out/$name.png"
  echo "$out/$name.png"
done
