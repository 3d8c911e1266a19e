-- Code assistant: each user's stored requests and answers, and a daily quota that holds
-- under concurrency on any number of instances.

create table codegen_requests (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  language text not null,
  feature text not null,
  prompt text not null,
  answer text not null,
  prompt_tokens integer,
  completion_tokens integer,
  created_at timestamptz not null default now()
);
-- History newest first; stats group the same rows.
create index codegen_requests_page_idx on codegen_requests (user_id, created_at desc, id desc);

-- Units used per user and TZ_DAY day: counted when an answer is stored, never given back
-- (deleting history does not refund). The row is also the lock that serialises one user's
-- quota checks, wherever they run.
create table codegen_quota (
  user_id uuid not null references users (id) on delete cascade,
  day date not null,
  used integer not null default 0 check (used >= 0),
  primary key (user_id, day)
);

-- A unit held while the model works: it counts against the quota until the answer is stored
-- (then it becomes `used`) or the call fails (then it is deleted). A process that dies
-- mid-call leaves its hold behind; it stops counting at expires_at (the call's timeout and a
-- margin), so no unit is lost for good.
create table codegen_holds (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  day date not null,
  expires_at timestamptz not null
);
create index codegen_holds_user_day_idx on codegen_holds (user_id, day);
