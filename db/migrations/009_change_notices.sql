-- The rest of the cross-instance invalidation moves into triggers, as feed_changed did in 003:
-- whatever changes a row (a route, a cascade, a later feature, an operator's UPDATE) announces
-- it, because the database does. Channel names are listed once for the code in db/channels.ts.

-- user_changed:<user id>  the account fields an instance caches (plugins/account-cache.ts)
-- changed, or the user is gone. A password rehash or updated_at alone says nothing.
create function users_notify_changed() returns trigger language plpgsql as $$
begin
  perform pg_notify('user_changed', old.id::text);
  return null;
end $$;

create trigger users_notify_changed
  after update on users
  for each row when (
    (old.username, old.nickname, old.email, old.school_id, old.admission_year)
      is distinct from (new.username, new.nickname, new.email, new.school_id, new.admission_year))
  execute function users_notify_changed();

create trigger users_notify_deleted
  after delete on users
  for each row execute function users_notify_changed();

-- session_revoked:<id>,<id>,…  sessions that were live and are revoked now
-- (plugins/revocations.ts). One statement can revoke every session of a user, so the trigger
-- runs once per statement and sends the ids in chunks of 200: a NOTIFY payload must stay
-- under 8000 bytes (200 uuids and commas are 7400).
create function sessions_notify_revoked() returns trigger language plpgsql as $$
begin
  perform pg_notify('session_revoked', chunk.ids)
  from (
    select string_agg(n.id::text, ',') as ids
    from (
      select n.id, (row_number() over () - 1) / 200 as chunk
      from revoked_now n join revoked_before o on o.id = n.id
      where o.revoked_at is null and n.revoked_at is not null
    ) n
    group by n.chunk
  ) chunk;
  return null;
end $$;

create trigger sessions_notify_revoked
  after update on sessions
  referencing old table as revoked_before new table as revoked_now
  for each statement execute function sessions_notify_revoked();
