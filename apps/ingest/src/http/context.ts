// What every S3 operation handler receives: the parsed request, who made it,
// and the dependencies it may use.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BucketEventsConfig } from '@bucket-events/config';
import type { PayloadMode } from '@bucket-events/s3-protocol';
import type { Readiness } from '@bucket-events/telemetry';
import type { Logger } from 'pino';
import type { AdminDeps } from '../admin/admin-api.ts';
import type { LiveHub } from '../live/hub.ts';
import type { NotificationRules } from '../notification/rules-cache.ts';
import type { StorageFacade } from '../storage/object-store.ts';
import type { IngestMetrics } from '../telemetry/metrics.ts';

export interface RequestSource {
  ip: string;
  port: number;
  userAgent: string;
  host: string;
}

export interface S3Context {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  /** Decoded bucket name ('' for service-level requests). */
  bucket: string;
  /** Decoded object key ('' for bucket-level requests). */
  key: string;
  /** Decoded query parameters (last value wins). */
  query: Map<string, string>;
  /** The resource the request is about, for error documents: `/bucket/key`. */
  resource: string;
  principal: string;
  payload: PayloadMode;
  source: RequestSource;
  originEndpoint: string;
  deps: IngestDeps;
}

export interface IngestDeps {
  config: BucketEventsConfig;
  /** Storage as the handlers see it: the facade's methods, never the database itself. */
  store: StorageFacade;
  rules: NotificationRules;
  /** Live listeners (ListenBucketNotification) of this process. */
  live: LiveHub;
  /** What the admin API reads and changes: target statuses, dead letters. */
  admin: AdminDeps;
  log: Logger;
  /** Enabled targets as `<id>:<kind>`, for ARN validation. */
  targets: ReadonlySet<string>;
  limits: { maxSinglePutBytes: number; maxXmlBodyBytes: number };
  /** MINIO_DOMAIN: enables virtual-host style requests (`bucket.<domain>`). */
  domain?: string;
  /** Every answered request is counted here. */
  metrics: IngestMetrics;
  /** What /minio/health/ready answers. */
  readiness(): Promise<Readiness>;
}

export type S3Handler = (context: S3Context) => Promise<void>;
