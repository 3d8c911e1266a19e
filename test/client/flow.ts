// A client as its users write one: generated from openapi.json by openapi-typescript and
// driven through openapi-fetch, with nothing hand-typed. test/openapi-client.test.ts
// generates ./schema.d.ts beside the compiled copy of this file, type-checks it with strict
// tsc, then runs it against the real app on a real port. A response shape the document gets
// wrong fails the type check; a route that answers other than documented fails the run.
import createClient from 'openapi-fetch'
// Generated at test time; absent from the repository on purpose.
// @ts-ignore: resolved when the test has generated it
import type { components, paths } from './schema.js'

// The document's named components are the client's types: one Post, one page of posts.
type Post = components['schemas']['Post']
type PostPage = components['schemas']['PostPage']

export async function signupToLogout (baseUrl: string, password: string): Promise<string[]> {
  const client = createClient<paths>({ baseUrl })
  const steps: string[] = []
  const suffix = Math.random().toString(36).slice(2, 8)

  const signups = []
  for (const name of ['writer', 'reader']) {
    const { data, error } = await client.POST('/auth/signup', { body: { username: `${name}-${suffix}`, password, nickname: name } })
    if (data === undefined) throw new Error(`signup: ${JSON.stringify(error)}`)
    signups.push(data.username)
  }
  steps.push('signup')

  const tokens = []
  for (const username of signups) {
    const { data, error } = await client.POST('/auth/login', { body: { username, password } })
    if (data === undefined) throw new Error(`login: ${JSON.stringify(error)}`)
    tokens.push(data)
  }
  const [writer, reader] = tokens as [typeof tokens[0], typeof tokens[0]]
  steps.push('login')
  const as = (token: string) => ({ headers: { authorization: `Bearer ${token}` } })

  const followed = await client.POST('/follows', { body: { username: signups[0]! }, ...as(reader.token) })
  if (followed.data?.username !== signups[0]) throw new Error(`follow: ${JSON.stringify(followed.error)}`)

  const post = await client.POST('/posts', { body: { title: '첫 글', body: 'generated client' }, ...as(writer.token) })
  if (post.data === undefined) throw new Error(`post: ${JSON.stringify(post.error)}`)
  steps.push('post')

  const feed = await client.GET('/feed', { params: { query: { limit: 10 } }, ...as(reader.token) })
  const page: PostPage | undefined = feed.data
  const titles = page?.items.map((item: Post) => item.title) ?? []
  if (!titles.includes('첫 글') || page?.nextCursor !== null) throw new Error(`feed: ${JSON.stringify(feed.data ?? feed.error)}`)
  steps.push('feed')

  const refreshed = await client.POST('/auth/refresh', { body: { refreshToken: reader.refreshToken } })
  if (refreshed.data === undefined || refreshed.data.tokenType !== 'Bearer') throw new Error(`refresh: ${JSON.stringify(refreshed.error)}`)
  steps.push('refresh')

  const out = await client.POST('/auth/logout', { body: { refreshToken: refreshed.data.refreshToken } })
  if (out.data?.loggedOut !== true) throw new Error(`logout: ${JSON.stringify(out.error)}`)
  const after = await client.POST('/auth/refresh', { body: { refreshToken: refreshed.data.refreshToken } })
  if (after.response.status !== 401 || after.error?.error.code === undefined) throw new Error('the session outlived its logout')
  steps.push('logout')
  return steps
}
