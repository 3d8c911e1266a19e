-- Campus community, part A: boards, board posts and their search, favourites, likes, scraps.
-- (posts.board_id and the like/comment/scrap counters exist since 002; comment_count is kept
-- by the comments feature, in the transaction that adds or removes a comment.)

create table boards (
  id uuid primary key default gen_random_uuid(),
  school_id uuid not null references schools (id),
  owner_id uuid not null references users (id) on delete cascade,
  category text not null,
  name text not null,
  -- NFC + Unicode lower case, computed by the service (db/users.ts identityKey), for the
  -- case-insensitive `?name=` substring filter whatever the database's collation.
  name_key text not null,
  description text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz
);
-- GET /boards pages newest first, over all boards or one school's (optionally one category).
create index boards_page_idx on boards (created_at desc, id desc) where deleted_at is null;
create index boards_school_page_idx on boards (school_id, category, created_at desc, id desc) where deleted_at is null;
create index boards_name_trgm_idx on boards using gin (name_key gin_trgm_ops) where deleted_at is null;

alter table posts add constraint posts_board_id_fkey foreign key (board_id) references boards (id);
-- GET /boards/{id}/posts pages newest first.
create index posts_board_page_idx on posts (board_id, created_at desc, id desc) where deleted_at is null and board_id is not null;

-- A deleted board takes its posts with it: their deleted_at is set in the same transaction,
-- so every read that keeps live posts (`deleted_at is null`, db/community.ts livePost) hides
-- them, whatever route or later feature reads posts, and the partial indexes stay exact.
-- New posts cannot race into a board being deleted: writing a board post locks the board row
-- FOR SHARE (db/community.ts), which waits for this update.
create function boards_delete_posts() returns trigger language plpgsql as $$
begin
  update posts set deleted_at = new.deleted_at where board_id = new.id and deleted_at is null;
  return null;
end $$;

create trigger boards_delete_posts
  after update of deleted_at on boards
  for each row when (old.deleted_at is null and new.deleted_at is not null)
  execute function boards_delete_posts();

-- Search of title and body: case-insensitive substring, any script.
-- Terms of 3+ characters: pg_trgm over the lowered text. Trigrams of Hangul exist only when
-- the database's LC_CTYPE is not C (pg_trgm keeps "alphanumeric" characters by locale), and a
-- 1–2 character term (`컴공`) has no trigram at all, so a second index holds every 1- and
-- 2-character gram of the lowered text: a term's grams must all be there (a superset test
-- GIN answers), then LIKE rechecks the rows. It works under any locale.
create function post_search_grams(t text) returns text[] language sql immutable parallel safe strict as $$
  select coalesce(array_agg(distinct g), '{}') from (
    select substr(t, i, 1) as g from generate_series(1, length(t)) i
    union all
    select substr(t, i, 2) from generate_series(1, length(t) - 1) i
  ) grams
$$;

create index posts_search_trgm_idx on posts using gin (lower(title || ' ' || body) gin_trgm_ops) where deleted_at is null;
create index posts_search_grams_idx on posts using gin (post_search_grams(lower(title || ' ' || body))) where deleted_at is null;

create table board_favorites (
  user_id uuid not null references users (id) on delete cascade,
  board_id uuid not null references boards (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (user_id, board_id)
);
-- GET /boards/favorites: the most recent pin first.
create index board_favorites_page_idx on board_favorites (user_id, created_at desc, board_id desc);

-- One row per (post, user): the primary key makes liking twice, even at the same moment,
-- count once; posts.like_count moves in the same statement as the row.
create table post_likes (
  post_id uuid not null references posts (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (post_id, user_id)
);
create index post_likes_user_idx on post_likes (user_id);

create table post_scraps (
  post_id uuid not null references posts (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (post_id, user_id)
);
-- GET /scraps: the most recent scrap first.
create index post_scraps_page_idx on post_scraps (user_id, created_at desc, post_id desc);

-- GET /posts/hot: live posts with at least HOT_POST_LIKES likes, newest first. The threshold
-- is configuration, so the index keeps every liked post (most posts have none) with its count.
create index posts_liked_page_idx on posts (created_at desc, id desc) include (like_count) where deleted_at is null and like_count > 0;
