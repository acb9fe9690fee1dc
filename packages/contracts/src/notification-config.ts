// A bucket's notification configuration as stored and published: ingest writes
// each version to Redis (immutable), the router reads the version a mutation
// names. JSON form of S3's NotificationConfiguration (QueueConfiguration only).
import { z } from 'zod';

export const filterRuleSchema = z.object({ name: z.enum(['prefix', 'suffix']), value: z.string() });
export type FilterRule = z.infer<typeof filterRuleSchema>;

export const queueConfigurationSchema = z.object({
  id: z.string(),
  /**
   * The client sent no Id, so the server made one up (returned by GET, as S3 and MinIO do); the
   * events then say `"configurationId": "Config"`, as MinIO's always do.
   */
  idGenerated: z.boolean().optional(),
  arn: z.string(),
  events: z.array(z.string()).min(1),
  filterRules: z.array(filterRuleSchema),
});
export type QueueConfiguration = z.infer<typeof queueConfigurationSchema>;

export const notificationConfigurationSchema = z.object({
  queueConfigurations: z.array(queueConfigurationSchema),
});
export type NotificationConfiguration = z.infer<typeof notificationConfigurationSchema>;

export const EMPTY_NOTIFICATION_CONFIGURATION: NotificationConfiguration = { queueConfigurations: [] };
