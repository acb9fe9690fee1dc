// The S3 event record every target receives, field for field as the seed
// document shows it (MinIO's event.Event), and the message wrappers MinIO
// sends per kind of target. One schema; every target serialises from it.
import { z } from 'zod';

export const DEFAULT_EVENT_SOURCE = 'aws:s3';

export const eventRecordSchema = z.object({
  eventVersion: z.literal('2.0'),
  eventSource: z.string(),
  awsRegion: z.string(),
  /** ISO 8601 UTC with milliseconds. */
  eventTime: z.string(),
  eventName: z.string(),
  userIdentity: z.object({ principalId: z.string() }),
  requestParameters: z.object({ principalId: z.string(), region: z.string(), sourceIPAddress: z.string() }),
  responseElements: z.object({
    'x-amz-request-id': z.string(),
    'x-minio-origin-endpoint': z.string(),
    'x-minio-deployment-id': z.string(),
  }),
  s3: z.object({
    s3SchemaVersion: z.literal('1.0'),
    /** The matching rule's Id, or "Config". */
    configurationId: z.string(),
    bucket: z.object({
      name: z.string(),
      ownerIdentity: z.object({ principalId: z.string() }),
      arn: z.string(),
    }),
    object: z.object({
      /** URL query-escaped key (space → `+`, `/` → `%2F`), as MinIO sends it. */
      key: z.string(),
      size: z.number().int().nonnegative().optional(),
      eTag: z.string().optional(),
      contentType: z.string().optional(),
      userMetadata: z.record(z.string(), z.string()).optional(),
      /** The object version, in a versioned bucket (MinIO's field; absent for 'null' versions). */
      versionId: z.string().optional(),
      sequencer: z.string(),
    }),
  }),
  source: z.object({ host: z.string(), port: z.string(), userAgent: z.string() }),
});

export type EventRecord = z.infer<typeof eventRecordSchema>;

/** Go's url.QueryEscape: everything but A-Z a-z 0-9 - _ . ~ as %XX, space as `+`. */
export function queryEscape(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** `{"EventName","Key","Records"}` for brokers (AMQP, Kafka, NATS); `EventType` too, as the seed's messages show. */
export interface BrokerMessage {
  EventName: string;
  EventType: string;
  /** `<bucket>/<raw key>` */
  Key: string;
  Records: [EventRecord];
}

export function brokerMessage(record: EventRecord, bucket: string, rawKey: string): BrokerMessage {
  return {
    EventName: record.eventName,
    EventType: record.eventName,
    Key: `${bucket}/${rawKey}`,
    Records: [record],
  };
}

/** `{"Records":[…]}` for stores (Elasticsearch, PostgreSQL, Redis). */
export function storeDocument(record: EventRecord): { Records: [EventRecord] } {
  return { Records: [record] };
}
