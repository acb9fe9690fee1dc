import { describe, expect, it } from 'vitest';
import { parseDsn } from './dsn.ts';

describe('parseDsn', () => {
  it("reads the Go driver's DSN as MinIO documents it", () => {
    expect(parseDsn('root:p@ss:w0rd@tcp(db.local:3307)/minio_events?parseTime=true')).toEqual({
      host: 'db.local',
      port: 3307,
      user: 'root',
      password: 'p@ss:w0rd',
      database: 'minio_events',
    });
    expect(parseDsn('user@tcp(127.0.0.1)/db')).toEqual({
      host: '127.0.0.1',
      port: 3306,
      user: 'user',
      password: '',
      database: 'db',
    });
  });

  it('refuses what is not a DSN', () => {
    expect(parseDsn('mysql://user@host/db')).toBeUndefined();
    expect(parseDsn('user@tcp(host:x)/db')).toBeUndefined();
  });
});
