// Hand-made JWTs for forged-token tests, built with node:crypto so they do not depend on the
// signing code under test.
import { createHmac } from 'node:crypto'

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

export function forgeJwt (
  payload: Record<string, unknown>,
  options: { secret?: string, alg?: 'HS256' | 'HS512' | 'none' } = {}
): string {
  const alg = options.alg ?? 'HS256'
  const input = `${b64({ alg, typ: 'JWT' })}.${b64(payload)}`
  if (alg === 'none') return `${input}.`
  const hash = alg === 'HS256' ? 'sha256' : 'sha512'
  return `${input}.${createHmac(hash, options.secret ?? '').update(input).digest('base64url')}`
}

export function decodeJwt (token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString())
}

/** The same token with one payload field changed and the original signature kept. */
export function tamperJwt (token: string, change: Record<string, unknown>): string {
  const [header, , signature] = token.split('.')
  return `${header}.${b64({ ...decodeJwt(token), ...change })}.${signature}`
}
