#!/bin/sh
# Prints ari.conf's user section from the container's environment (ari.conf reads it through #exec, enabled by
# execincludes=yes in asterisk.conf), so the ARI password is never in a committed file.
#
#   NEOLIA_ARI_USERNAME  the ARI user CallApi connects as (CallControl:AriUsername), default "neolia"
#   NEOLIA_ARI_PASSWORD  its password (CallControl:AriPassword; AppHost parameter ari-password)
#
# Always prints something: an empty #exec output is a warning at every load.
user="${NEOLIA_ARI_USERNAME:-neolia}"
if [ -z "$NEOLIA_ARI_PASSWORD" ]; then
  echo "; NEOLIA_ARI_PASSWORD is not set: no ARI user, CallApi cannot connect and the dialplan rings SIP phones directly"
  exit 0
fi
printf '[%s]\ntype = user\nread_only = no\npassword_format = plain\npassword = %s\n' "$user" "$NEOLIA_ARI_PASSWORD"
