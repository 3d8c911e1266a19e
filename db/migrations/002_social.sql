-- Social: posts and follows. Table and column names are relied on by the benchmark's SQL
-- seeding (bench/); add columns with defaults freely, rename nothing.

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
create index posts_author_page_idx on posts (author_id, created_at desc, id desc) where deleted_at is null;
create index posts_page_idx on posts (created_at desc, id desc) where deleted_at is null;

create table follows (
  follower_id uuid not null references users (id) on delete cascade,
  followee_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (follower_id, followee_id),
  check (follower_id <> followee_id)
);
-- "who I follow" pages use the primary key's prefix; "who follows me" needs its own.
create index follows_follower_page_idx on follows (follower_id, created_at desc, followee_id);
create index follows_followee_page_idx on follows (followee_id, created_at desc, follower_id);
