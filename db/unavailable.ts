// Failures that mean "the database cannot serve this now" rather than "this request is wrong":
// answered 503 SERVICE_UNAVAILABLE with Retry-After, never 500, so clients retry instead of
// giving up and load balancers see a live process.
const CONNECTION_CODES = new Set([
  // Node's sockets
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
  // postgres.js
  'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED'
])

// The server itself cannot serve anyone.
const SERVER_SQLSTATES = new Set([
  '57P01', '57P02', '57P03', // the server is shutting down, crashed, or not yet accepting
  '53300' // too_many_connections
])

// This query could not be served now; the next one may well be.
const QUERY_SQLSTATES = new Set([
  '57014', // query_canceled: DATABASE_STATEMENT_TIMEOUT
  '55P03', // lock_not_available: DATABASE_LOCK_TIMEOUT
  '40001', '40P01' // serialization failure, deadlock: the same request will likely pass
])

const codeOf = (error: unknown) => {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : ''
}

/** The database as a whole is away (plugins/db-health.ts watches for its return). */
export function isDatabaseDown (error: unknown): boolean {
  const code = codeOf(error)
  return CONNECTION_CODES.has(code) || SERVER_SQLSTATES.has(code) || code.startsWith('08')
}

export function isDatabaseUnavailable (error: unknown): boolean {
  return isDatabaseDown(error) || QUERY_SQLSTATES.has(codeOf(error))
}
