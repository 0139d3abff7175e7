#!/usr/bin/env bash
# Rings a door of the running stack (scripts/run.sh) the way Asterisk does: the dialplan's CURL() request,
# form-encoded, with the webhook secret header, straight to CallApi (webhooks are not routed by the gateway).
#   scripts/ring-door.sh [apartment=101] [door=demo-door-1] [tenant=demo]
set -euo pipefail
cd "$(dirname "$0")/.."
stack=.devstack/stack.json
no_stack() { echo "No running stack${1:+ ($1)}: start it with scripts/run.sh" >&2; exit 1; }
[ -f "$stack" ] || no_stack "$stack is missing"
field() { sed -nE "s/.*\"$1\": *\"([^\"]*)\".*/\1/p" "$stack"; }
# The file outlives a stack that was killed: ask CallApi before ringing.
curl -s -o /dev/null --max-time 3 "$(field callApi)/alive" || no_stack "CallApi does not answer at $(field callApi)"

curl -sS --fail-with-body -X POST "$(field callApi)/webhook/call" \
  -H "X-Neolia-Webhook-Secret: $(field webhookSecret)" \
  --data-urlencode "call_id=$(date +%s).$$" \
  --data-urlencode "tenant=${3:-demo}" \
  --data-urlencode "caller=${2:-demo-door-1}" \
  --data-urlencode "callee=${1:-101}"
echo
