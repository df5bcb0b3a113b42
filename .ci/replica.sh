#!/usr/bin/env bash
# Makes sure a streaming replica of the local PostgreSQL answers on
# 127.0.0.1:5433: a second cluster of the same version ("replica"), copied
# from the primary by pg_basebackup -R, running as a hot standby. Run as
# root; safe to run again (a replica that answers in recovery is kept).
set -euo pipefail
PORT="${REPLICA_PORT:-5433}"
PRIMARY_PORT="${PRIMARY_PORT:-5432}"
version=$(ls /etc/postgresql | sort -V | tail -1)
cluster=replica
data=/var/lib/postgresql/$version/$cluster

standby() { [ "$(psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -Atc 'select pg_is_in_recovery()' 2>/dev/null)" = t ]; }

if standby; then
  echo "replica: a hot standby answers on 127.0.0.1:$PORT"
  exit 0
fi
if [ -d "/etc/postgresql/$version/$cluster" ]; then
  # there but not answering as a standby: start it, or make it again
  pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start 2>/dev/null || true
  for _ in $(seq 1 20); do standby && break; sleep 0.5; done
  if standby; then
    echo "replica: started the hot standby on 127.0.0.1:$PORT"
    exit 0
  fi
  pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" stop -m immediate 2>/dev/null || true
  pg_dropcluster "$version" "$cluster"
fi

# The primary accepts replication connections from 127.0.0.1 and keeps
# enough WAL for a standby that falls behind for a while.
hba=$(psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -d postgres -Atc 'show hba_file')
if ! grep -Eq '^host\s+replication\s+all\s+127\.0\.0\.1/32\s+trust' "$hba"; then
  echo "host replication all 127.0.0.1/32 trust" >>"$hba"
fi
psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -d postgres -qAtc "ALTER SYSTEM SET wal_keep_size = '256MB'"
psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -d postgres -qAtc 'select pg_reload_conf()' >/dev/null

# A standby needs at least the primary's connection and worker settings.
pg_createcluster "$version" "$cluster" -p "$PORT" >/dev/null
conf=/etc/postgresql/$version/$cluster/conf.d/standby.conf
{
  for s in max_connections max_worker_processes max_prepared_transactions max_locks_per_transaction max_wal_senders; do
    echo "$s = $(psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -d postgres -Atc "show $s")"
  done
  echo "hot_standby = on"
  echo "listen_addresses = '127.0.0.1'"
} >"$conf"
# the tests connect as on the primary: the same authentication rules
cp "$hba" "/etc/postgresql/$version/$cluster/pg_hba.conf"
rm -rf "${data:?}"/*
su postgres -c "pg_basebackup -h 127.0.0.1 -p $PRIMARY_PORT -U postgres -D $data -R -X stream -c fast"
pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start
for _ in $(seq 1 30); do standby && break; sleep 0.5; done
if ! standby; then
  echo "replica: the standby on 127.0.0.1:$PORT does not answer" >&2
  tail -20 "/var/log/postgresql/postgresql-$version-$cluster.log" >&2 || true
  exit 1
fi
echo "replica: made a hot standby of 127.0.0.1:$PRIMARY_PORT on 127.0.0.1:$PORT"
