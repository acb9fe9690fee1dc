// The Redis sink. access: RPUSH `{"Records":[event]}` onto the list, as the
// seed's MONITOR output shows (or, with accessShape `minio`, today's MinIO
// element `[{"Event":[event],"EventTime":…}]`). namespace: one hash field per object
// (`<bucket>/<key>` → `{"Records":[event]}`), removed when the object is gone
// (namespaceChange: a versioned key shows its current version); writes are guarded by the sequencer (a small Lua script), so a duplicate or a
// late older event never overwrites a newer state. A batch is one command (access)
// or one MULTI (namespace).
import { namespaceChange, storeDocument, type TargetJob } from '@bucket-events/contracts';
import { type BatchFailures, type ErrorClass, TargetError, type TargetSink } from '@bucket-events/target-kit';
import { Redis } from 'ioredis';

export interface RedisSinkOptions {
  /** `host:port` */
  address: string;
  password: string;
  user: string;
  key: string;
  format: 'access' | 'namespace';
  /** The access format's list element: the seed's (default) or today's MinIO's. */
  accessShape?: 'records' | 'minio';
}

/** One list element of the access format, in the configured shape. */
export function accessElement(record: TargetJob['record'], shape: RedisSinkOptions['accessShape']): string {
  if (shape === 'minio') return JSON.stringify([{ Event: [record], EventTime: record.eventTime }]);
  return JSON.stringify(storeDocument(record));
}

/** Where a namespace target remembers the newest sequencer applied per object. */
export function sequencerHashKey(key: string): string {
  return `${key}:sequencers`;
}

const GUARDED_WRITE_COMMAND = 'bucketEventsGuardedWrite';

// KEYS[1] view hash, KEYS[2] sequencer hash; ARGV: field, sequencer, 'set'|'del'|'keep', value.
// 'keep' (an event that leaves the key's current object as it is) only records the sequencer.
const GUARDED_WRITE = `
local current = redis.call('HGET', KEYS[2], ARGV[1])
if current and current >= ARGV[2] then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if ARGV[3] == 'del' then redis.call('HDEL', KEYS[1], ARGV[1])
elseif ARGV[3] == 'set' then redis.call('HSET', KEYS[1], ARGV[1], ARGV[4]) end
return 1`;

const CONNECTION_ERRORS =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|Connection is closed|Stream isn't writeable|enableOfflineQueue/i;

export class RedisSink implements TargetSink {
  private client: Redis | undefined;

  constructor(private readonly options: RedisSinkOptions) {}

  async connect(): Promise<void> {
    this.client?.disconnect();
    const [host, port] = this.options.address.split(':');
    const client = new Redis({
      host: host || '127.0.0.1',
      port: Number(port || 6379),
      password: this.options.password || undefined,
      username: this.options.user || undefined,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: () => null, // the kit reconnects, with backoff
      connectionName: 'BucketEvents',
    });
    client.on('error', () => {}); // surfaced through connect() and write()
    await client.connect();
    const expected = this.options.format === 'access' ? 'list' : 'hash';
    const type = await client.type(this.options.key);
    if (type !== 'none' && type !== expected) {
      client.disconnect();
      throw new TargetError('retry', `redis key "${this.options.key}" is a ${type}, expected a ${expected}`);
    }
    // Called by hash (EVALSHA) inside the MULTI; ioredis loads the script first where needed.
    client.defineCommand(GUARDED_WRITE_COMMAND, { numberOfKeys: 2, lua: GUARDED_WRITE });
    this.client = client;
  }

  async write(batch: readonly TargetJob[]): Promise<BatchFailures | undefined> {
    const client = this.client;
    if (!client) throw new TargetError('reconnect', 'not connected');
    if (batch.length === 0) return undefined;
    if (this.options.format === 'access') {
      // One RPUSH of the whole batch, in order: atomic as it is, and one command for Redis to run
      // instead of one per event inside a MULTI.
      const shape = this.options.accessShape;
      await client.rpush(this.options.key, ...batch.map((job) => accessElement(job.record, shape)));
      return undefined;
    }
    const pipeline = client.multi();
    for (const job of batch) {
      const change = namespaceChange(job);
      const field = `${job.bucket}/${job.key}`;
      const value = change.kind === 'set' ? JSON.stringify(change.document) : '';
      (pipeline as unknown as { [GUARDED_WRITE_COMMAND]: (...args: string[]) => unknown })[
        GUARDED_WRITE_COMMAND
      ](
        this.options.key,
        sequencerHashKey(this.options.key),
        field,
        job.sequencer,
        change.kind === 'remove' ? 'del' : change.kind === 'none' ? 'keep' : 'set',
        value,
      );
    }
    // MULTI/EXEC: the whole batch is applied, or none of it.
    const results = await pipeline.exec();
    if (!results) throw new TargetError('retry', 'transaction aborted');
    const failure = results.find(([error]) => error);
    if (failure) throw new TargetError('retry', String(failure[0]));
    return undefined;
  }

  async probe(): Promise<void> {
    if (!this.client) throw new TargetError('reconnect', 'not connected');
    await this.client.ping();
  }

  async close(): Promise<void> {
    await this.client?.quit().catch(() => {});
    this.client = undefined;
  }

  classify(error: unknown): ErrorClass {
    return CONNECTION_ERRORS.test(error instanceof Error ? error.message : String(error))
      ? 'reconnect'
      : 'retry';
  }
}
