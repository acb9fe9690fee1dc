# Kafka (KRaft, single node) from the Apache jars on Maven Central: the broker
# behind the Kafka notification target.
kafka_install() { apt_install kcat; require_java; maven_libs kafka >/dev/null; }
kafka_ready() { timeout 5 kcat -b "$KAFKA_BROKERS" -L -m 3 2>/dev/null | grep -q 'broker 1 at'; }
kafka_start() {
  local dir="$DATA_ROOT/kafka" lib; lib="$(maven_libs kafka)"; mkdir -p "$dir"
  cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
PROPS
  if [[ ! -f "$dir/data/meta.properties" ]]; then
    local id; id="$(java -cp "$lib/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)"
    java -cp "$lib/*" kafka.tools.StorageTool format -t "$id" -c "$dir/server.properties" --standalone >"$dir/format.log" 2>&1 \
      || die "kafka: storage format failed (see $dir/format.log)"
  fi
  # Kafka's own GC settings (kafka-run-class.sh): the serial collector's young collections paused
  # the broker ~70 ms each (jstat: 23 in 1.7 s), which every produce and fetch then waited out.
  setsid java -Xms256m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -cp "$lib/*" kafka.Kafka "$dir/server.properties" >"$dir/log" 2>&1 </dev/null &
  echo $! > "$dir/pid"
}
kafka_stop() { stop_pidfile kafka "$DATA_ROOT/kafka/pid"; }
