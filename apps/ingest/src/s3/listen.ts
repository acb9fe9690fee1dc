// ListenBucketNotification (`GET /{bucket}?events=…`) and ListenNotification
// (`GET /?events=…`), as MinIO serves them: newline-delimited `{"Records":[…]}`
// under a text/event-stream content type, a keep-alive line every `ping`
// seconds (`{"Records":null}`) or a space every 500 ms without it.
import { isConfigurableEventName } from '@bucket-events/contracts';
import { parseQuery, S3Errors } from '@bucket-events/s3-protocol';
import type { S3Context } from '../http/context.ts';
import { requireBucket } from './buckets.ts';

/** A listener's connection backed up beyond this many bytes drops events instead of buffering more. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

interface ListenQuery {
  events: string[];
  prefix: string;
  suffix: string;
  pingSeconds: number | undefined;
}

function parseListenQuery(rawQuery: string): ListenQuery {
  const pairs = parseQuery(rawQuery);
  const all = (name: string) => pairs.filter(([key]) => key === name).map(([, value]) => value);
  const events = all('events').flatMap((value) => value.split(',').filter(Boolean));
  if (events.length === 0 || events.some((event) => !isConfigurableEventName(event))) {
    throw S3Errors.InvalidArgument('A specified event is not supported for notifications.');
  }
  const single = (name: 'prefix' | 'suffix') => {
    const values = all(name);
    if (values.length > 1)
      throw S3Errors.InvalidArgument(`Cannot specify more than one ${name} rule in a filter.`);
    return values[0] ?? '';
  };
  const ping = all('ping')[0];
  let pingSeconds: number | undefined;
  if (ping !== undefined && ping !== '') {
    pingSeconds = Number(ping);
    if (!Number.isInteger(pingSeconds) || pingSeconds < 1) {
      throw S3Errors.InvalidArgument('ping must be a whole number of seconds, at least 1.');
    }
  }
  return { events, prefix: single('prefix'), suffix: single('suffix'), pingSeconds };
}

export async function listenNotification(context: S3Context): Promise<void> {
  const url = context.req.url ?? '';
  const query = parseListenQuery(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');
  if (context.bucket !== '') requireBucket(context);
  const { res } = context;
  // The answer starts only once the listener is registered: from then on it misses nothing.
  const remove = await withTimeout(
    context.deps.live.add({
      filter: {
        bucket: context.bucket === '' ? undefined : context.bucket,
        events: query.events,
        prefix: query.prefix,
        suffix: query.suffix,
      },
      send(line) {
        if (res.writableLength > MAX_BUFFERED_BYTES) return false;
        res.write(line);
        return true;
      },
    }),
  );
  if (res.destroyed) {
    remove(); // the client left while the listener was being registered
    return;
  }
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
  const keepAlive = setInterval(
    () => {
      if (res.writableLength === 0) res.write(query.pingSeconds ? '{"Records":null}\n' : ' ');
    },
    query.pingSeconds ? query.pingSeconds * 1000 : 500,
  );
  await new Promise<void>((resolve) => {
    // The response closes when the client goes away (or the server shuts down).
    res.once('close', () => {
      clearInterval(keepAlive);
      remove();
      resolve();
    });
  });
}

/** How long a new listener waits for the hub's Redis subscription before the request fails. */
const SUBSCRIBE_TIMEOUT_MS = 10_000;

async function withTimeout<T>(registration: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(S3Errors.ServiceUnavailable('Live events are unavailable right now; try again.')),
      SUBSCRIBE_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([registration, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
