#!/usr/bin/env bash
# Rings an apartment of the running stack (scripts/run.sh) through the product's own door-call path: the building
# manager's "test this door" (POST /api/admin/devices/{id}/test-call, through the gateway), which records the call and
# rings the residents' apps exactly as a visitor at the door does, marked as a test in the history. It does not
# involve Asterisk: to ring over SIP, let sipp play the door against the stack's Asterisk (docs/call-flow.md).
#   scripts/ring-door.sh [apartment=101] [door=demo-door-1] [manager=manager@demo.neolia.test]
set -euo pipefail
cd "$(dirname "$0")/.."
stack=.devstack/stack.json
no_stack() { echo "No running stack${1:+ ($1)}: start it with scripts/run.sh" >&2; exit 1; }
[ -f "$stack" ] || no_stack "$stack is missing"
field() { sed -nE "s/.*\"$1\": *\"([^\"]*)\".*/\1/p" "$stack"; }
gateway=$(field gateway)
# The file outlives a stack that was killed: ask the gateway before ringing.
curl -s -o /dev/null --max-time 3 "$gateway/alive" || no_stack "the gateway does not answer at $gateway"

apartment=${1:-101} door=${2:-demo-door-1} manager=${3:-manager@demo.neolia.test}
json_field() { python3 -c 'import json,sys; print(json.load(sys.stdin)'"$1"')'; }
token=$(curl -sS --fail-with-body -X POST "$gateway/api/auth/login" -H 'Content-Type: application/json' \
  -d "$(python3 -c 'import json,sys; print(json.dumps({"email": sys.argv[1], "password": sys.argv[2]}))' "$manager" "$(field demoPassword)")" \
  | json_field '["accessToken"]')
door_id=$(curl -sS --fail-with-body "$gateway/api/admin/devices?pageSize=100" -H "Authorization: Bearer $token" \
  | python3 -c 'import json,sys; d=[x for x in json.load(sys.stdin)["items"] if x["sipUsername"]==sys.argv[1]]; print(d[0]["id"] if d else "")' "$door")
[ -n "$door_id" ] || { echo "No device '$door' visible to $manager" >&2; exit 1; }
echo "Ringing apartment $apartment from door $door (the admin's test call; Asterisk is not involved):"
curl -sS --fail-with-body -X POST "$gateway/api/admin/devices/$door_id/test-call" -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' -d "{\"apartment\": \"$apartment\"}"
echo
