#!/usr/bin/env bash
# replay.sh TAPE...: play VHS tapes in tmux instead of rendering them, and fail when a Wait
# never matches. Rendering needs ttyd, ffmpeg and a Chromium; this needs only Go, bash and
# tmux, so it can show on any machine that a tape still drives today's m2mport to the screens
# it waits for (`vhs validate` only checks the syntax).
#
# It builds m2mport into a temporary directory put first on PATH (what `Require m2mport`
# finds), sizes a tmux window like the tape's Width, Height, FontSize and Padding (about: the
# cell size of VHS's font is estimated), and plays Hide/Show parts too. Sleeps are scaled by
# SPEED (default 0.1); a Wait still waits up to the tape's WaitTimeout. SCREENS=1 prints the
# screen each time a Wait matches. With SHOTS=DIR, a comment "# shot: NAME" in the tape saves
# the screen, with its colours, to DIR/NAME.ansi (vhs/screenshots.sh renders those). With
# FRAMES=DIR, the screen is saved every FRAME_EVERY seconds (0.1) while the tape is shown
# (not between Hide and Show), as DIR/<nanoseconds>.ansi, and Type types at the tape's
# TypingSpeed, as VHS would record them (vhs/animate.sh makes the animation from those).
# Tapes may use Type, the named keys, Ctrl+<key>, Sleep, Wait, Env, Set, Require, Output,
# Hide and Show.
#
#   vhs/replay.sh vhs/*.tape
#   SCREENS=1 vhs/replay.sh vhs/check.tape  # and see what the tape would show
#   SPEED=1 vhs/replay.sh vhs/demo.tape     # at the tape's own pace, to watch: tmux -L <socket> attach
set -euo pipefail
cd "$(dirname "$0")/.."

speed="${SPEED:-0.1}"
command -v tmux >/dev/null || { echo "replay.sh needs tmux (apt-get install tmux)" >&2; exit 1; }
[ $# -gt 0 ] || { echo "usage: vhs/replay.sh TAPE..." >&2; exit 2; }

work="$(mktemp -d)"
sock="m2mport-replay-$$" # a tmux server of our own: the operator's sessions are never touched
cleanup() {
  tmux -L "$sock" kill-server 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/bin"
go build -o "$work/bin/m2mport" .

# seconds DURATION: a VHS duration (500ms, 2s, 1.5) in seconds.
seconds() {
  case "$1" in
  *ms) awk -v v="${1%ms}" 'BEGIN { printf "%.3f", v / 1000 }' ;;
  *s) echo "${1%s}" ;;
  *) echo "$1" ;;
  esac
}

# unquote STRING: the text of a VHS string in "…", '…' or `…`.
unquote() {
  local s="$1"
  s="${s#[\"\'\`]}"
  echo "${s%[\"\'\`]}"
}

# frames DIR: save the screen to DIR every FRAME_EVERY seconds until the tmux server ends,
# skipping while DIR/hidden exists (the tape is between Hide and Show). Runs in the
# background; each file is named by the time it was taken, in nanoseconds.
frames() {
  local dir="$1" every="${FRAME_EVERY:-0.1}" at
  while :; do
    if [ ! -e "$dir/hidden" ]; then
      at="${EPOCHREALTIME/./}000" # microseconds, as nanoseconds: one process less per frame
      if ! tmux -L "$sock" capture-pane -p -e -N -t replay >"$dir/$at.ansi" 2>/dev/null; then
        rm -f "$dir/$at.ansi" # the server is gone: the tape is over
        break
      fi
    elif ! tmux -L "$sock" has-session -t replay 2>/dev/null; then
      break
    fi
    sleep "$every"
  done
}

replay() {
  local tape="$1" line n=0
  local width=1200 height=600 font=22 padding=60 timeout=15 typing=0
  local -a envs=()
  local started="" framer=""

  screen() { tmux -L "$sock" capture-pane -p -t replay; }
  fail() {
    echo "$tape:$n: $*" >&2
    if [ -n "$started" ]; then
      echo "--- the screen:" >&2
      screen >&2
    fi
    exit 1
  }
  start() {
    [ -n "$started" ] && return
    local cols rows
    cols=$(awk -v w="$width" -v p="$padding" -v f="$font" 'BEGIN { printf "%d", (w - 2 * p) / (0.6 * f) }')
    rows=$(awk -v h="$height" -v p="$padding" -v f="$font" 'BEGIN { printf "%d", (h - 2 * p) / (1.2 * f) }')
    tmux -L "$sock" -f /dev/null new-session -d -s replay -x "$cols" -y "$rows" \
      env PATH="$work/bin:$PATH" TERM=xterm-256color COLORTERM=truecolor ${envs[@]+"${envs[@]}"} \
      bash --noprofile --norc
    tmux -L "$sock" send-keys -t replay "PS1='> '; unset TMUX" Enter "clear" Enter
    started=1
    echo "  ${cols}x${rows}"
    if [ -n "${FRAMES:-}" ]; then
      frames "$FRAMES" &
      framer=$!
    fi
  }
  keys() {
    start
    tmux -L "$sock" send-keys -t replay "$@"
  }

  echo "$tape"
  while IFS= read -r line || [ -n "$line" ]; do
    n=$((n + 1))
    line="${line#"${line%%[![:space:]]*}"}"
    case "$line" in
    "# shot: "*)
      if [ -n "${SHOTS:-}" ]; then
        start
        tmux -L "$sock" capture-pane -p -e -N -t replay >"$SHOTS/${line#\# shot: }.ansi"
      fi
      continue
      ;;
    "" | "#"*) continue ;;
    esac
    local cmd="${line%% *}" rest=""
    [ "$cmd" != "$line" ] && rest="${line#* }"
    local name="${cmd%%@*}"
    case "$name" in
    Output) ;;
    Hide) [ -z "${FRAMES:-}" ] || touch "$FRAMES/hidden" ;;
    Show)
      if [ -n "${FRAMES:-}" ]; then
        sleep 0.2 # what was typed while hidden has been drawn
        rm -f "$FRAMES/hidden"
      fi
      ;;
    Require)
      PATH="$work/bin:$PATH" command -v "$rest" >/dev/null || fail "Require $rest: not found" ;;
    Set)
      local key="${rest%% *}" value="${rest#* }"
      case "$key" in
      Width) width="$value" ;;
      Height) height="$value" ;;
      FontSize) font="$value" ;;
      Padding) padding="$value" ;;
      WaitTimeout) timeout="$(seconds "$value")" ;;
      TypingSpeed) typing="$(seconds "$value")" ;;
      esac
      ;;
    Env)
      [ -z "$started" ] || fail "Env after the first key: VHS sets it for the whole tape"
      local k="${rest%% *}"
      envs+=("$k=$(unquote "${rest#* }")")
      ;;
    Type)
      local text
      text="$(unquote "$rest")"
      if [ -n "${FRAMES:-}" ] && [ ! -e "$FRAMES/hidden" ]; then
        # One key at a time at the tape's TypingSpeed, as a recording shows it.
        local delay i
        delay=$(awk -v s="$typing" -v f="$speed" 'BEGIN { printf "%.3f", s * f }')
        local c
        for ((i = 0; i < ${#text}; i++)); do
          c="${text:i:1}"
          [ "$c" != ";" ] || c='\;' # alone, tmux reads ; as the end of a command
          keys -l "$c"
          sleep "$delay"
        done
      else
        keys -l "$text"
      fi
      ;;
    Enter | Space | Tab | Escape | Backspace | Delete | Up | Down | Left | Right | PageUp | PageDown | Home | End)
      local key="$name" count="${rest:-1}"
      case "$name" in
      Space) key=Space ;; Escape) key=Escape ;; Backspace) key=BSpace ;; Delete) key=DC ;;
      PageUp) key=PPage ;; PageDown) key=NPage ;;
      esac
      for _ in $(seq "$count"); do keys "$key"; sleep 0.05; done
      ;;
    Ctrl+*)
      keys "C-$(echo "${name#Ctrl+}" | tr '[:upper:]' '[:lower:]')" ;;
    Sleep)
      start
      sleep "$(awk -v s="$(seconds "$rest")" -v f="$speed" 'BEGIN { printf "%.3f", s * f }')" ;;
    Wait*)
      start
      local re="${line#*/}"
      re="${re%/}"
      [ "$re" != "$line" ] || fail "Wait without a /pattern/ is not supported here"
      local limit="$timeout"
      [ "$cmd" != "${cmd#*@}" ] && limit="$(seconds "${cmd#*@}")"
      local tries
      tries=$(awk -v s="$limit" 'BEGIN { printf "%d", s * 10 }')
      local found=""
      for _ in $(seq "$tries"); do
        # -z: the pattern sees the whole screen as one text, as VHS's Wait+Screen does.
        if screen | grep -Ezq -- "$re"; then found=1; break; fi
        sleep 0.1
      done
      [ -n "$found" ] || fail "$line: not on the screen after ${limit}s"
      if [ -n "${SCREENS:-}" ]; then
        echo "--- $tape:$n $line"
        screen | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' # without the blank lines at the bottom
      fi
      ;;
    *) fail "replay.sh does not play '$name'" ;;
    esac
  done <"$tape"
  tmux -L "$sock" kill-server 2>/dev/null || true
  [ -z "$framer" ] || wait "$framer" || true
  echo "  ok"
}

for tape in "$@"; do
  replay "$tape"
done
