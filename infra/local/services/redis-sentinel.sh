# A local Redis master with one replica, watched by three Sentinels, for the
# queues behind Sentinel failover (REDIS_URL=redis-sentinel://…/bucketevents).
# Ports: REDIS_SENTINEL_DATA_PORTS (the master first, on the first start) and
# REDIS_SENTINEL_PORTS. The Sentinels rewrite their own config files, so after a
# failover a restart keeps the master they elected.
redis-sentinel_install() { apt_install redis-server redis-tools; } # `redis-server --sentinel` is the Sentinel
_sentinel_data_ports() { echo "${REDIS_SENTINEL_DATA_PORTS//,/ }"; }
_sentinel_ports() { echo "${REDIS_SENTINEL_PORTS//,/ }"; }
_pong() { [[ "$(redis-cli -h "$REDIS_HOST" -p "$1" ping 2>/dev/null)" == PONG ]]; }
redis-sentinel_ready() {
  local port addr
  for port in $(_sentinel_data_ports) $(_sentinel_ports); do _pong "$port" || return 1; done
  for port in $(_sentinel_ports); do
    addr="$(redis-cli -h "$REDIS_HOST" -p "$port" sentinel get-master-addr-by-name "$REDIS_SENTINEL_MASTER" 2>/dev/null | tail -1)"
    [[ -n "$addr" ]] || return 1
  done
  # The master the Sentinels name answers as a master, with its replica attached.
  addr="$(redis-cli -h "$REDIS_HOST" -p "${REDIS_SENTINEL_PORTS%%,*}" sentinel get-master-addr-by-name "$REDIS_SENTINEL_MASTER" | tail -1)"
  redis-cli -h "$REDIS_HOST" -p "$addr" info replication 2>/dev/null | grep -q '^connected_slaves:[1-9]'
}
redis-sentinel_start() {
  local root="$DATA_ROOT/redis-sentinel" port dir first="${REDIS_SENTINEL_DATA_PORTS%%,*}"
  for port in $(_sentinel_data_ports); do
    dir="$root/$port"; mkdir -p "$dir"
    _pong "$port" && continue
    local follow=()
    # The first start: the first port is the master. Later starts leave it to the Sentinels,
    # which turn a returning old master into a replica of the one they elected.
    [[ "$port" != "$first" && ! -f "$dir/started" ]] && follow=(--replicaof "$REDIS_HOST" "$first")
    redis-server --bind "$REDIS_HOST" --port "$port" --dir "$dir" "${follow[@]}" \
      --appendonly yes --appendfsync everysec --save "" --maxmemory-policy noeviction \
      --daemonize yes --pidfile "$dir/pid" --logfile "$dir/log"
    touch "$dir/started"
  done
  for port in $(_sentinel_ports); do
    dir="$root/sentinel-$port"; mkdir -p "$dir"
    _pong "$port" && continue
    [[ -f "$dir/sentinel.conf" ]] || cat >"$dir/sentinel.conf" <<CONF
port $port
bind $REDIS_HOST
dir $dir
sentinel monitor $REDIS_SENTINEL_MASTER $REDIS_HOST $first 2
sentinel down-after-milliseconds $REDIS_SENTINEL_MASTER 2000
sentinel failover-timeout $REDIS_SENTINEL_MASTER 10000
sentinel parallel-syncs $REDIS_SENTINEL_MASTER 1
CONF
    redis-server "$dir/sentinel.conf" --sentinel --daemonize yes --pidfile "$dir/pid" --logfile "$dir/log"
  done
}
redis-sentinel_stop() {
  local root="$DATA_ROOT/redis-sentinel" port
  for port in $(_sentinel_ports); do stop_pidfile "redis-sentinel:$port" "$root/sentinel-$port/pid"; done
  for port in $(_sentinel_data_ports); do stop_pidfile "redis-sentinel:$port" "$root/$port/pid"; done
}
