// The Elasticsearch sink (and OpenSearch / Elasticsearch 7 through the
// compatibility transport). Every batch is one bulk request whose items are
// judged one by one: a document the engine rejects is dead-lettered, the rest
// count as delivered, nothing is re-sent needlessly.
//
// namespace: one document per object, id derived from `<bucket>/<key>`, removed
// on `s3:ObjectRemoved:Delete`. Writes use external versioning with the event's
// sequencer as the version, so a duplicate or a late older event is refused by
// the engine (409) instead of overwriting newer state — MinIO lacks this.
// access: one document per event, `{"Records":[event]}`, id chosen by the engine.
import { createHash } from 'node:crypto';
import { namespaceChange, storeDocument, type TargetJob } from '@bucket-events/contracts';
import {
  createSearchClient,
  detectCompatibility,
  type SearchClient,
  type SearchCompatibility,
} from '@bucket-events/search-client';
import { type BatchFailures, type ErrorClass, TargetError, type TargetSink } from '@bucket-events/target-kit';

export interface ElasticsearchSinkOptions {
  url: string;
  index: string;
  format: 'namespace' | 'access';
  username: string;
  password: string;
  /** `auto` asks the server which dialect it speaks, at every connect. */
  compatibility: SearchCompatibility | 'auto';
}

/** Engines refuse ids longer than 512 bytes; longer object names use a digest. */
const MAX_ID_BYTES = 512;

/**
 * The namespace document id: `<bucket>/<key>` itself when it fits (so
 * `GET <index>/_doc/images%2Fmyphoto.jpg` finds it), else `sha256-<base64url>` of it.
 */
export function namespaceDocumentId(bucket: string, key: string): string {
  const name = `${bucket}/${key}`;
  if (Buffer.byteLength(name) <= MAX_ID_BYTES) return name;
  return `sha256-${createHash('sha256').update(name).digest('base64url')}`;
}

/** The sequencer (16 hex digits) as an external version number. */
function versionOf(sequencer: string): number {
  const version = Number.parseInt(sequencer, 16);
  if (!Number.isSafeInteger(version))
    throw new TargetError('fatal', `sequencer ${sequencer} is not a usable version`);
  return version;
}

/** How long a deleted document's version is remembered, so a late older write cannot resurrect it. */
const DELETED_VERSIONS_KEPT = '1h';

interface BulkItemResult {
  status: number;
  error?: { type?: string; reason?: string | null };
}

const CONNECTION_ERRORS = new Set(['ConnectionError', 'NoLivingConnectionsError', 'TimeoutError']);

export class ElasticsearchSink implements TargetSink {
  private client: SearchClient | undefined;

  constructor(private readonly options: ElasticsearchSinkOptions) {}

  async connect(): Promise<void> {
    await this.close();
    const o = this.options;
    const compatibility = o.compatibility === 'auto' ? await detectCompatibility(o) : o.compatibility;
    const client = createSearchClient({
      url: o.url,
      compatibility,
      username: o.username || undefined,
      password: o.password || undefined,
      requestTimeoutMs: 10_000,
      maxRetries: 0, // the kit retries, with backoff
    });
    try {
      const info = await client.info();
      const major = Number.parseInt(info.version.number, 10);
      const distribution = (info.version as { distribution?: string }).distribution;
      if (distribution !== 'opensearch' && major <= 6) {
        throw new TargetError(
          'retry',
          `Elasticsearch version '${info.version.number}' is not supported! Please use at least version 7.x.`,
        );
      }
      await this.ensureIndex(client);
    } catch (error) {
      await client.close().catch(() => {});
      throw error;
    }
    this.client = client;
  }

  /** Creates the index if it is missing (a concurrent creation by another process is fine). */
  private async ensureIndex(client: SearchClient): Promise<void> {
    const index = this.options.index;
    if (await client.indices.exists({ index })) return;
    const settings =
      this.options.format === 'namespace' ? { settings: { 'index.gc_deletes': DELETED_VERSIONS_KEPT } } : {};
    await client.indices.create({ index, ...settings }).catch((error: unknown) => {
      if (!/resource_already_exists_exception/.test(String((error as Error).message))) throw error;
    });
  }

  async write(batch: readonly TargetJob[]): Promise<BatchFailures | undefined> {
    const client = this.client;
    if (!client) throw new TargetError('reconnect', 'not connected');
    const index = this.options.index;
    const operations: object[] = [];
    // The batch position of each bulk item: a job that leaves the view unchanged has none.
    const positions: number[] = [];
    for (const [position, job] of batch.entries()) {
      if (this.options.format === 'access') {
        operations.push({ index: { _index: index } }, storeDocument(job.record));
        positions.push(position);
        continue;
      }
      const target = {
        _index: index,
        _id: namespaceDocumentId(job.bucket, job.key),
        version: versionOf(job.sequencer),
        version_type: 'external' as const,
      };
      const change = namespaceChange(job);
      if (change.kind === 'none') continue;
      if (change.kind === 'remove') operations.push({ delete: target });
      else operations.push({ index: target }, change.document);
      positions.push(position);
    }
    if (positions.length === 0) return undefined;
    const response = await client.bulk({ operations });
    if (!response.errors) return undefined;
    const failures: BatchFailures = new Map();
    response.items.forEach((item, itemIndex) => {
      const result = (item.index ?? item.create ?? item.delete) as BulkItemResult | undefined;
      const failure = result && this.judge(result);
      const position = positions[itemIndex];
      if (failure && position !== undefined) failures.set(position, failure);
    });
    return failures.size > 0 ? failures : undefined;
  }

  /** One bulk item: undefined when it counts as delivered, else what to do about it. */
  private judge(result: BulkItemResult): TargetError | undefined {
    if (!result.error) return undefined; // includes a delete of a missing document (404 not_found)
    // A newer version is already there: this event is a duplicate or arrived late.
    if (result.status === 409) return undefined;
    const reason = `${result.error.type ?? 'error'}: ${result.error.reason ?? ''} (${result.status})`;
    if (result.status === 429) return new TargetError('throttle', reason);
    // The document itself is unacceptable (mapping conflict, bad value): retrying cannot help.
    if (result.status === 400) return new TargetError('fatal', reason);
    return new TargetError('retry', reason);
  }

  async probe(): Promise<void> {
    if (!this.client) throw new TargetError('reconnect', 'not connected');
    await this.client.info();
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.close().catch(() => {});
  }

  classify(error: unknown): ErrorClass {
    const name = (error as { name?: string }).name ?? '';
    if (CONNECTION_ERRORS.has(name)) return 'reconnect';
    if (error instanceof TypeError && error.message === 'fetch failed') return 'reconnect'; // dialect probe
    const status = (error as { meta?: { statusCode?: number } }).meta?.statusCode;
    if (status === 429) return 'throttle';
    return 'retry';
  }
}
