# PostgreSQL: the database behind the PostgreSQL notification target.
# The server refuses to run as root, so the cluster belongs to the postgres user.
pg_bin() { echo "/usr/lib/postgresql/$(ls /usr/lib/postgresql | sort -n | tail -1)/bin"; }
postgres_dir() {
  local dir="$DATA_ROOT/postgres"
  # The postgres user must be able to reach the data folder; fall back to /var/tmp
  # when the checkout sits under a folder it cannot enter (e.g. /root).
  mkdir -p "$dir"; chown postgres "$dir"
  if ! su postgres -s /bin/sh -c "test -w '$dir'" 2>/dev/null; then
    dir="/var/tmp/bucketevents-postgres-$(echo "$PROJECT_ROOT" | md5sum | head -c 8)"
    mkdir -p "$dir"; chown postgres "$dir"
  fi
  echo "$dir"
}
postgres_install() { apt_install postgresql postgresql-client; }
postgres_ready() {
  PGPASSWORD="$POSTGRES_PASSWORD" psql -h "$POSTGRES_HOST" -p "$POSTGRES_PORT" -U "$POSTGRES_USER" \
    -d "$POSTGRES_DB" -tAc 'select 1' 2>/dev/null | grep -q 1
}
postgres_start() {
  local dir bin; dir="$(postgres_dir)"; bin="$(pg_bin)"
  if [[ ! -f "$dir/cluster/PG_VERSION" ]]; then
    local pwfile="$dir/pw"; echo "$POSTGRES_PASSWORD" > "$pwfile"; chown postgres "$pwfile"
    su postgres -s /bin/sh -c "$bin/initdb -D '$dir/cluster' -U '$POSTGRES_USER' --pwfile='$pwfile' -A scram-sha-256 -E UTF8" >"$dir/initdb.log" 2>&1 \
      || die "postgres: initdb failed (see $dir/initdb.log)"
    rm -f "$pwfile"
  fi
  mkdir -p "$dir/socket"; chown postgres "$dir/socket"
  su postgres -s /bin/sh -c "$bin/pg_ctl -D '$dir/cluster' -l '$dir/log' -w -t 60 start \
    -o \"-h $POSTGRES_HOST -p $POSTGRES_PORT -k $dir/socket -c fsync=on -c max_connections=200\"" >/dev/null \
    || die "postgres: failed to start (see $dir/log)"
  # The database is created once; the cluster's superuser is POSTGRES_USER.
  wait_until postgres 60 postgres_accepts
  PGPASSWORD="$POSTGRES_PASSWORD" psql -h "$POSTGRES_HOST" -p "$POSTGRES_PORT" -U "$POSTGRES_USER" -d postgres -tAc \
    "select 1 from pg_database where datname='$POSTGRES_DB'" | grep -q 1 \
    || PGPASSWORD="$POSTGRES_PASSWORD" createdb -h "$POSTGRES_HOST" -p "$POSTGRES_PORT" -U "$POSTGRES_USER" "$POSTGRES_DB"
}
postgres_accepts() { PGPASSWORD="$POSTGRES_PASSWORD" psql -h "$POSTGRES_HOST" -p "$POSTGRES_PORT" -U "$POSTGRES_USER" -d postgres -tAc 'select 1' >/dev/null 2>&1; }
postgres_stop() {
  local dir; dir="$(postgres_dir)"
  [[ -f "$dir/cluster/postmaster.pid" ]] || return 0
  su postgres -s /bin/sh -c "$(pg_bin)/pg_ctl -D '$dir/cluster' -m fast -w stop" >/dev/null 2>&1 || true
}
