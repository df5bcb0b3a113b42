#!/usr/bin/env bash
# Makes sure a PgBouncer in transaction mode answers on 127.0.0.1:6432, in
# front of the local PostgreSQL on 127.0.0.1:5432: every database name is
# passed through (a test makes a database of its own), trust authentication
# as on the PostgreSQL it fronts, no prepared statements across
# transactions. Run as root (PgBouncer itself runs as postgres); safe to run
# again (one that answers in transaction mode is kept).
set -euo pipefail
PORT="${PGBOUNCER_PORT:-6432}"
PRIMARY_PORT="${PRIMARY_PORT:-5432}"
dir=/var/lib/bri-ci-pgbouncer
conf=$dir/pgbouncer.ini

if ! command -v pgbouncer >/dev/null 2>&1; then
  echo "pgbouncer: not installed: installing Debian's"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq pgbouncer >/dev/null
fi

# The admin console's SHOW CONFIG tells whether the one that answers is ours.
pooling() {
  psql -h 127.0.0.1 -p "$PORT" -U postgres -d pgbouncer -Atc 'show config' 2>/dev/null |
    grep -q '^pool_mode|transaction|'
}
if pooling && psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; then
  echo "pgbouncer: transaction pooling answers on 127.0.0.1:$PORT"
  exit 0
fi
if [ -f "$dir/pgbouncer.pid" ]; then
  kill "$(cat "$dir/pgbouncer.pid")" 2>/dev/null || true
  for _ in $(seq 1 20); do [ -e "$dir/pgbouncer.pid" ] || break; sleep 0.25; done
fi

install -d -o postgres -g postgres -m 0750 "$dir"
# max_prepared_statements (1.21 and later) tracks protocol-level prepared
# statements across server connections; 0 keeps that off, as on 1.18,
# which has no such tracking at all.
version=$(pgbouncer --version | awk 'NR == 1 { print $2 }')
prepared=""
if [ "$(printf '%s\n1.21\n' "$version" | sort -V | head -1)" = 1.21 ]; then
  prepared="max_prepared_statements = 0"
fi
cat >"$conf" <<EOF
[databases]
* = host=127.0.0.1 port=$PRIMARY_PORT

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PORT
unix_socket_dir =
auth_type = trust
auth_file = $dir/userlist.txt
admin_users = postgres
pool_mode = transaction
$prepared
default_pool_size = 20
max_client_conn = 1000
ignore_startup_parameters = extra_float_digits
server_reset_query =
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
EOF
echo '"postgres" ""' >"$dir/userlist.txt"
chown postgres:postgres "$conf" "$dir/userlist.txt"
su postgres -s /bin/sh -c "pgbouncer -d -q $conf"
for _ in $(seq 1 40); do pooling && break; sleep 0.25; done
if ! pooling || ! psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -Atc 'select 1' >/dev/null; then
  echo "pgbouncer: nothing answers in transaction mode on 127.0.0.1:$PORT" >&2
  tail -20 "$dir/pgbouncer.log" >&2 || true
  exit 1
fi
echo "pgbouncer: $version in transaction mode on 127.0.0.1:$PORT, in front of 127.0.0.1:$PRIMARY_PORT"
