// Validates every document of bucket-events.yaml against the Kubernetes API
// schemas (kubernetes-models) and the Prometheus Operator's (ServiceMonitor,
// PrometheusRule), offline: a wrong field, type or missing required key fails.
//   node infra/deploy/kubernetes/validate.mjs [FILE]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseAllDocuments } from 'yaml';

const require = createRequire(import.meta.url);
const MODELS = {
  'v1/ConfigMap': () => require('kubernetes-models/v1/ConfigMap').ConfigMap,
  'v1/Service': () => require('kubernetes-models/v1/Service').Service,
  'apps/v1/Deployment': () => require('kubernetes-models/apps/v1/Deployment').Deployment,
  'apps/v1/StatefulSet': () => require('kubernetes-models/apps/v1/StatefulSet').StatefulSet,
  'monitoring.coreos.com/v1/ServiceMonitor': () =>
    require('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor').ServiceMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': () =>
    require('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule').PrometheusRule,
};

const file = process.argv[2] ?? new URL('bucket-events.yaml', import.meta.url).pathname;
const problems = [];
const kinds = [];
for (const document of parseAllDocuments(readFileSync(file, 'utf8'))) {
  if (document.errors.length > 0) problems.push(...document.errors.map((error) => error.message));
  const manifest = document.toJS();
  if (!manifest) continue;
  const type = `${manifest.apiVersion}/${manifest.kind}`;
  const Model = MODELS[type]?.();
  if (!Model) {
    problems.push(`${type} ${manifest.metadata?.name}: no schema known here`);
    continue;
  }
  try {
    new Model(manifest).validate();
    kinds.push(`${manifest.kind}/${manifest.metadata.name}`);
  } catch (error) {
    problems.push(`${type} ${manifest.metadata?.name}: ${error.message}`);
  }
}
if (problems.length > 0) {
  console.error(`[deploy] ${file}:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`[deploy] ${kinds.length} Kubernetes manifests valid: ${kinds.join(', ')}`);
