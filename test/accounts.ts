// Test accounts made through the real API (real argon2, real JWTs): signup, then login.
import type { FastifyInstance } from 'fastify'

export const TEST_PASSWORD = 'correct horse battery'

export type TestUser = { id: string, username: string, token: string, refreshToken: string, auth: { authorization: string } }

let counter = 0

/** A fresh user, logged in. `username` defaults to a unique one. */
export async function createUser (
  app: FastifyInstance,
  fields: { username?: string, nickname?: string, email?: string, password?: string } = {}
): Promise<TestUser> {
  const username = fields.username ?? `user${process.pid}x${++counter}`
  const password = fields.password ?? TEST_PASSWORD
  const signup = await app.inject({
    method: 'POST',
    url: '/auth/signup',
    payload: { username, password, nickname: fields.nickname ?? username.slice(0, 30), ...(fields.email === undefined ? {} : { email: fields.email }) }
  })
  if (signup.statusCode !== 201) throw new Error(`signup of ${username} failed: ${signup.statusCode} ${signup.body}`)
  const pair = await login(app, username, password)
  return { id: signup.json().id, username, ...pair, auth: { authorization: `Bearer ${pair.token}` } }
}

export async function login (app: FastifyInstance, username: string, password: string = TEST_PASSWORD): Promise<{ token: string, refreshToken: string }> {
  const res = await app.inject({ method: 'POST', url: '/auth/login', payload: { username, password } })
  if (res.statusCode !== 200) throw new Error(`login of ${username} failed: ${res.statusCode} ${res.body}`)
  const { token, refreshToken } = res.json()
  return { token, refreshToken }
}

/** POSTs `payload` as `by` and returns the id of what it created (201), or throws with the answer. */
export async function createdId (app: FastifyInstance, by: TestUser, url: string, payload: object): Promise<string> {
  const res = await app.inject({ method: 'POST', url, headers: by.auth, payload })
  if (res.statusCode !== 201) throw new Error(`POST ${url}: ${res.statusCode} ${res.body}`)
  return res.json().id
}
