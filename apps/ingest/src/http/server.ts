// The S3 HTTP edge: assigns a request id, authenticates (SigV4 header or
// presigned), resolves the operation and runs it; any error becomes an S3 XML
// error document. Nothing here knows about individual operations.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  headerValue,
  isS3Error,
  parseQuery,
  type S3Error,
  S3Errors,
  verifyRequest,
} from '@bucket-events/s3-protocol';
import { ADMIN_BUCKET, ADMIN_KEY_PREFIX } from '../admin/admin-api.ts';
import { postObject } from '../s3/post-object.ts';
import { NoSuchBucketError } from '../storage/metadata.ts';
import { answerHealth } from '../telemetry/health.ts';
import type { IngestDeps, S3Context, S3Handler } from './context.ts';
import { sendError } from './respond.ts';
import { resolveOperation } from './routes.ts';

let lastRequestId = 0n;

/** As MinIO's: the time in nanoseconds as 16 upper-case hex digits, increasing within the process. */
export function newRequestId(): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  lastRequestId = now > lastRequestId ? now : lastRequestId + 1n;
  return lastRequestId.toString(16).toUpperCase().padStart(16, '0');
}

interface Target {
  rawPath: string;
  rawQuery: string;
  bucket: string;
  key: string;
}

/**
 * Path style `/bucket/key`, or virtual-host style `bucket.<domain>/key` when a
 * domain is configured (MINIO_DOMAIN) and the Host header is under it.
 */
function splitTarget(url: string, host: string | undefined, domain: string | undefined): Target {
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const rawQuery = q === -1 ? '' : url.slice(q + 1);
  if (!rawPath.startsWith('/')) throw S3Errors.InvalidRequest('Request path must be absolute.');
  const path = decodePath(rawPath.slice(1));
  const hostname = (host ?? '').replace(/:\d+$/, '').toLowerCase();
  if (domain && hostname.endsWith(`.${domain}`)) {
    return { rawPath, rawQuery, bucket: hostname.slice(0, -domain.length - 1), key: path };
  }
  const slash = path.indexOf('/');
  const bucket = slash === -1 ? path : path.slice(0, slash);
  const key = slash === -1 ? '' : path.slice(slash + 1);
  return { rawPath, rawQuery, bucket, key };
}

function decodePath(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw S3Errors.InvalidObjectName('Object name contains invalid percent-encoding or UTF-8.');
  }
}

export function createS3Handler(deps: IngestDeps) {
  const secrets = new Map(deps.config.credentials.map((c) => [c.accessKey, c.secretKey]));
  const lookupSecret = (accessKeyId: string) => secrets.get(accessKeyId);

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Health checks need no credentials (load balancers, probes), as MinIO's.
    if (answerHealth(req, res, (req.url ?? '/').split('?')[0] as string, deps.readiness)) return;
    const started = performance.now();
    let api = 'Unknown';
    res.once('finish', () => deps.metrics.request(api, res.statusCode, (performance.now() - started) / 1000));
    const requestId = newRequestId();
    res.setHeader('x-amz-request-id', requestId);
    res.setHeader('x-amz-id-2', requestId);
    res.setHeader('server', 'BucketEvents');
    let resource = req.url ?? '/';
    const head = req.method === 'HEAD';
    try {
      const target = splitTarget(req.url ?? '/', headerValue(req.headers, 'host'), deps.domain);
      resource = target.key ? `/${target.bucket}/${target.key}` : `/${target.bucket}`;
      if (isPostUpload(req.method, target, headerValue(req.headers, 'content-type'))) {
        api = 'PostObject';
        await postObject(baseContext(req, res, requestId, target, resource, deps), lookupSecret);
        return;
      }
      // Resolved before authentication only to name the API in metrics: an unauthenticated
      // request is still refused first, as S3 does.
      let operation: S3Handler | undefined;
      let routeError: unknown;
      try {
        operation = resolveOperation(
          req.method ?? 'GET',
          target.bucket,
          target.key,
          new Map(parseQuery(target.rawQuery)),
          headerValue(req.headers, 'x-amz-copy-source') !== undefined,
        );
        api = apiName(operation);
      } catch (error) {
        routeError = error;
      }
      const verified = verifyRequest(
        {
          method: req.method ?? 'GET',
          rawPath: target.rawPath,
          rawQuery: target.rawQuery,
          headers: req.headers,
        },
        {
          region: deps.config.region,
          lookupSecret,
          acceptEmptyRegion: target.bucket === ADMIN_BUCKET && target.key.startsWith(ADMIN_KEY_PREFIX),
        },
      );
      if (!operation) throw routeError;
      const context = baseContext(req, res, requestId, target, resource, deps);
      context.principal = verified.accessKeyId;
      context.payload = verified.payload;
      await operation(context);
    } catch (error) {
      const s3Error = toS3Error(error);
      if (s3Error.status >= 500)
        deps.log.error({ err: error, requestId, method: req.method, url: req.url }, 'request failed');
      else
        deps.log.debug(
          { code: s3Error.code, requestId, method: req.method, url: req.url },
          'request refused',
        );
      // An unread body is not drained: the connection closes after the answer.
      if (!req.complete) res.setHeader('connection', 'close');
      sendError(res, s3Error, requestId, resource, head);
      if (!req.complete) req.resume();
    }
  };
}

/** `putObject` → `PutObject`: the handler's name is the S3 API's. */
function apiName(operation: S3Handler): string {
  const name = operation.name;
  return name ? name[0]?.toUpperCase() + name.slice(1) : 'Unknown';
}

/** POST to a bucket with a form is a browser upload, authenticated by its policy instead of SigV4 headers. */
function isPostUpload(method: string | undefined, target: Target, contentType: string | undefined): boolean {
  return (
    method === 'POST' &&
    target.bucket !== '' &&
    target.key === '' &&
    (contentType ?? '').toLowerCase().startsWith('multipart/form-data')
  );
}

/** The request context before authentication: who is asking is filled in by the caller. */
function baseContext(
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  target: Target,
  resource: string,
  deps: IngestDeps,
): S3Context {
  const local = req.socket.address() as AddressInfo;
  return {
    req,
    res,
    requestId,
    bucket: target.bucket,
    key: target.key,
    query: new Map(parseQuery(target.rawQuery)),
    resource,
    principal: '',
    payload: { kind: 'unsigned' },
    source: {
      ip: (req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
      port: req.socket.remotePort ?? 0,
      userAgent: headerValue(req.headers, 'user-agent') ?? '',
      host: headerValue(req.headers, 'host') ?? '',
    },
    originEndpoint: `http://${local.address?.replace(/^::ffff:/, '') ?? '127.0.0.1'}:${local.port}`,
    deps,
  };
}

function toS3Error(error: unknown): S3Error {
  if (isS3Error(error)) return error;
  if (error instanceof NoSuchBucketError)
    return S3Errors.NoSuchBucket(undefined, `/${error.bucket}`, { BucketName: error.bucket });
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (
    code === 'ECONNRESET' ||
    code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    (error as Error)?.message === 'aborted'
  ) {
    return S3Errors.IncompleteBody();
  }
  return S3Errors.InternalError();
}

export interface ListenOptions {
  port: number;
  host?: string;
}

export function createS3Server(deps: IngestDeps): Server {
  const handle = createS3Handler(deps);
  const server = createServer({ maxHeaderSize: 16 * 1024, requestTimeout: 0 }, (req, res) => {
    void handle(req, res);
  });
  // Expect: 100-continue (AWS CLI, SDKs for large bodies): let the client send.
  server.on('checkContinue', (req, res) => {
    res.writeContinue();
    void handle(req, res);
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return;
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
  return server;
}
