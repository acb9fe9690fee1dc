import { describe, expect, it } from 'vitest';
import { deploymentPrefix, isClusterUrl, parseClusterUrl } from './redis-connection.ts';

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

describe('deploymentPrefix', () => {
  it('makes the prefix a hash tag on a cluster only, keeping one the user wrote', () => {
    expect(deploymentPrefix('redis://127.0.0.1:6379', 'bull')).toBe('bull');
    expect(deploymentPrefix('redis-cluster://127.0.0.1:7001', 'bull')).toBe('{bull}');
    expect(deploymentPrefix('redis-cluster://127.0.0.1:7001', '{events}')).toBe('{events}');
    expect(deploymentPrefix('redis-cluster://127.0.0.1:7001', 'prod:{events}')).toBe('prod:{events}');
  });
});
