-- Board search matches within the title or within the body, not across the two.
--
-- Why: the indexed text was lower(title || ' ' || body), so a term spanning the end of the
-- title and the start of the body matched ('목 본' found a post titled 제목 whose body is 본문),
-- though the contract keeps posts whose title or body contains it. They are joined with the
-- unit separator (U+001F) now, which a search term does not contain, as migration 018 did for
-- lectures. Same predicate as 011.
drop index posts_search_trgm_idx;
drop index posts_search_grams_idx;
create index posts_search_trgm_idx on posts using gin (lower(title || E'\x1f' || body) gin_trgm_ops)
  where deleted_at is null and board_id is not null;
create index posts_search_grams_idx on posts using gin (post_search_grams(lower(title || E'\x1f' || body)))
  where deleted_at is null and board_id is not null;
