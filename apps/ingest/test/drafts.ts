// Mutation drafts for storage unit tests: what a handler would commit.
import type { EmittedEventName } from '@bucket-events/contracts';
import type { MutationDraft } from '../src/storage/metadata.ts';

export function draft(eventName: EmittedEventName, key: string, bucket = 'b'): MutationDraft {
  return {
    eventName,
    eventTime: '2026-12-02T00:00:00.000Z',
    bucket,
    key,
    size: 0,
    eTag: '',
    contentType: '',
    userMetadata: {},
    request: {
      requestId: 'r',
      principalId: 'p',
      region: 'us-east-1',
      sourceIp: '127.0.0.1',
      sourcePort: 1,
      userAgent: 'test',
      originEndpoint: 'http://127.0.0.1:9000',
      host: '127.0.0.1:9000',
    },
  };
}
