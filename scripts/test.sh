#!/usr/bin/env bash
# Runs every test: installs what is missing, builds the whole solution with warnings as errors, runs Neolia.Tests
# against real PostgreSQL, Redis, services and sockets (started by the tests on loopback) and Neolia.AppHost.Tests
# against the real AppHost (Aspire, local-processes mode). Ends with one line: "N passed, N failed, N skipped".
#   NEOLIA_TEST_POSTGRES / NEOLIA_TEST_REDIS: reuse running servers instead of starting them.
#   Extra arguments go to `dotnet test` (e.g. --filter FullyQualifiedName~DoorRing).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

scripts/install-prerequisites.sh
if [ -f Neolia.Tests/LiveKit/oracle/package.json ]; then
  (cd Neolia.Tests/LiveKit/oracle && npm ci --no-audit --no-fund --loglevel=error)
fi

dotnet build Neolia.sln -nologo -clp:ErrorsOnly

results=$(mktemp -d)
status=0
projects=(Neolia.Tests Neolia.AppHost.Tests)
for project in "${projects[@]}"; do
  dotnet test "$project" --no-build --logger "trx;LogFilePrefix=$project" --logger "console;verbosity=normal" \
    --results-directory "$results" "$@" || status=$?
done

# One closing line for people and CI, summed over every result file.
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters"); f=$(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$counters")
  t=$(sed -E 's/.* total="([0-9]+)".*/\1/' <<<"$counters"); e=$(sed -E 's/.* executed="([0-9]+)".*/\1/' <<<"$counters")
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + t - e))
done
# Failed tests by name with the first line of their message, so a CI log's tail says which one and why.
if [ "$failed" -gt 0 ]; then
  echo "Failed tests:"
  python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for trx in sorted(glob.glob(sys.argv[1] + "/*.trx")):
    for result in ET.parse(trx).getroot().iterfind(".//t:UnitTestResult[@outcome='Failed']", ns):
        message = result.findtext(".//t:ErrorInfo/t:Message", default="", namespaces=ns).strip()
        first = message.splitlines()[0][:400] if message else ""
        print(f"  {result.get('testName')} ({result.get('duration')}): {first}")
PY
fi
if [ $((passed + failed)) -eq 0 ]; then
  echo "No test ran." >&2
  status=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
