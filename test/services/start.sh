#!/usr/bin/env bash
# Starts real redis-server and PostgreSQL on 127.0.0.1 for the shared-cache tests, in
# throw-away folders. Prints the environment to export (FLOW_TEST_REDIS_URL,
# FLOW_TEST_POSTGRES_URL). Stop them with test/services/stop.sh <dir>.
# Needs Debian's redis-server and postgresql (.ci/run installs them); run as root.
set -euo pipefail
dir=${1:-$(mktemp -d /tmp/flow-services.XXXXXX)}
mkdir -p "$dir"
chmod 755 "$dir" # the postgres user must reach its data folder
redis_port=${FLOW_TEST_REDIS_PORT:-56379}
pg_port=${FLOW_TEST_PG_PORT:-55432}

redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no --daemonize yes \
  --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir" >/dev/null
# The same, with a password (the secrets tests: a password must never be shown or kept)
redis_pw_port=$((redis_port + 1))
redis_pw=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
redis-server --bind 127.0.0.1 --port "$redis_pw_port" --requirepass "$redis_pw" --save "" --appendonly no --daemonize yes \
  --pidfile "$dir/redis-pw.pid" --logfile "$dir/redis-pw.log" --dir "$dir" >/dev/null

pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
install -d -o postgres -g postgres "$dir/pg"
su postgres -s /bin/sh -c "$pgbin/initdb -D '$dir/pg/data' --auth=trust -U postgres >'$dir/pg/initdb.log' 2>&1"
# one role that must give its password (first match wins in pg_hba.conf)
sed -i '1i host all flowlab 127.0.0.1/32 scram-sha-256' "$dir/pg/data/pg_hba.conf"
su postgres -s /bin/sh -c "$pgbin/pg_ctl -D '$dir/pg/data' -l '$dir/pg/server.log' -w -o \"-h 127.0.0.1 -p $pg_port -k '$dir/pg'\" start >/dev/null"

for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
pg_pw=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
psql -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -c "CREATE ROLE flowlab LOGIN SUPERUSER PASSWORD '$pg_pw'" >/dev/null
echo "export FLOW_TEST_SERVICES_DIR=$dir"
echo "export FLOW_TEST_REDIS_URL=redis://127.0.0.1:$redis_port"
echo "export FLOW_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:$pg_port/postgres"
echo "export FLOW_TEST_REDIS_PASSWORD_URL=redis://:$redis_pw@127.0.0.1:$redis_pw_port"
echo "export FLOW_TEST_POSTGRES_PASSWORD_URL=postgresql://flowlab:$pg_pw@127.0.0.1:$pg_port/postgres"
