// The registry of target kinds: one line per kind, naming the options its own
// folder declares (apps/target-<kind>/src/options.ts). Only the options are
// imported here — never a kind's driver — so ingest, the router and the CLI
// validate every kind's blocks without loading any client library.
import type { TargetKind } from '@bucket-events/contracts';
import { options as amqp } from '@bucket-events/target-amqp/options';
import { options as elasticsearch } from '@bucket-events/target-elasticsearch/options';
import { options as kafka } from '@bucket-events/target-kafka/options';
import { options as mqtt } from '@bucket-events/target-mqtt/options';
import { options as mysql } from '@bucket-events/target-mysql/options';
import { options as nats } from '@bucket-events/target-nats/options';
import { options as postgresql } from '@bucket-events/target-postgresql/options';
import { options as redis } from '@bucket-events/target-redis/options';
import { options as webhook } from '@bucket-events/target-webhook/options';

export const TARGET_OPTIONS = {
  amqp,
  elasticsearch,
  kafka,
  nats,
  postgresql,
  redis,
  webhook,
  mqtt,
  mysql,
} as const satisfies Record<TargetKind, unknown>;
