-- Every change that can alter what a feed page shows is announced on the `feed_changed`
-- channel, from the database itself: a route, a cascade (deleting a user deletes their posts
-- and follows), a later feature (likes and comments update the posts' counters) or a script
-- cannot forget to. Each instance LISTENs and drops the cached feed pages it affects
-- (plugins/feed-cache.ts). NOTIFY is transactional: it is delivered on commit, and never for
-- a rolled-back change; identical payloads within one transaction are delivered once.
--
-- Payloads:
--   posts:<author id>      a post by this author was written, edited, counted or deleted:
--                          the pages of everyone who follows the author are stale;
--   follows:<follower id>  this user followed or unfollowed someone: their own pages are stale.

create function feed_changed_by_posts() returns trigger language plpgsql as $$
begin
  -- NEW is null for a delete, OLD for an insert.
  perform pg_notify('feed_changed', 'posts:' || coalesce(new.author_id, old.author_id));
  return null;
end $$;

create trigger posts_feed_changed
  after insert or update or delete on posts
  for each row execute function feed_changed_by_posts();

create function feed_changed_by_follows() returns trigger language plpgsql as $$
begin
  perform pg_notify('feed_changed', 'follows:' || coalesce(new.follower_id, old.follower_id));
  return null;
end $$;

create trigger follows_feed_changed
  after insert or update or delete on follows
  for each row execute function feed_changed_by_follows();
