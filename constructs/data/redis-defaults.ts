/**
 * Defaults of an external Redis with Sentinel, shared by the construct (ExternalRedisProps'
 * `@default`s) and the environment model's platform defaults. No imports: the environment
 * loader reads this without loading the constructs.
 */
export const REDIS_DEFAULTS = {
  name: 'redis',
  namespace: 'redis',
  port: 6379,
  sentinelPort: 26379,
  masterName: 'mymaster',
} as const;
