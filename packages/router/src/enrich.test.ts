import type { EventRecord, MutationRecord } from '@bucket-events/contracts';
import { eventRecordSchema } from '@bucket-events/contracts';
import { describe, expect, it } from 'vitest';
import { buildEventRecord, viewOf } from './enrich.ts';

export function mutation(overrides: Partial<MutationRecord> = {}): MutationRecord {
  return {
    schemaVersion: 1,
    id: '7',
    sequencer: '0000000000000007',
    eventName: 's3:ObjectCreated:Put',
    eventTime: '2026-11-25T12:00:00.123Z',
    bucket: 'images',
    key: 'holiday photos/my cat+1.jpg',
    size: 23745,
    eTag: '1d97bf45ecb37f7a7b699418070df08f',
    contentType: 'image/jpeg',
    userMetadata: { 'x-amz-meta-camera-model': 'x100' },
    configVersion: 1,
    request: {
      requestId: '149ED2FD25589220',
      principalId: 'minio',
      region: 'us-east-1',
      sourceIp: '192.173.5.2',
      sourcePort: 57904,
      userAgent: 'mc/2024',
      originEndpoint: 'http://192.173.5.2:9000',
      host: '192.173.5.2:9000',
    },
    ...overrides,
  };
}

const options = { eventSource: 'aws:s3', deploymentId: 'dep-1' };

describe('buildEventRecord', () => {
  it('produces the seed record, field for field, and satisfies the schema', () => {
    const record = buildEventRecord(mutation(), 'Config', options);
    expect(record).toEqual({
      eventVersion: '2.0',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventTime: '2026-11-25T12:00:00.123Z',
      eventName: 's3:ObjectCreated:Put',
      userIdentity: { principalId: 'minio' },
      requestParameters: { principalId: 'minio', region: 'us-east-1', sourceIPAddress: '192.173.5.2' },
      responseElements: {
        'x-amz-request-id': '149ED2FD25589220',
        'x-minio-origin-endpoint': 'http://192.173.5.2:9000',
        'x-minio-deployment-id': 'dep-1',
      },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'Config',
        bucket: { name: 'images', ownerIdentity: { principalId: 'minio' }, arn: 'arn:aws:s3:::images' },
        object: {
          key: 'holiday+photos%2Fmy+cat%2B1.jpg',
          size: 23745,
          eTag: '1d97bf45ecb37f7a7b699418070df08f',
          contentType: 'image/jpeg',
          userMetadata: { 'content-type': 'image/jpeg', 'X-Amz-Meta-Camera-Model': 'x100' },
          sequencer: '0000000000000007',
        },
      },
      source: { host: '192.173.5.2', port: '57904', userAgent: 'mc/2024' },
    });
    expect(eventRecordSchema.parse(record)).toEqual(record);
  });

  it('leaves size, eTag, content type and metadata out of removals', () => {
    const record = buildEventRecord(
      mutation({
        eventName: 's3:ObjectRemoved:Delete',
        size: 0,
        eTag: '',
        contentType: '',
        userMetadata: {},
      }),
      'rule-1',
      options,
    );
    expect(record.s3.object).toEqual({
      key: 'holiday+photos%2Fmy+cat%2B1.jpg',
      sequencer: '0000000000000007',
    });
    expect(record.s3.configurationId).toBe('rule-1');
  });
});

describe('versioned buckets', () => {
  const removal = { size: 0, eTag: '', contentType: '', userMetadata: {} };

  it('puts the version id in the object, before the sequencer as MinIO orders it', () => {
    const record = buildEventRecord(
      mutation({ versionId: 'a1b2c3d4-0000-4000-8000-000000000001' }),
      'Config',
      options,
    );
    expect(record.s3.object.versionId).toBe('a1b2c3d4-0000-4000-8000-000000000001');
    expect(Object.keys(record.s3.object).slice(-2)).toEqual(['versionId', 'sequencer']);
    expect('versionId' in buildEventRecord(mutation(), 'Config', options).s3.object).toBe(false);
  });

  it('gives a delete marker the shape of a removal', () => {
    const record = buildEventRecord(
      mutation({ eventName: 's3:ObjectRemoved:DeleteMarkerCreated', versionId: 'm-1', ...removal }),
      'Config',
      options,
    );
    expect(record.s3.object).toEqual({
      key: 'holiday+photos%2Fmy+cat%2B1.jpg',
      versionId: 'm-1',
      sequencer: '0000000000000007',
    });
  });

  it('describes the version a deletion made current, for namespace views', () => {
    const deletion = mutation({
      eventName: 's3:ObjectRemoved:Delete',
      versionId: 'v-2',
      ...removal,
      current: { size: 5, eTag: 'e1', contentType: 'text/plain', userMetadata: {}, versionId: 'v-1' },
    });
    const view = viewOf(deletion, 'Config', options);
    expect(view).not.toBe('unchanged');
    const current = (view as { current: EventRecord }).current;
    expect(current.eventName).toBe('s3:ObjectRemoved:Delete');
    expect(current.s3.object).toMatchObject({
      size: 5,
      eTag: 'e1',
      contentType: 'text/plain',
      versionId: 'v-1',
    });
    expect(viewOf(mutation({ ...removal, current: 'unchanged' }), 'Config', options)).toBe('unchanged');
    expect(viewOf(mutation(), 'Config', options)).toBeUndefined();
  });
});
