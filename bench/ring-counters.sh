#!/usr/bin/env bash
# Where the ring latency's tail comes from (issue 16): runs bench/run.sh and records the .NET runtime's counters of
# CallApi, one Notifier and one gateway every second while the calls flow (CPU, time in GC and collections,
# thread-pool queue and threads, lock contention), then prints them per process next to the bench's figures.
#   bench/ring-counters.sh --sockets 10000 --gateways 2 --warmup-seconds 8 --warmup-rate 100 --rate 200 --seconds 30
source "$(dirname "$0")/watch-lib.sh"
start_bench ring-counters "$@"
mapfile -t watched < <(stack_processes 'callapi|gateway|notifier-0')
wait_for "Phase "
collectors=()
for p in "${watched[@]}"; do
  dotnet counters collect -p "${p#*=}" --refresh-interval 1 --format csv -o "$out/${p%%=*}.csv" \
    --counters 'EventCounters\System.Runtime[time-in-gc,gen-0-gc-count,gen-1-gc-count,gen-2-gc-count,threadpool-queue-length,threadpool-thread-count,monitor-lock-contention-count,cpu-usage]' \
    >/dev/null 2>&1 &
  collectors+=($!)
done
wait $bench_pid
for c in "${collectors[@]}"; do kill -INT "$c" 2>/dev/null || true; done
wait 2>/dev/null || true

python3 - "$out" "${watched[@]}" <<'EOF'
import csv, json, sys, collections
out, watched = sys.argv[1], sys.argv[2:]
report = json.loads(open(f"{out}/bench.jsonl").read().splitlines()[-1])
lines = [f"# Ring tail counters, {report['at']}", ""]
for ph in report["phases"]:
    lines.append(f"- phase {ph['name']}: {ph['achievedRate']}/s, ring p50 {ph['ring']['p50']} / p99 {ph['ring']['p99']} / max {ph['ring']['max']} ms, webhook p99 {ph['webhook']['p99']} ms, CPU ms per call {ph['cpuMsPerCall']}")
lines += ["", "| process | seconds | CPU % of the machine (mean, max) | % time in GC (mean, max) | GCs gen0/1/2 | thread-pool queue (mean, max) | pool threads (max) | lock contentions/s (max) |", "|---|---|---|---|---|---|---|---|"]
for p in watched:
    name = p.split("=")[0]
    series = collections.defaultdict(list)
    try:
        for row in csv.DictReader(open(f"{out}/{name}.csv")):
            series[row["Counter Name"].split(" (")[0]].append(float(row["Mean/Increment"]))
    except (OSError, KeyError, ValueError):
        continue
    def stat(key, agg):
        v = series.get(key, [])
        return agg(v) if v else 0
    mean = lambda v: sum(v) / len(v)
    gens = "/".join(f"{stat(f'Gen {g} GC Count', sum):.0f}" for g in range(3))
    lines.append(f"| {name} | {len(series.get('ThreadPool Queue Length', []))} | {stat('CPU Usage', mean):.0f}, {stat('CPU Usage', max):.0f} | "
                 f"{stat('% Time in GC since last GC', mean):.1f}, {stat('% Time in GC since last GC', max):.0f} | {gens} | "
                 f"{stat('ThreadPool Queue Length', mean):.1f}, {stat('ThreadPool Queue Length', max):.0f} | {stat('ThreadPool Thread Count', max):.0f} | "
                 f"{stat('Monitor Lock Contention Count', max):.0f} |")
open(f"{out}/summary.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
EOF
echo "Files: $out"
