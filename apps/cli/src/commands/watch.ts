// `watch ALIAS[/BUCKET]`: live events through ListenBucketNotification (or
// ListenNotification for every bucket), printed as they arrive, until Ctrl-C.
import { signedFetch } from '../client.ts';
import { remote } from '../location.ts';
import { humanSize, type Output } from '../output.ts';
import { eventNamesOf } from './events.ts';

interface WatchedRecord {
  eventTime: string;
  eventName: string;
  s3: { bucket: { name: string }; object: { key: string; size?: number } };
}

export async function watch(
  target: string,
  options: { events: string; prefix?: string; suffix?: string },
  out: Output,
  signal?: AbortSignal,
): Promise<void> {
  const location = remote(target, 'alias');
  const query: Record<string, string | string[]> = {
    ping: '10',
    events: eventNamesOf(options.events),
    ...(options.prefix ? { prefix: options.prefix } : {}),
    ...(options.suffix ? { suffix: options.suffix } : {}),
  };
  const path = location.bucket === '' ? '/' : `/${encodeURIComponent(location.bucket)}`;
  const response = await signedFetch(location.alias, 'GET', path, query, { signal });
  if (!response.ok || !response.body) {
    const text = await response.text();
    const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? String(response.status);
    throw new Error(`${code}: ${/<Message>([^<]+)<\/Message>/.exec(text)?.[1] ?? 'cannot watch'}`);
  }
  const decoder = new TextDecoder();
  let buffered = '';
  try {
    for await (const chunk of response.body) {
      buffered += decoder.decode(chunk, { stream: true });
      for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (line === '') continue;
        const { Records } = JSON.parse(line) as { Records: WatchedRecord[] | null };
        for (const record of Records ?? []) {
          const { bucket, object } = record.s3;
          const url = `${location.alias.url}/${bucket.name}/${object.key}`;
          out.print(
            `[${record.eventTime}] ${humanSize(object.size ?? 0)} ${record.eventName} ${url}`,
            record,
          );
        }
      }
    }
  } catch (error) {
    if (signal?.aborted) return;
    throw error;
  }
}
