-- ?q= on lectures matches within one field: code, title or professor.
--
-- Why: search_text joined the three with spaces, so a term spanning two of them matched
-- ("개론 박" found 전산학개론 taught by 박교수, though neither field holds it). They are joined
-- with the unit separator (U+001F) now, which a search term does not contain. PostgreSQL 15
-- cannot change a generated column's expression: the column and its two indexes are made anew.
alter table lectures drop column search_text;
alter table lectures add column search_text text
  generated always as (lower(code || E'\x1f' || title || E'\x1f' || professor)) stored;
create index lectures_search_trgm_idx on lectures using gin (search_text gin_trgm_ops);
create index lectures_search_grams_idx on lectures using gin (post_search_grams(search_text));
