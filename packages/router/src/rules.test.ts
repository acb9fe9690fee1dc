import { describe, expect, it } from 'vitest';
import { compileRules, matchTargets } from './rules.ts';

describe('configurationId of a matched rule', () => {
  it('is the Id the client gave the rule, and "Config" when the server generated it (as MinIO writes)', () => {
    const rules = compileRules({
      queueConfigurations: [
        {
          id: 'jpegs',
          arn: 'arn:minio:sqs:us-east-1:1:amqp',
          events: ['s3:ObjectCreated:*'],
          filterRules: [],
        },
        {
          id: '0f1e2d3c4b5a69788796a5b4',
          idGenerated: true,
          arn: 'arn:minio:sqs:us-east-1:1:redis',
          events: ['s3:ObjectCreated:*'],
          filterRules: [],
        },
      ],
    });
    expect(Object.fromEntries(matchTargets(rules, 's3:ObjectCreated:Put', 'a.jpg'))).toEqual({
      'arn:minio:sqs:us-east-1:1:amqp': 'jpegs',
      'arn:minio:sqs:us-east-1:1:redis': 'Config',
    });
  });
});
