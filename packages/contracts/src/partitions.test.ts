import { describe, expect, it } from 'vitest';
import { keyHash, layoutQueueNames, partitionOf, queueForKey } from './partitions.ts';

describe('partitions', () => {
  it('hashes <bucket>/<key> with 32-bit FNV-1a over UTF-8, as the README writes it down', () => {
    // Reference values from an independent implementation (Python, README's recipe).
    expect(keyHash('images', 'photo.jpg')).toBe(478064629);
    expect(keyHash('bucket', 'ключ.txt')).toBe(3622960442);
    expect(partitionOf('images', 'photo.jpg', 16)).toBe(5);
    expect(partitionOf('bucket', 'ключ.txt', 16)).toBe(10);
  });

  it('spreads keys over every partition', () => {
    const seen = new Set(Array.from({ length: 2000 }, (_, i) => partitionOf('b', `k${i}`, 16)));
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i));
  });

  it('names the queues of a layout; layout 0 is the single queue of older releases', () => {
    const target = 'target.redis.1';
    expect(layoutQueueNames(target, 3)).toEqual([
      'target.redis.1.p0',
      'target.redis.1.p1',
      'target.redis.1.p2',
    ]);
    expect(layoutQueueNames(target, 0)).toEqual(['target.redis.1']);
    expect(queueForKey(target, 16, 'images', 'photo.jpg')).toBe('target.redis.1.p5');
    expect(queueForKey(target, 0, 'images', 'photo.jpg')).toBe('target.redis.1');
    expect(partitionOf('images', 'photo.jpg', 1)).toBe(0);
  });
});
