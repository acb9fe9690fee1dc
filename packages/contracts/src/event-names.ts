// Event names exactly as MinIO spells them, and the wildcard families that a
// notification rule may name instead of a leaf event.

/** Leaf events this server emits. */
export const EMITTED_EVENT_NAMES = [
  's3:ObjectCreated:Put',
  's3:ObjectCreated:Post',
  's3:ObjectCreated:Copy',
  's3:ObjectCreated:CompleteMultipartUpload',
  's3:ObjectCreated:PutTagging',
  's3:ObjectCreated:DeleteTagging',
  's3:ObjectCreated:PutRetention',
  's3:ObjectCreated:PutLegalHold',
  's3:ObjectRemoved:Delete',
  's3:ObjectRemoved:DeleteMarkerCreated',
  's3:ObjectRemoved:NoOP',
  's3:ObjectAccessed:Get',
  's3:ObjectAccessed:Head',
] as const;
export type EmittedEventName = (typeof EMITTED_EVENT_NAMES)[number];

/**
 * Every name a `<Event>` element may carry (MinIO's `internal/event/name.go`):
 * leaves we emit, leaves MinIO knows but we never emit (accepted so configs
 * written for MinIO still validate), and the `*` families.
 */
export const CONFIGURABLE_EVENT_NAMES = [
  's3:ObjectAccessed:*',
  's3:ObjectAccessed:Get',
  's3:ObjectAccessed:GetRetention',
  's3:ObjectAccessed:GetLegalHold',
  's3:ObjectAccessed:Head',
  's3:ObjectAccessed:Attributes',
  's3:ObjectCreated:*',
  's3:ObjectCreated:CompleteMultipartUpload',
  's3:ObjectCreated:Copy',
  's3:ObjectCreated:Post',
  's3:ObjectCreated:Put',
  's3:ObjectCreated:PutRetention',
  's3:ObjectCreated:PutLegalHold',
  's3:ObjectCreated:PutTagging',
  's3:ObjectCreated:DeleteTagging',
  's3:ObjectRemoved:*',
  's3:ObjectRemoved:Delete',
  's3:ObjectRemoved:DeleteMarkerCreated',
  's3:ObjectRemoved:NoOP',
  's3:ObjectRemoved:DeleteAllVersions',
  's3:BucketCreated',
  's3:BucketRemoved',
  's3:ObjectRestore:*',
  's3:ObjectRestore:Post',
  's3:ObjectRestore:Completed',
  's3:ObjectTransition:*',
  's3:ObjectTransition:Failed',
  's3:ObjectTransition:Complete',
  's3:Replication:*',
  's3:ObjectReplication:*',
  's3:ObjectReplication:Failed',
  's3:ObjectReplication:Complete',
  's3:ObjectReplication:MissedThreshold',
  's3:ObjectReplication:ReplicatedAfterThreshold',
  's3:ObjectReplication:NotTracked',
  's3:ObjectManyVersions',
  's3:PrefixManyFolders',
  's3:Scanner:ManyVersions',
  's3:Scanner:BigPrefix',
  's3:LifecycleDelMarkerExpiration:Delete',
] as const;

const configurable = new Set<string>(CONFIGURABLE_EVENT_NAMES);

export function isConfigurableEventName(name: string): boolean {
  return configurable.has(name);
}

/** True when a rule naming `ruleEvent` (a leaf or a `family:*`) wants `eventName`. */
export function eventNameMatches(ruleEvent: string, eventName: string): boolean {
  if (ruleEvent === eventName) return true;
  if (!ruleEvent.endsWith(':*')) return false;
  return eventName.startsWith(ruleEvent.slice(0, -1));
}

/**
 * The object is gone after this event: a namespace view (one entry per object) removes its entry
 * (unless the target job says otherwise: see namespaceChange). A delete marker hides the object.
 * `NoOP` (a DELETE of a key that was not there) too, so a view never gains an entry for it —
 * where MinIO would store the NoOP event as if it were the object.
 */
export function removesObject(eventName: string): boolean {
  return eventName.startsWith('s3:ObjectRemoved:');
}

/** True when some of the rule events would want an ObjectAccessed event. */
export function wantsAccessEvents(ruleEvents: Iterable<string>): boolean {
  for (const ruleEvent of ruleEvents) if (ruleEvent.startsWith('s3:ObjectAccessed:')) return true;
  return false;
}
