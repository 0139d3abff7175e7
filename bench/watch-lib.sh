# Sourced by the bench scripts that watch the stack bench/run.sh starts (socket-memory.sh, ring-counters.sh).
#   start_bench NAME [bench/run.sh options]   runs the bench in the background; output in $out (bench/out/NAME-<time>)
#   wait_for TEXT                             waits until the bench's log says TEXT (exits if the bench died)
#   stack_processes REGEX                     "name=pid" of the started processes whose name matches REGEX
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
dotnet tool restore >/dev/null

start_bench() {
  out="bench/out/$1-$(date -u +%Y%m%d-%H%M%S)"
  shift
  mkdir -p "$out"
  bench/run.sh --json-out "$out/bench.jsonl" "$@" >"$out/bench.out" 2>"$out/bench.err" &
  bench_pid=$!
}

wait_for() {
  while ! grep -q "$1" "$out/bench.err"; do
    kill -0 "$bench_pid" 2>/dev/null || { cat "$out/bench.err" >&2; exit 1; }
    sleep 0.5
  done
}

stack_processes() {
  wait_for "processes "
  grep -o "processes .*" "$out/bench.err" | head -1 | sed 's/^processes //' | tr ',' '\n' | tr -d ' ' | grep -E "^($1)="
}
