// The ops server answers what it can and never lets a failing metric or
// readiness check take its process down.
import { pino } from 'pino';
import { Gauge } from 'prom-client';
import { afterEach, describe, expect, test } from 'vitest';
import { type OpsServer, startOpsServer } from './ops-server.ts';
import { createProcessRegistry } from './registry.ts';

const log = pino({ level: 'silent' });
let open: OpsServer[] = [];
afterEach(async () => {
  await Promise.all(open.map((server) => server.close()));
  open = [];
});

async function serve(
  readiness: () => { ready: boolean; detail: string } = () => ({ ready: true, detail: 'ok' }),
) {
  const registry = createProcessRegistry('test-service');
  const server = await startOpsServer({ port: 0, host: '127.0.0.1', registry, log, readiness });
  open.push(server);
  return { registry, url: `http://127.0.0.1:${server.port}` };
}

describe('ops server', () => {
  test('serves default metrics and build_info with the service name', async () => {
    const { url } = await serve();
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(body).toMatch(
      /^bucket_events_build_info\{service="test-service",version="[^"]+",node_version="v\d+/m,
    );
    expect(body).toContain('process_cpu_user_seconds_total');
    expect(body).toContain('nodejs_eventloop_lag_seconds');
  });

  test('a metric whose collect throws answers 500, and the server keeps serving', async () => {
    const { registry, url } = await serve();
    let broken = true;
    new Gauge({
      name: 'test_flaky',
      help: 'throws while broken',
      registers: [registry],
      collect() {
        if (broken) throw new Error('collector failed');
        this.set(1);
      },
    });
    expect((await fetch(`${url}/metrics`)).status).toBe(500);
    broken = false;
    const again = await fetch(`${url}/metrics`);
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('test_flaky 1');
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  test('/readyz follows the readiness check, and a throwing check is a 500', async () => {
    let state: 'ready' | 'not' | 'throws' = 'ready';
    const { url } = await serve(() => {
      if (state === 'throws') throw new Error('boom');
      return { ready: state === 'ready', detail: state };
    });
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    state = 'not';
    const notReady = await fetch(`${url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.text()).toBe('not\n');
    state = 'throws';
    expect((await fetch(`${url}/readyz`)).status).toBe(500);
    expect((await fetch(`${url}/nothing`)).status).toBe(404);
  });

  test('a taken port is reported, not thrown', async () => {
    const first = await serve();
    const port = Number(new URL(first.url).port);
    const second = await startOpsServer({
      port,
      host: '127.0.0.1',
      registry: createProcessRegistry('other'),
      log,
      readiness: () => ({ ready: true, detail: 'ok' }),
    });
    expect(second.port).toBeUndefined();
    await second.close();
  });
});
