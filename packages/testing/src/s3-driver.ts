// A lean S3 load driver for benchmarks: SigV4-signed requests (UNSIGNED-PAYLOAD,
// or streaming-signed aws-chunked bodies as minio-go and so mc send them) over
// keep-alive sockets, without an SDK's per-request overhead, so the numbers
// measure the server rather than the client.
import { createHash, createHmac } from 'node:crypto';
import { Agent, request } from 'node:http';
import { Readable } from 'node:stream';
import { canonicalRequest, parseQuery, sha256Hex, signingKey } from '@bucket-events/s3-protocol';

export interface S3Driver {
  /** Sends one request; resolves with the status and the headers of the answer (body discarded). */
  send(
    method: string,
    path: string,
    body?: Buffer | Readable,
    length?: number,
  ): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }>;
  /** Sends one request and reads the answer's body as text. */
  fetchText(method: string, path: string, body?: Buffer): Promise<{ status: number; text: string }>;
  /**
   * Sends `data` as minio-go does over HTTP: STREAMING-AWS4-HMAC-SHA256-PAYLOAD, the body cut into
   * `chunkBytes` chunks (64 KiB, as minio-go), each with its chained signature.
   */
  sendStreamingSigned(
    method: string,
    path: string,
    data: Buffer,
    chunkBytes?: number,
  ): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }>;
  close(): void;
}

const STREAMING = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

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

  const sign = (
    method: string,
    path: string,
    headers: Record<string, string>,
    payloadHash = 'UNSIGNED-PAYLOAD',
  ) => {
    const amzDate = new Date()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
    const scope = `${amzDate.slice(0, 8)}/${region}/s3/aws4_request`;
    const all = {
      ...headers,
      host: options.endpoint,
      'x-amz-date': amzDate,
      'x-amz-content-sha256': payloadHash,
    };
    const names = Object.keys(all).sort();
    const q = path.indexOf('?');
    const rawPath = q === -1 ? path : path.slice(0, q);
    const query = q === -1 ? [] : parseQuery(path.slice(q + 1));
    const canonical = canonicalRequest(method, rawPath, query, all, names, payloadHash);
    const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`;
    const key = signingKey(secretKey, scope);
    const signature = createHmac('sha256', key).update(toSign).digest('hex');
    return {
      headers: {
        ...all,
        authorization: `AWS4-HMAC-SHA256 Credential=${accessKey}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
      },
      chain: { amzDate, scope, key, seed: signature },
    };
  };

  const exchange = (
    method: string,
    path: string,
    headers: Record<string, string>,
    body: Buffer | Readable | undefined,
    readBody: boolean,
  ) =>
    new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }>(
      (resolve, reject) => {
        const req = request({ host, port: Number(port), method, path, headers, agent }, (res) => {
          const chunks: Buffer[] = [];
          if (readBody) res.on('data', (chunk: Buffer) => chunks.push(chunk));
          else res.resume();
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text: Buffer.concat(chunks).toString(),
            }),
          );
        });
        req.on('error', reject);
        if (body && !Buffer.isBuffer(body)) body.pipe(req);
        else req.end(body);
      },
    );

  return {
    async send(method, path, body, length) {
      const size = length ?? (Buffer.isBuffer(body) ? body.length : 0);
      const { headers } = sign(method, path, { 'content-length': String(size) });
      const answer = await exchange(method, path, headers, body, false);
      return { status: answer.status, headers: answer.headers };
    },
    async fetchText(method, path, body) {
      const { headers } = sign(method, path, { 'content-length': String(body?.length ?? 0) });
      const answer = await exchange(method, path, headers, body, true);
      return { status: answer.status, text: answer.text };
    },
    async sendStreamingSigned(method, path, data, chunkBytes = 64 * 1024) {
      const sizes: number[] = [];
      for (let offset = 0; offset < data.length; offset += chunkBytes)
        sizes.push(Math.min(chunkBytes, data.length - offset));
      sizes.push(0);
      const framedLength = sizes.reduce(
        (sum, size) => sum + size.toString(16).length + ';chunk-signature='.length + 64 + 4 + size,
        0,
      );
      const { headers, chain } = sign(
        method,
        path,
        {
          'content-encoding': 'aws-chunked',
          'x-amz-decoded-content-length': String(data.length),
          'content-length': String(framedLength),
        },
        STREAMING,
      );
      // Each chunk is signed as it is sent, chained to the one before, as minio-go does.
      let previous = chain.seed;
      function* framed() {
        let offset = 0;
        for (const size of sizes) {
          const chunk = data.subarray(offset, offset + size);
          offset += size;
          const hash = createHash('sha256').update(chunk).digest('hex');
          const toSign = `AWS4-HMAC-SHA256-PAYLOAD\n${chain.amzDate}\n${chain.scope}\n${previous}\n${EMPTY_SHA256}\n${hash}`;
          previous = createHmac('sha256', chain.key).update(toSign).digest('hex');
          yield Buffer.from(`${size.toString(16)};chunk-signature=${previous}\r\n`);
          if (size > 0) yield chunk;
          yield Buffer.from('\r\n');
        }
      }
      const answer = await exchange(method, path, headers, Readable.from(framed()), false);
      return { status: answer.status, headers: answer.headers };
    },
    close() {
      agent.destroy();
    },
  };
}
