-- Social: posts and follows. Table and column names are relied on by the benchmark's SQL
-- seeding (bench/); add columns with defaults freely, rename nothing.

-- Nickname search, case-insensitive like username search: NFC + Unicode lower case computed
-- by the service (db/users.ts identityKey), because the database's lower() follows its locale
-- (only ASCII under C). Nullable so rows seeded by plain SQL still insert; such rows are found
-- by username only.
alter table users add column nickname_key text;
-- `?q=` is a prefix search: pattern_ops make `like 'prefix%'` indexable whatever the collation.
create index users_username_prefix_idx on users (username_key text_pattern_ops);
create index users_nickname_prefix_idx on users (nickname_key text_pattern_ops);
-- GET /users pages newest first.
create index users_page_idx on users (created_at desc, id desc);

create table posts (
  id uuid primary key default gen_random_uuid(),
  author_id uuid not null references users (id) on delete cascade,
  board_id uuid,             -- references boards(id) once boards exist
  title text not null,
  body text not null,
  anonymous boolean not null default false,
  -- Counters kept by the features that change them (likes, comments, scraps), in the same
  -- transaction, so a page of posts carries its counts without a query per post.
  like_count integer not null default 0 check (like_count >= 0),
  comment_count integer not null default 0 check (comment_count >= 0),
  scrap_count integer not null default 0 check (scrap_count >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz
);
-- Keyset pages are ordered by (created_at desc, id desc): one index per listing.
-- `anonymous` is included so a profile's post count (which hides anonymous posts from others)
-- is an index-only scan.
create index posts_author_page_idx on posts (author_id, created_at desc, id desc) include (anonymous) where deleted_at is null;
create index posts_page_idx on posts (created_at desc, id desc) where deleted_at is null;

create table follows (
  follower_id uuid not null references users (id) on delete cascade,
  followee_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (follower_id, followee_id),
  check (follower_id <> followee_id)
);
-- Follow lists page by (created_at desc, other user's id desc): both columns descending so
-- the index order is the page order, with no sort step.
create index follows_follower_page_idx on follows (follower_id, created_at desc, followee_id desc);
create index follows_followee_page_idx on follows (followee_id, created_at desc, follower_id desc);
