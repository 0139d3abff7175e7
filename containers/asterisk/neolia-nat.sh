#!/bin/sh
# Prints NAT and ICE settings from the container's environment. pjsip.conf and rtp.conf read its output through
# #exec (execincludes=yes in asterisk.conf) each time they are loaded. It always prints at least a comment line,
# so Asterisk never warns of "no usable output" when a variable is unset.
#
#   neolia-nat.sh transport  external_media_address / external_signaling_address of a transport, when
#                            NEOLIA_EXTERNAL_ADDRESS (the public IP or name doors and apps reach) is set
#   neolia-nat.sh ice        rtp.conf's STUN and TURN servers for ICE (WebRTC softphones): NEOLIA_STUN_ADDRESS
#                            (host[:port]), NEOLIA_TURN_ADDRESS (host[:port]), NEOLIA_TURN_USERNAME and
#                            NEOLIA_TURN_PASSWORD (a secret: it exists only in the environment)

case "$1" in
  transport)
    if [ -n "$NEOLIA_EXTERNAL_ADDRESS" ]; then
      printf 'external_media_address = %s\nexternal_signaling_address = %s\n' \
        "$NEOLIA_EXTERNAL_ADDRESS" "$NEOLIA_EXTERNAL_ADDRESS"
    else
      echo "; NEOLIA_EXTERNAL_ADDRESS is not set: no external address (every peer is on a local network)"
    fi
    ;;
  ice)
    echo "; ICE servers from the environment"
    [ -n "$NEOLIA_STUN_ADDRESS" ] && printf 'stunaddr = %s\n' "$NEOLIA_STUN_ADDRESS"
    if [ -n "$NEOLIA_TURN_ADDRESS" ]; then
      printf 'turnaddr = %s\n' "$NEOLIA_TURN_ADDRESS"
      [ -n "$NEOLIA_TURN_USERNAME" ] && printf 'turnusername = %s\n' "$NEOLIA_TURN_USERNAME"
      [ -n "$NEOLIA_TURN_PASSWORD" ] && printf 'turnpassword = %s\n' "$NEOLIA_TURN_PASSWORD"
    fi
    ;;
  *)
    echo "; neolia-nat.sh: unknown argument '$1'"
    ;;
esac
exit 0
