import { describe, expect, it } from 'vitest';
import { loadServiceEndpoints, parseEnvFile } from './endpoints.ts';

describe('loadServiceEndpoints', () => {
  it('reads the committed services.env', () => {
    const endpoints = loadServiceEndpoints({});
    expect(endpoints.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(endpoints.kafkaBrokers).toEqual(['127.0.0.1:9092']);
  });

  it('lets the environment override the file', () => {
    const endpoints = loadServiceEndpoints({ REDIS_URL: 'redis://10.0.0.1:7000', KAFKA_BROKERS: 'a:1, b:2' });
    expect(endpoints.redisUrl).toBe('redis://10.0.0.1:7000');
    expect(endpoints.kafkaBrokers).toEqual(['a:1', 'b:2']);
  });

  it('rejects a malformed value', () => {
    expect(() => loadServiceEndpoints({ NATS_URL: 'not a url' })).toThrow(/NATS_URL/);
  });
});

describe('parseEnvFile', () => {
  it('skips comments and blank lines and keeps = inside values', () => {
    expect(parseEnvFile('# c\n\nA=1\nB=x=y\n')).toEqual({ A: '1', B: 'x=y' });
  });
});
