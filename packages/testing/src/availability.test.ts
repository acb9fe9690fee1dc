import { describe, expect, it } from 'vitest';
import { isCi, requireService, ServiceUnavailableError } from './availability.ts';
import { connectRedis } from './connect.ts';

const skipper = (note: string): never => {
  throw new Error(`skipped: ${note}`);
};

describe('requireService', () => {
  const down = () =>
    Promise.reject(new ServiceUnavailableError('kafka', '127.0.0.1:1', new Error('ECONNREFUSED')));

  it('fails under CI=true when the service is down', async () => {
    await expect(requireService(down(), skipper, { CI: 'true' })).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
  });

  it('skips with the reason outside CI', async () => {
    await expect(requireService(down(), skipper, {})).rejects.toThrow(
      /skipped: kafka is not reachable at 127\.0\.0\.1:1 \(ECONNREFUSED\); start it with: infra\/local\/svc up kafka/,
    );
  });

  it('passes other errors through even outside CI', async () => {
    await expect(requireService(Promise.reject(new TypeError('bug')), skipper, {})).rejects.toBeInstanceOf(
      TypeError,
    );
  });

  it('returns the connection when it succeeded', async () => {
    await expect(requireService(Promise.resolve(42), skipper, { CI: 'true' })).resolves.toBe(42);
  });
});

describe('isCi', () => {
  it.each([
    ['true', true],
    ['1', true],
    ['false', false],
    ['0', false],
    ['', false],
  ])('CI=%j → %s', (value, expected) => {
    expect(isCi({ CI: value })).toBe(expected);
  });
});

describe('connecting to a port where nothing listens', () => {
  it('reports the service by name', async () => {
    const error = await connectRedis('redis://127.0.0.1:1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as ServiceUnavailableError).service).toBe('redis');
  });
});
