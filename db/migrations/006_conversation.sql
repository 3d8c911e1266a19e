-- Campus community, part B: comments with anonymous labels, and private messages to authors
-- who may stay anonymous.

create table comments (
  id uuid primary key default gen_random_uuid(),
  post_id uuid not null references posts (id) on delete cascade,
  -- One level of replies: a reply's parent is always a top-level comment of the same post
  -- (db/comments.ts attaches a reply to a reply to its top-level comment).
  parent_id uuid references comments (id) on delete cascade,
  author_id uuid not null references users (id) on delete cascade,
  body text,                    -- null once deleted while it still has replies
  anonymous boolean not null default false,
  reply_count integer not null default 0 check (reply_count >= 0),
  created_at timestamptz not null default now(),
  deleted_at timestamptz,
  check (body is not null or deleted_at is not null)
);
-- GET /posts/{id}/comments: top-level comments oldest first, then each one's replies.
create index comments_top_page_idx on comments (post_id, created_at, id) where parent_id is null;
create index comments_replies_idx on comments (parent_id, created_at, id) where parent_id is not null;
create index comments_author_idx on comments (author_id);

-- 익명1, 익명2…: a writer's number on a post, given at their first anonymous comment there and
-- kept forever (deleting the comment does not free it). Both keys are unique, and numbers are
-- handed out under a lock of the post row, so two writers never share one and one writer
-- never gets two, however many comment at once.
create table comment_labels (
  post_id uuid not null references posts (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  number integer not null check (number > 0),
  primary key (post_id, user_id),
  unique (post_id, number)
);

-- A conversation between two users. `hidden_user_id` is set when it was opened through an
-- anonymous post or comment: that user is never shown to the other side, and the conversation
-- is apart from any named one with the same person (else it would tell who wrote the post).
-- One conversation per pair and per source: a named one per pair, an anonymous one per pair
-- and post.
create table conversations (
  id uuid primary key default gen_random_uuid(),
  user_low uuid not null references users (id) on delete cascade,
  user_high uuid not null references users (id) on delete cascade,
  hidden_user_id uuid references users (id) on delete cascade,
  via_post_id uuid references posts (id) on delete set null,
  -- the source, kept even when the post goes: the conversation stays apart from the named one
  source_key text not null,
  created_at timestamptz not null default now(),
  check (user_low < user_high),
  check (hidden_user_id is null or hidden_user_id in (user_low, user_high)),
  unique (user_low, user_high, source_key)
);

-- Each side of a conversation, with what that side has read and the time of the last message
-- (copied here, in the same transaction as the message, so the caller's list is one index).
create table conversation_members (
  conversation_id uuid not null references conversations (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  -- whether this member may see who the other member is
  sees_peer boolean not null,
  last_message_at timestamptz not null,
  last_read_at timestamptz not null default '-infinity',
  primary key (conversation_id, user_id)
);
create index conversation_members_page_idx on conversation_members (user_id, last_message_at desc, conversation_id desc);

create table messages (
  id uuid primary key default gen_random_uuid(),
  conversation_id uuid not null references conversations (id) on delete cascade,
  sender_id uuid not null references users (id) on delete cascade,
  body text not null,
  created_at timestamptz not null default clock_timestamp()
);
create index messages_page_idx on messages (conversation_id, created_at desc, id desc);
