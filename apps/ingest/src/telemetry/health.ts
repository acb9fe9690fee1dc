// MinIO's unauthenticated health endpoints, for load balancers and probes:
//   /minio/health/live     the process serves requests
//   /minio/health/ready    it can accept writes that become events: Redis
//                          answers and the outbox relay is not stuck
//   /minio/health/cluster  (and /cluster/read) the same as ready: one node
// GET and HEAD; 200 or 503 with an empty body, as MinIO answers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readiness } from '@bucket-events/telemetry';

export const HEALTH_PATH_PREFIX = '/minio/health/';

const READY_PATHS = new Set(['ready', 'cluster', 'cluster/read']);

/** Answers a health request; false when `path` is not one (the caller goes on as S3). */
export function answerHealth(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  readiness: () => Promise<Readiness>,
): boolean {
  if (!path.startsWith(HEALTH_PATH_PREFIX)) return false;
  const what = path.slice(HEALTH_PATH_PREFIX.length).replace(/\/$/, '');
  if (what !== 'live' && !READY_PATHS.has(what)) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return true;
  }
  if (what === 'live') {
    res.writeHead(200, { 'content-length': 0 }).end();
    return true;
  }
  readiness().then(
    ({ ready, detail }) =>
      res.writeHead(ready ? 200 : 503, { 'content-length': 0, 'x-bucket-events-health': detail }).end(),
    () => res.writeHead(503, { 'content-length': 0 }).end(),
  );
  return true;
}
