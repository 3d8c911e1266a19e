// The campus half of `npm run seed`: a school, its boards with named and anonymous posts,
// comment threads with anonymous labels, likes, a conversation with an anonymous author, a
// semester's lecture catalog (some at clashing times), timetables, friendships, reviews, and
// two pictures on board posts.
// It goes through the same query modules as the routes, so labels, counters and the clash
// constraint hold for demo data too. Idempotent: what exists is found, not added again.
import type { Sql } from 'postgres'
import { AppError } from '../plugins/errors.js'
import sharp from 'sharp'
import { storableImage } from '../routes/media/image.js'
import { createBoard, setLike } from './community.js'
import { addMedia } from './media.js'
import { createComment } from './comments.js'
import { requestFriend } from './friends.js'
import { createLecture, createReview } from './lectures.js'
import { sendMessage } from './messages.js'
import { createPost } from './posts.js'
import { addLecture, createTimetable } from './timetables.js'
import { identityKey } from './users.js'

export const DEMO_SCHOOL = '한빛대학교'
export const DEMO_SEMESTER = '2026-1'

/** Runs `write`, treating a refusal that means "already there" as done. */
async function unlessThere<T> (write: () => Promise<T>, already: Array<'CONFLICT' | 'TIME_CONFLICT'> = ['CONFLICT']): Promise<T | undefined> {
  try {
    return await write()
  } catch (error) {
    if (error instanceof AppError && (already as string[]).includes(error.code)) return undefined
    throw error
  }
}

const BOARDS = [
  { category: '커뮤니티', name: '자유게시판', description: '무엇이든 자유롭게' },
  { category: '커뮤니티', name: '비밀게시판', description: '익명으로 털어놓는 이야기' },
  { category: '학과', name: '컴공 새내기', description: '컴퓨터공학과 새내기들의 게시판' }
]

type BoardPost = { board: string, author: string, title: string, body: string, anonymous?: boolean }
const BOARD_POSTS: BoardPost[] = [
  { board: '자유게시판', author: 'minjun', title: '홍익대 컴공 모여라', body: '이번 주 금요일 컴공 과 모임 있어요. 장소는 학생회관 2층!' },
  { board: '자유게시판', author: 'emily', title: 'Where to buy a bike?', body: 'Looking for a cheap second-hand bike for getting around campus.' },
  { board: '비밀게시판', author: 'jiho', title: '전과 고민 중이에요', body: '경영에서 컴공으로 전과하고 싶은데 늦은 걸까요? 조언 부탁드려요.', anonymous: true },
  { board: '비밀게시판', author: 'seoyeon', title: '룸메이트 때문에 힘들어요', body: '밤마다 통화를 너무 크게 해요. 어떻게 말해야 할까요?', anonymous: true },
  { board: '컴공 새내기', author: 'daniel', title: '자료구조 과제 질문', body: '연결 리스트 삭제에서 자꾸 segfault가 나요. 포인터를 어떻게 봐야 할까요?' },
  { board: '컴공 새내기', author: 'noah', title: '노트북 추천해 주세요', body: '개발용으로 램 16GB 이상, 가벼운 노트북 찾고 있어요.', anonymous: true }
]

// Comments on the anonymous 전과 post: writers get 익명1, 익명2…, its author 익명(글쓴이).
const THREAD: Array<{ author: string, body: string, anonymous: boolean, replyTo?: number }> = [
  { author: 'minjun', body: '전혀 늦지 않았어요! 저도 2학년 때 전과했어요.', anonymous: true },
  { author: 'seoyeon', body: '전과 면접에서 뭘 물어봤는지 궁금해요.', anonymous: true },
  { author: 'jiho', body: '감사합니다 ㅠㅠ 힘이 되네요.', anonymous: true, replyTo: 0 },
  { author: 'minjun', body: '학업계획서를 구체적으로 쓰는 게 제일 중요했어요.', anonymous: true, replyTo: 1 },
  { author: 'emily', body: 'Good luck! You can do it.', anonymous: false }
]

const TITLES: Array<[string, string]> = [
  ['자료구조', '김민수'], ['알고리즘', '이영희'], ['운영체제', '박정우'], ['컴퓨터구조', '최수진'], ['데이터베이스', '정현우'],
  ['컴퓨터네트워크', '강지은'], ['소프트웨어공학', '윤성호'], ['인공지능', '장미래'], ['기계학습', '임도현'], ['컴파일러', '한서준'],
  ['선형대수', '오세훈'], ['확률과 통계', '서지민'], ['이산수학', '신동욱'], ['미적분학', '권나래'], ['일반물리', '황태민'],
  ['회로이론', '송하늘'], ['디지털논리', '안재현'], ['객체지향프로그래밍', '홍길동'], ['웹프로그래밍', '문채원'], ['모바일프로그래밍', '배준호'],
  ['정보보호개론', '노유진'], ['클라우드컴퓨팅', '하승민'], ['분산시스템', '조은비'], ['컴퓨터그래픽스', '유재석'], ['자연어처리', '남궁민'],
  ['경영학원론', '백지훈'], ['회계원리', '전소연'], ['미시경제학', '고민재'], ['거시경제학', '류하진'], ['마케팅원론', '진서윤'],
  ['대학글쓰기', '김하나'], ['철학의 이해', '이도윤'], ['한국사', '박서준'], ['심리학개론', '최유나'], ['사회학개론', '정우성'],
  ['영어회화', 'Emily Brown'], ['비즈니스 영어', 'James Lee'], ['중국어 기초', '왕리'], ['일본어 기초', '사토 유키'], ['체육: 배드민턴', '김태양'],
  ['창업과 혁신', '이준혁'], ['데이터시각화', '박소율']
]
const DAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI'] as const
const STARTS = ['09:00', '10:30', '12:00', '13:30', '15:00', '16:30']
const END_OF = (start: string) => { const [h, m] = start.split(':').map(Number) as [number, number]; const e = h * 60 + m + 75; return `${String(Math.floor(e / 60)).padStart(2, '0')}:${String(e % 60).padStart(2, '0')}` }

/** 42 lectures on a 5-day grid of six 75-minute periods, two a week each; some share a period. */
function catalog () {
  return TITLES.map(([title, professor], i) => {
    const start = STARTS[i % STARTS.length]!
    const first = DAYS[Math.floor(i / STARTS.length) % 2]! // MON or TUE
    const second = DAYS[2 + (Math.floor(i / STARTS.length) % 2)]! // WED or THU
    return {
      code: `HB${String(101 + i)}`,
      title,
      professor,
      credits: i % 7 === 6 ? 2 : 3,
      slots: [{ day: first, start, end: END_OF(start), room: `${['공학관', '인문관', '과학관'][i % 3]} ${100 + i}호` }, { day: second, start, end: END_OF(start) }]
    }
  })
}

export async function seedCampus (sql: Sql, ids: Map<string, string>): Promise<{ lectures: number, boardPosts: number }> {
  const id = (username: string) => ids.get(username)!
  const added = { lectures: 0, boardPosts: 0 }

  await sql`insert into schools (name, name_key) values (${DEMO_SCHOOL}, ${identityKey(DEMO_SCHOOL)}) on conflict (name_key) do nothing`
  const [school] = await sql<Array<{ id: string }>>`select id from schools where name_key = ${identityKey(DEMO_SCHOOL)}`
  const schoolId = school!.id
  await sql`update users set school_id = ${schoolId}, admission_year = 2025 where id = any(${[...ids.values()]}::uuid[]) and school_id is null`

  const boardIds = new Map<string, string>()
  for (const board of BOARDS) {
    const [existing] = await sql<Array<{ id: string }>>`select id from boards where school_id = ${schoolId} and name_key = ${identityKey(board.name)} and deleted_at is null`
    boardIds.set(board.name, existing?.id ?? (await createBoard(sql, id('minjun'), { schoolId, ...board })).id)
  }

  const postIds = new Map<string, string>()
  for (const post of BOARD_POSTS) {
    const [existing] = await sql<Array<{ id: string }>>`select id from posts where author_id = ${id(post.author)} and title = ${post.title} and deleted_at is null`
    if (existing === undefined) added.boardPosts++
    postIds.set(post.title, existing?.id ?? (await createPost(sql, id(post.author), { title: post.title, body: post.body, anonymous: post.anonymous ?? false, boardId: boardIds.get(post.board) })).id)
  }

  // Two small generated pictures, through the same checks and metadata strip as an upload.
  for (const [title, colour, format] of [['노트북 추천해 주세요', '#4f7cac', 'jpeg'], ['자료구조 과제 질문', '#c0504d', 'png']] as const) {
    const postId = postIds.get(title)!
    const [has] = await sql`select 1 from post_media where post_id = ${postId}`
    if (has !== undefined) continue
    const canvas = sharp({ create: { width: 320, height: 240, channels: 3, background: colour } })
    const bytes = await (format === 'jpeg' ? canvas.jpeg() : canvas.png()).toBuffer()
    const author = BOARD_POSTS.find(post => post.title === title)!.author
    await addMedia(sql, id(author), postId, await storableImage(bytes))
  }

  const threadPost = postIds.get('전과 고민 중이에요')!
  const [{ count }] = await sql<Array<{ count: number }>>`select count(*)::int as count from comments where post_id = ${threadPost}`
  if (count === 0) {
    const written: string[] = []
    for (const c of THREAD) {
      const comment = await createComment(sql, id(c.author), threadPost, { body: c.body, anonymous: c.anonymous, ...(c.replyTo === undefined ? {} : { parentId: written[c.replyTo] }) })
      written.push(comment.id)
    }
  }
  for (const username of ids.keys()) {
    if (username !== 'daniel') await setLike(sql, id(username), postIds.get('자료구조 과제 질문')!, true)
  }
  const [conversation] = await sql`select 1 from conversations where source_key = ${'post:' + threadPost}`
  if (conversation === undefined) {
    // emily writes to the anonymous author of 전과 고민; jiho answers without being named.
    const { message: first } = await sendMessage(sql, id('emily'), { body: '저도 전과 생각 중인데 얘기 나눠요!', postId: threadPost })
    await sendMessage(sql, id('jiho'), { body: '좋아요! 어떤 과로 생각하세요?', conversationId: first.conversationId })
  }

  const lectureIds: string[] = []
  for (const lecture of catalog()) {
    const created = await unlessThere(() => createLecture(sql, { schoolId, semester: DEMO_SEMESTER, ...lecture }))
    if (created !== undefined) added.lectures++
    const [row] = await sql<Array<{ id: string }>>`select id from lectures where school_id = ${schoolId} and semester = ${DEMO_SEMESTER} and code = ${lecture.code}`
    lectureIds.push(row!.id)
  }

  // A timetable for each of four students: the lectures at index i, i+7, i+13… (some clash
  // with each other and are refused, as they would be through the API).
  for (const [n, username] of ['minjun', 'seoyeon', 'jiho', 'emily'].entries()) {
    const made = await unlessThere(() => createTimetable(sql, id(username), { semester: DEMO_SEMESTER, name: '1학기 시간표' }))
    const [table] = await sql<Array<{ id: string }>>`select id from timetables where owner_id = ${id(username)} and semester = ${DEMO_SEMESTER} and name = '1학기 시간표'`
    if (made === undefined) continue
    for (let i = n; i < lectureIds.length; i += 7) await unlessThere(() => addLecture(sql, id(username), table!.id, lectureIds[i]!), ['TIME_CONFLICT'])
  }
  for (const [a, b] of [['minjun', 'seoyeon'], ['seoyeon', 'minjun'], ['minjun', 'jiho'], ['jiho', 'minjun'], ['emily', 'minjun']]) {
    await requestFriend(sql, id(a!), b!)
  }
  const reviews: Array<[string, number, number, string]> = [
    ['minjun', 0, 5, '설명이 친절하고 과제가 실력에 도움이 됩니다.'],
    ['seoyeon', 0, 4, '과제가 많지만 배울 게 많아요.'],
    ['jiho', 1, 3, '시험이 어려워요. 기출 꼭 풀어보세요.'],
    ['emily', 35, 5, 'Very practical and fun!']
  ]
  for (const [username, index, rating, body] of reviews) {
    await unlessThere(() => createReview(sql, id(username), lectureIds[index]!, { rating, body }))
  }
  return added
}
