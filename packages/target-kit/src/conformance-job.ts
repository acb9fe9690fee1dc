// Target jobs as the router makes them, for the conformance suite, kit tests
// and benchmarks (no test runner needed): sequencers increase with every call.
import { formatSequencer, type TargetJob } from '@bucket-events/contracts';

let counter = Date.now() * 1000;

/** A target job as the router makes it. */
export function conformanceJob(kind: string, key: string, eventName = 's3:ObjectCreated:Put'): TargetJob {
  counter += 1;
  const sequencer = formatSequencer(counter);
  const arn = `arn:minio:sqs:us-east-1:conformance:${kind}`;
  return {
    schemaVersion: 1,
    mutationId: String(counter),
    sequencer,
    bucket: 'conformance',
    key,
    arn,
    record: {
      eventVersion: '2.0',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventTime: new Date().toISOString(),
      eventName,
      userIdentity: { principalId: 'minioadmin' },
      requestParameters: { principalId: 'minioadmin', region: 'us-east-1', sourceIPAddress: '127.0.0.1' },
      responseElements: {
        'x-amz-request-id': 'R',
        'x-minio-origin-endpoint': 'http://127.0.0.1:9000',
        'x-minio-deployment-id': 'd',
      },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'Config',
        bucket: {
          name: 'conformance',
          ownerIdentity: { principalId: 'minioadmin' },
          arn: 'arn:aws:s3:::conformance',
        },
        object: {
          key: encodeURIComponent(key),
          size: 3,
          eTag: 'd41d8cd98f00b204e9800998ecf8427e',
          sequencer,
        },
      },
      source: { host: '127.0.0.1', port: '1', userAgent: 'conformance' },
    },
  };
}
