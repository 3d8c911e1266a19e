// Boards: a school's boards (created by anyone, changed by their owner or an admin, deleted
// softly), the caller's pinned boards, and a board's posts with search.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { IdParams, PageQuery } from '../../schemas/common.js'
import { errors } from '../../schemas/errors.js'
import { PostPage } from '../../schemas/social.js'
import { Board, BoardDeleted, BoardEditBody, BoardPage, BoardPostQuery, BoardQuery, Favorite, NewBoardBody } from '../../schemas/community.js'
import {
  createBoard, deleteBoard, editBoard, favoriteBoard, findBoard, listBoardPosts, listBoards,
  listFavoriteBoards, unfavoriteBoard
} from '../../db/community.js'
import { boardTag, PageCache, postTag } from '../../plugins/page-cache.js'
import { answerFromPages } from '../../plugins/tagged-pages.js'

const TAGS = ['boards']

const boardRoutes: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.requireAuthentication()

  function viewer (user: { id: string, role: string }) {
    return { id: user.id, isAdmin: user.role === 'admin' }
  }

  fastify.route({
    method: 'GET',
    url: '/boards',
    schema: {
      tags: TAGS,
      operationId: 'listBoards',
      summary: 'Live boards, newest first, filtered by school, category or a part of the name',
      querystring: BoardQuery,
      response: { 200: BoardPage }
    },
    handler: async function listBoardCatalog (request) {
      const { schoolId, category, name, ...page } = request.query
      return await listBoards(fastify.sql, { schoolId, category, name }, page)
    }
  })

  fastify.route({
    method: 'POST',
    url: '/boards',
    schema: {
      tags: TAGS,
      operationId: 'createBoard',
      summary: 'Create a board of a school; the caller owns it',
      body: NewBoardBody,
      response: { 201: Board }
    },
    handler: async function addBoard (request, reply) {
      return reply.code(201).send(await createBoard(fastify.sql, request.user.id, request.body))
    }
  })

  // A static path: find-my-way matches it before the parametric /boards/:id.
  fastify.route({
    method: 'GET',
    url: '/boards/favorites',
    schema: {
      tags: TAGS,
      operationId: 'listFavoriteBoards',
      summary: 'The caller\'s pinned boards, the most recent pin first',
      querystring: PageQuery,
      response: { 200: BoardPage }
    },
    handler: async function listPinnedBoards (request) {
      return await listFavoriteBoards(fastify.sql, request.user.id, request.query)
    }
  })

  fastify.route({
    method: 'GET',
    url: '/boards/:id',
    schema: {
      tags: TAGS,
      operationId: 'getBoard',
      summary: 'One board (a deleted one answers with isDeleted: true)',
      params: IdParams,
      response: { 200: Board, ...errors(404) }
    },
    handler: async function readBoard (request) {
      return await findBoard(fastify.sql, request.params.id)
    }
  })

  fastify.route({
    method: 'PATCH',
    url: '/boards/:id',
    schema: {
      tags: TAGS,
      operationId: 'updateBoard',
      summary: 'Change a board\'s category, name or description (owner or admin)',
      params: IdParams,
      body: BoardEditBody,
      response: { 200: Board, ...errors(403, 404) }
    },
    handler: async function changeBoard (request) {
      return await editBoard(fastify.sql, viewer(request.user), request.params.id, request.body)
    }
  })

  fastify.route({
    method: 'DELETE',
    url: '/boards/:id',
    schema: {
      tags: TAGS,
      operationId: 'deleteBoard',
      summary: 'Delete a board and with it its posts (owner or admin)',
      params: IdParams,
      response: { 200: BoardDeleted, ...errors(403, 404) }
    },
    handler: async function removeBoard (request) {
      const authorIds = await deleteBoard(fastify.sql, viewer(request.user), request.params.id)
      for (const authorId of authorIds) fastify.feedPages.postsChanged(authorId)
      // Every post of the board is gone, and with them their comment pages: a rare event.
      fastify.pageCache.clear()
      return { deleted: true as const }
    }
  })

  fastify.route({
    method: 'PUT',
    url: '/boards/:id/favorite',
    schema: {
      tags: TAGS,
      operationId: 'pinBoard',
      summary: 'Pin a board (idempotent)',
      params: IdParams,
      response: { 200: Favorite, ...errors(404) }
    },
    handler: async function pinBoard (request) {
      return await favoriteBoard(fastify.sql, request.user.id, request.params.id)
    }
  })

  fastify.route({
    method: 'DELETE',
    url: '/boards/:id/favorite',
    schema: {
      tags: TAGS,
      operationId: 'unpinBoard',
      summary: 'Unpin a board (idempotent)',
      params: IdParams,
      response: { 200: Favorite, ...errors(404) }
    },
    handler: async function unpinBoard (request) {
      return await unfavoriteBoard(fastify.sql, request.user.id, request.params.id)
    }
  })

  fastify.route({
    method: 'GET',
    url: '/boards/:id/posts',
    schema: {
      tags: TAGS,
      operationId: 'listBoardPosts',
      summary: 'A board\'s posts, newest first; ?q= keeps those whose title or body contains it',
      description: 'The search is a case-insensitive substring in any script (`컴공` finds `홍익대 컴공 모여라`); `%` and `_` are literal.',
      params: IdParams,
      querystring: BoardPostQuery,
      response: { 200: PostPage, ...errors(404) }
    },
    handler: async function readBoardPosts (request, reply) {
      const { q, ...page } = request.query
      const boardId = request.params.id
      const readerId = request.user.id
      const read = async () => await listBoardPosts(fastify.sql, readerId, boardId, q, page)
      // Only first pages without a search are kept (plugins/page-cache.ts).
      if (q !== undefined || page.cursor !== undefined) return await read()
      return await answerFromPages(reply, fastify.pageCache, PageCache.boardEntry(boardId, readerId, page.limit), '', async () => {
        const answer = await read()
        return [answer, [boardTag(boardId), ...answer.items.map(post => postTag(post.id))]]
      })
    }
  })
}

export default boardRoutes
