#!/usr/bin/env python3
"""Writes bucket-events.json, the Grafana dashboard, from the panel list below
(one place for every query; the real-Prometheus end-to-end test runs each
query against a live stack). Run: python3 infra/deploy/grafana/generate.py"""
import json
import pathlib
import sys

PANELS = [
    # (row, title, unit, [(legend, expr), ...])
    ("Ingest", "S3 requests/s by API and status", "reqps",
     [("{{api}} {{status}}", 'sum by (api, status) (rate(bucket_events_s3_requests_total[$__rate_interval]))')]),
    ("Ingest", "S3 p99 duration by API", "s",
     [("{{api}}", 'histogram_quantile(0.99, sum by (api, le) (rate(bucket_events_s3_request_duration_seconds_bucket[$__rate_interval])))')]),
    ("Ingest", "Outbox: rows waiting and oldest age", "short",
     [("rows {{instance}}", "bucket_events_outbox_rows"),
      ("oldest s {{instance}}", "bucket_events_outbox_oldest_age_seconds")]),
    ("Ingest", "Relay: records/s and p99 lag", "short",
     [("records/s", "sum(rate(bucket_events_relay_records_total[$__rate_interval]))"),
      ("p99 lag s", 'histogram_quantile(0.99, sum by (le) (rate(bucket_events_relay_lag_seconds_bucket[$__rate_interval])))'),
      ("failures/s", "sum(rate(bucket_events_relay_failures_total[$__rate_interval]))")]),
    ("Router", "Mutations routed/s, rule misses/s", "short",
     [("routed", "sum(rate(bucket_events_router_mutations_total[$__rate_interval]))"),
      ("no rule matched", "sum(rate(bucket_events_router_rule_misses_total[$__rate_interval]))"),
      ("for ARNs not enabled", "sum(rate(bucket_events_router_unknown_target_total[$__rate_interval]))")]),
    ("Router", "Leader, waiting batches, p99 lag", "short",
     [("leaders", "sum(bucket_events_router_leader)"),
      ("waiting batches", "max(bucket_events_mutations_queue_batches)"),
      ("p99 lag s", 'histogram_quantile(0.99, sum by (le) (rate(bucket_events_router_lag_seconds_bucket[$__rate_interval])))')]),
    ("Targets", "Delivered events/s", "short",
     [("{{target}}", "sum by (target) (rate(bucket_events_delivered_total[$__rate_interval]))")]),
    ("Targets", "Backlog (events waiting in the queue)", "short",
     [("{{target}}", "max by (target) (bucket_events_queue_depth)")]),
    ("Targets", "Partitions owned by each process (every partition has one owner)", "short",
     [("{{target}} {{instance}}", "sum by (target, instance) (bucket_events_target_partitions_owned)")]),
    ("Targets", "Backlog by partition", "short",
     [("{{target}} {{partition}}", "max by (target, partition) (bucket_events_partition_queue_depth)")]),
    ("Targets", "Target up", "short",
     [("{{target}}", "max by (target) (bucket_events_target_up)")]),
    ("Targets", "p99 commit → delivery", "s",
     [("{{target}}", 'histogram_quantile(0.99, sum by (target, le) (rate(bucket_events_delivery_latency_seconds_bucket[$__rate_interval])))')]),
    ("Targets", "Failed attempts/s and dead letters/s", "short",
     [("failed {{target}}", "sum by (target) (rate(bucket_events_failed_total[$__rate_interval]))"),
      ("dead-lettered {{target}}", "sum by (target) (rate(bucket_events_dead_lettered_total[$__rate_interval]))")]),
    ("Targets", "Oldest held event age", "s",
     [("{{target}}", "max by (target) (bucket_events_oldest_pending_age_seconds)")]),
    ("Processes", "Resident memory by process", "bytes",
     [("{{job}} {{instance}}", "process_resident_memory_bytes{job=~\"bucket-events-.*\"}")]),
    ("Processes", "CPU by process", "percentunit",
     [("{{job}} {{instance}}", "rate(process_cpu_seconds_total{job=~\"bucket-events-.*\"}[$__rate_interval])")]),
]


def dashboard():
    panels, y, row, x = [], 0, None, 0
    for index, (row_name, title, unit, queries) in enumerate(PANELS):
        if row_name != row:
            if x:
                y += 8
            panels.append({"type": "row", "title": row_name, "collapsed": False, "id": 100 + index,
                           "gridPos": {"h": 1, "w": 24, "x": 0, "y": y}, "panels": []})
            y, row, x = y + 1, row_name, 0
        panels.append({
            "type": "timeseries", "title": title, "id": index + 1,
            "datasource": {"type": "prometheus", "uid": "${datasource}"},
            "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
            "gridPos": {"h": 8, "w": 12, "x": x, "y": y},
            "targets": [{"refId": chr(65 + i), "expr": expr, "legendFormat": legend,
                         "datasource": {"type": "prometheus", "uid": "${datasource}"}}
                        for i, (legend, expr) in enumerate(queries)],
        })
        x = 12 - x
        if x == 0:
            y += 8
    return {
        "title": "Bucket Events", "uid": "bucket-events", "schemaVersion": 39, "version": 1,
        "tags": ["bucket-events"], "time": {"from": "now-1h", "to": "now"}, "refresh": "30s",
        "templating": {"list": [{"name": "datasource", "type": "datasource", "query": "prometheus",
                                 "label": "Prometheus"}]},
        "panels": panels,
    }


# An output path as argument (the CI check compares it with the committed file).
path = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path(__file__).with_name("bucket-events.json")
path.write_text(json.dumps(dashboard(), indent=2) + "\n")
