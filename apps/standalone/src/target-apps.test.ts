// The standalone process loads a kind's app only when needed: every kind has a
// loader, and each loads that kind's own app (a sink factory of its kind).
import { TARGET_KINDS } from '@bucket-events/contracts';
import { describe, expect, it } from 'vitest';
import { TARGET_APPS } from './target-apps.ts';

describe('the target apps the standalone process can run', () => {
  it.each(TARGET_KINDS)('%s loads its own app', async (kind) => {
    const app = await TARGET_APPS[kind]();
    expect(app.kind).toBe(kind);
    expect(typeof app.createSink).toBe('function');
  });
});
