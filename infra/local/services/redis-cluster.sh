# A local Redis Cluster of three masters (REDIS_CLUSTER_PORTS), for the multi-node
# mode's queues (REDIS_URL=redis-cluster://…). Each node keeps an AOF like the
# single Redis; the slots are assigned once, on the first start (nodes.conf then
# remembers the cluster). Starting starts whichever node is down, so a test can
# stop one master (`redis-cli -p PORT shutdown`) and bring it back with `svc up`.
redis-cluster_install() { apt_install redis-server redis-tools; }
redis-cluster_ready() {
  local port
  for port in ${REDIS_CLUSTER_PORTS//,/ }; do
    [[ "$(redis-cli -h "$REDIS_HOST" -p "$port" ping 2>/dev/null)" == PONG ]] || return 1
  done
  redis-cli -h "$REDIS_HOST" -p "${REDIS_CLUSTER_PORTS%%,*}" cluster info 2>/dev/null | grep -q '^cluster_state:ok'
}
redis-cluster_start() {
  local port dir nodes=()
  for port in ${REDIS_CLUSTER_PORTS//,/ }; do
    dir="$DATA_ROOT/redis-cluster/$port"; mkdir -p "$dir"
    nodes+=("$REDIS_HOST:$port")
    [[ "$(redis-cli -h "$REDIS_HOST" -p "$port" ping 2>/dev/null)" == PONG ]] && continue
    redis-server --bind "$REDIS_HOST" --port "$port" --dir "$dir" \
      --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 5000 \
      --appendonly yes --appendfsync everysec --save "" --maxmemory-policy noeviction \
      --daemonize yes --pidfile "$dir/pid" --logfile "$dir/log"
  done
  for port in ${REDIS_CLUSTER_PORTS//,/ }; do
    for _ in $(seq 50); do [[ "$(redis-cli -h "$REDIS_HOST" -p "$port" ping 2>/dev/null)" == PONG ]] && break; sleep 0.1; done
  done
  # The first start only: no slot assigned yet.
  if redis-cli -h "$REDIS_HOST" -p "${REDIS_CLUSTER_PORTS%%,*}" cluster info | grep -q '^cluster_slots_assigned:0'; then
    redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes >"$DATA_ROOT/redis-cluster/create.log" 2>&1
  fi
}
redis-cluster_stop() {
  local port
  for port in ${REDIS_CLUSTER_PORTS//,/ }; do stop_pidfile "redis-cluster:$port" "$DATA_ROOT/redis-cluster/$port/pid"; done
}
