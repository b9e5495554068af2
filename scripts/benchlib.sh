# Shared by bench.sh and benchlist.sh (sourced, not run): the scratch directory, the
# builds, and a simulator on a loopback port.
#
# After sourcing: $work is a scratch directory removed on exit (with the simulator
# stopped), and GNU time is known to be there.

work=$(mktemp -d)
mock_pids=() mock_pid=
bench_cleanup() {
  local pid
  for pid in "${mock_pids[@]}"; do
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap bench_cleanup EXIT

[ -x /usr/bin/time ] || { echo "$(basename "$0") needs GNU time (/usr/bin/time; apt-get install time)" >&2; exit 2; }

# build_static NAME PKG [go build flags...]: builds PKG into $work/NAME as
# scripts/install.sh and release.sh build ami: static (CGO_ENABLED=0), stripped. The
# reference programs are built the same way, so that process start-up (dynamic linking
# costs about 1.5 ms here) is compared like for like.
build_static() {
  local name=$1 pkg=$2; shift 2
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" "$@" -o "$work/$name" "$pkg"
}

# build_ami: $work/ami as install.sh builds it (also without the man page renderer:
# about 0.8 ms less start-up; the page ships as man/ami.1).
build_ami() { build_static ami ./cmd/ami -tags urfave_cli_no_docs; }

# start_mock AMI ARGS...: starts `AMI mock --listen 127.0.0.1:0 ARGS...` and sets
# $addr and $port once it listens (within 30 s). Each call starts another simulator;
# all are stopped on exit.
start_mock() {
  local bin=$1; shift
  local log="$work/mock${#mock_pids[@]}.err"
  "$bin" mock --listen 127.0.0.1:0 "$@" 2>"$log" &
  mock_pid=$!
  mock_pids+=("$mock_pid")
  addr=
  for _ in $(seq 300); do
    addr=$(grep -Eo '127\.0\.0\.1:[0-9]+' "$log" | head -n1 || true)
    [ -n "$addr" ] && break
    sleep 0.1
  done
  [ -n "$addr" ] || { echo "ami mock did not start:" >&2; cat "$log" >&2; exit 1; }
  port=${addr##*:}
}
