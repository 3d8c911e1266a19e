-- The pages kept in memory by plugins/page-cache.ts (a board's first page, a post's comments,
-- a user's conversation list, lecture searches, the lectures that fit a timetable) are kept
-- fresh across instances as the feed's are (003): every change that can alter one is announced on the `pages_changed` channel by the
-- database itself, whatever made it (a route, a cascade, an operator's UPDATE).
--
-- A payload is a comma-separated list of tags, or `all`:
--   board:<board id>         a post was added to the board, or the board was changed or
--                            deleted: its first pages are stale;
--   post:<post id>           the post changed (text, counters, images, deletion) or its comments
--                            did: the pages that show it are stale (a board page is filed under
--                            each post it shows, so a like on an old post costs nothing);
--   conversations:<user id>  this user's conversation list changed (a message, a read mark);
--   catalog                  a lecture was added or removed, or its slots changed: every
--                            lecture search and fit is stale;
--   lecture:<lecture id>     the lecture changed (a review moved its rating);
--   timetable:<id>           a lecture went into or out of the timetable, or it was deleted:
--                            the lectures that fit it are stale;
--   all                      a user was renamed or a table emptied: every page is stale.

create function pages_changed_by_posts() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    perform pg_notify('pages_changed', concat_ws(',', 'board:' || new.board_id, 'post:' || new.id));
  elsif tg_op = 'UPDATE' then
    perform pg_notify('pages_changed', concat_ws(',',
      case when new.board_id is distinct from old.board_id then 'board:' || new.board_id end,
      'post:' || new.id));
  else
    perform pg_notify('pages_changed', 'post:' || old.id);
  end if;
  return null;
end $$;

create trigger posts_pages_changed
  after insert or update or delete on posts
  for each row execute function pages_changed_by_posts();

-- Most tables name what they change in one column: one function for them, told by its
-- trigger which kind of tag and which column (a row's column read through jsonb, by name).
create function pages_changed_by_row() returns trigger language plpgsql as $$
begin
  perform pg_notify('pages_changed',
    tg_argv[0] || ':' || (to_jsonb(case when tg_op = 'DELETE' then old else new end) ->> tg_argv[1]));
  return null;
end $$;

-- A deleted board's posts are deleted with it (each announces itself); an empty board's page
-- still needs the word.
create trigger boards_pages_changed
  after update or delete on boards
  for each row execute function pages_changed_by_row('board', 'id');

-- Comments (their labels are written in the same transaction) and images belong to a post.
create trigger comments_pages_changed
  after insert or update or delete on comments
  for each row execute function pages_changed_by_row('post', 'post_id');
create trigger post_media_pages_changed
  after insert or update or delete on post_media
  for each row execute function pages_changed_by_row('post', 'post_id');

-- A message moves both members' rows (last_message_at); reading one moves the reader's.
create trigger conversation_members_pages_changed
  after insert or update or delete on conversation_members
  for each row execute function pages_changed_by_row('conversations', 'user_id');

-- Messages are written with their members' rows stamped (above); a message changed in place
-- (only by hand: the API never edits one) may be the last one shown.
create function pages_changed_by_messages() returns trigger language plpgsql as $$
begin
  perform pg_notify('pages_changed', 'conversations:' || m.user_id)
  from conversation_members m where m.conversation_id = new.conversation_id;
  return null;
end $$;

create trigger messages_pages_changed
  after update on messages
  for each row execute function pages_changed_by_messages();

-- The post a conversation came from is shown with it (and set to null when the post goes).
create function pages_changed_by_conversations() returns trigger language plpgsql as $$
begin
  perform pg_notify('pages_changed', 'conversations:' || new.user_low || ',conversations:' || new.user_high);
  return null;
end $$;

create trigger conversations_pages_changed
  after update on conversations
  for each row execute function pages_changed_by_conversations();

create function pages_changed_by_lectures() returns trigger language plpgsql as $$
begin
  -- A review moves only the counters; a change to what a search or an order matches on is a
  -- change of the catalog.
  perform pg_notify('pages_changed',
    case when tg_op = 'UPDATE' and (old.school_id, old.semester, old.code, old.search_text)
                                   is not distinct from (new.school_id, new.semester, new.code, new.search_text)
         then 'lecture:' || new.id else 'catalog' end);
  return null;
end $$;

create trigger lectures_pages_changed
  after insert or update or delete on lectures
  for each row execute function pages_changed_by_lectures();

-- A payload that names no row: `catalog`, or `all`.
create function pages_changed_say() returns trigger language plpgsql as $$
begin
  perform pg_notify('pages_changed', tg_argv[0]);
  return null;
end $$;

create trigger lecture_slots_pages_changed
  after insert or update or delete on lecture_slots
  for each statement execute function pages_changed_say('catalog');

create trigger timetable_lectures_pages_changed
  after insert or update or delete on timetable_lectures
  for each row execute function pages_changed_by_row('timetable', 'timetable_id');

-- An empty timetable's deletion moves no lecture row.
create trigger timetables_pages_changed
  after update or delete on timetables
  for each row execute function pages_changed_by_row('timetable', 'id');

-- Names are on posts, comments and conversations alike; renames are rare.
create trigger users_pages_changed
  after update of username, nickname on users
  for each row when (old.username is distinct from new.username or old.nickname is distinct from new.nickname)
  execute function pages_changed_say('all');

-- TRUNCATE fires no row triggers.
do $$
declare
  emptied text;
begin
  foreach emptied in array array['posts', 'boards', 'comments', 'post_media', 'conversation_members',
                                 'messages', 'lectures', 'lecture_slots', 'timetable_lectures', 'timetables'] loop
    execute format('create trigger %I after truncate on %I for each statement execute function pages_changed_say(%L)',
                   emptied || '_pages_truncated', emptied, 'all');
  end loop;
end $$;
