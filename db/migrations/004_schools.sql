-- Schools: an admin-made catalog that users, boards and lectures belong to.
create extension if not exists pg_trgm;

create table schools (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  -- NFC + Unicode lower case, computed by the service (db/users.ts identityKey): "Hongik Univ"
  -- and "hongik univ" are one school whatever the database's collation.
  name_key text not null,
  created_at timestamptz not null default now()
);
create unique index schools_name_key_idx on schools (name_key);
-- ?q= substring search; trigrams need 3 characters, shorter terms scan the small catalog.
create index schools_name_trgm_idx on schools using gin (name_key gin_trgm_ops);

alter table users add constraint users_school_id_fkey foreign key (school_id) references schools (id);
create index users_school_id_idx on users (school_id) where school_id is not null;
