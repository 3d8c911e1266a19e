-- Foundation: nothing yet but what every later migration relies on.
-- gen_random_uuid() is built in since PostgreSQL 13; citext gives case-insensitive text
-- columns so uniqueness of usernames and emails needs no lower() in every query.
create extension if not exists citext;
