// The Go MySQL driver's DSN, which MinIO's MySQL target takes:
// `[user[:password]@][tcp[(host[:port])]]/database[?params]`. Parameters are
// ignored (the pool sets what it needs).
export interface MysqlAddress {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

const DSN = /^(?:([^:@]*)(?::(.*))?@)?(?:(tcp|unix)?(?:\(([^)]*)\))?)?\/([^?]*)(?:\?.*)?$/;

export function parseDsn(dsn: string): MysqlAddress | undefined {
  const match = DSN.exec(dsn);
  if (!match) return undefined;
  const [, user = '', password = '', , address = '', database = ''] = match;
  const at = address.lastIndexOf(':');
  const host = address === '' ? '127.0.0.1' : at > 0 ? address.slice(0, at) : address;
  const port = at > 0 ? Number(address.slice(at + 1)) : 3306;
  if (!Number.isInteger(port) || port <= 0) return undefined;
  return { host, port, user, password, database };
}
