import { describe, expect, it } from 'vitest';
import { S3Error } from './errors.ts';
import { children, childText, parseXml, renderXml } from './xml.ts';

describe('parseXml', () => {
  it('reads elements with or without the S3 namespace', () => {
    for (const body of [
      '<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>a</Key></Object><Object><Key> b </Key></Object></Delete>',
      '<Delete><Object><Key>a</Key></Object><Object><Key> b </Key></Object></Delete>',
    ]) {
      const root = parseXml(body).Delete;
      expect(children(root, 'Object').map((o) => childText(o, 'Key'))).toEqual(['a', ' b ']);
    }
  });

  it.each([
    ['not xml at all'],
    ['<Delete><Object></Delete>'],
    [''],
    ['<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><a>&lol2;</a>'],
    ['<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><a>&xxe;</a>'],
  ])('refuses %j as MalformedXML', (body) => {
    expect(() => parseXml(body)).toThrow(S3Error);
    try {
      parseXml(body);
    } catch (error) {
      expect((error as S3Error).code).toBe('MalformedXML');
    }
  });

  it('decodes the predefined entities', () => {
    expect(childText(parseXml('<a><b>x &amp; y &lt;z&gt;</b></a>').a, 'b')).toBe('x & y <z>');
  });
});

describe('renderXml', () => {
  it('adds the namespace, repeats arrays, escapes text and drops undefined', () => {
    const xml = renderXml('ListAllMyBucketsResult', {
      Buckets: { Bucket: [{ Name: 'a&b' }, { Name: 'c' }] },
      Missing: undefined,
    });
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Buckets><Bucket><Name>a&amp;b</Name></Bucket><Bucket><Name>c</Name></Bucket></Buckets></ListAllMyBucketsResult>',
    );
  });
});
