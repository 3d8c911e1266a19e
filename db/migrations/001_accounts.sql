-- Accounts: users, login sessions (one per login, carrying refresh-token rotation state),
-- the per-account login throttle, and the append-only audit trail of security events.

create table users (
  id uuid primary key default gen_random_uuid(),
  username text not null,
  -- NFC + Unicode lower case, computed by the service (db/users.ts): uniqueness and lookups
  -- must not depend on the database's collation, which differs between servers.
  username_key text not null,
  nickname text not null,
  email text,
  email_key text,
  password_hash text not null,
  school_id uuid,            -- references schools(id) once schools exist
  admission_year smallint check (admission_year between 1950 and 2100),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index users_username_key_idx on users (username_key);
create unique index users_email_key_idx on users (email_key) where email_key is not null;

create table sessions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  -- The refresh token currently valid for this session, and when it was issued (its iat):
  -- together they let the service re-sign the identical token inside the reuse grace window.
  refresh_jti uuid not null,
  refresh_issued_at timestamptz not null,
  -- The token it replaced, accepted again only within REFRESH_REUSE_GRACE of rotated_at.
  previous_jti uuid,
  rotated_at timestamptz,
  created_at timestamptz not null default now(),
  last_used_at timestamptz not null default now(),
  idle_expires_at timestamptz not null,
  absolute_expires_at timestamptz not null,
  revoked_at timestamptz,
  revoked_reason text,
  user_agent text,
  ip text
);
create index sessions_user_live_idx on sessions (user_id, created_at desc) where revoked_at is null;
-- Loaded at start (and on LISTEN reconnect) into each instance's revoked-session set.
create index sessions_revoked_at_idx on sessions (revoked_at) where revoked_at is not null;

-- Consecutive failed logins per login key (username or email key, known or not), shared by
-- every instance so the back-off holds whichever instance a client reaches.
create table login_throttle (
  login_key text primary key,
  failures integer not null,
  last_failure_at timestamptz not null,
  locked_until timestamptz
);

create table audit_events (
  id bigint generated always as identity primary key,
  occurred_at timestamptz not null default now(),
  event text not null,
  user_id uuid,
  ip text,
  user_agent text,
  details jsonb not null default '{}'
);
create index audit_events_user_idx on audit_events (user_id, occurred_at desc) where user_id is not null;

-- Append-only: the trail is evidence, so the service's own role cannot rewrite it.
create function audit_events_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_events is append-only';
end
$$;
create trigger audit_events_no_update_delete
  before update or delete on audit_events
  for each statement execute function audit_events_append_only();
