// Builds the mutation record a handler commits: the event plus everything the
// router needs about the request, so events never require reading storage.
import type { EmittedEventName } from '@bucket-events/contracts';
import { S3Errors } from '@bucket-events/s3-protocol';
import type { S3Context } from '../http/context.ts';
import type { MutationDraft, ObjectMeta } from '../storage/metadata.ts';

export interface ObjectFacts {
  key: string;
  size: number;
  eTag: string;
  contentType: string;
  userMetadata: Record<string, string>;
  /** The version the event is about, when it names one (not for 'null' versions). */
  versionId?: string;
}

export function mutationDraft(
  context: S3Context,
  eventName: EmittedEventName,
  object: ObjectFacts,
  now = new Date(),
): MutationDraft {
  return {
    eventName,
    eventTime: now.toISOString(),
    bucket: context.bucket,
    key: object.key,
    size: object.size,
    eTag: object.eTag,
    contentType: object.contentType,
    userMetadata: object.userMetadata,
    ...(object.versionId !== undefined ? { versionId: object.versionId } : {}),
    request: {
      requestId: context.requestId,
      principalId: context.principal,
      region: context.deps.config.region,
      sourceIp: context.source.ip,
      sourcePort: context.source.port,
      userAgent: context.source.userAgent,
      originEndpoint: context.originEndpoint,
      host: context.source.host,
    },
  };
}

/** What an event says about a stored object. */
export function factsOf(object: ObjectMeta): ObjectFacts {
  return {
    key: object.key,
    size: object.size,
    eTag: object.etag,
    contentType: object.contentType,
    userMetadata: object.userMetadata,
  };
}

/**
 * Changes the tags or the lock of the request's object (or the version its `versionId` names)
 * and commits the change's event with it; NoSuchKey when it went meanwhile.
 */
export function commitObjectChange<Column extends 'tags' | 'lock'>(
  context: S3Context,
  versionId: string | undefined,
  column: Column,
  update: (object: ObjectMeta) => NonNullable<ObjectMeta[Column]>,
  eventName: EmittedEventName,
): void {
  const { store } = context.deps;
  const committed = store.commitAttribute(context.bucket, context.key, versionId, column, update, (object) =>
    mutationDraft(context, eventName, factsOf(object)),
  );
  // Deleted meanwhile: as if it had never been there.
  if (!committed) throw S3Errors.NoSuchKey(undefined, context.resource, { Key: context.key });
}

export const REMOVED: Omit<ObjectFacts, 'key'> = { size: 0, eTag: '', contentType: '', userMetadata: {} };
