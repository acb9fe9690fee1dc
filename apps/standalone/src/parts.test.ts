import { buildConfig } from '@bucket-events/targets';
import { describe, expect, it } from 'vitest';
import { targetKindsToRun } from './parts.ts';

describe('the target apps the standalone process runs', () => {
  it('runs each enabled kind once and nothing else', () => {
    const config = buildConfig(
      {
        notify: {
          redis: {
            '1': { enable: true, address: '127.0.0.1:6379', key: 'a' },
            '2': { enable: true, address: '127.0.0.1:6379', key: 'b' },
          },
          webhook: { '1': { enable: true, endpoint: 'http://127.0.0.1:8080/' } },
          kafka: { '1': { enable: false } },
        },
      },
      {},
      'test',
    );
    expect(targetKindsToRun(config)).toEqual(['redis', 'webhook']);
    expect(targetKindsToRun(buildConfig({}, {}, 'test'))).toEqual([]);
  });
});
