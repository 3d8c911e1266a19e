// Case-insensitive substring search in any script, index-backed: the one way lists filter by
// `?q=` or `?name=`, so every searchable column gets the same two indexes and the same rules.
import type { ISql, PendingQuery, Row } from 'postgres'

/** LIKE's own characters in a search term are literal. */
export function likePattern (term: string): string {
  return '%' + term.replace(/[\\%_]/g, c => '\\' + c) + '%'
}

/**
 * `text contains q`, where `text` is an expression already lowered by the database (lower()),
 * indexed twice: `gin (text gin_trgm_ops)` and `gin (post_search_grams(text))` (migration 005).
 * - 3+ characters: LIKE with its own characters escaped, served by the trigram index;
 * - 1–2 characters have no trigram: the text's grams must hold the term, and strpos rechecks
 *   it. strpos, not LIKE, so the planner cannot pick the trigram index for a term it cannot
 *   narrow (it would read every row).
 * `text` must be spelled exactly as in the indexes, or they do not apply.
 */
export function containsText (sql: ISql, text: PendingQuery<Row[]>, q: string): PendingQuery<Row[]> {
  if (Array.from(q).length >= 3) return sql`${text} like lower(${likePattern(q)})`
  return sql`post_search_grams(${text}) @> array[lower(${q})] and strpos(${text}, lower(${q})) > 0`
}
