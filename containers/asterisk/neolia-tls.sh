#!/bin/sh
# Prints pjsip.conf's SIP-over-TLS transport (doors and monitors set to TLS, docs/administration.md) when the
# certificate files are given: NEOLIA_TLS_CERT_FILE (the certificate and its intermediates, PEM: the gateway's
# fullchain.pem) and NEOLIA_TLS_KEY_FILE (its key). NEOLIA_TLS_SIP_PORT moves it from 5061. Without them it prints
# a comment: no TLS transport, and devices set to TLS cannot register. Asterisk reads the files when the
# transport is loaded: after a renewal, `pjsip reload` (or a restart) takes the new certificate.
if [ -n "$NEOLIA_TLS_CERT_FILE" ] && [ -n "$NEOLIA_TLS_KEY_FILE" ]; then
  cat <<SECTION
[transport-tls]
type = transport
protocol = tls
bind = 0.0.0.0:${NEOLIA_TLS_SIP_PORT:-5061}
cert_file = $NEOLIA_TLS_CERT_FILE
priv_key_file = $NEOLIA_TLS_KEY_FILE
; TLS 1.2 (what the doors speak), forward-secret AEAD suites only; doors present no client certificate.
method = tlsv1_2
cipher = ECDHE-ECDSA-AES128-GCM-SHA256,ECDHE-RSA-AES128-GCM-SHA256,ECDHE-ECDSA-AES256-GCM-SHA384,ECDHE-RSA-AES256-GCM-SHA384,ECDHE-ECDSA-CHACHA20-POLY1305,ECDHE-RSA-CHACHA20-POLY1305
verify_client = no
require_client_cert = no
local_net = 10.0.0.0/8
local_net = 172.16.0.0/12
local_net = 192.168.0.0/16
local_net = 127.0.0.0/8
SECTION
  /bin/sh "$(dirname "$0")/neolia-nat.sh" transport
else
  echo "; NEOLIA_TLS_CERT_FILE / NEOLIA_TLS_KEY_FILE are not set: no SIP over TLS (transport-tls)"
fi
exit 0
