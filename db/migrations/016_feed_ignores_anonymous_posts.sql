-- An anonymous post's changes are no longer announced to the feeds.
--
-- Why: the triggers of 003 and 010 announced `posts:<author>` for every change to a post, so
-- a like (even one that changed nothing), a comment or an image on an anonymous post dropped
-- the cached feed pages of everyone following its author. A reader watching their own feed
-- (a cached page answers gzip-encoded and in a fraction of the time) could touch an anonymous
-- post and see whether their feed was dropped, and by following half of the candidates at a
-- time name its author in a few steps. Anonymous posts are in no feed (db/posts.ts), so their
-- changes have nothing to announce there; the service's own writes follow the same rule
-- (db/posts.ts feedAuthor). A post's `anonymous` never changes after it is written.
create or replace function feed_changed_by_posts() returns trigger language plpgsql as $$
begin
  -- OLD is null for an insert, NEW for a delete; an update that moved a post names both.
  if old.author_id is not null and not old.anonymous then perform announce('feed_changed', 'posts:' || old.author_id); end if;
  if new.author_id is not null and not new.anonymous then perform announce('feed_changed', 'posts:' || new.author_id); end if;
  return null;
end $$;

create or replace function feed_changed_by_media() returns trigger language plpgsql as $$
begin
  perform announce('feed_changed', 'posts:' || p.author_id)
  from posts p where p.id = coalesce(new.post_id, old.post_id) and not p.anonymous;
  return null;
end $$;
