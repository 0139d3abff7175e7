#!/bin/sh
# Prints pjsip.conf fragments that must not be committed, from the container's environment.
# Called by pjsip.conf through #exec each time the configuration is (re)loaded; what it prints is
# read as configuration, so errors are printed as ';' comments and show up in "pjsip show ..."
# as missing auth rather than breaking the whole file.
#
#   neolia-pjsip.sh auth  one type=auth section per SIP account; the password of the demo accounts
#                         is NEOLIA_DEMO_SIP_PASSWORD (AppHost parameter demo-sip-password)
#   neolia-pjsip.sh nat   external_media_address / external_signaling_address for a transport when
#                         NEOLIA_EXTERNAL_ADDRESS (the public IP or name doors reach) is set

# Keep this list equal to the endpoints of pjsip.conf (a test in Neolia.Tests checks it).
DEMO_ACCOUNTS="demo-door-1 demo-alice demo-bob demo-carol"

case "$1" in
  auth)
    if [ -z "$NEOLIA_DEMO_SIP_PASSWORD" ]; then
      echo "; NEOLIA_DEMO_SIP_PASSWORD is not set: the demo SIP accounts have no credentials and cannot register"
      exit 0
    fi
    for account in $DEMO_ACCOUNTS; do
      printf '[%s]\ntype = auth\nauth_type = userpass\nusername = %s\npassword = %s\n\n' \
        "$account" "$account" "$NEOLIA_DEMO_SIP_PASSWORD"
    done
    ;;
  nat)
    # Always some output: an empty #exec output is a warning, at every load of every transport.
    echo "; NAT addresses from NEOLIA_EXTERNAL_ADDRESS"
    if [ -n "$NEOLIA_EXTERNAL_ADDRESS" ]; then
      printf 'external_media_address = %s\nexternal_signaling_address = %s\n' \
        "$NEOLIA_EXTERNAL_ADDRESS" "$NEOLIA_EXTERNAL_ADDRESS"
    fi
    ;;
  *)
    echo "; neolia-pjsip.sh: unknown argument '$1'"
    ;;
esac
