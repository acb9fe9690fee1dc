// Builds the mutation record a handler commits: the event plus everything the
// router needs about the request, so events never require reading storage.
import type { EmittedEventName } from '@bucket-events/contracts';
import type { S3Context } from '../http/context.ts';
import type { MutationDraft } from '../storage/metadata.ts';

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

export const REMOVED: Omit<ObjectFacts, 'key'> = { size: 0, eTag: '', contentType: '', userMetadata: {} };
