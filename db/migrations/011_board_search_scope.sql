-- Only board posts are searched (GET /boards/{id}/posts?q=), yet 005 indexed the text of every
-- live post: each social post paid for some 400 grams and a trigram set it would never be
-- found by, and seeding 200 000 social posts went from seconds to three and a half minutes.
-- Same expressions, narrower predicate: a search always names its board, and `board_id = $1`
-- implies `board_id is not null`, so the planner still picks these indexes.
drop index posts_search_trgm_idx;
drop index posts_search_grams_idx;
create index posts_search_trgm_idx on posts using gin (lower(title || ' ' || body) gin_trgm_ops)
  where deleted_at is null and board_id is not null;
create index posts_search_grams_idx on posts using gin (post_search_grams(lower(title || ' ' || body)))
  where deleted_at is null and board_id is not null;
