#!/usr/bin/env bash
# Stops what test/services/start.sh started (by their own pid files), and removes the folder.
set -u
dir=$1
[ -f "$dir/redis.pid" ] && kill "$(cat "$dir/redis.pid")" 2>/dev/null
[ -f "$dir/redis-pw.pid" ] && kill "$(cat "$dir/redis-pw.pid")" 2>/dev/null
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -d "$dir/pg/data" ] && su postgres -s /bin/sh -c "$pgbin/pg_ctl -D '$dir/pg/data' -m fast stop >/dev/null 2>&1"
rm -rf "$dir"
