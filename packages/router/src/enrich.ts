// Turns a raw mutation record into the S3 event record targets receive —
// nothing is read from storage; everything came with the mutation.
import { type EventRecord, type MutationRecord, queryEscape, type TargetJob } from '@bucket-events/contracts';

export interface EnrichOptions {
  /** `eventSource` of every record (the seed's `aws:s3` by default; MinIO today sends `minio:s3`). */
  eventSource: string;
  /** `x-minio-deployment-id`. */
  deploymentId: string;
}

const REMOVALS = new Set([
  's3:ObjectRemoved:Delete',
  's3:ObjectRemoved:DeleteMarkerCreated',
  's3:ObjectRemoved:NoOP',
]);

/** `x-amz-meta-foo-bar` → `X-Amz-Meta-Foo-Bar`, the casing MinIO reports. */
function canonicalHeader(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
}

export function buildEventRecord(
  mutation: MutationRecord,
  configurationId: string,
  options: EnrichOptions,
): EventRecord {
  const { request } = mutation;
  const object = { key: queryEscape(mutation.key) } as EventRecord['s3']['object'];
  if (!REMOVALS.has(mutation.eventName)) {
    if (mutation.size > 0) object.size = mutation.size;
    if (mutation.eTag !== '') object.eTag = mutation.eTag;
    if (mutation.contentType !== '') object.contentType = mutation.contentType;
    const metadata: Record<string, string> = {};
    if (mutation.contentType !== '') metadata['content-type'] = mutation.contentType;
    for (const [name, value] of Object.entries(mutation.userMetadata))
      metadata[canonicalHeader(name)] = value;
    if (Object.keys(metadata).length > 0) object.userMetadata = metadata;
  }
  if (mutation.versionId !== undefined) object.versionId = mutation.versionId;
  object.sequencer = mutation.sequencer; // after versionId, as MinIO orders the fields
  return {
    eventVersion: '2.0',
    eventSource: options.eventSource,
    awsRegion: request.region,
    eventTime: mutation.eventTime,
    eventName: mutation.eventName,
    userIdentity: { principalId: request.principalId },
    requestParameters: {
      principalId: request.principalId,
      region: request.region,
      sourceIPAddress: request.sourceIp,
    },
    responseElements: {
      'x-amz-request-id': request.requestId,
      'x-minio-origin-endpoint': request.originEndpoint,
      'x-minio-deployment-id': options.deploymentId,
    },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId,
      bucket: {
        name: mutation.bucket,
        ownerIdentity: { principalId: request.principalId },
        arn: `arn:aws:s3:::${mutation.bucket}`,
      },
      object,
    },
    source: { host: request.sourceIp, port: String(request.sourcePort), userAgent: request.userAgent },
  };
}

/**
 * A target job's `view` (see TargetJob): what a namespace view shows after deleting one version of
 * a versioned key. The version that became current is described by the deletion's own record with
 * that version as its object.
 */
export function viewOf(
  mutation: MutationRecord,
  configurationId: string,
  options: EnrichOptions,
): TargetJob['view'] {
  const current = mutation.current;
  if (current === undefined || current === 'unchanged') return current;
  const record = buildEventRecord(
    { ...mutation, eventName: 's3:ObjectCreated:Put', ...current },
    configurationId,
    options,
  );
  return { current: { ...record, eventName: mutation.eventName } };
}
