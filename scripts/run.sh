#!/usr/bin/env bash
# Starts the whole Neolia stack and prints the gateway URL and the demo accounts.
# With Docker and the Aspire packages: through the Aspire AppHost (dashboard included).
# Without them: PostgreSQL and Redis as local processes and the three services with the configuration the
# AppHost would give them (Neolia.DevStack). Arguments go to DevStack: --gateway-port 8080 --notifiers 2 --reset
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

if docker info >/dev/null 2>&1 && scripts/aspire-available.sh >/dev/null; then
  echo "Docker and Aspire are here: starting the AppHost (the dashboard URL follows)."
  exec dotnet run --project Neolia.AppHost
fi

scripts/install-prerequisites.sh
echo "No Docker engine or no Aspire packages here: running the stack as local processes (Neolia.DevStack)."
dotnet build Neolia.Local.slnf -nologo -clp:ErrorsOnly
# The built program itself (not `dotnet run`), so Ctrl+C and SIGTERM reach it and it stops what it started.
exec dotnet Neolia.DevStack/bin/Debug/net10.0/Neolia.DevStack.dll "$@"
