// Accounts and tokens: request bodies and answers of /auth/* (and the /signup, /login aliases).
import { Type, type Static } from '@sinclair/typebox'
import { Flag, Text, Timestamp, Uuid } from './common.js'

// Any script and inner spaces ("JIN HO"), but no control characters or line breaks.
export const Username = Text(1, 50, { pattern: '^[^\\p{Cc}\\p{Zl}\\p{Zp}]+$', examples: ['jinho'] })
export const Nickname = Text(1, 30, { pattern: '^[^\\p{Cc}\\p{Zl}\\p{Zp}]+$', examples: ['진호'] })
export const Email = Type.String({ format: 'email', maxLength: 254, examples: ['jinho@example.com'] })
export const Role = Type.Union([Type.Literal('user'), Type.Literal('admin')])
export type Role = Static<typeof Role>

/** The password bound at signup follows PASSWORD_MIN_LENGTH; login accepts any stored length. */
export function SignupBody (passwordMinLength: number) {
  return Type.Object({
    username: Username,
    password: Type.String({ minLength: passwordMinLength, maxLength: 128 }),
    nickname: Nickname,
    email: Type.Optional(Email),
    schoolId: Type.Optional(Type.String({ format: 'uuid', description: 'an existing school (GET /schools)' })),
    admissionYear: Type.Optional(Type.Integer({ minimum: 1950, maximum: 2100 }))
  }, { additionalProperties: false })
}
export type SignupBody = Static<ReturnType<typeof SignupBody>>

export const LoginBody = Type.Object({
  username: Type.Optional(Username),
  email: Type.Optional(Email),
  password: Type.String({ minLength: 1, maxLength: 128 })
}, { additionalProperties: false, description: 'exactly one of username, email' })
export type LoginBody = Static<typeof LoginBody>

const RefreshToken = Type.String({ minLength: 1, maxLength: 2048 })

export const RefreshBody = Type.Object({ refreshToken: RefreshToken }, { additionalProperties: false })
export type RefreshBody = Static<typeof RefreshBody>

export const LogoutBody = Type.Object({
  refreshToken: Type.Optional(RefreshToken),
  allSessions: Type.Optional(Type.Boolean())
}, {
  additionalProperties: false,
  description: '`{refreshToken}` ends that session; `{allSessions: true}` with a Bearer token ends all of them; ' +
    'an empty body with a Bearer token ends the current one'
})
export type LogoutBody = Static<typeof LogoutBody>

export const TokenPair = Type.Object({
  token: Type.String({ description: 'access token (JWT)' }),
  refreshToken: Type.String(),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer({ description: 'access token lifetime in seconds' })
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
})
export type Account = Static<typeof Account>

export const Session = Type.Object({
  id: Uuid,
  createdAt: Timestamp,
  lastUsedAt: Timestamp,
  userAgent: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  current: Type.Boolean({ description: 'the session of the token making this request' })
})
export const SessionList = Type.Object({
  items: Type.Array(Session, { maxItems: 100, description: 'live sessions, newest first (at most 100)' })
})

export const LoggedOut = Flag('loggedOut')
export const Revoked = Flag('revoked')
