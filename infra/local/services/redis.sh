# Redis: BullMQ's store (all queues) and the default Redis notification target.
# AOF is on with fsync every second, so queued jobs survive a restart; RDB snapshots are off
# (the AOF already is the durable copy, and every snapshot forks the server).
redis_install() { apt_install redis-server redis-tools; }
redis_ready() { [[ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]; }
redis_start() {
  local dir="$DATA_ROOT/redis"; mkdir -p "$dir"
  redis-server --bind "$REDIS_HOST" --port "$REDIS_PORT" --dir "$dir" \
    --appendonly yes --appendfsync everysec --save "" --maxmemory-policy noeviction \
    --daemonize yes --pidfile "$dir/pid" --logfile "$dir/log"
}
redis_stop() { stop_pidfile redis "$DATA_ROOT/redis/pid"; }
