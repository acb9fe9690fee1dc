// What a test does when a real service is not there: skip on a developer's
// machine, fail under CI=true — a missing service must never pass silently.
export type ServiceName =
  | 'redis'
  | 'postgres'
  | 'rabbitmq'
  | 'nats'
  | 'kafka'
  | 'opensearch'
  | 'elasticsearch7'
  | 'mosquitto'
  | 'mariadb'
  | 'redis-cluster'
  | 'redis-sentinel';

export class ServiceUnavailableError extends Error {
  constructor(
    readonly service: ServiceName,
    readonly address: string,
    cause: unknown,
  ) {
    super(
      `${service} is not reachable at ${address} (${describe(cause)}); start it with: infra/local/svc up ${service}`,
      { cause },
    );
    this.name = 'ServiceUnavailableError';
  }
}

export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.CI?.toLowerCase();
  return value !== undefined && value !== '' && value !== 'false' && value !== '0';
}

/**
 * Resolves a connection attempt: returns the value, or — when it failed — throws
 * under CI and otherwise calls `skip` with the reason.
 */
export async function requireService<T>(
  attempt: Promise<T>,
  skip: (note: string) => never,
  env: NodeJS.ProcessEnv = process.env,
): Promise<T> {
  try {
    return await attempt;
  } catch (error) {
    if (!(error instanceof ServiceUnavailableError) || isCi(env)) throw error;
    return skip(error.message);
  }
}

/** Wraps a connect function so any failure becomes a ServiceUnavailableError. */
export async function connectOrExplain<T>(
  service: ServiceName,
  address: string,
  connect: () => Promise<T>,
): Promise<T> {
  try {
    return await connect();
  } catch (error) {
    throw new ServiceUnavailableError(service, address, error);
  }
}

function describe(cause: unknown): string {
  if (cause instanceof AggregateError && cause.errors.length > 0) return describe(cause.errors[0]);
  if (cause instanceof Error) return cause.message || cause.name;
  return String(cause);
}
