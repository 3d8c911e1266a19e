// plugins/schemas.ts refuses what would make a broken document or a broken serializer: a
// schema with an `$id` that schemas/ does not export (its `$ref` would resolve nowhere), and
// two different schemas under one name.
import t from 'tap'
import Fastify from 'fastify'
import fp from 'fastify-plugin'
import { Type } from '@sinclair/typebox'
import schemasPlugin, { collectComponents } from '../../plugins/schemas.js'
import { Post, UserSummary } from '../../schemas/social.js'

/** Builds an app with one route answering `answers`; the error its start failed with, if any. */
async function withRoute (answers: Record<number, unknown>): Promise<Error | undefined> {
  const fastify = Fastify()
  await fastify.register(fp(async (instance) => { instance.decorate('config', { PASSWORD_MIN_LENGTH: 8 } as never) }, { name: 'config' }))
  await fastify.register(schemasPlugin)
  try {
    fastify.get('/x', { schema: { response: answers } }, async () => ({}))
    await fastify.ready()
    return undefined
  } catch (error) {
    return error as Error
  } finally {
    await fastify.close()
  }
}

t.test('a route embedding an exported component gets a $ref to it', async (t) => {
  const answers: Record<number, unknown> = { 200: Type.Object({ author: UserSummary }) }
  t.equal(await withRoute(answers), undefined)
  t.match(answers[200], { properties: { author: { $ref: 'UserSummary' } } }, 'the route\'s schema holds a $ref, not a copy')
  t.notMatch(answers[200], { properties: { author: { properties: Object } } })
})

t.test('a route embedding a schema with an $id that schemas/ does not export is refused at start', async (t) => {
  const stray = Type.Object({ name: Type.String() }, { $id: 'StrayThing' })
  const error = await withRoute({ 200: Type.Object({ thing: stray }) })
  t.match(error?.message, /schema StrayThing is not exported from a file of schemas\//)
})

t.test('components are found nested in exports, and one name may not hold two shapes', async (t) => {
  const found = collectComponents([{ page: Type.Object({ items: Type.Array(Post) }) }])
  t.ok(found.has('Post') && found.has('UserSummary') && found.has('PostMedia'), 'Post and what it embeds')
  t.doesNotThrow(() => collectComponents([UserSummary, structuredClone(UserSummary)]), 'the same shape twice is one component')
  const impostor = Type.Object({ id: Type.String() }, { $id: 'UserSummary' })
  t.throws(() => collectComponents([UserSummary, impostor]), /two different schemas are named UserSummary/)
})
