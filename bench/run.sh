#!/usr/bin/env bash
# Ring-latency and socket-capacity benchmark (issue 7). Starts its own stack (PostgreSQL, Redis, CallApi,
# Notifier replicas, gateway; door calls reach CallApi over ARI from the bench's AriDoors) and stops it at the end.
#   bench/run.sh --sockets 10000 --rate 200 --seconds 30
#   bench/run.sh --help
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
# Every socket is a descriptor in the bench, and two in a gateway (client side + Notifier side).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
command -v redis-server >/dev/null || scripts/install-prerequisites.sh
dotnet build bench/Neolia.Bench -c Release -nologo -clp:ErrorsOnly >&2
exec dotnet bench/Neolia.Bench/bin/Release/net10.0/Neolia.Bench.dll "$@"
