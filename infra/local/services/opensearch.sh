# OpenSearch 2.19 (Maven Central, codelibs runner): the search engine the
# Elasticsearch target is tested against in compatibility mode.
opensearch_install() { require_java; maven_libs opensearch >/dev/null; }
opensearch_ready() { curl -fsS -m 3 "$OPENSEARCH_URL/_cluster/health?wait_for_status=yellow&timeout=2s" 2>/dev/null | grep -q '"status"'; }
opensearch_start() {
  local dir="$DATA_ROOT/opensearch" lib; lib="$(maven_libs opensearch)"; mkdir -p "$dir"
  setsid java -Xms512m -Xmx1g -cp "$lib/*" org.codelibs.opensearch.runner.OpenSearchRunner \
    -basePath "$dir/home" -numOfNode 1 -clusterName bucketevents -baseHttpPort $((OPENSEARCH_PORT - 1)) \
    >"$dir/log" 2>&1 </dev/null &
  echo $! > "$dir/pid"
}
opensearch_stop() { stop_pidfile opensearch "$DATA_ROOT/opensearch/pid"; }
