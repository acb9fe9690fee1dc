// The Webhook sink: each event POSTed to the endpoint as MinIO's webhook target
// sends it — `{"EventName","Key","Records"}` as JSON, the auth token as a Bearer
// header — over keep-alive connections (mutual TLS with a client certificate).
// A batch holds at most one event per key (the kit's lanes), so its POSTs go
// out together and per-key order still holds. A 2xx is delivery; 429 slows the
// target down; any other 4xx means this event will never be taken (dead
// letter); 5xx and network errors are retried. Liveness is a TCP dial, as in
// MinIO: the endpoint need not answer a request that is not an event.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { brokerMessage, type TargetJob } from '@bucket-events/contracts';
import {
  type BatchFailures,
  describeError,
  type ErrorClass,
  TargetError,
  type TargetSink,
} from '@bucket-events/target-kit';

export interface WebhookSinkOptions {
  endpoint: string;
  authToken: string;
  clientCert: string;
  clientKey: string;
}

/** Requests in flight per target process; the kit's batches are the real bound. */
const MAX_SOCKETS = 64;
/** How long the liveness dial may take, as MinIO's. */
const DIAL_TIMEOUT_MS = 5000;

/** MinIO's rule: a token of two words is a whole header value (`Basic …`), one word a Bearer token. */
export function authorizationHeader(token: string): string | undefined {
  const words = token
    .trim()
    .split(/\s+/)
    .filter((word) => word !== '');
  if (words.length === 2) return words.join(' ');
  if (words.length === 1) return `Bearer ${words[0]}`;
  return undefined;
}

/** What a non-2xx answer means for its event. */
export function classifyStatus(status: number): ErrorClass {
  if (status === 429) return 'throttle';
  if (status >= 400 && status < 500 && status !== 408) return 'fatal';
  return 'retry';
}

const CONNECTION_ERRORS =
  /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|socket hang up/;

export class WebhookSink implements TargetSink {
  private readonly url: URL;
  private readonly transport: typeof http | typeof https;
  private agent: http.Agent | undefined;
  private readonly authorization: string | undefined;

  constructor(private readonly options: WebhookSinkOptions) {
    this.url = new URL(options.endpoint);
    this.transport = this.url.protocol === 'https:' ? https : http;
    this.authorization = authorizationHeader(options.authToken);
  }

  async connect(): Promise<void> {
    this.agent?.destroy(); // aborts whatever a timed-out write left hanging
    const keepAlive = { keepAlive: true, maxSockets: MAX_SOCKETS };
    this.agent =
      this.url.protocol === 'https:'
        ? new https.Agent({
            ...keepAlive,
            ...(this.options.clientCert
              ? { cert: readFileSync(this.options.clientCert), key: readFileSync(this.options.clientKey) }
              : {}),
          })
        : new http.Agent(keepAlive);
    await this.dial();
  }

  async write(batch: readonly TargetJob[]): Promise<BatchFailures | undefined> {
    const agent = this.agent;
    if (!agent) throw new TargetError('reconnect', 'not connected');
    const outcomes = await Promise.all(
      batch.map((job) =>
        this.post(agent, job).then(
          () => undefined,
          (e) => e,
        ),
      ),
    );
    const failures: BatchFailures = new Map();
    let unreachable = 0;
    for (const [index, error] of outcomes.entries()) {
      if (error === undefined) continue;
      const classification = this.classify(error);
      if (classification === 'reconnect') unreachable += 1;
      failures.set(
        index,
        error instanceof TargetError
          ? error
          : new TargetError(classification, describeError(error), { cause: error }),
      );
    }
    // Nothing got through the network at all: the endpoint is down, not one event unwelcome.
    if (unreachable === batch.length) throw outcomes[0];
    return failures.size > 0 ? failures : undefined;
  }

  probe(): Promise<void> {
    return this.dial();
  }

  async close(): Promise<void> {
    this.agent?.destroy();
    this.agent = undefined;
  }

  classify(error: unknown): ErrorClass {
    if (error instanceof TargetError) return error.classification;
    const code = (error as { code?: string }).code ?? '';
    if (CONNECTION_ERRORS.test(`${code} ${describeError(error)}`)) return 'reconnect';
    if (code === 'ENOENT' || code === 'EACCES') return 'reconnect'; // a client certificate file to fix
    return 'retry';
  }

  private post(agent: http.Agent, job: TargetJob): Promise<void> {
    const body = JSON.stringify(brokerMessage(job.record, job.bucket, job.key));
    const headers: http.OutgoingHttpHeaders = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    };
    if (this.authorization) headers.authorization = this.authorization;
    return new Promise((resolve, reject) => {
      const request = this.transport.request(this.url, { method: 'POST', agent, headers }, (response) => {
        response.resume(); // the body is not read, only drained so the socket can be reused
        response.on('error', reject);
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else reject(new TargetError(classifyStatus(status), `the endpoint answered ${status}`));
        });
      });
      request.on('error', reject);
      request.end(body);
    });
  }

  private dial(): Promise<void> {
    const port = Number(this.url.port) || (this.url.protocol === 'https:' ? 443 : 80);
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: this.url.hostname.replace(/^\[|\]$/g, ''), port });
      socket.setTimeout(DIAL_TIMEOUT_MS, () =>
        socket.destroy(new TargetError('reconnect', `no answer from ${this.url.host} within 5 s`)),
      );
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', (error) =>
        reject(
          new TargetError('reconnect', `cannot reach ${this.url.host}: ${describeError(error)}`, {
            cause: error,
          }),
        ),
      );
    });
  }
}
