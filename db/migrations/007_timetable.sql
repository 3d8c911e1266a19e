-- Timetable: a school's lectures per semester with their weekly slots, reviews, the students'
-- timetables, and friendships (a friend may read your timetables).
--
-- Times are minutes since midnight (0–1439) and a slot is the half-open range [start, end):
-- 10:00–11:00 and 11:00–12:00 touch without overlapping, which is how students read a
-- timetable. Days are 0 (MON) to 6 (SUN).
create extension if not exists btree_gist;

create table lectures (
  id uuid primary key default gen_random_uuid(),
  school_id uuid not null references schools (id),
  code text not null,
  title text not null,
  professor text not null,
  credits smallint not null check (credits between 0 and 30),
  semester text not null check (semester ~ '^[0-9]{4}-(1|2|S|W)$'),
  -- What ?q= searches: code, title and professor, lowered by the database (the indexes below
  -- are over exactly this column, so the query and the index agree on lower()).
  search_text text generated always as (lower(code || ' ' || title || ' ' || professor)) stored,
  -- Kept by the statement that adds or removes a review, in its transaction.
  review_count integer not null default 0 check (review_count >= 0),
  rating_sum integer not null default 0 check (rating_sum >= 0),
  created_at timestamptz not null default now(),
  unique (school_id, semester, code)
);
-- GET /lectures pages in code order, over one school's semester, one semester, or everything.
create index lectures_school_semester_page_idx on lectures (school_id, semester, code, id);
create index lectures_semester_page_idx on lectures (semester, code, id);
create index lectures_page_idx on lectures (code, id);
-- ?q=: trigrams for terms of 3+ characters, the 1–2 character grams of migration 005 for the
-- short ones (a Korean title is often searched by two syllables: 자료, 회로).
create index lectures_search_trgm_idx on lectures using gin (search_text gin_trgm_ops);
create index lectures_search_grams_idx on lectures using gin (post_search_grams(search_text));

create table lecture_slots (
  lecture_id uuid not null references lectures (id) on delete cascade,
  day smallint not null check (day between 0 and 6),
  minutes int4range not null check (lower(minutes) >= 0 and upper(minutes) <= 1439 and not isempty(minutes)),
  room text,
  -- Two slots of one lecture never overlap.
  exclude using gist (lecture_id with =, day with =, minutes with &&)
);

create table lecture_reviews (
  id uuid primary key default gen_random_uuid(),
  lecture_id uuid not null references lectures (id) on delete cascade,
  author_id uuid not null references users (id) on delete cascade,
  rating smallint not null check (rating between 1 and 5),
  body text not null,
  created_at timestamptz not null default now(),
  -- One review per user per lecture, also when two arrive at once.
  unique (lecture_id, author_id)
);
create index lecture_reviews_page_idx on lecture_reviews (lecture_id, created_at desc, id desc);
create index lecture_reviews_author_idx on lecture_reviews (author_id);

create table timetables (
  id uuid primary key default gen_random_uuid(),
  owner_id uuid not null references users (id) on delete cascade,
  semester text not null check (semester ~ '^[0-9]{4}-(1|2|S|W)$'),
  name text not null,
  created_at timestamptz not null default now(),
  unique (owner_id, semester, name)
);
create index timetables_owner_page_idx on timetables (owner_id, created_at desc, id desc);

create table timetable_lectures (
  timetable_id uuid not null references timetables (id) on delete cascade,
  lecture_id uuid not null references lectures (id),
  added_at timestamptz not null default now(),
  primary key (timetable_id, lecture_id)
);
create index timetable_lectures_lecture_idx on timetable_lectures (lecture_id);

-- The slots of the lectures in a timetable, copied from lecture_slots when a lecture is added
-- (a lecture's slots never change), so that the database itself refuses a clash: two
-- overlapping slots on one day of one timetable cannot both exist, whichever instance or
-- transaction inserts them. The same index answers "what clashes with this lecture".
create table timetable_slots (
  timetable_id uuid not null,
  lecture_id uuid not null,
  day smallint not null,
  minutes int4range not null,
  foreign key (timetable_id, lecture_id) references timetable_lectures (timetable_id, lecture_id) on delete cascade,
  constraint timetable_slots_no_clash exclude using gist (timetable_id with =, day with =, minutes with &&)
);

-- Pending friend requests: one per direction. A request to someone who already asked you
-- becomes the friendship instead (db/friends.ts, under a lock on the pair).
create table friend_requests (
  id uuid primary key default gen_random_uuid(),
  requester_id uuid not null references users (id) on delete cascade,
  recipient_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  check (requester_id <> recipient_id),
  unique (requester_id, recipient_id)
);
create index friend_requests_recipient_idx on friend_requests (recipient_id, created_at desc);
create index friend_requests_requester_idx on friend_requests (requester_id, created_at desc);

-- A friendship is stored in both directions, written and deleted together in one statement,
-- so "my friends" and "is X my friend" are each one index lookup.
create table friendships (
  user_id uuid not null references users (id) on delete cascade,
  friend_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (user_id, friend_id),
  check (user_id <> friend_id)
);
create index friendships_page_idx on friendships (user_id, created_at desc, friend_id desc);
