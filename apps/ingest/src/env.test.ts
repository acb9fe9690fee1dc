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

  it('on a Redis Cluster: the queue prefix becomes a hash tag, and only ack durability is taken', () => {
    const cluster = { REDIS_URL: 'redis-cluster://127.0.0.1:7001,127.0.0.1:7002' };
    expect(parseIngestEnv(cluster).queuePrefix).toBe('{bull}');
    expect(parseIngestEnv({ ...cluster, BUCKET_EVENTS_QUEUE_PREFIX: '{prod}' }).queuePrefix).toBe('{prod}');
    expect(() => parseIngestEnv({ ...cluster, BUCKET_EVENTS_REDIS_DURABILITY: 'replicas:1' })).toThrow(
      /BUCKET_EVENTS_REDIS_DURABILITY: "replicas:1" is not supported with a redis-cluster/,
    );
    expect(parseIngestEnv({ ...cluster, BUCKET_EVENTS_REDIS_DURABILITY: 'ack' }).redisDurability).toEqual({
      mode: 'ack',
    });
  });

  it('defaults the metrics port to 9100, and 0 turns it off', () => {
    expect(parseIngestEnv({}).metricsPort).toBe(9100);
    expect(parseIngestEnv({ BUCKET_EVENTS_METRICS_PORT: '0' }).metricsPort).toBeUndefined();
  });
});
