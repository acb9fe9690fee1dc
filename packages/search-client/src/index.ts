// The official @elastic/elasticsearch client, in one of two modes: native for
// Elasticsearch 8/9, or plain JSON for OpenSearch and Elasticsearch 7, which the
// official client otherwise refuses (product check, compatible-with media types).
import { Client, type ClientOptions, Transport, type TransportOptions } from '@elastic/elasticsearch';

/** Which wire dialect the server speaks. */
export type SearchCompatibility = 'elasticsearch' | 'opensearch' | 'elasticsearch7';

export interface SearchClientOptions {
  /** Base URL, e.g. `http://127.0.0.1:9200`. */
  url: string;
  /** Defaults to `elasticsearch` (native). `opensearch` and `elasticsearch7` send plain JSON and skip the product check. */
  compatibility?: SearchCompatibility;
  /** Optional basic auth. */
  username?: string;
  password?: string;
  /** Per-request timeout in milliseconds (default 30 000). */
  requestTimeoutMs?: number;
  /** Retries of a failed request inside the client (default 3); callers that retry themselves pass 0. */
  maxRetries?: number;
}

/**
 * A Transport that speaks plain `application/json` and does not require the
 * `X-Elastic-Product` response header, which OpenSearch and Elasticsearch < 7.14 never send.
 */
export class PlainJsonTransport extends Transport {
  constructor(options: TransportOptions) {
    super({
      ...options,
      productCheck: undefined,
      vendoredHeaders: {
        jsonContentType: 'application/json',
        ndjsonContentType: 'application/x-ndjson',
        accept: 'application/json',
      },
    });
  }
}

export function createSearchClient(options: SearchClientOptions): Client {
  const clientOptions: ClientOptions = {
    node: options.url,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    maxRetries: options.maxRetries ?? 3,
  };
  if (options.username) {
    clientOptions.auth = { username: options.username, password: options.password ?? '' };
  }
  if ((options.compatibility ?? 'elasticsearch') !== 'elasticsearch') {
    clientOptions.Transport = PlainJsonTransport;
  }
  return new Client(clientOptions);
}

export { Client as SearchClient } from '@elastic/elasticsearch';

/**
 * Asks the server which dialect it speaks (`GET /`): OpenSearch and
 * Elasticsearch 7 get the plain JSON transport, anything else the native one.
 * Credentials embedded in the URL are sent as basic auth.
 */
export async function detectCompatibility(
  options: Pick<SearchClientOptions, 'url' | 'username' | 'password'>,
  timeoutMs = 5_000,
): Promise<SearchCompatibility> {
  const url = new URL(options.url);
  const username = options.username || decodeURIComponent(url.username);
  const password = options.password || decodeURIComponent(url.password);
  url.username = '';
  url.password = '';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (username) headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`GET ${url.origin}/ answered ${response.status}`);
  const info = (await response.json()) as { version?: { number?: string; distribution?: string } };
  if (info.version?.distribution === 'opensearch') return 'opensearch';
  const major = Number.parseInt(info.version?.number ?? '', 10);
  return major < 8 ? 'elasticsearch7' : 'elasticsearch';
}
