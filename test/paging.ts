// Walks a cursor-paginated list to its end, for tests of keyset pagination.
import type { FastifyInstance } from 'fastify'

type Page<T> = { items: T[], nextCursor: string | null }

/**
 * Every item of `url` in page order, fetching `limit` at a time; `between` runs after each
 * page, e.g. to insert rows while the client pages.
 */
export async function collectPages<T> (
  app: FastifyInstance, url: string, headers: Record<string, string>, limit: number,
  between: (pageNumber: number) => Promise<void> = async () => {}
): Promise<{ items: T[], pages: number }> {
  const items: T[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const separator = url.includes('?') ? '&' : '?'
    const query = `limit=${limit}` + (cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`)
    const res = await app.inject({ method: 'GET', url: `${url}${separator}${query}`, headers })
    if (res.statusCode !== 200) throw new Error(`GET ${url} page ${pages + 1}: ${res.statusCode} ${res.body}`)
    const page = res.json() as Page<T>
    if (page.items.length > limit) throw new Error(`page of ${page.items.length} items with limit=${limit}`)
    items.push(...page.items)
    cursor = page.nextCursor
    pages++
    await between(pages)
  } while (cursor !== null && pages < 1000)
  return { items, pages }
}
