#!/usr/bin/env bash
# End-to-end check of the built binary, driven as a user would drive it: builds ami,
# starts `ami mock` on a free loopback port, runs every subcommand against it and checks
# output and exit codes. Loopback only; every step is bounded by `timeout`.
#
#   scripts/e2e.sh            # exits non-zero and names the failing check
set -uo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
mock_pid=
cleanup() {
  [ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null && wait "$mock_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

pass=0
failed=0
ok() { pass=$((pass + 1)); echo "ok    $1"; }
bad() { failed=$((failed + 1)); echo "FAIL  $1"; [ -n "${2:-}" ] && sed 's/^/      /' <<<"$2" | head -20; }

# check NAME WANT_EXIT CMD... : runs CMD (bounded), stores stdout/stderr, checks the exit code.
check() {
  local name=$1 want=$2; shift 2
  timeout 30 "$@" >"$work/out" 2>"$work/err"
  local got=$?
  if [ "$got" -ne "$want" ]; then
    bad "$name (exit $got, want $want)" "$(cat "$work/err")"
    return 1
  fi
  ok "$name"
}
want_out() { # NAME PATTERN : stdout of the last check matches the extended regexp
  if grep -Eq -- "$2" "$work/out"; then ok "$1"; else bad "$1: stdout lacks /$2/" "$(head -20 "$work/out")"; fi
}
want_err() {
  if grep -Eq -- "$2" "$work/err"; then ok "$1"; else bad "$1: stderr lacks /$2/" "$(cat "$work/err")"; fi
}

bin="$work/ami"
echo "== building"
go build -o "$bin" ./cmd/ami || { echo "FAIL  build"; exit 1; }
export NO_COLOR=1
unset AMI_HOST AMI_PORT AMI_USERNAME AMI_SECRET AMI_SECRET_FILE AMI_PROFILE

echo "== starting ami mock"
"$bin" mock --listen 127.0.0.1:0 --rate 5 --user admin:s3cret --user reader:r3ad 2>"$work/mock.err" &
mock_pid=$!
addr=
for _ in $(seq 100); do
  addr=$(grep -Eo '127\.0\.0\.1:[0-9]+' "$work/mock.err" | head -n1)
  [ -n "$addr" ] && break
  kill -0 "$mock_pid" 2>/dev/null || break
  sleep 0.1 # polling a log file for the address; not test synchronisation inside Go
done
if [ -z "$addr" ]; then
  echo "FAIL  ami mock did not report its address"; cat "$work/mock.err"; exit 1
fi
port=${addr##*:}
echo "mock at $addr"
export AMI_HOST=127.0.0.1 AMI_PORT=$port AMI_USERNAME=admin AMI_SECRET=s3cret

echo "== send"
check "send Ping" 0 "$bin" send Ping && want_out "send Ping prints Pong" '^Ping: Pong'
check "send Ping -o json" 0 "$bin" send -o json Ping && want_out "json response" '"Response":"Success"'
check "send unknown action exits 1" 1 "$bin" send NoSuchAction && want_out "error message" 'Invalid/unknown command'
check "send header injection exits 2" 2 "$bin" send Originate $'Channel=x\r\nAction: Command\r\nCommand: core stop now' &&
  want_err "injection names the key" 'Channel'
printf 'Action: Ping\nActionID: e2e-1\n\nAction: CoreStatus\nActionID: e2e-2\n\n' >"$work/actions.txt"
check "send actions from stdin (text)" 0 "$bin" send <"$work/actions.txt" && want_out "stdin ActionID kept" 'e2e-2'
printf '%s\n' '{"Action":"Ping","ActionID":"j1"}' '{"Action":"CoreSettings","ActionID":"j2"}' >"$work/actions.jsonl"
check "send actions from stdin (json lines)" 0 "$bin" send -o json <"$work/actions.jsonl" && want_out "json results in order" '"ActionID":"j2"'

echo "== list"
check "originate a call" 0 "$bin" send Originate Channel=Local/hold@default Application=Wait Data=3600 Async=false
check "list CoreShowChannels -o table" 0 "$bin" list CoreShowChannels -o table && want_out "table header" 'Channel'
check "list --fields json" 0 "$bin" list Status -o json --fields Channel,State && want_out "picked fields" '"Channel"'

echo "== many hosts"
# The same mock under two names, and a closed port: a block per host, tagged; the
# closed one named last on stderr, exit 3.
check "list on two hosts" 0 "$bin" -H "$addr,localhost:$port" list CoreShowChannels -o json &&
  want_out "first host tagged" '^\{"@host":"'"$addr"'"' && want_out "second host tagged" '^\{"@host":"localhost:'"$port"'"'
check "command on a host down" 3 "$bin" -H "$addr,127.0.0.1:1" command 'core show version' &&
  want_out "lines after the host's name" "^$addr: Asterisk" && want_err "failed hosts named" '^ami: 1 of 2 hosts failed: 127\.0\.0\.1:1$'
check "-o raw refused with two hosts" 2 "$bin" -H "$addr,$addr" send -o raw Ping
# Live calls piped, -o left to its default (JSON lines when piped); Ctrl-C is its end.
check "live calls on two hosts, piped" 0 timeout --preserve-status -s INT 3 "$bin" -H "$addr,localhost:$port" calls &&
  want_out "changes led by their host" '^\{"@host":"localhost:'"$port"'","@change":"(start|update|end)"'

echo "== command"
check "command core show version" 0 "$bin" command 'core show version' && want_out "version text" 'Asterisk'

echo "== listen"
check "listen --count 3 -o json" 0 "$bin" listen --count 3 -o json --duration 20s
lines=$(wc -l <"$work/out")
[ "$lines" -eq 3 ] && ok "listen printed 3 lines" || bad "listen printed $lines lines, want 3"
# A background sender keeps events coming so listen notices the closed pipe.
( for _ in $(seq 50); do "$bin" send UserEvent UserEvent=e2e >/dev/null 2>&1; sleep 0.2; done ) &
sender=$!
timeout 20 "$bin" listen -o json 2>"$work/err" | head -n 1 >"$work/out"
listen_rc=${PIPESTATUS[0]}
kill "$sender" 2>/dev/null; wait "$sender" 2>/dev/null
[ "$listen_rc" -eq 0 ] && ok "listen | head -n 1 exits 0" || bad "listen | head -n 1 exit $listen_rc (124 = hung)"
[ "$(wc -l <"$work/out")" -eq 1 ] && ok "listen | head printed 1 line" || bad "listen | head line count"
[ -s "$work/err" ] && bad "listen | head wrote to stderr" "$(cat "$work/err")" || ok "listen | head is quiet"
# A quiet PBX: events come only until head has its line, then none. listen must
# notice that head has gone by itself (the Go test TestBinary checks it exactly).
( for _ in $(seq 50); do [ -s "$work/quiet" ] && break; "$bin" send UserEvent UserEvent=quiet >/dev/null 2>&1; sleep 0.2; done ) &
sender=$!
timeout 10 "$bin" listen --match UserEvent=quiet -o json 2>"$work/err" | head -n 1 >"$work/quiet"
listen_rc=${PIPESTATUS[0]}
kill "$sender" 2>/dev/null; wait "$sender" 2>/dev/null
[ "$listen_rc" -eq 0 ] && ok "quiet listen | head -n 1 exits 0" || bad "quiet listen | head -n 1 exit $listen_rc (124 = waited for an event)"

echo "== originate, calls, trace"
check "originate --until hangup" 0 "$bin" originate Local/talk@default --app Wait --data 1 --until hangup &&
  want_out "answered and hung up" '^Outcome: answered' && want_out "hangup cause" '^Cause: 16'
check "originate a failure exits 1" 1 "$bin" originate SIP/nowhere --app Wait --wait -o json &&
  want_out "the outcome" '"Outcome":"failed"'
check "originate --dry-run" 0 "$bin" originate PJSIP/100 200@internal --dry-run && want_out "the action" '^Async: true'
check "calls --once -o json" 0 "$bin" calls --once -o json && want_out "the held call" '"State":"up"'
timeout 20 "$bin" listen -o raw --timestamps --duration 3s >"$work/capture.raw" 2>/dev/null &
capturer=$!
for _ in $(seq 50); do [ -s "$work/capture.raw" ] && break; "$bin" send UserEvent UserEvent=e2e >/dev/null 2>&1; sleep 0.1; done
"$bin" originate Local/e2etrace@default --app Wait --data 1 --until hangup >/dev/null 2>&1
wait "$capturer"
check "trace --from lists the calls" 0 "$bin" trace --from "$work/capture.raw" -o json && want_out "the traced call" '"CalleeNum":"e2etrace"'
check "trace --from --exten -o timeline" 0 "$bin" trace --from "$work/capture.raw" --exten e2etrace -o timeline &&
  want_out "its hangups" 'Hangup +Cause='
check "trace of no call exits 1" 1 "$bin" trace no.such.call

echo "== login-check"
check "login-check OK" 0 "$bin" login-check && want_out "nagios line" '^AMI OK - admin@127\.0\.0\.1:[0-9]+ .*\| connect='
check "login-check -q" 0 "$bin" login-check -q
[ -s "$work/out" ] && bad "login-check -q printed output" || ok "login-check -q is silent"
check "login-check bad secret is CRITICAL" 2 env AMI_SECRET=wrong "$bin" login-check && want_out "names authentication" 'CRITICAL.*auth'
check "login-check refused is CRITICAL" 2 "$bin" login-check -p 1 && want_out "names refusal" 'CRITICAL.*refused'
check "login-check two hosts, one down" 2 "$bin" login-check "127.0.0.1:$port" 127.0.0.1:1 &&
  want_out "summary first" '^AMI CRITICAL - 1 of 2 hosts down: 127\.0\.0\.1:1 connection refused$'
check "login-check -o json" 0 "$bin" login-check -o json && want_out "json status" '"status"'

echo "== check"
check "check CoreStatus OK" 0 "$bin" check CoreStatus -c 1: && want_out "status line" '^CoreStatus OK - 1 item \| items=1;;1:$'
check "check too few is CRITICAL" 2 "$bin" check CoreShowChannels --where Channel=none -c 1: --label calls &&
  want_out "label and range" '^calls CRITICAL - 0 of [0-9]+ items match --where \(critical range 1:\)'
check "check usage is UNKNOWN" 3 "$bin" check CoreStatus --max Duration && want_out "unknown" '^AMI UNKNOWN - --max'
check "check two hosts, one down" 2 "$bin" -H "127.0.0.1:$port,127.0.0.1:1" check CoreStatus &&
  want_out "summary first" '^CoreStatus CRITICAL - 1 of 2 hosts not OK: 127\.0\.0\.1:1 connection refused$'

echo "== doctor"
check "doctor OK" 0 "$bin" doctor && want_out "events round trip" '^OK +events +a UserEvent sent and received back'
check "doctor bad secret" 1 env AMI_SECRET=wrong "$bin" doctor && want_out "both causes" '^FAIL +login .*permit/deny'
check "doctor refused" 3 "$bin" doctor -p 1 && want_out "fix" 'fix: manager.conf \[general\]: enabled = yes'
if grep -q s3cret "$work/err" "$work/out"; then bad "secret leaked by doctor"; else ok "doctor keeps the secret out"; fi

echo "== auth, usage, secrets"
check "bad secret exits 4" 4 env AMI_SECRET=wrong "$bin" send Ping
check "unknown flag exits 2" 2 "$bin" send --no-such-flag Ping
check "refused exits 3" 3 "$bin" send -p 1 Ping
check "trace masks the secret" 0 "$bin" --trace send Ping
if grep -q s3cret "$work/err" "$work/out"; then bad "secret leaked into trace"; else ok "secret not in trace"; fi
want_err "trace shows the login" 'Action: Login'
check "md5 login" 0 "$bin" --auth md5 send Ping

echo "== completion, man, version"
check "completion bash" 0 "$bin" completion bash && want_out "bash script" 'complete'
check "completion zsh" 0 "$bin" completion zsh
check "completion fish" 0 "$bin" completion fish
check "--version" 0 "$bin" --version
check "--help" 0 "$bin" --help && want_out "help lists exit codes" '[Ee]xit'

echo "== --mock"
unset AMI_HOST AMI_PORT AMI_USERNAME AMI_SECRET
check "--mock listen" 0 "$bin" --mock listen --count 5 -o json
[ "$(wc -l <"$work/out")" -eq 5 ] && ok "--mock listen printed 5 lines" || bad "--mock listen line count"
check "--mock list table" 0 "$bin" --mock list CoreShowChannels -o table

echo
echo "e2e: $pass passed, $failed failed"
[ "$failed" -eq 0 ]
