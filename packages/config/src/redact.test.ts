import { describe, expect, it } from 'vitest';
import { MASK, redactUrl } from './redact.ts';

describe('redactUrl', () => {
  it('masks the password of a URL, a libpq string and a Go MySQL DSN, and nothing else', () => {
    expect(redactUrl('amqp://guest:s3cret@rabbit:5672')).toBe(`amqp://guest:${MASK}@rabbit:5672`);
    expect(redactUrl('host=db password=s3cret dbname=x')).toBe(`host=db password=${MASK} dbname=x`);
    expect(redactUrl('root:p@ss:w0rd@tcp(db:3306)/events')).toBe(`root:${MASK}@tcp(db:3306)/events`);
    expect(redactUrl('http://127.0.0.1:8080/events')).toBe('http://127.0.0.1:8080/events');
  });
});
