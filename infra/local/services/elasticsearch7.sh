# Elasticsearch 7.10.2 (Maven Central, codelibs cluster runner): the last
# Apache-2.0 Elasticsearch, a second engine for the Elasticsearch target.
elasticsearch7_install() { require_java; maven_libs elasticsearch7 >/dev/null; }
elasticsearch7_ready() { curl -fsS -m 3 "$ELASTICSEARCH7_URL/_cluster/health?wait_for_status=yellow&timeout=2s" 2>/dev/null | grep -q '"status"'; }
elasticsearch7_start() {
  local dir="$DATA_ROOT/elasticsearch7" lib; lib="$(maven_libs elasticsearch7)"; mkdir -p "$dir"
  setsid java -Xms512m -Xmx1g -cp "$lib/*" org.codelibs.elasticsearch.runner.ElasticsearchClusterRunner \
    -basePath "$dir/home" -numOfNode 1 -clusterName bucketevents7 -baseHttpPort $((ELASTICSEARCH7_PORT - 1)) \
    >"$dir/log" 2>&1 </dev/null &
  echo $! > "$dir/pid"
}
elasticsearch7_stop() { stop_pidfile elasticsearch7 "$DATA_ROOT/elasticsearch7/pid"; }
