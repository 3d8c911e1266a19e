// The campus community under load: a school's boards holding 50 000 posts, a thread of 300
// comments and replies, users with 200 conversations each, and 50 users liking one post.
// The bulk (schools, boards, posts) is generated inside PostgreSQL like the social data; the
// threads and conversations go through the query modules the routes use, so labels, counters
// and conversation members are what the service itself would have written.
import type { Sql } from 'postgres'
import { createComment } from '../db/comments.js'
import { sendMessage } from '../db/messages.js'
import { bulk, benchId, benchUsername } from './seed.js'
import { bearer, deepPath, getJson, rotating, type Bench } from './scenarios.js'
import { atLeastCeiling, type Row, type Target } from './report.js'

export const COMMUNITY = {
  boards: 20,
  boardPosts: 50_000,
  /** Top-level comments on the thread post, and replies to its first 20 of them. */
  topComments: 200,
  replies: 100,
  /** Users 1 … conversationUsers each start this many conversations. */
  conversationUsers: 5,
  conversations: 200,
  likers: 50
}

/** Each matches 1 % of every board: a post whose place in its board is 7 (or 13) mod 100. */
export const SEARCH_TERMS = { fourCharacters: '중간고사', twoCharacters: '컴공' }

/**
 * The first school's boards (seedSchools) and their posts. Board post j (1-based) is in board
 * 1 + j mod boards, written by bench user 1 + (j * 7919 mod users), every third anonymous,
 * spread over the last 180 days (the newest is j = boardPosts). Its body is Korean text that
 * contains neither search term, except posts whose index within their board is 7 or 13 mod
 * 100, which carry the four- or the two-character term.
 */
export async function seedCommunity (sql: Sql, users: number): Promise<void> {
  const { boards, boardPosts } = COMMUNITY
  await bulk(sql, ['boards', 'posts'], async (tx) => {
    await tx`
      insert into boards (id, school_id, owner_id, category, name, name_key, description, created_at, updated_at)
      select md5('bench-board-' || b)::uuid, md5('bench-school-1')::uuid, md5('bench-user-1')::uuid,
             '커뮤니티', '게시판 ' || b, '게시판 ' || b, '벤치마크 게시판', now() - interval '200 days', now() - interval '200 days'
      from generate_series(1, ${boards}) as b`
    await tx`
      insert into posts (id, author_id, board_id, title, body, anonymous, created_at, updated_at)
      select md5('bench-board-post-' || j)::uuid,
             md5('bench-user-' || (1 + (j::bigint * 7919) % ${users}))::uuid,
             md5('bench-board-' || (1 + j % ${boards}))::uuid,
             '게시글 ' || j || ' 학교 생활 이야기',
             repeat('오늘 학식 메뉴가 정말 맛있었어요. 도서관 자리는 항상 부족하네요. 다음 주 과제 마감이 걱정입니다. ', 2) ||
               case (j / ${boards}) % 100
                 when 7 then ${SEARCH_TERMS.fourCharacters} || ' 범위 아시는 분 있나요?'
                 when 13 then ${SEARCH_TERMS.twoCharacters} || ' 수업 같이 들으실 분 구해요.'
                 else '다들 힘내세요.' end,
             j % 3 = 0,
             ts, ts
      from generate_series(1, ${boardPosts}) as j,
           lateral (select now() - interval '180 days' + (j * interval '180 days') / ${boardPosts}) as t(ts)
      order by 1`
  })
}

const boardId = (b: number) => benchId(`bench-board-${b}`)
const postId = (j: number) => benchId(`bench-board-post-${j}`)
const userId = (i: number) => benchId(`bench-user-${i}`)

/** The comment thread (on the newest post) and the conversations, through the query modules. */
export async function seedThreads (sql: Sql, users: number): Promise<{ threadPostId: string }> {
  const { topComments, replies, conversationUsers, conversations } = COMMUNITY
  if (users <= conversations + conversationUsers) throw new Error(`the community bench needs more than ${conversations + conversationUsers} users`)
  const threadPostId = postId(COMMUNITY.boardPosts)
  const writers = Array.from({ length: 60 }, (_, i) => userId(i + 1))
  const tops: string[] = []
  for (let i = 0; i < topComments; i++) {
    const comment = await createComment(sql, writers[i % writers.length]!, threadPostId, { body: `댓글 ${i + 1}: 저도 같은 생각이에요.`, anonymous: i % 2 === 0 })
    tops.push(comment.id)
  }
  for (let i = 0; i < replies; i++) {
    await createComment(sql, writers[(i * 7) % writers.length]!, threadPostId, { body: `답글 ${i + 1}: 감사합니다!`, parentId: tops[i % 20]!, anonymous: i % 3 === 0 })
  }
  for (let u = 1; u <= conversationUsers; u++) {
    const sender = userId(u)
    for (let k = 1; k <= conversations; k++) {
      await sendMessage(sql, sender, { toUsername: benchUsername(u + k), body: `안녕하세요, ${k}번째 대화입니다.` })
    }
  }
  return { threadPostId }
}

/**
 * The scenarios and the targets for them, from this run's numbers. `uncached` is the
 * same service with its page cache off (PAGE_CACHE_MB=0): the board's first page is measured on
 * both, and the deep page and the searches (never cached) are compared with its uncached p50,
 * as the issue asks.
 */
export async function communityScenarios (bench: Bench, uncached: Bench, threadPostId: string): Promise<Target[]> {
  const { base, tokens, connections, db, versusCeiling } = bench
  if (tokens.length < COMMUNITY.likers) throw new Error(`the community bench needs ${COMMUNITY.likers} logged-in users`)
  const boards = Array.from({ length: COMMUNITY.boards }, (_, i) => boardId(i + 1))
  const readers = (of: Bench) => boards.map((id, i) => ({ id, token: of.tokens[i % of.tokens.length]! }))
  const list = (of: Bench, suffix: (id: string) => string, headers: (token: string) => Record<string, string> = bearer) =>
    rotating(readers(of), p => ({ method: 'GET', path: `/boards/${p.id}/posts${suffix(p.id)}`, headers: headers(p.token) }))
  const commentsOn = (of: Bench) => ({
    url: of.base, connections, requests: [rotating(of.tokens, t => ({ method: 'GET' as const, path: `/posts/${threadPostId}/comments`, headers: bearer(t) }))]
  })
  const conversationsOn = (of: Bench) => ({
    url: of.base, connections, requests: [rotating(of.tokens.slice(0, COMMUNITY.conversationUsers), t => ({ method: 'GET' as const, path: '/messages/conversations', headers: bearer(t) }))]
  })
  const targets: Target[] = []

  const first = await versusCeiling('GET /boards/{id}/posts first page', { url: base, connections, requests: [list(bench, () => '')] })
  // The same, from a client that accepts no compression (the kept bytes as they are: 15 KB).
  await versusCeiling('GET /boards/{id}/posts first page, no Accept-Encoding', {
    url: base, connections, requests: [list(bench, () => '', token => ({ authorization: `Bearer ${token}` }))]
  })
  const firstUncached = await versusCeiling('GET /boards/{id}/posts first page, cache off', { url: uncached.base, connections, requests: [list(uncached, () => '')] })
  const deep = await Promise.all(readers(uncached).map(async p => ({ ...p, path: await deepPath(uncached.base, `/boards/${p.id}/posts`, p.token, 20) })))
  const page20 = await versusCeiling('GET /boards/{id}/posts page 20', {
    url: uncached.base, connections, requests: [rotating(deep, d => ({ method: 'GET', path: d.path, headers: bearer(d.token) }))]
  })
  const searches: Row[] = []
  for (const [label, term] of [['4 characters', SEARCH_TERMS.fourCharacters], ['2 characters', SEARCH_TERMS.twoCharacters]] as const) {
    const found = await getJson(`${uncached.base}/boards/${boards[0]}/posts?q=${encodeURIComponent(term)}`, uncached.tokens[0]!)
    if (found.status !== 200 || found.body.items.length === 0) throw new Error(`search for ${term} found nothing: ${found.status}`)
    searches.push(await versusCeiling(`GET /boards/{id}/posts?q= (${label})`, { url: uncached.base, connections, requests: [list(uncached, () => `?q=${encodeURIComponent(term)}`)] }))
  }
  // The cache's effect on the other two reads, for the record (no target).
  await versusCeiling('GET /posts/{id}/comments (300 comments), cache off', commentsOn(uncached))
  await versusCeiling('GET /messages/conversations (200 each), cache off', conversationsOn(uncached))
  const comments = await versusCeiling('GET /posts/{id}/comments (300 comments)', commentsOn(bench))
  const conversations = await versusCeiling('GET /messages/conversations (200 each)', conversationsOn(bench))
  // Fifty users liking one post (the second newest of board 1), each again and again.
  const liked = postId(COMMUNITY.boardPosts - COMMUNITY.boards)
  const likers = tokens.slice(0, COMMUNITY.likers)
  const like = await versusCeiling(`PUT /posts/{id}/like (${COMMUNITY.likers} users, one post)`, {
    url: base, connections, requests: [rotating(likers, t => ({ method: 'PUT', path: `/posts/${liked}/like`, headers: bearer(t) }))]
  })
  const [count] = await db<Array<{ likeCount: number, rows: number }>>`
    select like_count, (select count(*)::int from post_likes where post_id = ${liked}) as rows from posts where id = ${liked}`
  const answered = await getJson(`${base}/posts/${liked}`, tokens[0]!)

  const atLeast = (name: string, row: Row, min: number) => targets.push(atLeastCeiling(name, row, min))
  const p50Within = (name: string, row: Row, of: Row, times: number) =>
    targets.push({ name, actual: `${row.p50} ms = ${Math.round(row.p50 / of.p50 * 100) / 100} × ${of.p50} ms`, required: `≤ ${times} × uncached first page p50`, holds: row.p50 <= times * of.p50 })
  atLeast('GET /boards/{id}/posts first page req/s', first, 0.3)
  p50Within('GET /boards/{id}/posts page 20 p50', page20, firstUncached, 1.3)
  p50Within('board search p50, 4-character term', searches[0]!, firstUncached, 3)
  p50Within('board search p50, 2-character term', searches[1]!, firstUncached, 3)
  atLeast('GET /posts/{id}/comments req/s', comments, 0.15)
  atLeast('GET /messages/conversations req/s', conversations, 0.15)
  atLeast('PUT /posts/{id}/like req/s', like, 0.08)
  const exact = count?.likeCount === COMMUNITY.likers && count.rows === COMMUNITY.likers && answered.body.likeCount === COMMUNITY.likers
  targets.push({
    name: 'like count exact after the run',
    actual: `likeCount ${answered.body.likeCount} (column ${count?.likeCount}, rows ${count?.rows})`,
    required: `${COMMUNITY.likers}`,
    holds: exact
  })
  return targets
}
