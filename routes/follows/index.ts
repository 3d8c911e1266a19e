// Follows: follow and unfollow by username (both idempotent), and the caller's two lists.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { PageQuery } from '../../schemas/common.js'
import { errors } from '../../schemas/errors.js'
import { FollowBody, Followed, FollowedUserPage, Unfollowed, UsernameParams } from '../../schemas/social.js'
import { followByUsername, listFollowersPage, listFollowingPage, unfollowByUsername } from '../../db/follows.js'

const TAGS = ['follows']

const followRoutes: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.requireAuthentication()

  fastify.route({
    method: 'POST',
    url: '/follows',
    schema: {
      tags: TAGS,
      operationId: 'follow',
      summary: 'Follow a user',
      description: '201 when the follow is new, 200 when the caller already followed that user.',
      body: FollowBody,
      response: { 200: Followed, 201: Followed, ...errors(401, 404) }
    },
    handler: async function followUser (request, reply) {
      const { username, created } = await followByUsername(fastify.sql, request.user.id, request.body.username)
      fastify.feedPages.followsChanged(request.user.id)
      return reply.code(created ? 201 : 200).send({ username })
    }
  })

  fastify.route({
    method: 'DELETE',
    url: '/follows/:username',
    schema: {
      tags: TAGS,
      operationId: 'unfollow',
      summary: 'Unfollow a user',
      description: 'Idempotent: unfollowing a user the caller does not follow also answers 200.',
      params: UsernameParams,
      response: { 200: Unfollowed, ...errors(401, 404) }
    },
    handler: async function unfollowUser (request) {
      await unfollowByUsername(fastify.sql, request.user.id, request.params.username)
      fastify.feedPages.followsChanged(request.user.id)
      return { unfollowed: true as const }
    }
  })

  fastify.route({
    method: 'GET',
    url: '/follows/following',
    schema: {
      tags: TAGS,
      operationId: 'listFollowing',
      summary: 'Users the caller follows, most recently followed first',
      querystring: PageQuery,
      response: { 200: FollowedUserPage, ...errors(401) }
    },
    handler: async function listFollowing (request) {
      return await listFollowingPage(fastify.sql, request.user.id, request.query)
    }
  })

  fastify.route({
    method: 'GET',
    url: '/follows/followers',
    schema: {
      tags: TAGS,
      operationId: 'listFollowers',
      summary: 'Users who follow the caller, most recent first',
      querystring: PageQuery,
      response: { 200: FollowedUserPage, ...errors(401) }
    },
    handler: async function listFollowers (request) {
      return await listFollowersPage(fastify.sql, request.user.id, request.query)
    }
  })
}

export default followRoutes
