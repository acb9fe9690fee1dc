// Writes bucket-events.yaml, the Kubernetes manifests, from one description of
// the processes (no six hand-kept copies of a Deployment):
//   ingest     StatefulSet with a volume (SQLite metadata, outbox, object data)
//   router     Deployment of 2: a leader and a hot standby
//   target-*   one Deployment per kind, two replicas sharing each target's partitions
// each with probes on its health endpoints and a metrics Service, plus one
// ServiceMonitor and a PrometheusRule (infra/deploy/prometheus/alerts.yml) for
// the Prometheus Operator. infra/deploy/check regenerates and compares it, and
// validates every document against the Kubernetes schemas (validate.mjs).
//   node infra/deploy/kubernetes/generate.mjs [OUT]
import { readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';

const DEPLOY = new URL('../', import.meta.url);
const IMAGE = 'bucket-events:latest';
const PART_OF = 'bucket-events';
// DEFAULT_METRICS_PORTS of packages/contracts, which plain node cannot load; packages/targets'
// deploy-files test fails when the two differ or a kind is missing here.
const TARGETS = {
  amqp: 9101,
  elasticsearch: 9102,
  redis: 9103,
  nats: 9104,
  postgresql: 9105,
  kafka: 9106,
  webhook: 9108,
  mqtt: 9109,
  mysql: 9110,
};
/** Kinds config.json ships disabled (the webhook posts to an endpoint of yours): no replicas until enabled. */
const DISABLED = new Set(['webhook']);

const labels = (name) => ({ 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': PART_OF });
const httpProbe = (path, port, periodSeconds) => ({
  httpGet: { path, port },
  periodSeconds,
  timeoutSeconds: 3,
  failureThreshold: 3,
});

function container(name, metricsPort, { ports = [], env = [], health, volumeMounts = [] }) {
  return {
    name,
    image: IMAGE,
    imagePullPolicy: 'IfNotPresent',
    args: [name],
    ports: [...ports, { name: 'metrics', containerPort: metricsPort }],
    env: [
      { name: 'REDIS_URL', value: 'redis://redis:6379' },
      { name: 'BUCKET_EVENTS_CONFIG', value: '/etc/bucket-events/config.json' },
      ...env,
    ],
    // MINIO_ROOT_USER, MINIO_ROOT_PASSWORD and the targets' secrets (README, Deployment).
    envFrom: [{ secretRef: { name: 'bucket-events-secrets' } }],
    livenessProbe: httpProbe(health.live, health.port, 10),
    readinessProbe: httpProbe(health.ready, health.port, 5),
    resources: { requests: { cpu: '100m', memory: '160Mi' }, limits: { memory: '512Mi' } },
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true },
    volumeMounts: [
      { name: 'config', mountPath: '/etc/bucket-events', readOnly: true },
      // The root filesystem is read-only; SQLite may still want a temp folder.
      { name: 'tmp', mountPath: '/tmp' },
      ...volumeMounts,
    ],
  };
}

function podSpec(containerSpec) {
  return {
    // The processes drain held events on SIGTERM before exiting (10 s at most by default).
    terminationGracePeriodSeconds: 30,
    securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 },
    containers: [containerSpec],
    volumes: [
      { name: 'config', configMap: { name: 'bucket-events-config' } },
      { name: 'tmp', emptyDir: {} },
    ],
  };
}

function metricsService(name, port, extraPorts = []) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, labels: labels(name) },
    spec: {
      selector: labels(name),
      ports: [...extraPorts, { name: 'metrics', port, targetPort: 'metrics' }],
    },
  };
}

function deployment(name, replicas, metricsPort, comment) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: labels(name), annotations: { 'bucket-events/role': comment } },
    spec: {
      replicas,
      selector: { matchLabels: labels(name) },
      template: {
        metadata: { labels: labels(name) },
        spec: podSpec(
          container(name, metricsPort, { health: { live: '/healthz', ready: '/readyz', port: 'metrics' } }),
        ),
      },
    },
  };
}

const ingest = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'ingest', labels: labels('ingest') },
  spec: {
    serviceName: 'ingest',
    replicas: 1, // one node: its metadata and outbox are a local SQLite database
    selector: { matchLabels: labels('ingest') },
    template: {
      metadata: { labels: labels('ingest') },
      spec: podSpec(
        container('ingest', 9100, {
          ports: [
            { name: 's3', containerPort: 9000 },
            { name: 'console', containerPort: 9001 },
          ],
          env: [
            { name: 'BUCKET_EVENTS_DATA_DIR', value: '/var/lib/bucket-events' },
            { name: 'BUCKET_EVENTS_CONSOLE_ADDRESS', value: '0.0.0.0:9001' },
          ],
          health: { live: '/minio/health/live', ready: '/minio/health/ready', port: 's3' },
          volumeMounts: [{ name: 'data', mountPath: '/var/lib/bucket-events' }],
        }),
      ),
    },
    volumeClaimTemplates: [
      {
        metadata: { name: 'data' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '20Gi' } } },
      },
    ],
  },
};

const config = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'bucket-events-config', labels: { 'app.kubernetes.io/part-of': PART_OF } },
  data: { 'config.json': readFileSync(new URL('config.json', DEPLOY), 'utf8') },
};

const serviceMonitor = {
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'ServiceMonitor',
  metadata: { name: 'bucket-events', labels: { 'app.kubernetes.io/part-of': PART_OF } },
  spec: {
    selector: { matchLabels: { 'app.kubernetes.io/part-of': PART_OF } },
    endpoints: [{ port: 'metrics', interval: '15s' }],
  },
};

const rules = {
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'PrometheusRule',
  metadata: { name: 'bucket-events', labels: { 'app.kubernetes.io/part-of': PART_OF } },
  spec: parse(readFileSync(new URL('prometheus/alerts.yml', DEPLOY), 'utf8')),
};

const documents = [
  config,
  ingest,
  metricsService('ingest', 9100, [{ name: 's3', port: 9000, targetPort: 's3' }]),
  deployment(
    'router',
    2,
    9107,
    'one leader routes; the other stands by and takes over within ROUTER_LOCK_MS',
  ),
  metricsService('router', 9107),
  ...Object.entries(TARGETS).flatMap(([kind, port]) => [
    deployment(
      `target-${kind}`,
      DISABLED.has(kind) ? 0 : 2,
      port,
      DISABLED.has(kind)
        ? `delivers to the ${kind} targets of config.json; none is enabled there: enable one (MINIO_NOTIFY_${kind.toUpperCase()}_ENABLE_1=on and its endpoint in the Secret), then scale to 2`
        : `delivers to the ${kind} targets of config.json; its replicas share each target's partitions (scale freely)`,
    ),
    metricsService(`target-${kind}`, port),
  ]),
  serviceMonitor,
  rules,
];

const header =
  '# Generated by infra/deploy/kubernetes/generate.mjs — edit that file, then run it.\n' +
  '# kubectl create secret generic bucket-events-secrets --from-literal=MINIO_ROOT_USER=… (README, Deployment)\n' +
  '# kubectl apply -f infra/deploy/kubernetes/bucket-events.yaml\n';
const out = process.argv[2] ?? new URL('bucket-events.yaml', import.meta.url).pathname;
writeFileSync(out, header + documents.map((d) => `---\n${stringify(d, { lineWidth: 0 })}`).join(''));
