// Failures that mean "the database cannot serve this now" rather than "this request is wrong":
// answered 503 SERVICE_UNAVAILABLE with Retry-After, never 500, so clients retry instead of
// giving up and load balancers see a live process.
const CONNECTION_CODES = new Set([
  // Node's sockets
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
  // postgres.js
  'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED'
])

const SQLSTATES = new Set([
  '57014', // query_canceled: DATABASE_STATEMENT_TIMEOUT
  '55P03', // lock_not_available: DATABASE_LOCK_TIMEOUT
  '57P01', '57P02', '57P03', // the server is shutting down, crashed, or not yet accepting
  '53300', // too_many_connections
  '40001', '40P01' // serialization failure, deadlock: the same request will likely pass
])

export function isDatabaseUnavailable (error: unknown): boolean {
  const code = (error as { code?: unknown }).code
  if (typeof code !== 'string') return false
  return CONNECTION_CODES.has(code) || SQLSTATES.has(code) || code.startsWith('08')
}
