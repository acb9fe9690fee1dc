// The deployment files name every target kind's app on the metrics port the
// app really uses (DEFAULT_METRICS_PORTS): compose runs and health-checks it,
// Prometheus scrapes it, Kubernetes deploys it. infra/deploy/kubernetes/generate.mjs
// keeps its own port table (it runs on plain node, which cannot load the
// contracts' TypeScript), so this is where a drift, or a new kind left out, fails.
import { readFileSync } from 'node:fs';
import { DEFAULT_METRICS_PORTS, TARGET_KINDS } from '@bucket-events/contracts';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

const deploy = (path: string) =>
  readFileSync(new URL(`../../../infra/deploy/${path}`, import.meta.url), 'utf8');

describe('infra/deploy names every target app on its metrics port', () => {
  it('compose: a service per kind, health-checked on that port', () => {
    const services = parse(deploy('compose.yaml')).services as Record<
      string,
      { healthcheck: { test: string[] } }
    >;
    for (const kind of TARGET_KINDS) {
      const service = services[`target-${kind}`];
      expect(service, kind).toBeDefined();
      expect(service?.healthcheck.test.join(' ')).toContain(
        `127.0.0.1:${DEFAULT_METRICS_PORTS[kind]}/readyz`,
      );
    }
  });

  it('Prometheus: a scrape job per kind on that port', () => {
    const jobs = parse(deploy('prometheus/prometheus.yml')).scrape_configs as {
      job_name: string;
      dns_sd_configs: { names: string[]; port: number }[];
    }[];
    for (const kind of TARGET_KINDS) {
      const job = jobs.find((entry) => entry.job_name === `bucket-events-target-${kind}`);
      expect(job?.dns_sd_configs[0]).toEqual({
        names: [`target-${kind}`],
        type: 'A',
        port: DEFAULT_METRICS_PORTS[kind],
      });
    }
  });

  it('Kubernetes: a Deployment per kind exposing that port', () => {
    const documents = parseAllDocuments(deploy('kubernetes/bucket-events.yaml')).map((document) =>
      document.toJS(),
    );
    for (const kind of TARGET_KINDS) {
      const deployment = documents.find(
        (document) => document?.kind === 'Deployment' && document.metadata?.name === `target-${kind}`,
      );
      const ports = deployment?.spec.template.spec.containers[0].ports as {
        name: string;
        containerPort: number;
      }[];
      expect(ports, kind).toContainEqual({ name: 'metrics', containerPort: DEFAULT_METRICS_PORTS[kind] });
    }
  });
});
