#!/usr/bin/env bash
# BenchmarkDotNet micro-benchmarks of the ring path (issue 7): token minting, serialisation, fan-out.
#   bench/micro.sh                 every benchmark (a few minutes)
#   bench/micro.sh --filter '*FanOut*'
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
dotnet build bench/Neolia.MicroBench -c Release -nologo -clp:ErrorsOnly >&2
cd bench/Neolia.MicroBench/bin/Release/net10.0
args=("$@"); [ ${#args[@]} -eq 0 ] && args=(--filter '*')
exec dotnet Neolia.MicroBench.dll "${args[@]}"
