// What the S3 server says once it serves, wherever it runs (its own process or
// the standalone one): MinIO prints its ARNs at start-up, and so do we; and a
// warning while the root credentials are the documented local default.
import type { BucketEventsConfig } from '@bucket-events/config';
import type { Logger } from 'pino';

export function announceServing(config: BucketEventsConfig, log: Logger): void {
  console.log(`SQS ARNs: ${config.targets.map((t) => t.arn).join(' ') || '<none>'}`);
  if (config.credentials[0]?.accessKey === 'minioadmin') {
    log.warn(
      'using the default root credentials minioadmin:minioadmin; set MINIO_ROOT_USER and MINIO_ROOT_PASSWORD',
    );
  }
}
