#!/usr/bin/env bash
# Where an idle connected socket's memory goes, per edge process (gateway, Notifier): issue 16.
# Runs bench/run.sh with the sockets held open, and meanwhile, for every gateway and Notifier process:
#   - a GC heap dump (dotnet-gcdump) before any socket connects and one with all of them open: live managed bytes,
#     and the types that grew most, in bytes per socket;
#   - the GC's committed memory (dotnet-counters), RSS at the end of the hold and its anonymous part;
#   - the kernel's TCP buffer pages for the whole machine (/proc/net/sockstat).
#   bench/socket-memory.sh --sockets 10000 --gateways 2          # any bench/run.sh option; results in bench/out/
source "$(dirname "$0")/watch-lib.sh"
start_bench socket-memory --warmup-seconds 0 --settle-seconds 5 --hold-seconds 240 --idle-seconds 60 "$@"
mapfile -t edge < <(stack_processes 'gateway[-0-9]*|notifier[-0-9]*')
for p in "${edge[@]}"; do dotnet gcdump collect -p "${p#*=}" -o "$out/${p%%=*}-empty.gcdump" >/dev/null 2>&1 || true; done

# 90 s into the hold (the connect burst's pooled buffers are trimmed by then; what is left is what idle sockets
# hold), and before its last 60 s, which measure idle CPU and which dumping would disturb.
wait_for "Holding the sockets"
sleep 90
grep -E "sockets: used|TCP:" /proc/net/sockstat >"$out/sockstat.txt"
for p in "${edge[@]}"; do
  name=${p%%=*} pid=${p#*=}
  grep -E "VmRSS|RssAnon|RssFile" "/proc/$pid/status" >"$out/$name-status.txt"
  timeout 30 dotnet counters collect -p "$pid" --counters System.Runtime --duration 00:00:00:04 --format json -o "$out/$name-counters.json" >/dev/null 2>&1 || true
  dotnet gcdump collect -p "$pid" -o "$out/$name-open.gcdump" >/dev/null 2>&1 || true
done
wait $bench_pid

python3 - "$out" "${edge[@]}" <<'EOF'
import json, re, subprocess, sys
out, edge = sys.argv[1], sys.argv[2:]
report = json.loads(open(f"{out}/bench.jsonl").read().splitlines()[-1])
sockets = report["sockets"]
gateways = [p.split("=")[0] for p in edge if p.startswith("gateway")]
notifiers = [p.split("=")[0] for p in edge if p.startswith("notifier")]

def heap(path):
    text = subprocess.run(["dotnet", "gcdump", "report", path], capture_output=True, text=True).stdout.splitlines()
    total = int(text[0].split()[0].replace(",", ""))
    types = {}
    for line in text[3:]:
        m = re.match(r"\s*([\d,]+)\s+([\d,]+)\s+(.*)", line)
        if m:
            size, count, name = int(m[1].replace(",", "")), int(m[2].replace(",", "")), m[3].strip()
            types[name] = types.get(name, 0) + size * count
    return total, types

def counter(name, metric):
    """The last value of each series of a System.Runtime metric (one per generation, say), summed."""
    try:
        last = {}
        for e in json.load(open(f"{out}/{name}-counters.json")).get("Events", []):
            if e.get("name", "").startswith(metric): last[(e["name"], e.get("tags", ""))] = e["value"]
        return sum(last.values()) if last else None
    except (OSError, ValueError):
        return None

def kb(b): return f"{b / 1024:.1f}"
lines = [f"# Socket memory, {sockets['connected']} sockets ({len(gateways)} gateway(s), {len(notifiers)} Notifier(s)), {report['at']}", ""]
lines.append("| process | sockets held | RSS KB/socket | RSS anon | managed live KB/socket | GC committed MB | GC free (fragmentation) MB | idle CPU % |")
lines.append("|---|---|---|---|---|---|---|---|")
for p in edge:
    name = p.split("=")[0]
    held = sockets["connected"] / (len(gateways) if name.startswith("gateway") else len(notifiers))
    rss = (sockets["rssAfterHold"][name] - sockets["rssBefore"][name]) / held
    status = dict(l.split(":", 1) for l in open(f"{out}/{name}-status.txt"))
    anon = int(status["RssAnon"].split()[0]) * 1024
    empty, _ = heap(f"{out}/{name}-empty.gcdump")
    full, _ = heap(f"{out}/{name}-open.gcdump")
    committed = counter(name, "dotnet.gc.last_collection.memory.committed_size")
    free = counter(name, "dotnet.gc.last_collection.heap.fragmentation.size")
    idle = sockets.get("idleCpuPercent", {}).get(name, "")
    lines.append(f"| {name} | {held:.0f} | {kb(rss)} | {anon / 1048576:.0f} MB | {kb((full - empty) / held)} | {'' if committed is None else f'{committed / 1048576:.0f}'} | {'' if free is None else f'{free / 1048576:.0f}'} | {idle} |")
for name in [gateways[0], notifiers[0]]:
    held = sockets["connected"] / (len(gateways) if name.startswith("gateway") else len(notifiers))
    _, before = heap(f"{out}/{name}-empty.gcdump")
    _, after = heap(f"{out}/{name}-open.gcdump")
    grown = sorted(((after[t] - before.get(t, 0), t) for t in after), reverse=True)[:25]
    lines += ["", f"## {name}: managed types that grew, bytes per socket", "", "| bytes/socket | type |", "|---|---|"]
    lines += [f"| {g / held:.0f} | `{t}` |" for g, t in grown if g > 0]
lines += ["", "Kernel (whole machine): " + " ".join(open(f"{out}/sockstat.txt").read().split())]
open(f"{out}/summary.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
EOF
echo "Files: $out"
