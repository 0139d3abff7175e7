#!/usr/bin/env bash
# Starts the whole Neolia stack through the Aspire AppHost (the dashboard included) and prints the dashboard's
# login URL, the gateway URLs (http and https) and the demo accounts.
#   With a container runtime (docker info answers): PostgreSQL, Redis, Asterisk and LiveKit run as containers.
#   Without one: PostgreSQL and Redis run as local processes from this machine's packages (installed when
#   missing), Asterisk and LiveKit are left out (the AppHost says so).
# The gateway serves https too, with a self-signed development certificate generated into .devstack/tls (git-ignored).
# Options: --gateway-port 8080 (default) · --gateway-https-port 8443 (default) · --notifiers 2 (Notifier replicas) · --callapis 2 (CallApi replicas:
# each takes door calls, no leader) · --pg-replica (local infrastructure: a streaming read replica of PostgreSQL that
# Asterisk reads from while the primary is down) · --reset (start from an empty database) · --infrastructure
# containers|local (override the choice above).
# Secrets are generated on the first run and kept in the AppHost's user secrets (outside the repository).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

gateway_port=8080 gateway_https_port=8443 notifiers=1 callapis=1 infrastructure="" reset=0 pg_replica=false
while [ $# -gt 0 ]; do
  case "$1" in
    --gateway-port) gateway_port="$2"; shift 2 ;;
    --gateway-https-port) gateway_https_port="$2"; shift 2 ;;
    --notifiers) notifiers="$2"; shift 2 ;;
    --callapis) callapis="$2"; shift 2 ;;
    --infrastructure) infrastructure="$2"; shift 2 ;;
    --reset) reset=1; shift ;;
    --pg-replica) pg_replica=true; shift ;;
    *) echo "Unknown option $1 (see the top of $0)" >&2; exit 2 ;;
  esac
done
for number in "$gateway_port" "$gateway_https_port" "$notifiers" "$callapis"; do
  case "$number" in ''|*[!0-9]*) echo "--gateway-port, --gateway-https-port, --notifiers and --callapis take a whole number, not '$number'." >&2; exit 2 ;; esac
done
for port in "$gateway_port" "$gateway_https_port"; do
  [ "$port" -ge 1 ] && [ "$port" -le 65535 ] || { echo "--gateway-port and --gateway-https-port must be between 1 and 65535." >&2; exit 2; }
done
case "$infrastructure" in ''|containers|local) ;; *) echo "--infrastructure takes containers or local, not '$infrastructure'." >&2; exit 2 ;; esac
if [ -z "$infrastructure" ]; then
  if docker info >/dev/null 2>&1; then infrastructure=containers; else infrastructure=local; fi
fi

# A port someone else holds would only show up later as a failed resource: say so now.
port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
dashboard_port=18888
for port in "$gateway_port" "$gateway_https_port" "$dashboard_port" 18889; do
  if port_taken "$port"; then
    echo "Port $port is already in use on this machine (another stack or program holds it)." >&2
    [ "$port" = "$gateway_port" ] && echo "Choose another gateway port: scripts/run.sh --gateway-port 8081" >&2
    [ "$port" = "$gateway_https_port" ] && echo "Choose another gateway https port: scripts/run.sh --gateway-https-port 8444" >&2
    [ "$port" != "$gateway_port" ] && [ "$port" != "$gateway_https_port" ] && echo "The Aspire dashboard needs ports $dashboard_port and 18889: stop what holds them." >&2
    exit 1
  fi
done

if [ "$infrastructure" = local ]; then
  scripts/install-prerequisites.sh
  [ "$reset" = 1 ] && rm -rf .devstack/postgres
fi
dotnet build Neolia.AppHost -nologo -clp:ErrorsOnly

# The dashboard on a fixed address, so its login link is printed with the rest.
export ASPNETCORE_ENVIRONMENT=Development DOTNET_ENVIRONMENT=Development
export ASPNETCORE_URLS="http://localhost:$dashboard_port" ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL="http://localhost:18889"
export ASPIRE_ALLOW_UNSECURED_TRANSPORT=true
echo "Starting the AppHost ($infrastructure infrastructure); the dashboard and the gateway follow."
# The built program itself (not `dotnet run`), so Ctrl+C and SIGTERM reach it and it stops what it started.
exec dotnet Neolia.AppHost/bin/Debug/net10.0/Neolia.AppHost.dll \
  --Neolia:Infrastructure="$infrastructure" --Neolia:GatewayPort="$gateway_port" --Neolia:NotifierReplicas="$notifiers" \
  --Neolia:GatewayHttpsPort="$gateway_https_port" --Neolia:Tls:DevelopmentCertificate=true \
  --Neolia:CallApiReplicas="$callapis" --Neolia:Local:PostgresReplica="$pg_replica" \
  --Neolia:StackFile="$PWD/.devstack/stack.json"
