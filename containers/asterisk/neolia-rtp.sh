#!/bin/sh
# Prints rtp.conf's ICE servers from the container's environment (rtp.conf reads it through #exec):
#   NEOLIA_STUN_ADDRESS   host[:port] of a STUN server (stunaddr)
#   NEOLIA_TURN_ADDRESS   host[:port] of a TURN server (turnaddr), with NEOLIA_TURN_USERNAME / NEOLIA_TURN_PASSWORD
# Always prints something: an empty #exec output is a warning at every load.
echo "; ICE servers from the environment"
[ -n "$NEOLIA_STUN_ADDRESS" ] && printf 'stunaddr = %s\n' "$NEOLIA_STUN_ADDRESS"
if [ -n "$NEOLIA_TURN_ADDRESS" ]; then
  printf 'turnaddr = %s\n' "$NEOLIA_TURN_ADDRESS"
  [ -n "$NEOLIA_TURN_USERNAME" ] && printf 'turnusername = %s\n' "$NEOLIA_TURN_USERNAME"
  [ -n "$NEOLIA_TURN_PASSWORD" ] && printf 'turnpassword = %s\n' "$NEOLIA_TURN_PASSWORD"
fi
exit 0
