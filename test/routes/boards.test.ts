import t from 'tap'
import postgres from 'postgres'
import { build, fileDatabaseUrl } from '../helper.js'
import { createUser, type TestUser } from '../accounts.js'
import { collectPages } from '../paging.js'

const app = await build(t, { env: { ADMIN_USERNAMES: 'boardadmin' } })
const [admin, owner, other] = await Promise.all([
  createUser(app, { username: 'boardadmin' }), createUser(app), createUser(app)
])
const MISSING = '00000000-0000-4000-8000-000000000000'

async function addSchool (name: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/schools', headers: admin.auth, payload: { name } })
  return res.json().id
}
const hongik = await addSchool('홍익대학교')
const kaist = await addSchool('KAIST')

type Board = { id: string, name: string, category: string, schoolId: string, ownerId: string, isDeleted: boolean }

async function addBoard (user: TestUser, fields: Record<string, unknown> = {}): Promise<Board> {
  const res = await app.inject({
    method: 'POST', url: '/boards', headers: user.auth,
    payload: { schoolId: hongik, category: '자유', name: '자유게시판', ...fields }
  })
  if (res.statusCode !== 201) throw new Error(`board: ${res.statusCode} ${res.body}`)
  return res.json()
}

async function write (user: TestUser, fields: Record<string, unknown>) {
  return await app.inject({ method: 'POST', url: '/posts', headers: user.auth, payload: { title: '제목', body: '본문', ...fields } })
}

t.test('POST /boards → 201 the board, owned by the caller', async (t) => {
  const res = await app.inject({
    method: 'POST', url: '/boards', headers: owner.auth,
    payload: { schoolId: hongik, category: '학과', name: '  컴공 새내기  ', description: '컴퓨터공학과' }
  })
  t.equal(res.statusCode, 201)
  t.match(res.json(), { schoolId: hongik, ownerId: owner.id, category: '학과', name: '컴공 새내기', description: '컴퓨터공학과', isDeleted: false })
})

t.test('POST /boards → 400 VALIDATION_FAILED for an unknown school', async (t) => {
  const res = await app.inject({ method: 'POST', url: '/boards', headers: owner.auth, payload: { schoolId: MISSING, category: 'c', name: 'n' } })
  t.equal(res.statusCode, 400)
  t.match(res.json(), { error: { code: 'VALIDATION_FAILED', details: [{ path: '/body/schoolId' }] } })
})

t.test('GET /boards/{id} → 200 the board; 404 NOT_FOUND for none', async (t) => {
  const board = await addBoard(owner)
  const res = await app.inject({ url: `/boards/${board.id}`, headers: other.auth })
  t.equal(res.statusCode, 200)
  t.same(res.json(), board)
  const missing = await app.inject({ url: `/boards/${MISSING}`, headers: other.auth })
  t.equal(missing.statusCode, 404)
  t.same(missing.json(), { error: { code: 'NOT_FOUND', message: '찾을 수 없습니다.' } })
})

t.test('PATCH /boards/{id} → 200 by the owner or an admin, 403 FORBIDDEN for others', async (t) => {
  const board = await addBoard(owner, { name: '원래 이름' })
  const byOwner = await app.inject({ method: 'PATCH', url: `/boards/${board.id}`, headers: owner.auth, payload: { name: '바뀐 이름' } })
  t.equal(byOwner.statusCode, 200)
  t.match(byOwner.json(), { name: '바뀐 이름', category: '자유' })
  const byAdmin = await app.inject({ method: 'PATCH', url: `/boards/${board.id}`, headers: admin.auth, payload: { description: null, category: '공지' } })
  t.equal(byAdmin.statusCode, 200)
  t.match(byAdmin.json(), { name: '바뀐 이름', category: '공지', description: null })
  const byOther = await app.inject({ method: 'PATCH', url: `/boards/${board.id}`, headers: other.auth, payload: { name: '탈취' } })
  t.equal(byOther.statusCode, 403)
  t.same(byOther.json(), { error: { code: 'FORBIDDEN', message: '권한이 없습니다.' } })
  t.equal((await app.inject({ url: `/boards/${board.id}`, headers: other.auth })).json().name, '바뀐 이름')
  const missing = await app.inject({ method: 'PATCH', url: `/boards/${MISSING}`, headers: owner.auth, payload: { name: 'x' } })
  t.equal(missing.statusCode, 404)
})

t.test('DELETE /boards/{id} → 403 for others; by the owner the board is isDeleted and its posts answer 404 everywhere', async (t) => {
  const board = await addBoard(owner, { name: '곧 지울 게시판' })
  const post = (await write(other, { boardId: board.id, title: '지워질 글' })).json()
  // other follows nobody; make the post reachable by feed, likes and scraps first
  await app.inject({ method: 'POST', url: '/follows', headers: owner.auth, payload: { username: other.username } })
  t.equal((await app.inject({ method: 'PUT', url: `/posts/${post.id}/scrap`, headers: owner.auth })).statusCode, 200)
  const feedBefore = await app.inject({ url: '/feed', headers: owner.auth })
  t.ok(feedBefore.json().items.some((p: { id: string }) => p.id === post.id))

  const refused = await app.inject({ method: 'DELETE', url: `/boards/${board.id}`, headers: other.auth })
  t.equal(refused.statusCode, 403)
  const res = await app.inject({ method: 'DELETE', url: `/boards/${board.id}`, headers: owner.auth })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { deleted: true })

  t.match((await app.inject({ url: `/boards/${board.id}`, headers: owner.auth })).json(), { isDeleted: true })
  t.equal((await app.inject({ method: 'DELETE', url: `/boards/${board.id}`, headers: owner.auth })).statusCode, 404)
  t.equal((await app.inject({ method: 'PATCH', url: `/boards/${board.id}`, headers: owner.auth, payload: { name: 'x' } })).statusCode, 404)
  t.equal((await app.inject({ url: `/posts/${post.id}`, headers: other.auth })).statusCode, 404)
  t.equal((await app.inject({ url: `/boards/${board.id}/posts`, headers: other.auth })).statusCode, 404)
  t.equal((await app.inject({ method: 'PUT', url: `/posts/${post.id}/like`, headers: owner.auth })).statusCode, 404)
  t.equal((await app.inject({ method: 'PUT', url: `/posts/${post.id}/scrap`, headers: owner.auth })).statusCode, 404)
  const lists = ['/feed', '/scraps', '/posts/mine', `/users/${encodeURIComponent(other.username)}/posts`, '/posts/hot']
  for (const url of lists) {
    const page = await app.inject({ url, headers: url === '/posts/mine' ? other.auth : owner.auth })
    t.equal(page.statusCode, 200, url)
    t.notOk(page.json().items.some((p: { id: string }) => p.id === post.id), `${url} no longer lists it`)
  }
  t.notOk((await app.inject({ url: `/boards?schoolId=${hongik}&limit=100`, headers: owner.auth })).json().items
    .some((b: Board) => b.id === board.id), 'GET /boards no longer lists it')
  const written = await write(other, { boardId: board.id })
  t.equal(written.statusCode, 400)
  t.match(written.json(), { error: { code: 'VALIDATION_FAILED', details: [{ path: '/body/boardId' }] } })
})

t.test('GET /boards filters by schoolId, category and a case-insensitive part of the name', async (t) => {
  const a = await addBoard(owner, { schoolId: kaist, category: 'Club', name: 'Robotics Club' })
  const b = await addBoard(owner, { schoolId: kaist, category: 'Club', name: 'Chess 100%' })
  const c = await addBoard(owner, { schoolId: kaist, category: '학과', name: '전산학부' })
  const ids = async (query: string) => (await app.inject({ url: `/boards?${query}`, headers: other.auth })).json().items.map((x: Board) => x.id)
  t.same(await ids(`schoolId=${kaist}`), [c.id, b.id, a.id])
  t.same(await ids(`schoolId=${kaist}&category=Club`), [b.id, a.id])
  t.same(await ids(`schoolId=${kaist}&name=ROBOT`), [a.id])
  t.same(await ids(`schoolId=${kaist}&name=${encodeURIComponent('%')}`), [b.id])
  t.same(await ids(`name=${encodeURIComponent('산학')}`), [c.id])
})

t.test('PUT/DELETE /boards/{id}/favorite are idempotent; GET /boards/favorites lists pins, newest pin first', async (t) => {
  const x = await addBoard(owner, { name: '즐겨찾기 1' })
  const y = await addBoard(owner, { name: '즐겨찾기 2' })
  for (let i = 0; i < 2; i++) {
    const res = await app.inject({ method: 'PUT', url: `/boards/${x.id}/favorite`, headers: other.auth })
    t.equal(res.statusCode, 200)
    t.same(res.json(), { boardId: x.id, favorite: true })
  }
  await app.inject({ method: 'PUT', url: `/boards/${y.id}/favorite`, headers: other.auth })
  t.same((await app.inject({ url: '/boards/favorites', headers: other.auth })).json().items.map((b: Board) => b.id), [y.id, x.id])
  t.same((await app.inject({ url: '/boards/favorites', headers: owner.auth })).json().items, [])
  for (let i = 0; i < 2; i++) {
    const res = await app.inject({ method: 'DELETE', url: `/boards/${y.id}/favorite`, headers: other.auth })
    t.equal(res.statusCode, 200)
    t.same(res.json(), { boardId: y.id, favorite: false })
  }
  t.same((await app.inject({ url: '/boards/favorites', headers: other.auth })).json().items.map((b: Board) => b.id), [x.id])
  t.equal((await app.inject({ method: 'PUT', url: `/boards/${MISSING}/favorite`, headers: other.auth })).statusCode, 404)
  await app.inject({ method: 'DELETE', url: `/boards/${x.id}`, headers: owner.auth })
  t.same((await app.inject({ url: '/boards/favorites', headers: other.auth })).json().items, [], 'a deleted board leaves the pins')
  t.equal((await app.inject({ method: 'PUT', url: `/boards/${x.id}/favorite`, headers: other.auth })).statusCode, 404)
})

t.test('POST /posts with boardId → 201 in that board; GET /boards/{id}/posts newest first, anonymous authors hidden', async (t) => {
  const board = await addBoard(owner, { name: '익명게시판' })
  const named = (await write(owner, { boardId: board.id, title: '실명 글' })).json()
  const anon = await write(other, { boardId: board.id, title: '익명 글', anonymous: true })
  t.equal(anon.statusCode, 201)
  t.match(anon.json(), { boardId: board.id, anonymous: true, author: { id: other.id } })
  const page = await app.inject({ url: `/boards/${board.id}/posts`, headers: owner.auth })
  t.equal(page.statusCode, 200)
  const items = page.json().items
  t.same(items.map((p: { id: string }) => p.id), [anon.json().id, named.id])
  t.equal(items[0].author, null)
  t.notOk(page.body.includes(other.id) || page.body.includes(other.username))
  t.equal((await app.inject({ url: `/boards/${MISSING}/posts`, headers: owner.auth })).statusCode, 404)
})

t.test('GET /boards/{id}/posts pages through 45 posts with inserts in between, no repeats or gaps', async (t) => {
  const board = await addBoard(owner, { name: '페이지' })
  const ids: string[] = []
  for (let i = 0; i < 45; i++) ids.push((await write(owner, { boardId: board.id, title: `글 ${i}` })).json().id)
  const { items, pages } = await collectPages<{ id: string }>(app, `/boards/${board.id}/posts`, owner.auth, 10, async () => {
    await write(owner, { boardId: board.id, title: '중간에 쓴 글' })
  })
  t.equal(pages, 5)
  t.same(items.map(p => p.id), [...ids].reverse())
})

t.test('GET /boards/{id}/posts?q= is a case-insensitive substring of title or body, Korean included, % and _ literal', async (t) => {
  const board = await addBoard(owner, { name: '검색' })
  const titles = ['홍익대 컴공 모여라', 'Algorithms STUDY', '100% 환불', 'snake_case 질문', '아무 상관 없는 글', '컴퓨터 팝니다']
  const byTitle: Record<string, string> = {}
  for (const title of titles) byTitle[title] = (await write(owner, { boardId: board.id, title, body: title === '아무 상관 없는 글' ? '본문에 study 있음' : '내용' })).json().id
  const search = async (q: string) => (await app.inject({ url: `/boards/${board.id}/posts?q=${encodeURIComponent(q)}`, headers: other.auth })).json().items.map((p: { title: string }) => p.title).sort()
  t.same(await search('컴공'), ['홍익대 컴공 모여라'])
  t.same(await search('컴'), ['컴퓨터 팝니다', '홍익대 컴공 모여라'])
  t.same(await search('컴퓨터'), ['컴퓨터 팝니다'])
  t.same(await search('홍익대 컴공'), ['홍익대 컴공 모여라'])
  t.same(await search('study'), ['Algorithms STUDY', '아무 상관 없는 글'])
  t.same(await search('%'), ['100% 환불'])
  t.same(await search('e_c'), ['snake_case 질문'])
  t.same(await search('_'), ['snake_case 질문'])
  t.same(await search('없음'), [])
  t.same(await search('팝니다 내용'), [], 'a term spanning the title and the body is in neither')
  t.same(await search('글 본문'), [])
  const tooLong = await app.inject({ url: `/boards/${board.id}/posts?q=${'a'.repeat(101)}`, headers: other.auth })
  t.equal(tooLong.statusCode, 400)
  t.equal((await app.inject({ url: `/boards/${board.id}/posts?q=`, headers: other.auth })).statusCode, 400)
})

// Searches find the same rows without it, but a Korean term of 3+ characters can only be
// narrowed by the trigram index when this holds; otherwise the board's posts are all read.
t.test('the database\'s pg_trgm makes trigrams of Hangul (its LC_CTYPE is not C)', async (t) => {
  const sql = postgres(await fileDatabaseUrl(), { max: 1, onnotice: () => {} })
  t.teardown(() => sql.end())
  const [row] = await sql`select show_trgm('컴퓨터') as trgm, (select datctype from pg_database where datname = current_database()) as ctype`
  t.ok(row!.trgm.length > 0, `show_trgm('컴퓨터') = ${JSON.stringify(row!.trgm)} under LC_CTYPE ${row!.ctype}`)
})
