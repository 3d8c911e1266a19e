// The environment the service reads, as one schema: names, types, bounds and defaults.
// plugins/config.ts turns process.env into this shape or refuses to start.
import { Type, type Static } from '@sinclair/typebox'

const Seconds = (def: number, min: number, max: number, description: string) =>
  Type.Integer({ default: def, minimum: min, maximum: max, description })

export const ConfigSchema = Type.Object({
  NODE_ENV: Type.Union([Type.Literal('production'), Type.Literal('development'), Type.Literal('test')], { default: 'development' }),
  HOST: Type.String({ default: '0.0.0.0', minLength: 1 }),
  PORT: Type.Integer({ default: 8000, minimum: 0, maximum: 65535 }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://', description: 'unset: embedded PostgreSQL under DATA_DIR' })),
  DATABASE_POOL_SIZE: Type.Integer({ default: 10, minimum: 1, maximum: 200 }),
  DATABASE_CONNECT_TIMEOUT: Seconds(30, 1, 600, 'how long start-up keeps retrying an unreachable database'),
  DATABASE_STATEMENT_TIMEOUT: Type.Integer({ default: 5000, minimum: 100, maximum: 600_000, description: 'ms a query may run before it is cancelled (503)' }),
  DATABASE_LOCK_TIMEOUT: Type.Integer({ default: 2000, minimum: 50, maximum: 600_000, description: 'ms a query may wait for a lock before it gives up (503)' }),
  DATABASE_ROUTE_SHARE: Type.Number({ default: 0.3, minimum: 0.05, maximum: 1, description: 'share of the pool one route may hold; the rest keep serving other routes when its table is locked' }),
  DATABASE_QUEUE_LENGTH: Type.Integer({ default: 100, minimum: 0, maximum: 100_000, description: 'requests of one route waiting for their share before more get 503' }),
  DATABASE_QUEUE_TIMEOUT: Type.Integer({ default: 1000, minimum: 10, maximum: 600_000, description: 'ms a request waits for its route\'s share before a 503' }),
  DATABASE_CHANGES_INTERVAL: Type.Integer({ default: 50, minimum: 5, maximum: 10_000, description: 'ms between reads of the changes other instances made (cached pages, revoked sessions): how stale another instance\'s write can be here, at most' }),
  DATA_DIR: Type.String({ default: './.data', minLength: 1 }),
  JWT_SECRET: Type.Optional(Type.String({ minLength: 32, description: 'HS256 secret, at least 32 bytes' })),
  JWT_ACCESS_TTL: Seconds(900, 30, 86_400, 'access token lifetime'),
  JWT_REFRESH_TTL: Seconds(1_209_600, 60, 2_592_000, 'refresh token (session idle) lifetime'),
  REFRESH_REUSE_GRACE: Seconds(10, 0, 300, 'window in which a just-rotated refresh token yields the same successor'),
  LOGIN_RATE_LIMIT: Type.Integer({ default: 20, minimum: 0, maximum: 1_000_000, description: 'login attempts per minute per address; 0 = off' }),
  PASSWORD_MIN_LENGTH: Type.Integer({ default: 8, minimum: 8, maximum: 128 }),
  HASH_CONCURRENCY: Type.Integer({ default: 2, minimum: 1, maximum: 64, description: 'argon2 hashes computed at once' }),
  HASH_THREAD_NICE: Type.Integer({ default: 10, minimum: 0, maximum: 19, description: 'priority (nice) of the hashing threads, Linux, with `node dist/start.cjs`; 0 = the event loop\'s' }),
  HASH_QUEUE_LIMIT: Type.Integer({ default: 64, minimum: 0, maximum: 10_000, description: 'hashes waiting before 503' }),
  MEDIA_CACHE_MB: Type.Integer({ default: 64, minimum: 0, maximum: 65_536, description: 'memory for image bytes served by GET /media, in MiB; 0 = off' }),
  FEED_CACHE_MB: Type.Integer({ default: 16, minimum: 0, maximum: 4096, description: 'memory for cached feed pages, in MiB; 0 = off' }),
  PAGE_CACHE_MB: Type.Integer({ default: 16, minimum: 0, maximum: 4096, description: 'memory for cached board first pages, comment pages, conversation lists and lecture pages, in MiB; 0 = off' }),
  TRUST_PROXY: Type.Optional(Type.String({ minLength: 1, description: 'comma-separated proxy addresses or CIDRs' })),
  CORS_ORIGINS: Type.Optional(Type.String({ minLength: 1, description: 'comma-separated allowed origins; unset = CORS off' })),
  ADMIN_USERNAMES: Type.String({ default: '' }),
  HOT_POST_LIKES: Type.Integer({ default: 10, minimum: 1, maximum: 1_000_000, description: 'likes at which a post joins GET /posts/hot' }),
  CODEGEN_API_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  CODEGEN_API_KEY: Type.Optional(Type.String()),
  CODEGEN_MODEL: Type.Optional(Type.String({ minLength: 1 })),
  CODEGEN_DAILY_LIMIT: Type.Integer({ default: 5, minimum: 0, maximum: 100_000 }),
  CODEGEN_TIMEOUT: Seconds(30, 1, 600, 'seconds to wait for the model'),
  TZ_DAY: Type.String({ default: 'Asia/Seoul', minLength: 1 }),
  CODEGEN_CONCURRENCY: Type.Integer({ default: 16, minimum: 1, maximum: 10_000, description: 'model calls in flight per instance; past it 503' }),
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map(l => Type.Literal(l)), { default: 'info' }),
  SHUTDOWN_TIMEOUT: Seconds(10, 1, 300, 'how long in-flight requests may take to finish on SIGTERM')
}, { additionalProperties: true })

export type Config = Static<typeof ConfigSchema> & {
  /** Resolved: JWT_SECRET, or the one generated and kept in DATA_DIR outside production. */
  jwtSecret: string
}
