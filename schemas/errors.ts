// The error contract: every code the service can answer with, its HTTP status and its texts.
// The Korean texts are pinned by CONTRACT.md and must not change; clients match on them.
import { Type, type Static, type TSchema } from '@sinclair/typebox'

export const ERRORS = {
  VALIDATION_FAILED: { status: 400, ko: '요청 값이 올바르지 않습니다.', en: 'The request is not valid.' },
  INVALID_JSON: { status: 400, ko: '요청 본문이 올바른 JSON이 아닙니다.', en: 'The request body is not valid JSON.' },
  TOKEN_NOT_FOUND: { status: 401, ko: '토큰이 없습니다.', en: 'No token was given.' },
  INVALID_TOKEN: { status: 401, ko: '토큰이 유효하지 않습니다.', en: 'The token is not valid.' },
  TOKEN_EXPIRED: { status: 401, ko: '토큰이 만료되었습니다.', en: 'The token has expired.' },
  INVALID_CREDENTIALS: { status: 401, ko: '아이디 또는 비밀번호가 올바르지 않습니다.', en: 'The username or password is wrong.' },
  FORBIDDEN: { status: 403, ko: '권한이 없습니다.', en: 'You are not allowed to do this.' },
  NOT_FOUND: { status: 404, ko: '찾을 수 없습니다.', en: 'Not found.' },
  USER_ALREADY_EXISTS: { status: 409, ko: '이미 가입된 사용자입니다.', en: 'This user already exists.' },
  CONFLICT: { status: 409, ko: '이미 처리된 요청입니다.', en: 'This request was already handled.' },
  TIME_CONFLICT: { status: 409, ko: '시간이 겹치는 강의가 있습니다.', en: 'A lecture at an overlapping time is already there.' },
  PAYLOAD_TOO_LARGE: { status: 413, ko: '요청 본문이 너무 큽니다.', en: 'The request body is too large.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, ko: '지원하지 않는 형식입니다.', en: 'This content type is not supported.' },
  // Not in the contract's table: answers produced by Node's HTTP parser below the routes.
  // They keep their standard status so proxies and clients understand them.
  REQUEST_TIMEOUT: { status: 408, ko: '요청 시간이 초과되었습니다.', en: 'The request took too long to arrive.' },
  HEADERS_TOO_LARGE: { status: 431, ko: '요청 헤더가 너무 큽니다.', en: 'The request headers are too large.' },
  RATE_LIMITED: { status: 429, ko: '요청이 너무 많습니다. 잠시 후 다시 시도해 주세요.', en: 'Too many requests. Please try again later.' },
  QUOTA_EXCEEDED: { status: 429, ko: '오늘 사용할 수 있는 횟수를 모두 사용했습니다.', en: 'You have used up today\'s requests.' },
  INTERNAL_ERROR: { status: 500, ko: '서버 오류가 발생했습니다.', en: 'Something went wrong on the server.' },
  UPSTREAM_ERROR: { status: 502, ko: '외부 서비스 응답에 실패했습니다.', en: 'The external service did not answer properly.' },
  SERVICE_UNAVAILABLE: { status: 503, ko: '서비스를 일시적으로 사용할 수 없습니다.', en: 'The service is temporarily unavailable.' }
} as const

export type ErrorCode = keyof typeof ERRORS
export type Language = 'ko' | 'en'

export const ErrorDetail = Type.Object({
  path: Type.String({ description: 'JSON pointer into the request, e.g. /body/password' }),
  message: Type.String()
}, {
  $id: 'ErrorDetail',
  description: 'One reason a request was refused',
  examples: [{ path: '/body/password', message: 'must NOT have fewer than 8 characters' }]
})

export const ErrorEnvelope = Type.Object({
  error: Type.Object({
    code: Type.String({ description: 'stable UPPER_SNAKE_CASE code', examples: ['VALIDATION_FAILED'] }),
    message: Type.String({ description: 'text in the language chosen by Accept-Language (ko default, en)' }),
    details: Type.Optional(Type.Array(ErrorDetail, { description: 'validation errors only' }))
  })
}, {
  $id: 'ErrorEnvelope',
  description: 'Every non-2xx answer',
  examples: [{
    error: {
      code: 'VALIDATION_FAILED',
      message: '요청 값이 올바르지 않습니다.',
      details: [{ path: '/body/password', message: 'must NOT have fewer than 8 characters' }]
    }
  }]
})
export type ErrorEnvelope = Static<typeof ErrorEnvelope>

/** Which codes a status can carry, for the OpenAPI description of each error response. */
function describeStatus (status: number): string {
  return Object.entries(ERRORS)
    .filter(([, e]) => e.status === status)
    .map(([code]) => code)
    .join(' | ')
}

/**
 * Response schemas for the error statuses a route can give, so `/swagger/json` documents each:
 * `response: { 200: User, ...errors(401, 404) }`.
 */
export function errors (...statuses: number[]): Record<number, TSchema> {
  const out: Record<number, TSchema> = {}
  for (const status of statuses) {
    const headers = status === 429 || status === 503 ? { headers: RETRY_AFTER } : {}
    out[status] = Type.Ref(ErrorEnvelope, { description: describeStatus(status), ...headers })
  }
  return out
}

// A 429 or 503 says when to come back, except when waiting would not help (the code assistant
// without a model configured); the document shows the header on those answers.
const RETRY_AFTER = {
  'retry-after': { type: 'integer', minimum: 1, description: 'seconds to wait before trying again (absent when waiting would not help)' }
}
