// A lean S3 load driver for benchmarks: SigV4-signed requests (UNSIGNED-PAYLOAD)
// over keep-alive sockets, without an SDK's per-request overhead, so the
// numbers measure the server rather than the client.
import { createHmac } from 'node:crypto';
import { Agent, request } from 'node:http';
import type { Readable } from 'node:stream';
import { canonicalRequest, parseQuery, sha256Hex, signingKey } from '@bucket-events/s3-protocol';

export interface S3Driver {
  /** Sends one request; resolves with the status and the headers of the answer (body discarded). */
  send(
    method: string,
    path: string,
    body?: Buffer | Readable,
    length?: number,
  ): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }>;
  close(): void;
}

export function createS3Driver(options: {
  /** `host:port` */
  endpoint: string;
  accessKey?: string;
  secretKey?: string;
  region?: string;
  maxSockets?: number;
}): S3Driver {
  const [host = '127.0.0.1', port = '9000'] = options.endpoint.split(':');
  const accessKey = options.accessKey ?? 'minioadmin';
  const secretKey = options.secretKey ?? 'minioadmin';
  const region = options.region ?? 'us-east-1';
  // An idle socket is dropped after 4 s, before the server's 5 s keep-alive timeout closes it:
  // a request sent on a socket the server is closing fails with ECONNRESET.
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 64, timeout: 4000 });

  const sign = (method: string, path: string, headers: Record<string, string>) => {
    const amzDate = new Date()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
    const scope = `${amzDate.slice(0, 8)}/${region}/s3/aws4_request`;
    const all = {
      ...headers,
      host: options.endpoint,
      'x-amz-date': amzDate,
      'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
    };
    const names = Object.keys(all).sort();
    const q = path.indexOf('?');
    const rawPath = q === -1 ? path : path.slice(0, q);
    const query = q === -1 ? [] : parseQuery(path.slice(q + 1));
    const canonical = canonicalRequest(method, rawPath, query, all, names, 'UNSIGNED-PAYLOAD');
    const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`;
    const signature = createHmac('sha256', signingKey(secretKey, scope)).update(toSign).digest('hex');
    return {
      ...all,
      authorization: `AWS4-HMAC-SHA256 Credential=${accessKey}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
    };
  };

  return {
    send(method, path, body, length) {
      const size = length ?? (Buffer.isBuffer(body) ? body.length : 0);
      return new Promise((resolve, reject) => {
        const headers = sign(method, path, { 'content-length': String(size) });
        const req = request({ host, port: Number(port), method, path, headers, agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
        });
        req.on('error', reject);
        if (body && !Buffer.isBuffer(body)) body.pipe(req);
        else req.end(body);
      });
    },
    close() {
      agent.destroy();
    },
  };
}
