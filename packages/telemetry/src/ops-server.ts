// The operator's port of every process: /metrics, /healthz (the process runs)
// and /readyz (it can do its job). A scrape or a readiness check that throws is
// answered 500 and logged; it never ends the process, and a taken port is
// logged rather than fatal: watching the product must never stop it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

export interface Readiness {
  ready: boolean;
  /** One line saying why, shown as the body of /readyz. */
  detail: string;
}

export interface OpsServerOptions {
  /** 0: any free port. */
  port: number;
  host?: string;
  registry: Registry;
  log: Logger;
  readiness(): Readiness | Promise<Readiness>;
}

export interface OpsServer {
  server: Server;
  /** The bound port; undefined when the server could not listen. */
  port: number | undefined;
  close(): Promise<void>;
}

export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const { registry, log } = options;
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      const body = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType }).end(body);
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const { ready, detail } = await options.readiness();
      res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' }).end(`${detail}\n`);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log.error(
        { err: error instanceof Error ? error.message : String(error), url: req.url },
        'ops request failed',
      );
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error\n');
    });
  });
  const port = await new Promise<number | undefined>((resolve) => {
    server.once('error', (error) => {
      log.error({ err: error.message, port: options.port }, 'metrics and health server not started');
      resolve(undefined);
    });
    server.listen(options.port, options.host ?? '0.0.0.0', () =>
      resolve((server.address() as AddressInfo).port),
    );
  });
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        if (port === undefined) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
