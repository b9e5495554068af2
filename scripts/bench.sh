#!/usr/bin/env bash
# Throughput of `ami listen` against a raw byte copy of the same stream, measured in the
# same run (the machine is shared and noisy: compare ratios, not absolute numbers).
#
#   scripts/bench.sh            # N=1000000 events, best of RUNS=3
#   N=10000000 RUNS=1 scripts/bench.sh   # RSS flat over a long stream?
#
# Builds ami and the reference reader (scripts/rawcopy), starts `ami mock --flood N`
# (pre-encoded realistic ~430-byte events, written in big chunks) on a loopback port,
# and for each consumer prints wall time, events/s, MB/s of input, ratio to the raw copy,
# CPU time (user+sys, steadier than wall on a shared machine) and peak RSS (GNU time),
# from the run with the best wall time. Every consumer's output is checked for the right
# event count.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-1000000}
RUNS=${RUNS:-3}
. scripts/benchlib.sh
build_ami
build_static rawcopy ./scripts/rawcopy
start_mock "$work/ami" --flood "$N"

# measure NAME CHECK CMD...: runs CMD with stdout to a file, prints one table row.
# CHECK is a command reading that file and printing the number of events seen.
measure() {
  local name=$1 check=$2; shift 2
  local best_wall= best_rss= best_cpu= events=
  # One untimed run into a file proves the output complete; the timed runs
  # write to /dev/null so that disk speed is not what is measured.
  timeout 600 "$@" >"$work/out" 2>"$work/err" || { echo "$name failed:" >&2; cat "$work/err" >&2; return 1; }
  events=$(eval "$check" <"$work/out")
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f '%e %M %U %S' -o "$work/time" "$@" >/dev/null 2>"$work/err" || {
      echo "$name failed:" >&2; cat "$work/err" >&2; return 1
    }
    read -r wall rss user sys <"$work/time"
    if [ -z "$best_wall" ] || awk "BEGIN{exit !($wall < $best_wall)}"; then
      best_wall=$wall; best_rss=$rss; best_cpu=$(awk "BEGIN{print $user + $sys}")
    fi
  done
  [ "$events" -ge "$N" ] || echo "WARNING: $name delivered $events events, want $N" >&2
  [ -n "${base_wall:-}" ] || base_wall=$best_wall
  awk -v n="$name" -v w="$best_wall" -v b="$base_wall" -v N="$N" -v B="$bytes" -v r="$best_rss" -v e="$events" -v c="$best_cpu" 'BEGIN {
    if (w <= 0) w = 0.001
    printf "%-22s %8.2f %12.0f %9.1f %7.2fx %7.2f %9.1f %10d\n", n, w, N / w, B / w / 1e6, w / b, c, r / 1024, e }'
}

bytes=$((N * 432)) # the flood event is ~432 bytes on the wire
echo "N=$N events (~$((bytes / 1000000)) MB), best of $RUNS run(s), mock at $addr"
printf "%-22s %8s %12s %9s %8s %7s %9s %10s\n" consumer wall_s events/s MB/s ratio cpu_s rss_MB events_seen
measure "raw copy (rawcopy)" "grep -c '^Event: '" "$work/rawcopy" -addr "$addr" -count "$N"
common=(-H 127.0.0.1 -p "$port" -u admin --count "$N" --event UserEvent)
export AMI_SECRET=admin
measure "ami listen -o raw" "grep -c '^Event: '" "$work/ami" listen "${common[@]}" -o raw
measure "ami listen -o json" "grep -c '^{'" "$work/ami" listen "${common[@]}" -o json
measure "ami listen -o text" "grep -c '^Event: '" "$work/ami" listen "${common[@]}" -o text

# `ami send Ping` end to end (process start, connect, login, ping, logoff) against the
# minimal program doing the same exchange (scripts/rawping): RUNS rounds of 200 runs
# each, the two programs taking turns (the machine's load drifts), best round of each.
build_static rawping ./scripts/rawping
pings=200
time_loop() { # prints seconds for $pings runs of the command
  local start end
  start=$(date +%s.%N)
  for _ in $(seq "$pings"); do "$@" >/dev/null || return 1; done
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }'
}
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b < a) ? b : a }'; }
raw_ping= ami_ping=
for _ in $(seq "$RUNS"); do
  raw_ping=$(min "$raw_ping" "$(time_loop "$work/rawping" -addr "$addr")")
  ami_ping=$(min "$ami_ping" "$(time_loop "$work/ami" send -H 127.0.0.1 -p "$port" -u admin Ping)")
done
echo
printf "%-22s %10s %12s %8s\n" "send Ping x$pings" total_s per_run_ms ratio
awk -v r="$raw_ping" -v a="$ami_ping" -v n="$pings" 'BEGIN {
  printf "%-22s %10.3f %12.2f %7.2fx\n", "raw (rawping)", r, r / n * 1000, 1
  printf "%-22s %10.3f %12.2f %7.2fx\n", "ami send Ping", a, a / n * 1000, a / r }'
