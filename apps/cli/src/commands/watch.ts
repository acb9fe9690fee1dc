// `watch ALIAS[/BUCKET]`: live events through ListenBucketNotification (or
// ListenNotification for every bucket), printed as they arrive, until Ctrl-C;
// a dropped connection is re-established (with a warning on stderr).
import { setTimeout as sleep } from 'node:timers/promises';
import { signedFetch } from '../client.ts';
import { remote } from '../location.ts';
import { describeFailure, humanSize, type Output, PROGRAM_NAME } from '../output.ts';
import { eventNamesOf } from './events.ts';

interface WatchedRecord {
  eventTime: string;
  eventName: string;
  s3: { bucket: { name: string }; object: { key: string; size?: number } };
}

/** How long `watch` waits before reconnecting: doubling from the first delay up to the most. */
export interface ReconnectDelays {
  firstMs: number;
  maxMs: number;
}

export async function watch(
  target: string,
  options: { events: string; prefix?: string; suffix?: string },
  out: Output,
  signal?: AbortSignal,
  delays: ReconnectDelays = { firstMs: 500, maxMs: 10_000 },
): Promise<void> {
  const location = remote(target, 'alias');
  const query: Record<string, string | string[]> = {
    ping: '10',
    events: eventNamesOf(options.events),
    ...(options.prefix ? { prefix: options.prefix } : {}),
    ...(options.suffix ? { suffix: options.suffix } : {}),
  };
  const path = location.bucket === '' ? '/' : `/${encodeURIComponent(location.bucket)}`;
  let delay = delays.firstMs;
  // A dropped connection (server restarted, network gone) is not the end: like mc, reconnect and
  // go on. Events committed while disconnected are not replayed: live listening is best effort.
  const reconnectAfter = async (reason: string) => {
    process.stderr.write(
      `${PROGRAM_NAME}: <WARN> watch: connection lost (${reason}); reconnecting in ${delay / 1000} s\n`,
    );
    await sleep(delay, undefined, { signal }).catch(() => {});
    delay = Math.min(delay * 2, delays.maxMs);
  };
  while (!signal?.aborted) {
    let response: Response;
    try {
      response = await signedFetch(location.alias, 'GET', path, query, { signal });
    } catch (error) {
      if (signal?.aborted) return;
      await reconnectAfter(describeFailure(error));
      continue;
    }
    if (!response.ok || !response.body) {
      const text = await response.text();
      const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? String(response.status);
      const message = `${code}: ${/<Message>([^<]+)<\/Message>/.exec(text)?.[1] ?? 'cannot watch'}`;
      // The request itself is refused (no such bucket, credentials): retrying would not help.
      if (response.status < 500 && response.status !== 429) throw new Error(message);
      await reconnectAfter(message);
      continue;
    }
    delay = delays.firstMs;
    try {
      await printRecords(response.body, location.alias.url, out);
      if (signal?.aborted) return;
      await reconnectAfter('the server ended the stream');
    } catch (error) {
      if (signal?.aborted) return;
      await reconnectAfter(describeFailure(error));
    }
  }
}

/** Prints each record of the newline-delimited `{"Records":[…]}` stream until it ends. */
async function printRecords(body: AsyncIterable<Uint8Array>, url: string, out: Output): Promise<void> {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of body) {
    buffered += decoder.decode(chunk, { stream: true });
    for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line === '') continue;
      const { Records } = JSON.parse(line) as { Records: WatchedRecord[] | null };
      for (const record of Records ?? []) {
        const { bucket, object } = record.s3;
        out.print(
          `[${record.eventTime}] ${humanSize(object.size ?? 0)} ${record.eventName} ${url}/${bucket.name}/${object.key}`,
          record,
        );
      }
    }
  }
}
