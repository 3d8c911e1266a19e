// Friends: a friend may read your timetables. Requests, acceptance, the list, unfriending.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { IdParams, PageQuery } from '../../schemas/common.js'
import { errors } from '../../schemas/errors.js'
import { UsernameParams } from '../../schemas/social.js'
import { FriendPage, FriendRequestBody, FriendRequestResult, FriendRequests, TimetablePage, Unfriended } from '../../schemas/timetable.js'
import {
  acceptFriendRequest, listFriendRequests, listFriends, listFriendTimetables, requestFriend, unfriend
} from '../../db/friends.js'

const TAGS = ['friends']

const friendRoutes: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.requireAuthentication()

  fastify.route({
    method: 'POST',
    url: '/friends/requests',
    schema: {
      tags: TAGS,
      operationId: 'requestFriend',
      summary: 'Ask a user to be friends; if they already asked you, you are friends now',
      description: '`201` when something changed (a request sent, or theirs accepted), `200` when nothing did (asked before, already friends).',
      body: FriendRequestBody,
      response: { 200: FriendRequestResult, 201: FriendRequestResult, ...errors(404) }
    },
    handler: async function askFriend (request, reply) {
      const { created, ...result } = await requestFriend(fastify.sql, request.user.id, request.body.username)
      return reply.code(created ? 201 : 200).send(result)
    }
  })

  fastify.route({
    method: 'GET',
    url: '/friends/requests',
    schema: {
      tags: TAGS,
      operationId: 'listFriendRequests',
      summary: 'Pending requests to and from the caller',
      description: 'The newest 100 each way (the contract pins this answer\'s shape, `{incoming, outgoing}`, without a cursor): ' +
        'accepting one, or declining it (`DELETE /friends/{username}` also withdraws requests), brings the next into view.',
      response: { 200: FriendRequests }
    },
    handler: async function readRequests (request) {
      return await listFriendRequests(fastify.sql, request.user.id)
    }
  })

  fastify.route({
    method: 'POST',
    url: '/friends/requests/:id/accept',
    schema: {
      tags: TAGS,
      operationId: 'acceptFriendRequest',
      summary: 'Accept a request sent to you (its recipient only)',
      description: 'Accepting a request already accepted (a retry whose answer was lost) answers the same `200`; after an unfriending ' +
        'the request is gone (`404`).',
      params: IdParams,
      response: { 200: FriendRequestResult, ...errors(403, 404) }
    },
    handler: async function accept (request) {
      const { created: _created, ...result } = await acceptFriendRequest(fastify.sql, request.user.id, request.params.id)
      return result
    }
  })

  fastify.route({
    method: 'GET',
    url: '/friends',
    schema: {
      tags: TAGS,
      operationId: 'listFriends',
      summary: 'The caller\'s friends, the most recent first',
      querystring: PageQuery,
      response: { 200: FriendPage }
    },
    handler: async function readFriends (request) {
      return await listFriends(fastify.sql, request.user.id, request.query)
    }
  })

  fastify.route({
    method: 'DELETE',
    url: '/friends/:username',
    schema: {
      tags: TAGS,
      operationId: 'unfriend',
      summary: 'End a friendship (idempotent); they lose access to your timetables at once',
      params: UsernameParams,
      response: { 200: Unfriended, ...errors(404) }
    },
    handler: async function endFriendship (request) {
      await unfriend(fastify.sql, request.user.id, request.params.username)
      return { unfriended: true as const }
    }
  })

  fastify.route({
    method: 'GET',
    url: '/friends/:username/timetables',
    schema: {
      tags: TAGS,
      operationId: 'listFriendTimetables',
      summary: 'A friend\'s timetables, newest first (friends only)',
      params: UsernameParams,
      querystring: PageQuery,
      response: { 200: TimetablePage, ...errors(403, 404) }
    },
    handler: async function readFriendTimetables (request) {
      return await listFriendTimetables(fastify.sql, request.user.id, request.params.username, request.query)
    }
  })
}

export default friendRoutes
