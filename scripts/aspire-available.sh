#!/usr/bin/env bash
# Exit 0 when the Aspire AppHost can be built here (its packages restore), else print why not and exit 1.
# NEOLIA_SKIP_APPHOST=1 skips the check.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ "${NEOLIA_SKIP_APPHOST:-0}" = "1" ]; then
  echo "AppHost skipped: NEOLIA_SKIP_APPHOST=1."
  exit 1
fi
if ! out=$(dotnet restore Neolia.AppHost.Tests/Neolia.AppHost.Tests.csproj -nologo 2>&1); then
  echo "AppHost skipped: the Aspire packages do not restore from this machine's NuGet source"
  echo "  ($(printf '%s\n' "$out" | grep -m1 -oE "NU1101: [^[]*|error [A-Z0-9]+: [^[]*" || echo "restore failed"))."
  echo "  Neolia.AppHost and Neolia.AppHost.Tests are built and tested only where Aspire restores."
  exit 1
fi
