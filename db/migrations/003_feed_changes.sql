-- Every change that can alter what a feed page shows is announced on the `feed_changed`
-- channel, from the database itself: a route, a cascade (deleting a user deletes their posts
-- and follows), a later feature (likes and comments update the posts' counters) or a script
-- cannot forget to. Each instance LISTENs and drops the cached feed pages it affects
-- (plugins/feed-cache.ts). NOTIFY is transactional: it is delivered on commit, and never for
-- a rolled-back change; identical payloads within one transaction are delivered once.
--
-- Payloads:
--   posts:<author id>      a post by this author was written, edited, counted or deleted, or
--                          the author was renamed: the pages of everyone who follows the
--                          author are stale;
--   follows:<follower id>  this user followed or unfollowed someone: their own pages are stale;
--   truncated              a whole table was emptied: every page is stale.

create function feed_changed_by_posts() returns trigger language plpgsql as $$
begin
  -- OLD is null for an insert, NEW for a delete; an update that moved a post names both.
  if old.author_id is not null then perform pg_notify('feed_changed', 'posts:' || old.author_id); end if;
  if new.author_id is not null then perform pg_notify('feed_changed', 'posts:' || new.author_id); end if;
  return null;
end $$;

create trigger posts_feed_changed
  after insert or update or delete on posts
  for each row execute function feed_changed_by_posts();

create function feed_changed_by_follows() returns trigger language plpgsql as $$
begin
  if old.follower_id is not null then perform pg_notify('feed_changed', 'follows:' || old.follower_id); end if;
  if new.follower_id is not null then perform pg_notify('feed_changed', 'follows:' || new.follower_id); end if;
  return null;
end $$;

create trigger follows_feed_changed
  after insert or update or delete on follows
  for each row execute function feed_changed_by_follows();

-- An author's name is on their posts. (A deleted user's posts and follows go by cascade, and
-- those rows' triggers fire.)
create function feed_changed_by_users() returns trigger language plpgsql as $$
begin
  perform pg_notify('feed_changed', 'posts:' || new.id);
  return null;
end $$;

create trigger users_feed_changed
  after update of username, nickname on users
  for each row when (old.username is distinct from new.username or old.nickname is distinct from new.nickname)
  execute function feed_changed_by_users();

-- TRUNCATE fires no row triggers.
create function feed_changed_by_truncate() returns trigger language plpgsql as $$
begin
  perform pg_notify('feed_changed', 'truncated');
  return null;
end $$;

create trigger posts_feed_truncated after truncate on posts
  for each statement execute function feed_changed_by_truncate();
create trigger follows_feed_truncated after truncate on follows
  for each statement execute function feed_changed_by_truncate();
