#!/usr/bin/env bash
# Throughput of `ami listen` against a raw byte copy of the same stream, measured in the
# same run (the machine is shared and noisy: compare ratios, not absolute numbers).
#
#   scripts/bench.sh            # N=1000000 events, best of RUNS=3
#   N=10000000 RUNS=1 scripts/bench.sh   # RSS flat over a long stream?
#   MERGE_N=250000 MERGE_HOSTS=4 scripts/bench.sh   # the many-host merge (below)
#   OLD=/tmp/ami-old scripts/bench.sh   # also another ami binary's listen, side by side
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

# The consumers: name, the command counting the events of its output, the command.
names=() checks=() cmds=()
consumer() { names+=("$1"); checks+=("$2"); cmds+=("$3"); }
consumer "raw copy (rawcopy)" "grep -c '^Event: '" "$work/rawcopy -addr $addr -count $N"
common="-H 127.0.0.1 -p $port -u admin --count $N --event UserEvent"
export AMI_SECRET=admin
consumer "ami listen -o raw" "grep -c '^Event: '" "$work/ami listen $common -o raw"
consumer "ami listen -o json" "grep -c '^{'" "$work/ami listen $common -o json"
consumer "ami listen -o text" "grep -c '^Event: '" "$work/ami listen $common -o text"
if [ -n "${OLD:-}" ]; then
	consumer "old listen -o raw" "grep -c '^Event: '" "$OLD listen $common -o raw"
	consumer "old listen -o json" "grep -c '^{'" "$OLD listen $common -o json"
fi

# One untimed run of each into a file proves its output complete; then RUNS rounds in
# which the consumers take turns (the machine's load drifts: a consumer's runs in a
# block would meet different weather than the raw copy's), writing to /dev/null so that
# disk speed is not what is measured. Each keeps its run with the best wall time.
events=() best_wall=() best_rss=() best_cpu=()
for i in "${!names[@]}"; do
  # shellcheck disable=SC2086 # the command is words
  timeout 600 ${cmds[$i]} >"$work/out" 2>"$work/err" || { echo "${names[$i]} failed:" >&2; cat "$work/err" >&2; exit 1; }
  events[i]=$(eval "${checks[$i]}" <"$work/out")
  [ "${events[$i]}" -ge "$N" ] || echo "WARNING: ${names[$i]} delivered ${events[$i]} events, want $N" >&2
done
for _ in $(seq "$RUNS"); do
  for i in "${!names[@]}"; do
    # shellcheck disable=SC2086
    /usr/bin/time -f '%e %M %U %S' -o "$work/time" ${cmds[$i]} >/dev/null 2>"$work/err" || {
      echo "${names[$i]} failed:" >&2; cat "$work/err" >&2; exit 1
    }
    read -r wall rss user sys <"$work/time"
    if [ -z "${best_wall[$i]:-}" ] || awk "BEGIN{exit !($wall < ${best_wall[$i]})}"; then
      best_wall[i]=$wall; best_rss[i]=$rss; best_cpu[i]=$(awk "BEGIN{print $user + $sys}")
    fi
  done
done

bytes=$((N * 432)) # the flood event is ~432 bytes on the wire
echo "N=$N events (~$((bytes / 1000000)) MB), best of $RUNS run(s), mock at $addr"
printf "%-22s %8s %12s %9s %8s %7s %9s %10s\n" consumer wall_s events/s MB/s ratio cpu_s rss_MB events_seen
for i in "${!names[@]}"; do
  awk -v n="${names[$i]}" -v w="${best_wall[$i]}" -v b="${best_wall[0]}" -v N="$N" -v B="$bytes" -v r="${best_rss[$i]}" -v e="${events[$i]}" -v c="${best_cpu[$i]}" 'BEGIN {
    if (w <= 0) w = 0.001
    if (b <= 0) b = 0.001
    printf "%-22s %8.2f %12.0f %9.1f %7.2fx %7.2f %9.1f %10d\n", n, w, N / w, B / w / 1e6, w / b, c, r / 1024, e }'
done

# The many-host merge: MERGE_HOSTS simulators flooding MERGE_N events each, merged by
# one `ami listen -H a,b,c,d -o json` (every event tagged with its host), against the
# raw copy of the same total bytes: one rawcopy per simulator, all at once. Best wall
# time of RUNS rounds, taking turns; the merged output is checked once for every host's
# events (nothing lost) and its peak RSS shows that memory stays bounded.
MERGE_N=${MERGE_N:-250000}
MERGE_HOSTS=${MERGE_HOSTS:-4}
maddrs=()
for _ in $(seq "$MERGE_HOSTS"); do
  start_mock "$work/ami" --flood "$MERGE_N"
  maddrs+=("$addr")
done
hosts=$(IFS=,; echo "${maddrs[*]}")
cat >"$work/rawcopies" <<EOS
for a in ${maddrs[*]}; do "$work/rawcopy" -addr "\$a" -count $MERGE_N & done
wait
EOS
merge_cmds=("bash $work/rawcopies" "$work/ami listen -H $hosts -u admin --count $((MERGE_N * MERGE_HOSTS)) --event UserEvent -o json")
merge_names=("raw copy x$MERGE_HOSTS (rawcopy)" "ami listen -H x$MERGE_HOSTS -o json")
# shellcheck disable=SC2086
timeout 600 ${merge_cmds[1]} >"$work/out" 2>"$work/err" || { echo "merged listen failed:" >&2; cat "$work/err" >&2; exit 1; }
for a in "${maddrs[@]}"; do
  got=$(grep -c "^{\"@host\":\"$a\"" "$work/out" || true)
  [ "$got" -eq "$MERGE_N" ] || echo "WARNING: merged listen printed $got events of $a, want $MERGE_N" >&2
done
merged_events=$(grep -c '^{"@host":' "$work/out")
mbest_wall=() mbest_rss=() mbest_cpu=()
for _ in $(seq "$RUNS"); do
  for i in 0 1; do
    # shellcheck disable=SC2086
    /usr/bin/time -f '%e %M %U %S' -o "$work/time" ${merge_cmds[$i]} >/dev/null 2>"$work/err" || {
      echo "${merge_names[$i]} failed:" >&2; cat "$work/err" >&2; exit 1
    }
    read -r wall rss user sys <"$work/time"
    if [ -z "${mbest_wall[$i]:-}" ] || awk "BEGIN{exit !($wall < ${mbest_wall[$i]})}"; then
      mbest_wall[i]=$wall; mbest_rss[i]=$rss; mbest_cpu[i]=$(awk "BEGIN{print $user + $sys}")
    fi
  done
done
mtotal=$((MERGE_N * MERGE_HOSTS))
mbytes=$((mtotal * 432))
echo
echo "merge: $MERGE_HOSTS hosts x $MERGE_N events (~$((mbytes / 1000000)) MB), best of $RUNS run(s); merged output: $merged_events events"
printf "%-28s %8s %12s %9s %8s %7s %9s\n" consumer wall_s events/s MB/s ratio cpu_s rss_MB
for i in 0 1; do
  awk -v n="${merge_names[$i]}" -v w="${mbest_wall[$i]}" -v b="${mbest_wall[0]}" -v N="$mtotal" -v B="$mbytes" -v r="${mbest_rss[$i]}" -v c="${mbest_cpu[$i]}" 'BEGIN {
    if (w <= 0) w = 0.001
    if (b <= 0) b = 0.001
    printf "%-28s %8.2f %12.0f %9.1f %7.2fx %7.2f %9.1f\n", n, w, N / w, B / w / 1e6, w / b, c, r / 1024 }'
done

# `ami send Ping` end to end (process start, connect, login, ping, logoff) against the
# minimal program doing the same exchange (scripts/rawping): 200*RUNS runs of each, taking
# turns run by run (which goes first rotates), timed with bash's own clock (no fork); the
# medians per run, and their ratio. With OLD=, the other binary takes its turn too.
build_static rawping ./scripts/rawping
pings=$((200 * RUNS))
who=(raw ami)
[ -n "${OLD:-}" ] && who+=(old)
for w in "${who[@]}"; do : >"$work/$w.us"; done
for k in $(seq "$pings"); do
  for i in "${!who[@]}"; do
    which=${who[$(((k + i) % ${#who[@]}))]}
    t0=${EPOCHREALTIME/./}
    case $which in
      raw) "$work/rawping" -addr "$addr" >/dev/null ;;
      ami) "$work/ami" send -H 127.0.0.1 -p "$port" -u admin Ping >/dev/null ;;
      old) "$OLD" send -H 127.0.0.1 -p "$port" -u admin Ping >/dev/null ;;
    esac
    t1=${EPOCHREALTIME/./}
    echo $((10#$t1 - 10#$t0)) >>"$work/$which.us"
  done
done
median() { sort -n "$1" | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
raw_med=$(median "$work/raw.us")
echo
printf "%-22s %8s %14s %8s\n" "send Ping x$pings" runs median_ms ratio
for w in "${who[@]}"; do
  case $w in raw) name="raw (rawping)" ;; ami) name="ami send Ping" ;; old) name="old send Ping" ;; esac
  awk -v r="$raw_med" -v a="$(median "$work/$w.us")" -v n="$pings" -v name="$name" 'BEGIN {
    printf "%-22s %8d %14.2f %7.2fx\n", name, n, a / 1000, a / r }'
done
