// A real HTTP endpoint that receives webhook events, for tests: this target's
// own, and the end-to-end suites that run the product against every target
// (seed walkthrough, outages, faults). It records what arrives in arrival
// order, answers a chosen status for chosen events, and can go away and come
// back on the same port, as a restarted service would.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrokerMessage } from '@bucket-events/contracts';

export interface ReceivedEvent {
  message: BrokerMessage;
  authorization: string | undefined;
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>/<path>`, the endpoint to configure. */
  readonly endpoint: string;
  readonly port: number;
  /** Every event taken (answered 2xx), in arrival order. */
  readonly received: ReceivedEvent[];
  /** How many requests were answered with an error status. */
  readonly refused: number;
  /** Stops listening and drops open connections (the endpoint is down). */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface WebhookReceiverOptions {
  /** Fixed port (0 or absent: any free one). */
  port?: number;
  path?: string;
  /** A status to answer instead of 200 for this event (undefined: take it). */
  answer?(message: BrokerMessage): number | undefined;
  /** Called for every event taken, as it is taken. */
  onReceived?(message: BrokerMessage): void;
  /** Keep what is taken in `received` (default true; a benchmark taking millions does not). */
  keep?: boolean;
}

export async function startWebhookReceiver(options: WebhookReceiverOptions = {}): Promise<WebhookReceiver> {
  const received: ReceivedEvent[] = [];
  let refused = 0;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let message: BrokerMessage;
      try {
        message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as BrokerMessage;
      } catch {
        refused += 1;
        response.writeHead(400).end('not JSON');
        return;
      }
      const status = options.answer?.(message);
      if (status !== undefined) {
        refused += 1;
        response.writeHead(status).end();
        return;
      }
      if (options.keep !== false) received.push({ message, authorization: request.headers.authorization });
      options.onReceived?.(message);
      response.writeHead(200).end();
    });
  });
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const port = await listen(options.port ?? 0);
  server.unref(); // a test that forgets close() still ends
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return {
    endpoint: `http://127.0.0.1:${port}${options.path ?? '/'}`,
    port,
    received,
    get refused() {
      return refused;
    },
    stop,
    start: async () => {
      await listen(port);
    },
    close: async () => {
      if (server.listening) await stop();
    },
  };
}
