// Ingest's environment as a user sets it: the durability switch in its three
// forms, anything else refused with every bad variable listed.
import { describe, expect, it } from 'vitest';
import { parseIngestEnv } from './env.ts';

describe('ingest environment', () => {
  it('reads BUCKET_EVENTS_REDIS_DURABILITY as ack (default), fsync or replicas:N', () => {
    expect(parseIngestEnv({}).redisDurability).toEqual({ mode: 'ack' });
    expect(parseIngestEnv({ BUCKET_EVENTS_REDIS_DURABILITY: 'fsync' }).redisDurability).toEqual({
      mode: 'fsync',
    });
    expect(parseIngestEnv({ BUCKET_EVENTS_REDIS_DURABILITY: 'replicas:2' }).redisDurability).toEqual({
      mode: 'replicas',
      replicas: 2,
    });
  });

  it('refuses a bad value, listing every bad variable at once', () => {
    let message = '';
    try {
      parseIngestEnv({ BUCKET_EVENTS_REDIS_DURABILITY: 'replicas:0', BUCKET_EVENTS_METRICS_PORT: 'x' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/- BUCKET_EVENTS_REDIS_DURABILITY: expected "ack", "fsync" or "replicas:N"/);
    expect(message).toMatch(/- BUCKET_EVENTS_METRICS_PORT: /);
  });

  it('defaults the metrics port to 9100, and 0 turns it off', () => {
    expect(parseIngestEnv({}).metricsPort).toBe(9100);
    expect(parseIngestEnv({ BUCKET_EVENTS_METRICS_PORT: '0' }).metricsPort).toBeUndefined();
  });
});
