// The compatibility mode is about what goes over the wire, so these tests run a
// loopback HTTP server that answers like OpenSearch (no X-Elastic-Product) and
// record the headers each mode sends.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSearchClient } from './index.ts';

let server: Server;
let url: string;
const seen: IncomingHttpHeaders[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    seen.push(request.headers);
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ took: 1, errors: false, items: [] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('createSearchClient', () => {
  it('in opensearch mode sends plain JSON media types and accepts a server without the product header', async () => {
    seen.length = 0;
    const client = createSearchClient({ url, compatibility: 'opensearch' });
    const result = await client.bulk({ operations: [{ index: { _index: 'i', _id: '1' } }, { a: 1 }] });
    expect(result.errors).toBe(false);
    expect(seen[0]?.['content-type']).toBe('application/x-ndjson');
    expect(seen[0]?.accept).toBe('application/json');
  });

  it('in native mode uses the versioned media types and refuses a server that is not Elasticsearch', async () => {
    seen.length = 0;
    const client = createSearchClient({ url });
    await expect(
      client.bulk({ operations: [{ index: { _index: 'i', _id: '1' } }, { a: 1 }] }),
    ).rejects.toThrow(/not Elasticsearch|unknown product/i);
    expect(seen[0]?.accept).toMatch(/compatible-with=8/);
  });

  it('sends basic auth when a username is given', async () => {
    seen.length = 0;
    const client = createSearchClient({ url, compatibility: 'elasticsearch7', username: 'u', password: 'p' });
    await client.bulk({ operations: [{ index: { _index: 'i', _id: '1' } }, { a: 1 }] });
    expect(seen[0]?.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
  });
});
