# Mosquitto: the MQTT broker behind the MQTT notification target. Persistence on,
# so a subscriber's session (its QoS 1 subscription and what was queued for it)
# survives a broker restart, and no cap on what is queued for an offline client.
mosquitto_install() { apt_install mosquitto mosquitto-clients; }
# A real protocol round trip: CONNECT, a QoS 1 PUBLISH answered by the broker's PUBACK.
mosquitto_ready() {
  timeout 3 mosquitto_pub -h 127.0.0.1 -p "$MQTT_PORT" -q 1 -t bucketevents/ready -m ping >/dev/null 2>&1
}
mosquitto_start() {
  local dir="$DATA_ROOT/mosquitto"; mkdir -p "$dir/data"
  cat >"$dir/mosquitto.conf" <<CONF
listener $MQTT_PORT 127.0.0.1
user $(id -un)
allow_anonymous true
persistence true
persistence_location $dir/data/
autosave_interval 1
max_queued_messages 0
max_inflight_messages 0
pid_file $dir/pid
log_dest file $dir/log
CONF
  # `user`: run as whoever starts it (as root it would switch to `mosquitto`, who cannot write here).
  mosquitto -c "$dir/mosquitto.conf" -d >>"$dir/start.log" 2>&1
}
mosquitto_stop() { stop_pidfile mosquitto "$DATA_ROOT/mosquitto/pid"; }
