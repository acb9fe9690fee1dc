// Property-based fuzzing (fast-check) of what hostile clients reach first: the
// XML parser and the SigV4 verifier. Whatever the input, they answer with an
// S3 error or a result — never another exception, never a hang — and a
// signature made by the AWS SDK's signer verifies while any change to the
// signed request does not.
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  goEscape,
  accessKeyId as minioGoAccessKey,
  secret as minioGoSecretKey,
  signedLikeMinioGo,
} from '../test/minio-go-signer.ts';
import { S3Error } from './errors.ts';
import { awsUriEncode, sha256Hex, verifyRequest } from './sigv4.ts';

const minioGoSecret = (id: string) => (id === minioGoAccessKey ? minioGoSecretKey : undefined);

import { parseXml } from './xml.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const credentials = { accessKeyId: 'minioadmin', secretAccessKey: 'fuzz-secret' };
const now = new Date('2026-11-25T12:00:00Z');
const lookupSecret = (id: string) =>
  id === credentials.accessKeyId ? credentials.secretAccessKey : undefined;
const signer = new SignatureV4({
  credentials,
  region: 'us-east-1',
  service: 's3',
  sha256: Sha256,
  uriEscapePath: false,
});

/** Runs `fn`; an S3Error is an answer, anything else escapes and fails the property. */
function answer(fn: () => unknown): 'ok' | string {
  try {
    fn();
    return 'ok';
  } catch (error) {
    if (error instanceof S3Error) return error.code;
    throw error;
  }
}

/** XML-ish text: tags, entities, DOCTYPEs and CDATA mixed with arbitrary strings. */
const xmlish = fc
  .array(
    fc.oneof(
      fc.string(),
      fc.constantFrom(
        '<',
        '>',
        '</',
        '/>',
        '&',
        '&amp;',
        '&lt;',
        '&#x41;',
        '&#99999999;',
        ']]>',
        '<![CDATA[',
        '<?xml version="1.0"?>',
      ),
      fc.constantFrom(
        '<!DOCTYPE x [<!ENTITY a "aaaa">]>',
        '<!ENTITY x SYSTEM "file:///etc/passwd">',
        '&a;&a;&a;',
      ),
      fc.constantFrom(
        '<NotificationConfiguration>',
        '</NotificationConfiguration>',
        '<QueueConfiguration>',
        '<Event>',
        '</Event>',
      ),
      fc.stringMatching(/^<[A-Za-z][A-Za-z0-9]{0,8}( [a-z]+="[^"]*")?>$/),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

describe('fuzzing the XML parser', () => {
  it('answers any input with a parse or MalformedXML, and never expands entities', () => {
    fc.assert(
      fc.property(xmlish, (body) => {
        const outcome = answer(() => parseXml(body));
        expect(['ok', 'MalformedXML']).toContain(outcome);
        if (/<!DOCTYPE|<!ENTITY/i.test(body)) expect(outcome).toBe('MalformedXML');
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('parses every well-formed document it is given back', () => {
    const element = fc.stringMatching(/^[A-Z][A-Za-z]{0,10}$/);
    const text = fc
      .string()
      .map((value) => value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;'));
    fc.assert(
      fc.property(element, fc.array(fc.tuple(element, text), { maxLength: 5 }), (root, fields) => {
        const body = `<${root}>${fields.map(([name, value]) => `<${name}>${value}</${name}>`).join('')}</${root}>`;
        expect(answer(() => parseXml(body))).toBe('ok');
      }),
      { numRuns: RUNS },
    );
  });
});

describe('fuzzing the SigV4 canonicaliser and verifier', () => {
  const keyChar = fc.oneof(
    fc.constantFrom('a', 'Z', '0', '/', ' ', '+', '%', '=', '&', '~', '*', "'", '(', ')', '!', '.', '-', '_'),
    fc.constantFrom('é', '日', '🙂', '\u00a0'),
  );
  const key = fc
    .array(keyChar, { minLength: 1, maxLength: 30 })
    .map((chars) => chars.join('').replace(/^\/+/, '') || 'k');
  const queryValue = fc.array(keyChar, { maxLength: 12 }).map((chars) => chars.join(''));
  const query = fc.dictionary(fc.stringMatching(/^[a-z][a-z-]{0,8}$/), queryValue, { maxKeys: 4 });

  async function sign(path: string, q: Record<string, string>, body: string) {
    const request = await signer.sign(
      new HttpRequest({
        method: 'PUT',
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: 9000,
        path,
        query: q,
        headers: { host: '127.0.0.1:9000', 'x-amz-content-sha256': sha256Hex(body) },
      }),
      { signingDate: now },
    );
    const rawQuery = Object.entries(request.query ?? {})
      .map(([k, v]) => `${awsUriEncode(k)}=${awsUriEncode(String(v))}`)
      .join('&');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
    return { method: 'PUT', rawPath: request.path, rawQuery, headers };
  }

  it('verifies what the SDK signed, for any key and query, and refuses it once anything changed', async () => {
    await fc.assert(
      fc.asyncProperty(key, query, fc.string(), fc.nat(5), async (objectKey, q, body, tamper) => {
        const path = `/bucket/${objectKey.split('/').map(awsUriEncode).join('/')}`;
        const request = await sign(path, q, body);
        expect(answer(() => verifyRequest(request, { region: 'us-east-1', lookupSecret, now }))).toBe('ok');
        const changed = structuredClone(request);
        if (tamper === 0) changed.rawPath = `${changed.rawPath}x`;
        else if (tamper === 1) changed.rawQuery = `${changed.rawQuery}${changed.rawQuery ? '&' : ''}extra=1`;
        else if (tamper === 2) changed.method = 'GET';
        else if (tamper === 3) changed.headers['x-amz-content-sha256'] = sha256Hex(`${body}!`);
        else if (tamper === 4) changed.headers['x-amz-date'] = '20261125T120001Z';
        else changed.headers.host = '127.0.0.1:9001';
        expect(answer(() => verifyRequest(changed, { region: 'us-east-1', lookupSecret, now }))).not.toBe(
          'ok',
        );
      }),
      { numRuns: RUNS },
    );
  });

  it("verifies repeated parameters signed by minio-go's rule in any order, and refuses a reordering", () => {
    const value = fc.array(keyChar, { maxLength: 6 }).map((chars) => chars.join(''));
    const pairs = fc.array(fc.tuple(fc.constantFrom<string>('events', 'a', 'prefix', 'x-id'), value), {
      minLength: 2,
      maxLength: 6,
    });
    fc.assert(
      fc.property(pairs, (query) => {
        const verifies = (request: ReturnType<typeof signedLikeMinioGo>) =>
          answer(() => verifyRequest(request, { region: 'us-east-1', lookupSecret: minioGoSecret, now }));
        expect(verifies(signedLikeMinioGo('/bucket/', query))).toBe('ok');
        // Two values of one key swapped after signing: a different request, refused, unless the
        // AWS rule (values sorted) makes both orders the same.
        const first = query.findIndex(([k], i) =>
          query.some(([k2, v2], j) => j > i && k2 === k && v2 !== query[i]?.[1]),
        );
        if (first === -1) return;
        // Values already sorted within every key: the AWS rule signs the same string, and the
        // swapped request is that same canonical request — it verifies, rightly.
        const escaped = query.map(([k, v]) => [goEscape(k), goEscape(v)] as const);
        const sortedWithinKeys = escaped.every(([k, v], i) =>
          escaped.slice(i + 1).every(([k2, v2]) => k2 !== k || v <= v2),
        );
        if (sortedWithinKeys) return;
        const second = query.findIndex(
          ([k, v], j) => j > first && k === query[first]?.[0] && v !== query[first]?.[1],
        );
        const swapped = [...query];
        [swapped[first], swapped[second]] = [
          query[second] as [string, string],
          query[first] as [string, string],
        ];
        expect(verifies(signedLikeMinioGo('/bucket/', query, swapped))).toBe('SignatureDoesNotMatch');
      }),
      { numRuns: RUNS },
    );
  });

  it('answers arbitrary Authorization headers, paths and queries with an S3 error, never a crash', () => {
    const header = fc.oneof(
      fc.string(),
      fc
        .tuple(fc.string(), fc.string(), fc.string())
        .map(([a, b, c]) => `AWS4-HMAC-SHA256 Credential=${a}, SignedHeaders=${b}, Signature=${c}`),
    );
    fc.assert(
      fc.property(header, fc.string(), fc.string(), (authorization, rawPath, rawQuery) => {
        const outcome = answer(() =>
          verifyRequest(
            {
              method: 'GET',
              rawPath: `/${rawPath}`,
              rawQuery,
              headers: { authorization, host: 'h', 'x-amz-date': 'x' },
            },
            { region: 'us-east-1', lookupSecret, now },
          ),
        );
        expect(outcome).not.toBe('ok');
      }),
      { numRuns: RUNS * 3 },
    );
  });
});
