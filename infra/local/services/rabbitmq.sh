# RabbitMQ: the broker behind the AMQP notification target.
# Run from the project's data folder as its own node, not the Debian system service.
rabbitmq_env() {
  local dir="$DATA_ROOT/rabbitmq"; mkdir -p "$dir"
  export RABBITMQ_NODENAME="bucketevents@localhost" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT="$RABBITMQ_PORT" RABBITMQ_MNESIA_BASE="$dir/mnesia" RABBITMQ_LOG_BASE="$dir" \
    RABBITMQ_PID_FILE="$dir/pid" RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" \
    RABBITMQ_CONFIG_FILE="$dir/rabbitmq" RABBITMQ_DIST_PORT=25672 HOME="$dir"
  [[ -f "$dir/enabled_plugins" ]] || echo '[].' > "$dir/enabled_plugins"
  cat > "$dir/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$RABBITMQ_PORT
default_user = $RABBITMQ_USER
default_pass = $RABBITMQ_PASSWORD
loopback_users = none
disk_free_limit.absolute = 50MB
CONF
}
rabbitmq_install() { apt_install rabbitmq-server; }
# A real AMQP round trip: the protocol header must be answered by a Connection.Start frame (type 1).
rabbitmq_ready() {
  timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0" && printf "AMQP\x00\x00\x09\x01" >&3 && [[ "$(head -c 1 <&3 | od -An -tx1 | tr -d " ")" == 01 ]]' "$RABBITMQ_PORT" 2>/dev/null
}
rabbitmq_start() {
  rabbitmq_env
  (cd "$DATA_ROOT/rabbitmq" && exec setsid /usr/lib/rabbitmq/bin/rabbitmq-server) >"$DATA_ROOT/rabbitmq/log" 2>&1 </dev/null &
}
rabbitmq_stop() {
  rabbitmq_env
  if pid_alive "$DATA_ROOT/rabbitmq/pid"; then
    /usr/lib/rabbitmq/bin/rabbitmqctl -n "$RABBITMQ_NODENAME" stop "$DATA_ROOT/rabbitmq/pid" >/dev/null 2>&1 \
      || stop_pidfile rabbitmq "$DATA_ROOT/rabbitmq/pid"
  fi
}
