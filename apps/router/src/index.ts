// Public surface of the router app (for end-to-end tests).

export { parseRouterEnv, routerEnvSchema } from './env.ts';
export { type RouterServiceOptions, type RunningRouter, startRouter } from './service.ts';
