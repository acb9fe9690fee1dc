// `events add|list|remove`: mc's bucket notification commands, done the way mc
// does them — read the bucket's configuration, change it, write it back.
import {
  type Event,
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  type QueueConfiguration,
} from '@aws-sdk/client-s3';
import { s3Client } from '../client.ts';
import { remote } from '../location.ts';
import type { Output } from '../output.ts';

/** mc's `--event` words and the S3 event names each stands for. */
const EVENT_WORDS: Record<string, string[]> = {
  put: ['s3:ObjectCreated:*'],
  delete: ['s3:ObjectRemoved:*'],
  get: ['s3:ObjectAccessed:*'],
  replica: ['s3:Replication:*'],
  ilm: ['s3:ObjectRestore:*', 's3:ObjectTransition:*'],
  scanner: ['s3:Scanner:ManyVersions', 's3:Scanner:BigPrefix'],
};

export function eventNamesOf(words: string): string[] {
  return words.split(',').flatMap((word) => {
    const names = EVENT_WORDS[word];
    if (!names) throw new Error(`invalid --event "${word}": use ${Object.keys(EVENT_WORDS).join(', ')}`);
    return names;
  });
}

function filterOf(queue: QueueConfiguration): { prefix: string; suffix: string } {
  const rules = queue.Filter?.Key?.FilterRules ?? [];
  const value = (name: string) => rules.find((rule) => rule.Name?.toLowerCase() === name)?.Value ?? '';
  return { prefix: value('prefix'), suffix: value('suffix') };
}

/** `Filter: prefix="photos/", suffix=".jpg"` as mc prints it (empty when there is no filter). */
export function describeFilter(filter: { prefix: string; suffix: string }): string {
  const parts = [
    ...(filter.prefix ? [`prefix="${filter.prefix}"`] : []),
    ...(filter.suffix ? [`suffix="${filter.suffix}"`] : []),
  ];
  return parts.length > 0 ? `Filter: ${parts.join(', ')}` : '';
}

async function readConfig(target: string) {
  const location = remote(target, 'bucket');
  const s3 = s3Client(location.alias);
  const current = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: location.bucket }));
  return { location, s3, queues: current.QueueConfigurations ?? [], current };
}

export async function eventsAdd(
  target: string,
  arn: string,
  options: { event: string; prefix?: string; suffix?: string; ignoreExisting?: boolean },
  out: Output,
): Promise<void> {
  if (arn.split(':')[2] !== 'sqs')
    throw new Error(`"${arn}" is not a queue ARN (arn:minio:sqs:REGION:ID:KIND)`);
  const events = eventNamesOf(options.event);
  const { location, s3, queues, current } = await readConfig(target);
  const rules = [
    ...(options.prefix ? [{ Name: 'prefix' as const, Value: options.prefix }] : []),
    ...(options.suffix ? [{ Name: 'suffix' as const, Value: options.suffix }] : []),
  ];
  const added: QueueConfiguration = {
    QueueArn: arn,
    Events: events as Event[],
    ...(rules.length > 0 ? { Filter: { Key: { FilterRules: rules } } } : {}),
  };
  const summary = {
    arn,
    event: options.event.split(','),
    prefix: options.prefix ?? '',
    suffix: options.suffix ?? '',
  };
  // mc's --ignore-existing: the same rule (ARN, events, filter) is already there, so nothing to do.
  const wanted = { prefix: options.prefix ?? '', suffix: options.suffix ?? '' };
  const sameRule = (queue: QueueConfiguration) =>
    queue.QueueArn === arn &&
    [...(queue.Events ?? [])].sort().join() === [...events].sort().join() &&
    filterOf(queue).prefix === wanted.prefix &&
    filterOf(queue).suffix === wanted.suffix;
  if (options.ignoreExisting && queues.some(sameRule)) {
    out.print(`${arn} is already configured on ${target}; nothing added`, { ...summary, ignored: true });
    return;
  }
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: location.bucket,
      NotificationConfiguration: {
        QueueConfigurations: [...queues, added],
        TopicConfigurations: current.TopicConfigurations,
        LambdaFunctionConfigurations: current.LambdaFunctionConfigurations,
      },
    }),
  );
  out.print(`Successfully added ${arn}`, summary);
}

export async function eventsList(target: string, arn: string | undefined, out: Output): Promise<void> {
  const { queues } = await readConfig(target);
  for (const queue of queues) {
    if (arn && queue.QueueArn !== arn) continue;
    const filter = filterOf(queue);
    const events = (queue.Events ?? []).join(',');
    const text = [queue.QueueArn, events, describeFilter(filter)].filter(Boolean).join('   ');
    out.print(text, { id: queue.Id ?? '', arn: queue.QueueArn, event: queue.Events ?? [], ...filter });
  }
}

export async function eventsRemove(
  target: string,
  arn: string | undefined,
  options: { force?: boolean },
  out: Output,
): Promise<void> {
  if (!arn && !options.force)
    throw new Error('give an ARN, or --force to remove every notification of the bucket');
  const { location, s3, queues, current } = await readConfig(target);
  const kept = arn ? queues.filter((queue) => queue.QueueArn !== arn) : [];
  if (arn && kept.length === queues.length) throw new Error(`no notification for ${arn} on ${location.text}`);
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: location.bucket,
      NotificationConfiguration: {
        QueueConfigurations: kept,
        TopicConfigurations: arn ? current.TopicConfigurations : [],
        LambdaFunctionConfigurations: arn ? current.LambdaFunctionConfigurations : [],
      },
    }),
  );
  out.print(
    arn ? `Successfully removed ${arn}` : `Successfully removed all notifications on ${location.text}`,
    {
      arn: arn ?? '',
    },
  );
}
