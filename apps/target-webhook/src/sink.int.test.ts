// The Webhook target against real HTTP endpoints this test starts: the shared
// conformance suite (an endpoint that refuses one event, one that goes away and
// comes back), MinIO's request shape and auth header, what each status means,
// an unreachable endpoint, and mutual TLS with a client certificate.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TargetJob } from '@bucket-events/contracts';
import { conformanceJob, targetConformanceSuite } from '@bucket-events/target-kit/conformance';
import { describe, expect, it } from 'vitest';
import { startWebhookReceiver } from './receiver.ts';
import { authorizationHeader, WebhookSink } from './sink.ts';

const sinkOptions = (
  endpoint: string,
  overrides: Partial<ConstructorParameters<typeof WebhookSink>[0]> = {},
) => ({
  endpoint,
  authToken: '',
  clientCert: '',
  clientKey: '',
  ...overrides,
});

const sequencerOf = (record: TargetJob['record']) => record.s3.object.sequencer;

targetConformanceSuite({
  kind: 'webhook',
  async setup() {
    // An endpoint that refuses, as invalid, any event whose key says so.
    const receiver = await startWebhookReceiver({
      answer: (message) => (message.Key.includes('/poison-') ? 400 : undefined),
    });
    return {
      sink: new WebhookSink(sinkOptions(receiver.endpoint)),
      stored: async () =>
        receiver.received.map(({ message }) => ({
          key: message.Key.slice('conformance/'.length),
          sequencer: sequencerOf(message.Records[0] as TargetJob['record']),
        })),
      poison: (job) => ({ ...job, key: `poison-${job.key}` }),
      restart: async () => {
        await receiver.stop();
        // Down long enough for writes to fail and the kit to back off and reconnect.
        await new Promise((resolve) => setTimeout(resolve, 1000));
        await receiver.start();
      },
      cleanup: () => receiver.close(),
    };
  },
});

describe('webhook target', () => {
  it('POSTs {"EventName","EventType","Key","Records"} as JSON with the token as a Bearer header', async () => {
    const receiver = await startWebhookReceiver({ path: '/events' });
    const sink = new WebhookSink(sinkOptions(receiver.endpoint, { authToken: 'tok3n' }));
    try {
      await sink.connect();
      const job = conformanceJob('webhook', 'images/my photo.jpg');
      expect(await sink.write([job])).toBeUndefined();
      expect(receiver.received).toEqual([
        {
          authorization: 'Bearer tok3n',
          message: {
            EventName: 's3:ObjectCreated:Put',
            EventType: 's3:ObjectCreated:Put',
            Key: 'conformance/images/my photo.jpg',
            Records: [job.record],
          },
        },
      ]);
    } finally {
      await sink.close();
      await receiver.close();
    }
  });

  it('sends a two-word token as it is, as MinIO does, and none when it is empty', () => {
    expect(authorizationHeader('Basic dXNlcjpwdw==')).toBe('Basic dXNlcjpwdw==');
    expect(authorizationHeader(' abc ')).toBe('Bearer abc');
    expect(authorizationHeader('')).toBeUndefined();
    expect(authorizationHeader('a b c')).toBeUndefined();
  });

  it('reports per event: a 4xx is final, 429 slows down, a 5xx is retried, the others delivered', async () => {
    const status: Record<string, number> = {
      'conformance/bad': 422,
      'conformance/busy': 429,
      'conformance/down': 503,
    };
    const receiver = await startWebhookReceiver({ answer: (message) => status[message.Key] });
    const sink = new WebhookSink(sinkOptions(receiver.endpoint));
    try {
      await sink.connect();
      const keys = ['ok1', 'bad', 'busy', 'down', 'ok2'];
      const failures = await sink.write(keys.map((key) => conformanceJob('webhook', key)));
      expect(
        [...(failures ?? new Map()).entries()].map(([index, error]) => [keys[index], error.classification]),
      ).toEqual([
        ['bad', 'fatal'],
        ['busy', 'throttle'],
        ['down', 'retry'],
      ]);
      expect(receiver.received.map(({ message }) => message.Key)).toEqual([
        'conformance/ok1',
        'conformance/ok2',
      ]);
    } finally {
      await sink.close();
      await receiver.close();
    }
  });

  it('refuses to connect to an endpoint nobody listens on, and fails a whole write to it for a reconnect', async () => {
    const receiver = await startWebhookReceiver();
    const sink = new WebhookSink(sinkOptions(receiver.endpoint));
    await sink.connect();
    await receiver.close();
    const writing = sink.write([conformanceJob('webhook', 'a'), conformanceJob('webhook', 'b')]);
    await expect(writing).rejects.toThrow();
    expect(sink.classify(await writing.catch((error) => error))).toBe('reconnect');
    const error = await sink.connect().catch((e) => e);
    expect(sink.classify(error)).toBe('reconnect');
    expect(String(error.message)).toMatch(/cannot reach 127\.0\.0\.1:\d+/);
    await sink.close();
  });

  it('presents its client certificate to an endpoint that requires one (mutual TLS)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'webhook-tls-'));
    const pki = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    pki(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=test-ca',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
    );
    for (const [name, extension] of [
      ['server', 'subjectAltName=IP:127.0.0.1'],
      ['client', 'extendedKeyUsage=clientAuth'],
    ] as const) {
      pki(
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        `/CN=${name}`,
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.csr`,
      );
      writeFileSync(join(dir, `${name}.ext`), `${extension}\n`);
      pki(
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-days',
        '1',
        '-extfile',
        `${name}.ext`,
        '-out',
        `${name}.pem`,
      );
    }
    const subjects: string[] = [];
    const server = https.createServer(
      {
        cert: readFileSync(join(dir, 'server.pem')),
        key: readFileSync(join(dir, 'server.key')),
        ca: readFileSync(join(dir, 'ca.pem')),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (request, response) => {
        subjects.push(
          String((request.socket as import('node:tls').TLSSocket).getPeerCertificate().subject.CN),
        );
        request.resume();
        request.on('end', () => response.writeHead(200).end());
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as import('node:net').AddressInfo).port;
    // As a user would run it: the private CA trusted through NODE_EXTRA_CA_CERTS, which Node reads
    // at start-up only, so the sink runs in a process of its own.
    const script = `
      import { WebhookSink } from './src/sink.ts';
      const run = async (withCert) => {
        const sink = new WebhookSink({ endpoint: 'https://127.0.0.1:${port}/', authToken: '',
          clientCert: withCert ? '${join(dir, 'client.pem')}' : '', clientKey: withCert ? '${join(dir, 'client.key')}' : '' });
        await sink.connect();
        const failures = await sink.write([${JSON.stringify(conformanceJob('webhook', 'tls'))}]).catch((e) => new Map([[0, e]]));
        await sink.close();
        return failures ? 'refused' : 'delivered';
      };
      console.log(JSON.stringify([await run(true), await run(false)]));`;
    try {
      // Not spawnSync: the endpoint answering the child lives in this process's event loop.
      const child = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script],
        {
          cwd: new URL('..', import.meta.url).pathname,
          env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') },
          encoding: 'utf8',
        },
      );
      expect(child.stderr).toBe('');
      expect(JSON.parse(child.stdout.trim())).toEqual(['delivered', 'refused']);
      expect(subjects).toEqual(['client']);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
