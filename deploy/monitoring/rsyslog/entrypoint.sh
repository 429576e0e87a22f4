#!/bin/sh
# Starts rsyslogd for the central log and, beside it, enforces retention: every hour, day files
# older than LOG_RETENTION_DAYS (default 14) are deleted. Rotation is by name (one file per
# service and day), so nothing ever has to be renamed under a writer.
set -eu
days=${LOG_RETENTION_DAYS:-14}
case $days in
    '' | *[!0-9]* | 0) echo "entrypoint: LOG_RETENTION_DAYS must be a whole number of days >= 1, not '$days'" >&2; exit 2 ;;
esac
(
    while :; do
        # -mtime +N means "more than N+1 days old": N = days - 1 keeps today and days-1 full days
        find /var/log/central -type f -name '*.log' -mtime +"$((days - 1))" -print -delete \
            | sed 's/^/entrypoint: retention removed /' >&2 || true
        sleep 3600
    done
) &
exec rsyslogd -n -i /tmp/rsyslogd.pid -f /etc/rsyslog.conf
