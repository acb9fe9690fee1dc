// The bucket notification configuration: parsed from S3's
// NotificationConfiguration XML and validated as MinIO does (codes and messages
// from MinIO's api-errors), stored as JSON, rendered back for GET.
import { randomBytes } from 'node:crypto';
import {
  type FilterRule,
  isConfigurableEventName,
  type NotificationConfiguration,
  parseArn,
  type QueueConfiguration,
} from '@bucket-events/contracts';
import {
  child,
  childNames,
  children,
  childText,
  parseXml,
  renderXml,
  S3Errors,
  text,
  type XmlContent,
} from '@bucket-events/s3-protocol';

export type { FilterRule, NotificationConfiguration, QueueConfiguration };

export interface ValidationContext {
  /** The server's region; every stored ARN carries it. */
  region: string;
  /** Enabled targets as `<id>:<kind>`. */
  targets: ReadonlySet<string>;
  /**
   * Ids this server generated for the bucket's current rules: `mc event add` reads them back
   * (GET) and sends them again with its new rule, and they stay "Config" in events.
   */
  generatedIds?: ReadonlySet<string>;
}

const MESSAGES = {
  invalidEvent: 'A specified event is not supported for notifications.',
  invalidArn: 'A specified destination ARN does not exist or is not well-formed. Verify the destination ARN.',
  unknownRegion:
    'A specified destination is in a different region than the bucket. You must use a destination that resides in the same region as the bucket.',
  filterName: 'filter rule name must be either prefix or suffix',
  twoPrefixes: 'Cannot specify more than one prefix rule in a filter.',
  twoSuffixes: 'Cannot specify more than one suffix rule in a filter.',
  filterValue: 'Size of filter rule value cannot exceed 1024 bytes in UTF-8 representation',
  duplicateEvent:
    'Configurations overlap. Configurations on the same bucket cannot share a common event type.',
  duplicateConfig:
    'An object key name filtering rule defined with overlapping prefixes, overlapping suffixes, or overlapping combinations of prefixes and suffixes for the same event types.',
} as const;

export { MESSAGES as NOTIFICATION_ERROR_MESSAGES };

/** Parses and validates a PUT ?notification body; throws the S3 error MinIO would answer. */
export function parseNotificationConfiguration(
  body: string,
  context: ValidationContext,
): NotificationConfiguration {
  const document = parseXml(body);
  const root = document.NotificationConfiguration;
  if (root === undefined || Array.isArray(root)) throw S3Errors.MalformedXML();
  const parsed = children(root, 'QueueConfiguration').map(parseQueueConfiguration);

  for (let i = 0; i < parsed.length; i++) {
    for (let j = 0; j < i; j++) {
      if (identical(parsed[i] as QueueConfiguration, parsed[j] as QueueConfiguration)) {
        throw S3Errors.InvalidArgument(MESSAGES.duplicateConfig);
      }
    }
  }
  if (
    childNames(root).some((name) => name === 'TopicConfiguration' || name === 'CloudFunctionConfiguration')
  ) {
    throw S3Errors.UnsupportedNotification();
  }
  const unexpected = childNames(root).filter(
    (name) => !['QueueConfiguration', 'EventBridgeConfiguration'].includes(name),
  );
  if (unexpected.length > 0) throw S3Errors.MalformedXML();

  return {
    queueConfigurations: parsed.map((queue) => {
      const arn = parseArn(queue.arn);
      if (!arn) throw S3Errors.InvalidArgument(MESSAGES.invalidArn);
      if (arn.region !== '' && arn.region !== context.region)
        throw S3Errors.InvalidArgument(MESSAGES.unknownRegion);
      if (!context.targets.has(`${arn.id}:${arn.type}`)) throw S3Errors.InvalidArgument(MESSAGES.invalidArn);
      return {
        ...queue,
        id: queue.id === '' ? generatedId() : queue.id,
        ...(queue.id === '' || context.generatedIds?.has(queue.id) ? { idGenerated: true } : {}),
        arn: `arn:minio:sqs:${context.region}:${arn.id}:${arn.type}`,
      };
    }),
  };
}

function parseQueueConfiguration(node: unknown): QueueConfiguration {
  const queue = node as Parameters<typeof childText>[0];
  const filterRules: FilterRule[] = [];
  const s3Key = child(child(queue, 'Filter'), 'S3Key');
  for (const rule of children(s3Key, 'FilterRule')) {
    const name = childText(rule, 'Name');
    const value = childText(rule, 'Value') ?? '';
    if (name !== 'prefix' && name !== 'suffix') throw S3Errors.InvalidArgument(MESSAGES.filterName);
    if (filterRules.some((r) => r.name === name)) {
      throw S3Errors.InvalidArgument(name === 'prefix' ? MESSAGES.twoPrefixes : MESSAGES.twoSuffixes);
    }
    if (Buffer.byteLength(value) > 1024) throw S3Errors.InvalidArgument(MESSAGES.filterValue);
    filterRules.push({ name, value });
  }
  const events = children(queue, 'Event').map((event) => text(event) ?? '');
  if (events.length === 0) throw S3Errors.MalformedXML();
  const seen = new Set<string>();
  for (const event of events) {
    if (seen.has(event)) throw S3Errors.InvalidArgument(MESSAGES.duplicateEvent);
    seen.add(event);
    if (!isConfigurableEventName(event)) throw S3Errors.InvalidArgument(MESSAGES.invalidEvent);
  }
  const arn = childText(queue, 'Queue');
  if (arn === undefined) throw S3Errors.InvalidArgument(MESSAGES.invalidArn);
  if (!parseArn(arn)) throw S3Errors.InvalidArgument(MESSAGES.invalidArn);
  return { id: childText(queue, 'Id') ?? '', arn, events, filterRules };
}

/** MinIO's "deeply identical": same id, rules, events (in order) and ARN; a missing region matches any. */
function identical(a: QueueConfiguration, b: QueueConfiguration): boolean {
  const arnA = parseArn(a.arn);
  const arnB = parseArn(b.arn);
  const sameArn =
    arnA !== undefined &&
    arnB !== undefined &&
    arnA.id === arnB.id &&
    arnA.type === arnB.type &&
    (arnA.region === '' || arnB.region === '' || arnA.region === arnB.region);
  return (
    a.id === b.id &&
    sameArn &&
    JSON.stringify(a.events) === JSON.stringify(b.events) &&
    JSON.stringify(a.filterRules) === JSON.stringify(b.filterRules)
  );
}

function generatedId(): string {
  return randomBytes(12).toString('hex');
}

/** GET ?notification: stored rules whose target still exists, in MinIO's element order. */
export function renderNotificationConfiguration(
  config: NotificationConfiguration | undefined,
  targets: ReadonlySet<string>,
): string {
  const queues = (config?.queueConfigurations ?? []).filter((queue) => {
    const arn = parseArn(queue.arn);
    return arn !== undefined && targets.has(`${arn.id}:${arn.type}`);
  });
  const content: XmlContent = {};
  if (queues.length > 0) {
    content.QueueConfiguration = queues.map((queue) => ({
      Id: queue.id,
      Filter:
        queue.filterRules.length === 0
          ? undefined
          : {
              S3Key: {
                FilterRule: queue.filterRules.map((rule) => ({ Name: rule.name, Value: rule.value })),
              },
            },
      Event: queue.events,
      Queue: queue.arn,
    }));
  }
  return renderXml('NotificationConfiguration', content);
}
