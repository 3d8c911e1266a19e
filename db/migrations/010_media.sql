-- Post images. Metadata and bytes apart: post queries read post_media (small rows) and never
-- the bytes, which only GET /media/{id} reads, one image at a time.
create table post_media (
  id uuid primary key default gen_random_uuid(),
  post_id uuid not null references posts (id) on delete cascade,
  -- Upload order within the post.
  position integer not null,
  content_type text not null check (content_type in ('image/jpeg', 'image/png', 'image/webp', 'image/gif')),
  size integer not null check (size > 0),
  width integer not null check (width > 0),
  height integer not null check (height > 0),
  -- Of the stored (metadata-free) bytes: the ETag.
  sha256 text not null,
  created_at timestamptz not null default now(),
  unique (post_id, position)
);

-- The bytes, in PostgreSQL as everything else (README: moving them to object storage).
create table media_bytes (
  media_id uuid primary key references post_media (id) on delete cascade,
  bytes bytea not null
);
-- Already compressed images: do not spend CPU trying to compress them again.
alter table media_bytes alter column bytes set storage external;

-- A post's images are part of every post answer, cached feed pages included.
create function feed_changed_by_media() returns trigger language plpgsql as $$
begin
  perform pg_notify('feed_changed', 'posts:' || p.author_id)
  from posts p where p.id = coalesce(new.post_id, old.post_id);
  return null;
end $$;

create trigger post_media_feed_changed
  after insert or delete on post_media
  for each row execute function feed_changed_by_media();
