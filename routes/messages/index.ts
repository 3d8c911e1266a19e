// Private messages: to a user, or to the author of a post or comment, who stays anonymous to
// the sender when they wrote anonymously.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { IdParams, PageQuery } from '../../schemas/common.js'
import { errors } from '../../schemas/errors.js'
import { ConversationPage, Message, MessagePage, NewMessageBody } from '../../schemas/community.js'
import { listConversations, readConversation, sendMessage } from '../../db/messages.js'
import { PageCache, conversationsTag } from '../../plugins/page-cache.js'
import { answerFromPages } from '../../plugins/tagged-pages.js'

const TAGS = ['messages']

const messageRoutes: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.requireAuthentication()

  fastify.route({
    method: 'POST',
    url: '/messages',
    schema: {
      tags: TAGS,
      operationId: 'sendMessage',
      summary: 'Send a message to a user, a post\'s author, a comment\'s author, or in a conversation',
      description: 'Exactly one of `toUsername`, `postId`, `commentId`, `conversationId`. Through an anonymous post or comment the ' +
        'conversation never names its author to you, and stays apart from any named conversation with the same person.',
      body: NewMessageBody,
      response: { 201: Message, ...errors(404) }
    },
    handler: async function send (request, reply) {
      const { message, memberIds } = await sendMessage(fastify.sql, request.user.id, request.body)
      for (const userId of memberIds) fastify.pageCache.invalidate(conversationsTag(userId))
      return reply.code(201).send(message)
    }
  })

  fastify.route({
    method: 'GET',
    url: '/messages/conversations',
    schema: {
      tags: TAGS,
      operationId: 'listConversations',
      summary: 'The caller\'s conversations, the most recent first, with the last message and the unread count',
      querystring: PageQuery,
      response: { 200: ConversationPage }
    },
    handler: async function readConversations (request, reply) {
      const userId = request.user.id
      const page = request.query
      return await answerFromPages(reply, fastify.pageCache, PageCache.conversationsEntry(userId), `${page.limit}:${page.cursor ?? ''}`,
        async () => [await listConversations(fastify.sql, userId, page), [conversationsTag(userId)]])
    }
  })

  fastify.route({
    method: 'GET',
    url: '/messages/conversations/:id',
    schema: {
      tags: TAGS,
      operationId: 'getConversationMessages',
      summary: 'A conversation\'s messages, newest first (participants only); reading marks them read',
      params: IdParams,
      querystring: PageQuery,
      response: { 200: MessagePage, ...errors(404) }
    },
    handler: async function readMessages (request) {
      const messages = await readConversation(fastify.sql, request.user.id, request.params.id, request.query)
      // Reading marked the conversation read: its unread count in the caller's list is stale.
      fastify.pageCache.invalidate(conversationsTag(request.user.id))
      return messages
    }
  })
}

export default messageRoutes
