#!/bin/sh
# Prints res_pgsql.conf's hostname from the environment (res_pgsql.conf reads it through #exec).
#
#   NEOLIA_REALTIME_HOSTS  the PostgreSQL hosts Asterisk reads its realtime accounts, registrations and fallback lists
#                          from, in order, comma-separated: the primary first, then read replicas (same port).
#                          Default "postgres", the AppHost's database service.
#
# res_config_pgsql hands hostname to libpq as host=…, and libpq tries the hosts in order (PGCONNECT_TIMEOUT bounds each
# try): with the primary down Asterisk reads from a replica, so a door still authenticates and the dialplan still
# finds the apartment's phones. A replica refuses writes (new registrations) and Asterisk stays on it until its
# connection is renewed: CallApi reloads res_config_pgsql through ARI when Asterisk is not on the primary (the
# reload reconnects to the first host that answers, because a file with #exec is always read again).
hosts="${NEOLIA_REALTIME_HOSTS:-postgres}"
case "$hosts" in
  *[!A-Za-z0-9.,:_-]*|,*|*,|*,,*)
    echo "; NEOLIA_REALTIME_HOSTS='$hosts' is not a comma-separated list of host names: using postgres"
    hosts=postgres
    ;;
esac
# res_config_pgsql keeps at most 63 characters of hostname.
if [ "${#hosts}" -gt 63 ]; then
  echo "; NEOLIA_REALTIME_HOSTS is longer than the 63 characters res_config_pgsql keeps: using its first host"
  hosts="${hosts%%,*}"
fi
printf 'hostname = %s\n' "$hosts"
