#!/bin/sh
# Prints the PJSIP account LiveKit SIP calls Asterisk with, to bring a door into its call's room after an app
# answered (CallApi: CreateSIPParticipant through the outbound trunk CallControl:LiveKitTrunk*; docs/call-flow.md).
# pjsip.conf reads it through #exec. The password is NEOLIA_LIVEKIT_SIP_PASSWORD (AppHost parameter
# livekit-sip-password), so it is never committed. Always prints something: an empty #exec output is a warning.
if [ -z "$NEOLIA_LIVEKIT_SIP_PASSWORD" ]; then
  echo "; NEOLIA_LIVEKIT_SIP_PASSWORD is not set: no LiveKit SIP account (an app's answer cannot bring the door's audio into the room)"
  exit 0
fi
printf '[livekit]\ntype = endpoint\ncontext = neolia-livekit\ndisallow = all\nallow = g722,ulaw,alaw\nauth = livekit\naors = livekit\ndirect_media = no\nrtp_symmetric = yes\nforce_rport = yes\n\n'
printf '[livekit]\ntype = auth\nauth_type = userpass\nusername = livekit\npassword = %s\n\n' "$NEOLIA_LIVEKIT_SIP_PASSWORD"
printf '[livekit]\ntype = aor\nmax_contacts = 0\n\n'
