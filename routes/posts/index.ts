// Posts: write, read, edit and delete one post, and list the caller's own.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { IdParams, PageQuery } from '../../schemas/common.js'
import { errors } from '../../schemas/errors.js'
import { Deleted, NewPostBody, Post, PostEditBody, PostPage } from '../../schemas/social.js'
import { createPost, deletePost, editPost, getPost, listMyPostsPage } from '../../db/posts.js'

const TAGS = ['posts']

const postRoutes: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.requireAuthentication()

  fastify.route({
    method: 'POST',
    url: '/posts',
    schema: {
      tags: TAGS,
      operationId: 'createPost',
      summary: 'Write a post',
      body: NewPostBody,
      response: { 201: Post, ...errors(400, 401) }
    },
    handler: async function writePost (request, reply) {
      const { title, body, anonymous = false, boardId } = request.body
      const post = await createPost(fastify.sql, request.user.id, { title, body, anonymous, boardId })
      fastify.postChanged({ postId: post.id, feedAuthorId: anonymous ? null : request.user.id, newInBoard: post.boardId })
      return reply.code(201).send(post)
    }
  })

  // A static path: find-my-way matches it before the parametric /posts/:id.
  fastify.route({
    method: 'GET',
    url: '/posts/mine',
    schema: {
      tags: TAGS,
      operationId: 'listMyPosts',
      summary: 'The caller\'s posts, anonymous ones included, newest first',
      querystring: PageQuery,
      response: { 200: PostPage, ...errors(401) }
    },
    handler: async function listMyPosts (request) {
      return await listMyPostsPage(fastify.sql, request.user.id, request.query)
    }
  })

  fastify.route({
    method: 'GET',
    url: '/posts/:id',
    schema: {
      tags: TAGS,
      operationId: 'getPost',
      summary: 'One post with its counts',
      description: '`author` is null when the post is anonymous and the caller is not its author.',
      params: IdParams,
      response: { 200: Post, ...errors(401, 404) }
    },
    handler: async function readPost (request) {
      return await getPost(fastify.sql, request.user.id, request.params.id)
    }
  })

  fastify.route({
    method: 'PUT',
    url: '/posts/:id',
    schema: {
      tags: TAGS,
      operationId: 'updatePost',
      summary: 'Edit a post\'s title and body (author only)',
      params: IdParams,
      body: PostEditBody,
      response: { 200: Post, ...errors(401, 403, 404) }
    },
    handler: async function updatePost (request) {
      const post = await editPost(fastify.sql, request.user.id, request.params.id, request.body)
      fastify.postChanged({ postId: post.id, feedAuthorId: post.anonymous ? null : request.user.id })
      return post
    }
  })

  fastify.route({
    method: 'DELETE',
    url: '/posts/:id',
    schema: {
      tags: TAGS,
      operationId: 'deletePost',
      summary: 'Delete a post (its author or an admin)',
      params: IdParams,
      response: { 200: Deleted, ...errors(401, 403, 404) }
    },
    handler: async function removePost (request) {
      const { id, role } = request.user
      const { feedAuthorId } = await deletePost(fastify.sql, { id, isAdmin: role === 'admin' }, request.params.id)
      fastify.postChanged({ postId: request.params.id, feedAuthorId })
      return { deleted: true as const }
    }
  })
}

export default postRoutes
