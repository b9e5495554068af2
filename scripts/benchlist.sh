#!/usr/bin/env bash
# Throughput, memory and streaming of `ami list` (issue 6: a 100,000-item list streamed,
# peak RSS under 30 MB, at least 500,000 items/s), against a raw drain of the same list
# measured in the same run (the machine is shared and noisy: compare ratios, and the
# best of several runs, not single absolute numbers).
#
#   scripts/benchlist.sh             # N=100000 items, best of 3 runs
#   N=20000 RUNS=5 scripts/benchlist.sh
#   AMI=/tmp/ami-old scripts/benchlist.sh    # another ami binary as the client
#   MOCK=/tmp/ami-old scripts/benchlist.sh   # another ami binary as the simulator
#
# Builds ami and the reference reader (scripts/rawlist), starts `ami mock --calls N/2`
# (each held call is a Local channel pair: two CoreShowChannel items) on a loopback
# port, and for each consumer prints wall time, items/s, the simulator's CPU time
# during the run (the server side of the cost), peak RSS (GNU time) and the number of
# items it printed, which must be N. Then, for json and text, the time to the first
# item on stdout against the time to the last: a streamed list shows its first item
# long before the end.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-100000}
RUNS=${RUNS:-3}
. scripts/benchlib.sh
[ $((N % 2)) -eq 0 ] || { echo "benchlist.sh: N=$N must be even (two channels per call)" >&2; exit 2; }

build_ami
build_static rawlist ./scripts/rawlist
client=${AMI:-$work/ami}
server=${MOCK:-$work/ami}
start_mock "$server" --calls $((N / 2))

# mock_cpu prints the simulator's CPU time so far (user + system) in clock ticks.
mock_cpu() { awk '{ print $14 + $15 }' "/proc/$mock_pid/stat"; }
tick=$(getconf CLK_TCK)

# measure NAME CHECK CMD...: runs CMD with stdout to a file, prints one table row.
# CHECK is a command reading that file and printing the number of items seen.
measure() {
  local name=$1 check=$2; shift 2
  local best_wall= best_rss= best_cpu= items= c0 c1
  # One untimed run into a file proves the output complete; the timed runs
  # write to /dev/null so that disk speed is not what is measured.
  timeout 300 "$@" >"$work/out" 2>"$work/err" || { echo "$name failed:" >&2; cat "$work/err" >&2; return 1; }
  items=$(eval "$check" <"$work/out")
  for _ in $(seq "$RUNS"); do
    c0=$(mock_cpu)
    /usr/bin/time -f '%e %M' -o "$work/time" timeout 300 "$@" >/dev/null 2>"$work/err" || {
      echo "$name failed:" >&2; cat "$work/err" >&2; return 1
    }
    c1=$(mock_cpu)
    read -r wall rss <"$work/time"
    if [ -z "$best_wall" ] || awk "BEGIN{exit !($wall < $best_wall)}"; then
      best_wall=$wall best_rss=$rss best_cpu=$((c1 - c0))
    fi
  done
  [ "$items" -eq "$N" ] || echo "WARNING: $name printed $items items, want $N" >&2
  [ -n "${base_wall:-}" ] || base_wall=$best_wall
  awk -v n="$name" -v w="$best_wall" -v b="$base_wall" -v N="$N" -v r="$best_rss" -v i="$items" \
    -v c="$best_cpu" -v t="$tick" 'BEGIN {
    if (w <= 0) w = 0.01
    printf "%-22s %8.2f %11.0f %7.2fx %11.2f %8.1f %8d\n", n, w, N / w, w / b, c / t, r / 1024, i }'
}

export AMI_SECRET=admin
list=("$client" list -H 127.0.0.1 -p "$port" -u admin CoreShowChannels)
echo "N=$N items (ami mock --calls $((N / 2))), best of $RUNS run(s), mock at $addr"
printf "%-22s %8s %11s %8s %11s %8s %8s\n" consumer wall_s items/s ratio mock_cpu_s rss_MB items
measure "raw drain (rawlist)" "cat" "$work/rawlist" -addr "$addr"
measure "ami list -o json" "grep -c '^{\"Event\":\"CoreShowChannel\"'" "${list[@]}" -o json
measure "ami list -o text" "grep -c '^Event: CoreShowChannel$'" "${list[@]}" -o text

# stream NAME CMD...: the time from start to the first line on stdout and to the end
# of stdout (ami has logged off), in seconds.
now() { date +%s%N; }
stream() {
  local name=$1; shift
  local t0 first last
  : >"$work/first"
  t0=$(now)
  "$@" 2>"$work/err" | { IFS= read -r _ && now >"$work/first"; cat >/dev/null; now >"$work/last"; } || {
    echo "$name failed:" >&2; cat "$work/err" >&2; return 1
  }
  first=$(cat "$work/first") last=$(cat "$work/last")
  [ -n "$first" ] || { echo "$name printed nothing" >&2; return 1; }
  awk -v n="$name" -v t0="$t0" -v f="$first" -v l="$last" 'BEGIN {
    f = (f - t0) / 1e9; l = (l - t0) / 1e9
    printf "%-22s %14.3f %12.3f %12s\n", n, f, l, (f < l / 2 ? "yes" : "NO") }'
}
echo
printf "%-22s %14s %12s %12s\n" "streaming" first_item_s last_s streamed
stream "ami list -o json" "${list[@]}" -o json
stream "ami list -o text" "${list[@]}" -o text
