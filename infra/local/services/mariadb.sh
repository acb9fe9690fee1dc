# MariaDB: the server behind the MySQL notification target (MinIO's MySQL target
# speaks to MySQL ≥ 5.7.8 and MariaDB alike). The database and its user are made
# by an init file on every start (idempotent statements).
mariadb_install() { apt_install mariadb-server mariadb-client; }
# A real round trip: log in as the target's user and run a query.
mariadb_ready() {
  timeout 3 mariadb --host=127.0.0.1 --port="$MYSQL_PORT" --user="$MYSQL_USER" --password="$MYSQL_PASSWORD" \
    --database="$MYSQL_DB" --batch --skip-column-names -e 'SELECT 1' >/dev/null 2>&1
}
mariadb_start() {
  local dir="$DATA_ROOT/mariadb"; mkdir -p "$dir"
  if [[ ! -d "$dir/data/mysql" ]]; then
    mariadb-install-db --user="$(id -un)" --datadir="$dir/data" --skip-test-db >"$dir/install.log" 2>&1 ||
      die "mariadb: mariadb-install-db failed (see $dir/install.log)"
  fi
  cat >"$dir/init.sql" <<SQL
CREATE DATABASE IF NOT EXISTS \`$MYSQL_DB\`;
CREATE USER IF NOT EXISTS '$MYSQL_USER'@'%' IDENTIFIED BY '$MYSQL_PASSWORD';
GRANT ALL PRIVILEGES ON \`$MYSQL_DB\`.* TO '$MYSQL_USER'@'%';
SQL
  setsid mariadbd --user="$(id -un)" --datadir="$dir/data" --bind-address=127.0.0.1 --port="$MYSQL_PORT" \
    --socket="$dir/sock" --pid-file="$dir/pid" --log-error="$dir/error.log" --init-file="$dir/init.sql" \
    --skip-name-resolve </dev/null >/dev/null 2>&1 &
}
mariadb_stop() { stop_pidfile mariadb "$DATA_ROOT/mariadb/pid"; }
