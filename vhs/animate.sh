#!/usr/bin/env bash
# The animated demo at the top of the README, vhs/demo.gif, made from vhs/demo.tape, so the
# recording and the tape can't drift apart.
#
# VHS records a tape in a browser through ttyd, which Debian does not package; this needs only
# what the stills need and ffmpeg. vhs/replay.sh plays the tape in tmux at its own pace
# (SPEED=1), typing at its TypingSpeed, and saves the screen every FRAME_EVERY seconds (0.1)
# while the tape is shown (not between Hide and Show). A screen that did not change is
# dropped, its time added to the one before; vhs/freeze.sh draws each that is left, as it
# draws the stills; ffmpeg puts them together, each shown as long as it was on the screen,
# with one palette for the whole animation (palettegen, paletteuse) and only the part of a
# frame that changed stored (diff_mode=rectangle), which keeps the file small.
#
# Needs Go, tmux, perl and ffmpeg (apt-get install -y --no-install-recommends ffmpeg).
#
#   vhs/animate.sh                      # writes vhs/demo.gif
#   vhs/animate.sh /tmp/demo.webp       # or an animated WebP, by the name's extension
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:-vhs/demo.gif}"
command -v ffmpeg >/dev/null || { echo "animate.sh needs ffmpeg (apt-get install -y --no-install-recommends ffmpeg)" >&2; exit 1; }
command -v tmux >/dev/null || { echo "animate.sh needs tmux (apt-get install tmux)" >&2; exit 1; }
# shellcheck source=vhs/freeze.sh
. vhs/freeze.sh

hold=3 # seconds the last frame stays before the animation starts again
work="$(mktemp -d)"
trap 'rm -rf "$work" /tmp/m2mport-demo' EXIT
mkdir -p "$work/frames" "$work/png"

FRAMES="$work/frames" SPEED=1 vhs/replay.sh vhs/demo.tape

# The screens in the order they were taken; each one that differs from the one before starts
# a frame, shown until the next one starts.
list="$work/frames.ffconcat"
echo "ffconcat version 1.0" >"$list"
n=0 prev="" start=""
shown() { # shown NANOSECONDS: the frame before, until then
  printf "file 'png/%05d.png'\nduration %s\n" "$n" "$(awk -v a="$start" -v b="$1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')" >>"$list"
}
while read -r name; do
  ansi="$work/frames/$name" at="${name%.ansi}"
  if [ -n "$prev" ] && cmp -s "$ansi" "$prev"; then
    continue
  fi
  [ -z "$prev" ] || shown "$at"
  n=$((n + 1))
  cp "$ansi" "$work/png/$(printf %05d "$n").ansi"
  prev="$ansi" start="$at"
done < <(cd "$work/frames" && find . -name '*.ansi' | sed 's|^\./||' | sort -n)
[ "$n" -gt 0 ] || { echo "no frame was saved" >&2; exit 1; }
printf "file 'png/%05d.png'\nduration %s\nfile 'png/%05d.png'\n" "$n" "$hold" "$n" >>"$list"
echo "  $(find "$work/frames" -name '*.ansi' | wc -l) screens saved, $n frames"

# Draw them, two at a time.
export -f sgr render_png
export freeze
find "$work/png" -name '*.ansi' -print0 | xargs -0 -P 2 -I{} bash -c 'render_png "$1" "${1%.ansi}.png"' _ {}

case "$out" in
*.webp)
  ffmpeg -v error -y -f concat -safe 0 -i "$list" -fps_mode vfr -c:v libwebp_anim -lossless 1 \
    -compression_level 6 -loop 0 "$out"
  ;;
*)
  ffmpeg -v error -y -f concat -safe 0 -i "$list" -fps_mode vfr -vf \
    "split[a][b];[a]palettegen=stats_mode=full[p];[b][p]paletteuse=dither=none:diff_mode=rectangle" \
    -loop 0 "$out"
  ;;
esac
echo "$out: $(du -h "$out" | cut -f1)"
