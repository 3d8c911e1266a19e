// Accounts and tokens: request bodies and answers of /auth/* (and the /signup, /login aliases).
import { Type, type Static } from '@sinclair/typebox'
import { exampleOf, Flag, Text, Timestamp, Uuid, UUID } from './common.js'

// Sample values shared by the examples of the account components.
export const SAMPLE_USER_ID = '3f6c2a9e-8b1d-4e27-9c5a-71d0b4e8a2f1'
export const SAMPLE_SCHOOL_ID = '9a4e7c1b-2d3f-4a58-b6e9-0c1d2e3f4a5b'
const SAMPLE_TIME = '2026-03-02T09:00:00.000Z'

// Any script and inner spaces ("JIN HO"), but no control characters or line breaks.
export const Username = Text(1, 50, { pattern: '^[^\\p{Cc}\\p{Zl}\\p{Zp}]+$', examples: ['jinho'] })
export const Nickname = Text(1, 30, { pattern: '^[^\\p{Cc}\\p{Zl}\\p{Zp}]+$', examples: ['진호'] })
export const Email = Type.String({ format: 'email', maxLength: 254, examples: ['jinho@example.com'] })
export const Role = Type.Union([Type.Literal('user'), Type.Literal('admin')], { description: 'admin may create schools and lectures and moderate' })
export type Role = Static<typeof Role>

/** The password bound at signup follows PASSWORD_MIN_LENGTH; login accepts any stored length. */
export function SignupBody (passwordMinLength: number) {
  return Type.Object({
    username: Username,
    password: Type.String({ minLength: passwordMinLength, maxLength: 128 }),
    nickname: Nickname,
    // null as well: the account answers `email: null` when it has none, and a client may send it back.
    email: Type.Optional(Type.Union([Email, Type.Null()])),
    schoolId: Type.Optional(Type.String({ ...UUID, description: 'an existing school (GET /schools)' })),
    admissionYear: Type.Optional(Type.Integer({ minimum: 1950, maximum: 2100 }))
  }, {
    $id: 'SignupBody',
    additionalProperties: false,
    description: 'A new account; `schoolId` and `admissionYear` are optional',
    examples: [
      { username: 'jinho', password: 'correct-horse-42', nickname: '진호', email: 'jinho@example.com' },
      { username: 'emma', password: 'battery-staple-7', nickname: 'Emma', email: 'emma@example.com', admissionYear: 2026 }
    ]
  })
}
export type SignupBody = Static<ReturnType<typeof SignupBody>>

export const LoginBody = Type.Object({
  username: Type.Optional(Username),
  email: Type.Optional(Email),
  password: Type.String({ minLength: 1, maxLength: 128 })
}, {
  $id: 'LoginBody',
  additionalProperties: false,
  description: 'The password and exactly one of username, email',
  examples: [{ username: 'jinho', password: 'correct-horse-42' }, { email: 'emma@example.com', password: 'battery-staple-7' }]
})
export type LoginBody = Static<typeof LoginBody>

const RefreshToken = Type.String({ minLength: 1, maxLength: 2048 })

const SAMPLE_REFRESH_TOKEN = 'Jx7kQ2vN9pL4sR8tW1yZ3bC6dF0gH5mA.9c1e4b7a2d5f8e3b6a9c2d5e8f1a4b7c'

export const RefreshBody = Type.Object({ refreshToken: RefreshToken }, {
  $id: 'RefreshBody',
  additionalProperties: false,
  description: 'A refresh token, used once: the answer carries its successor',
  examples: [{ refreshToken: SAMPLE_REFRESH_TOKEN }]
})
export type RefreshBody = Static<typeof RefreshBody>

export const LogoutBody = Type.Object({
  refreshToken: Type.Optional(RefreshToken),
  allSessions: Type.Optional(Type.Boolean())
}, {
  $id: 'LogoutBody',
  additionalProperties: false,
  examples: [{ refreshToken: SAMPLE_REFRESH_TOKEN }, { allSessions: true }],
  description: '`{refreshToken}` ends that session; `{allSessions: true}` with a Bearer token ends all of them; ' +
    'an empty body with a Bearer token ends the current one'
})
export type LogoutBody = Static<typeof LogoutBody>

export const TokenPair = Type.Object({
  token: Type.String({ description: 'access token (JWT)' }),
  refreshToken: Type.String(),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer({ description: 'access token lifetime in seconds' })
}, {
  $id: 'TokenPair',
  description: 'An access token for `Authorization: Bearer` and the refresh token that renews it',
  examples: [{
    token: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIzZjZjMmE5ZSJ9.c2lnbmF0dXJl',
    refreshToken: SAMPLE_REFRESH_TOKEN,
    tokenType: 'Bearer',
    expiresIn: 900
  }]
})
export type TokenPair = Static<typeof TokenPair>

export const Account = Type.Object({
  id: Uuid,
  username: Type.String(),
  nickname: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  schoolId: Type.Union([Uuid, Type.Null()]),
  admissionYear: Type.Union([Type.Integer(), Type.Null()]),
  role: Role,
  createdAt: Timestamp
}, {
  $id: 'Account',
  description: 'The caller\'s own account (other users see a UserSummary or a Profile)',
  examples: [{
    id: SAMPLE_USER_ID,
    username: 'jinho',
    nickname: '진호',
    email: 'jinho@example.com',
    schoolId: SAMPLE_SCHOOL_ID,
    admissionYear: 2026,
    role: 'user',
    createdAt: SAMPLE_TIME
  }]
})
export type Account = Static<typeof Account>

export const Session = Type.Object({
  id: Uuid,
  createdAt: Timestamp,
  lastUsedAt: Timestamp,
  userAgent: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  current: Type.Boolean({ description: 'the session of the token making this request' })
}, {
  $id: 'Session',
  description: 'A signed-in device: one per login, renewed by each refresh',
  examples: [{
    id: '5b8d1f3a-6c2e-4d97-a0b4-e1f2a3b4c5d6',
    createdAt: SAMPLE_TIME,
    lastUsedAt: '2026-03-02T10:15:00.000Z',
    userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)',
    ip: '203.0.113.7',
    current: true
  }]
})
export const SessionList = Type.Object({
  items: Type.Array(Session, { maxItems: 100, description: 'live sessions, newest first (at most 100)' })
}, {
  $id: 'SessionList',
  description: 'The caller\'s live sessions',
  examples: [{ items: [exampleOf(Session)] }]
})

export const LoggedOut = Flag('loggedOut')
export const Revoked = Flag('revoked')
