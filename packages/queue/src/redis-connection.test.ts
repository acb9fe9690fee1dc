import { describe, expect, it } from 'vitest';
import { deploymentPrefix, isClusterUrl, parseClusterUrl, parseSentinelUrl } from './redis-connection.ts';

describe('redis-cluster:// URLs', () => {
  it('names every seed node, with optional credentials', () => {
    expect(parseClusterUrl('redis-cluster://127.0.0.1:7001,127.0.0.1:7002,10.0.0.3:7003')).toEqual({
      nodes: [
        { host: '127.0.0.1', port: 7001 },
        { host: '127.0.0.1', port: 7002 },
        { host: '10.0.0.3', port: 7003 },
      ],
    });
    expect(parseClusterUrl('redis-cluster://app:p%40ss@redis-0:6379')).toEqual({
      nodes: [{ host: 'redis-0', port: 6379 }],
      username: 'app',
      password: 'p@ss',
    });
    expect(parseClusterUrl('redis-cluster://:secret@redis-0')).toEqual({
      nodes: [{ host: 'redis-0', port: 6379 }],
      password: 'secret',
    });
  });

  it('refuses what is not one', () => {
    expect(isClusterUrl('redis://127.0.0.1:6379')).toBe(false);
    expect(() => parseClusterUrl('redis://127.0.0.1:6379')).toThrow(/not a redis-cluster/);
    expect(() => parseClusterUrl('redis-cluster://')).toThrow(/no node/);
    expect(() => parseClusterUrl('redis-cluster://host:99999')).toThrow(/bad port/);
  });
});

describe('redis-sentinel:// URLs', () => {
  it('name the sentinels and the master they watch, with the master’s credentials', () => {
    expect(parseSentinelUrl('redis-sentinel://127.0.0.1:26379,127.0.0.1:26380/bucketevents')).toEqual({
      nodes: [
        { host: '127.0.0.1', port: 26379 },
        { host: '127.0.0.1', port: 26380 },
      ],
      name: 'bucketevents',
    });
    expect(parseSentinelUrl('redis-sentinel://:s3cret@sentinel-0:26379')).toEqual({
      nodes: [{ host: 'sentinel-0', port: 26379 }],
      name: 'mymaster',
      password: 's3cret',
    });
    expect(() => parseSentinelUrl('redis-cluster://a:1')).toThrow(/not a redis-sentinel/);
  });
});

describe('deploymentPrefix', () => {
  it('makes the prefix a hash tag on a cluster only, keeping one the user wrote', () => {
    expect(deploymentPrefix('redis://127.0.0.1:6379', 'bull')).toBe('bull');
    expect(deploymentPrefix('redis-cluster://127.0.0.1:7001', 'bull')).toBe('{bull}');
    expect(deploymentPrefix('redis-cluster://127.0.0.1:7001', '{events}')).toBe('{events}');
    expect(deploymentPrefix('redis-cluster://127.0.0.1:7001', 'prod:{events}')).toBe('prod:{events}');
  });
});
