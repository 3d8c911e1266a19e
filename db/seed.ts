// `npm run seed`: demo users, posts and follows for trying the service by hand, in DATABASE_URL
// (or the embedded database under DATA_DIR, as `npm run migrate` uses). Running it again
// changes nothing. It refuses a database holding anyone but the demo users unless `--force`,
// so it cannot sprinkle demo accounts over real ones by accident.
import argon2 from 'argon2'
import type { ISql, Sql } from 'postgres'
import { ARGON2_OPTIONS } from '../plugins/passwords.js'
import { followByUsername } from './follows.js'
import { runDatabaseScript } from './script.js'
import { DEMO_SCHOOL, DEMO_SEMESTER, seedCampus } from './seed-campus.js'
import { findUserByUsername, identityKey, insertUser } from './users.js'

const DEMO_PASSWORD = 'campus1234!'

type DemoPost = { title: string, body: string, hoursAgo: number, anonymous?: boolean }
type DemoUser = { username: string, nickname: string, follows: string[], posts: DemoPost[] }

const DEMO_USERS: DemoUser[] = [
  {
    username: 'minjun',
    nickname: '김민준',
    follows: ['seoyeon', 'jiho', 'emily', 'JIN HO'],
    posts: [
      { title: '중간고사 스터디 같이 하실 분', body: '자료구조 중간고사 스터디원 구합니다. 화·목 저녁 7시, 중앙도서관 3층 그룹스터디룸이에요.\n편하게 댓글 주세요!', hoursAgo: 70 },
      { title: '학식 오늘 메뉴 실화인가요', body: '제육볶음에 계란찜까지 나왔어요. 줄이 벌써 길어요 ㅋㅋ', hoursAgo: 30 },
      { title: 'Looking for a language exchange partner', body: 'I can help with Korean, and I would love to practice English conversation. Coffee on me!', hoursAgo: 5 }
    ]
  },
  {
    username: 'seoyeon',
    nickname: '이서연',
    follows: ['minjun', '하은', 'sophia'],
    posts: [
      { title: '도서관 열람실 자리 꿀팁', body: '시험기간에는 아침 8시 전에 가야 창가 자리가 있어요. 4층은 비교적 조용합니다.', hoursAgo: 96 },
      { title: '전공 서적 나눔합니다', body: '경영학원론, 회계원리 책 나눔해요. 필기 조금 있어요. 학생회관 앞에서 전달 가능합니다.', hoursAgo: 48 },
      { title: '동아리 공연 보러 오세요', body: '이번 금요일 저녁 6시 대강당에서 밴드 동아리 정기공연이 있어요. 입장 무료!', hoursAgo: 12 },
      { title: '교양 수업 추천 부탁드려요', body: '다음 학기 교양 하나 더 들어야 하는데 과제 적당하고 재밌는 수업 있을까요?', hoursAgo: 2 }
    ]
  },
  {
    username: 'jiho',
    nickname: '박지호',
    follows: ['minjun', 'daniel'],
    posts: [
      { title: '자취방 구할 때 체크할 것', body: '수압, 채광, 곰팡이, 관리비 포함 항목은 꼭 확인하세요. 정문 쪽은 밤에 조금 시끄러워요.', hoursAgo: 120 },
      { title: '농구 같이 하실 분 구해요', body: '매주 수요일 5시 체육관에서 3:3 해요. 실력 상관없어요.', hoursAgo: 60 },
      { title: '조별과제 무임승차 어떻게 하죠', body: '연락도 안 되고 자료도 안 올리는 조원이 있어요. 다들 어떻게 해결하셨나요?', hoursAgo: 20, anonymous: true }
    ]
  },
  {
    username: '하은',
    nickname: '최하은',
    follows: ['seoyeon', 'emily', 'noah'],
    posts: [
      { title: '캠퍼스 벚꽃 명소', body: '인문관 뒤편 산책로가 제일 예뻐요. 사람도 적어서 사진 찍기 좋아요.', hoursAgo: 150 },
      { title: '카페 신메뉴 후기', body: '정문 앞 카페 흑임자 라떼 먹어봤는데 달지 않고 고소해요. 추천!', hoursAgo: 40 },
      { title: '토익 900 넘긴 공부법', body: '하루 LC 한 세트, RC 파트5 50문제씩 6주 했어요. 오답노트가 제일 중요했어요.', hoursAgo: 8 }
    ]
  },
  {
    username: 'emily',
    nickname: 'Emily Carter',
    follows: ['minjun', 'sophia', 'daniel', '하은'],
    posts: [
      { title: 'First week as an exchange student', body: 'Everyone has been so kind. I finally figured out the bus to the main gate, and the campus is huge!', hoursAgo: 110 },
      { title: 'Best study spots on campus?', body: 'The library gets crowded in the evening. Where do you all go to study quietly?', hoursAgo: 55 },
      { title: '한국어 수업 후기', body: '한국어 중급 수업 정말 재밌어요. 받침 발음은 아직 어렵지만 매일 연습하고 있어요!', hoursAgo: 25 },
      { title: 'Weekend hiking trip', body: 'A few of us are hiking Bukhansan on Saturday morning. Meet at the main gate at 8. Bring water!', hoursAgo: 3 }
    ]
  },
  {
    username: 'daniel',
    nickname: 'Daniel Kim',
    follows: ['emily', 'jiho', 'JIN HO'],
    posts: [
      { title: 'Selling a used monitor', body: '27-inch monitor, two years old, works perfectly. Pick up near the engineering building.', hoursAgo: 90 },
      { title: 'Anyone taking Operating Systems next term?', body: 'Thinking of forming a study group for the projects. The scheduler assignment is supposedly brutal.', hoursAgo: 35 },
      { title: '알고리즘 스터디 모집', body: '백준 골드 목표로 주 2회 온라인 스터디 해요. 파이썬, C++ 모두 환영합니다.', hoursAgo: 15 }
    ]
  },
  {
    username: 'sophia',
    nickname: 'Sophia Lee',
    follows: ['emily', 'seoyeon', 'noah'],
    posts: [
      { title: 'Photography club exhibition', body: 'Our exhibition opens Monday in the student union gallery. Theme this year: "Campus at night".', hoursAgo: 80 },
      { title: '과제 마감 연장됐대요', body: '통계학 과제 마감이 다음 주 월요일로 연장됐다고 공지 올라왔어요. 확인해 보세요!', hoursAgo: 28 },
      { title: 'Lost: blue umbrella', body: 'Left a blue umbrella in the lecture hall after the 3 pm class. If you found it, let me know!', hoursAgo: 6 }
    ]
  },
  {
    username: 'JIN HO',
    nickname: '정진호',
    follows: ['minjun', 'daniel', 'sophia'],
    posts: [
      { title: '졸업 전시 준비 중', body: '시각디자인과 졸업 전시가 다음 달이에요. 밤샘 작업 중이지만 결과물 보면 뿌듯해요.', hoursAgo: 130 },
      { title: '프린터 고장 제보', body: '공학관 2층 프린터 용지 걸림이 계속돼요. 행정실에 말씀드렸으니 당분간 1층 쓰세요.', hoursAgo: 45 },
      { title: 'Internship tips?', body: 'Applying for summer internships for the first time. Any advice on portfolios or interviews?', hoursAgo: 10 }
    ]
  },
  {
    username: 'noah',
    nickname: 'Noah Park',
    follows: ['하은', 'sophia', 'jiho'],
    posts: [
      { title: 'Running club starts again', body: 'We run 5 km around the campus every Tuesday and Thursday at 7 am. All paces welcome.', hoursAgo: 100 },
      { title: '기숙사 택배 보관 시간 변경', body: '이번 주부터 기숙사 택배실이 밤 10시에 닫는대요. 늦게 오시는 분들 참고하세요.', hoursAgo: 22 },
      { title: 'Good cheap lunch near campus', body: 'The kimbap place behind the science building is great: fast, cheap, and open until 9 pm.', hoursAgo: 4 }
    ]
  },
  // Two more readers, so that one board post reaches HOT_POST_LIKES (10) and /posts/hot shows it.
  {
    username: 'yuna',
    nickname: '최유나',
    follows: ['minjun', 'seoyeon'],
    posts: [
      { title: '수강신청 꿀팁 공유', body: '수강신청 전날 장바구니에 미리 담아두고, 시작 1분 전에 새로고침하세요. 인기 교양은 10초 안에 마감돼요.', hoursAgo: 60 }
    ]
  },
  {
    username: 'minho',
    nickname: '강민호',
    follows: ['jiho', 'noah'],
    posts: [
      { title: '농구 같이 하실 분', body: '매주 수요일 저녁 체육관에서 농구해요. 실력 상관없이 오세요!', hoursAgo: 15 }
    ]
  }
]

async function othersThanDemoUsers (sql: Sql): Promise<number> {
  const keys = DEMO_USERS.map(user => identityKey(user.username))
  const [row] = await sql<{ count: number }[]>`
    select count(*)::int as count from users where not (username_key = any(${sql.array(keys)}::text[]))`
  return row!.count
}

/** Adds the post unless its author already has one with that title; true when added. */
async function addDemoPost (sql: ISql, authorId: string, post: DemoPost): Promise<boolean> {
  const rows = await sql`
    insert into posts (author_id, title, body, anonymous, created_at, updated_at)
    select ${authorId}, ${post.title}, ${post.body}, ${post.anonymous ?? false},
           now() - ${post.hoursAgo} * interval '1 hour', now() - ${post.hoursAgo} * interval '1 hour'
    where not exists (select 1 from posts where author_id = ${authorId} and title = ${post.title})
    returning id`
  return rows.length === 1
}

async function seed (sql: ISql): Promise<{ users: number, posts: number, follows: number, ids: Map<string, string> }> {
  const added = { users: 0, posts: 0, follows: 0 }
  const ids = new Map<string, string>()
  for (const user of DEMO_USERS) {
    const existing = await findUserByUsername(sql, user.username)
    if (existing !== undefined) {
      ids.set(user.username, existing.id)
      continue
    }
    // Hashed only for users being created: a new salt on every run would change the row.
    const passwordHash = await argon2.hash(DEMO_PASSWORD, ARGON2_OPTIONS)
    const created = await insertUser(sql, { username: user.username, nickname: user.nickname, email: null, passwordHash, schoolId: null, admissionYear: null })
    if (created === undefined) throw new Error(`could not create ${user.username}`)
    ids.set(user.username, created.id)
    added.users++
  }
  for (const user of DEMO_USERS) {
    const id = ids.get(user.username)!
    for (const post of user.posts) if (await addDemoPost(sql, id, post)) added.posts++
    for (const followee of user.follows) if ((await followByUsername(sql, id, followee)).created) added.follows++
  }
  return { ...added, ids }
}

await runDatabaseScript('seed', async (sql) => {
  const force = process.argv.includes('--force')
  const others = await othersThanDemoUsers(sql)
  if (others > 0 && !force) {
    process.stderr.write(`seed refused: the database has ${others} users besides the demo users; run with --force to add the demo data anyway\n`)
    return 1
  }
  const added = await sql.begin(tx => seed(tx))
  // After the users exist: the campus data goes through the routes' own query modules,
  // which open transactions of their own.
  const campus = await seedCampus(sql, added.ids)
  process.stdout.write(`seed: ${added.users} users, ${added.posts} posts, ${added.follows} follows added\n`)
  process.stdout.write(`seed: ${DEMO_SCHOOL} with ${campus.boardPosts} new board posts and ${campus.lectures} new lectures for ${DEMO_SEMESTER}\n`)
  process.stdout.write(`demo logins: ${DEMO_USERS.map(u => u.username).join(', ')} / password ${DEMO_PASSWORD}\n`)
  return 0
})
