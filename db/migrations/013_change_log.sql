-- Changes are announced through a table instead of NOTIFY.
--
-- Why: a transaction that sends a NOTIFY takes a lock that is one for the whole cluster, and
-- holds it until after its commit is flushed to disk, so that notifications queue in commit
-- order. Every announcing transaction (a post, a like, a comment, a lecture added to a
-- timetable, a logout) therefore committed one at a time, each waiting for its own flush:
-- no group commit. Measured on the bench's timetable load with PostgreSQL alone: 1634
-- add/remove pairs a second with the trigger, 3213 without it. On a disk whose flush takes
-- 2 ms, every instance together could write at most about 500 such transactions a second.
--
-- A row in change_log costs an insert in the writer's own transaction and takes no shared
-- lock. Each instance reads the rows committed since its last look (db/change-log.ts), by
-- transaction id and snapshot, so a row whose transaction began earlier but committed later is
-- not skipped; rollbacks leave nothing to read. The channels and payloads are those of
-- migrations 003, 009, 010 and 012 (listed for the code in db/channels.ts).

create table change_log (
  id bigint generated always as identity primary key,
  -- The writing transaction: what a reader compares with its last snapshot.
  writer xid8 not null default pg_current_xact_id(),
  channel text not null,
  payload text not null,
  -- Rows are read within a fraction of a second; older ones are deleted (db/change-log.ts).
  written_at timestamptz not null default clock_timestamp()
);
create index change_log_writer_idx on change_log (writer);
create index change_log_written_at_idx on change_log (written_at);

-- What the triggers call instead of pg_notify(channel, payload).
create function announce(channel text, payload text) returns void language sql as $$
  insert into change_log (channel, payload) values (channel, payload)
$$;

-- The trigger functions of 003, 009, 010 and 012 are the same but for that one call: each is
-- recreated from its own definition with pg_notify( replaced by announce(, so none can be
-- missed and none is retyped here. (test/plugins/change-log.test.ts checks that no function
-- of the schema sends a NOTIFY.)
do $$
declare
  notifier oid;
begin
  for notifier in
    select p.oid from pg_proc p
    where p.pronamespace = current_schema()::regnamespace and p.prosrc like '%pg_notify(%'
  loop
    execute replace(pg_get_functiondef(notifier), 'pg_notify(', 'announce(');
  end loop;
end $$;
