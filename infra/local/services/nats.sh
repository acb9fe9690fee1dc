# NATS with JetStream: the server behind the NATS notification target.
nats_install() { apt_install nats-server; }
# A real protocol round trip: read INFO, send CONNECT + PING, expect PONG.
nats_ready() {
  timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0" || exit 1
    read -r info <&3; [[ "$info" == INFO* ]] || exit 1
    printf "CONNECT {\"verbose\":false}\r\nPING\r\n" >&3
    while read -r line <&3; do [[ "$line" == PONG* ]] && exit 0; done; exit 1' "$NATS_PORT" 2>/dev/null
}
nats_start() {
  local dir="$DATA_ROOT/nats"; mkdir -p "$dir/jetstream"
  setsid nats-server -a 127.0.0.1 -p "$NATS_PORT" -js -sd "$dir/jetstream" -P "$dir/pid" -l "$dir/log" </dev/null >/dev/null 2>&1 &
}
nats_stop() { stop_pidfile nats "$DATA_ROOT/nats/pid"; }
