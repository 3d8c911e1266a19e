// Post images: upload (the post's author, multipart, one file), serve (no token: images load
// in <img> tags and the id is random), delete (the author or an admin).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import multipart from '@fastify/multipart'
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import { invalidField } from '../../plugins/errors.js'
import { IdParams } from '../../schemas/common.js'
import { errors } from '../../schemas/errors.js'
import { Media, MediaDeleted } from '../../schemas/community.js'
import { addMedia, checkUploadTarget, deleteMedia, findServedImage, imageBytes, type ServedImage } from '../../db/media.js'
import { PageCache, postTag } from '../../plugins/page-cache.js'
import { keptBytes } from '../../plugins/tagged-pages.js'
import { ByteCache } from './byte-cache.js'
import { storableImage } from './image.js'

const TAGS = ['media']
const MAX_BYTES = 5 * 1024 * 1024
const CACHE_FOREVER = 'public, max-age=31536000, immutable'
const IMAGE_HEADERS = {
  etag: { type: 'string', description: 'the image\'s SHA-256, quoted: send it back as If-None-Match' },
  'cache-control': { type: 'string', description: CACHE_FOREVER }
}

// What a client sends, for the document only: the handler reads the part with request.file(),
// and as a validation schema Fastify would check the unparsed body (null) against it.
const ImageUpload = Type.Object({
  file: Type.String({ format: 'binary', description: 'the image: JPEG, PNG, WebP or GIF, at most 5 MiB' })
})

const ONE_PART = 'must hold one part only, the image, named file'

/**
 * The upload's one part, read whole (up to MAX_BYTES). The parts are read to the end of the
 * body, so a second part (a file or a field) is refused instead of silently dropped.
 */
async function onlyFile (request: FastifyRequest): Promise<Buffer> {
  let file: Buffer | undefined
  try {
    for await (const part of request.parts()) {
      if (file !== undefined || part.type !== 'file' || part.fieldname !== 'file') throw invalidField('/body', ONE_PART)
      file = await part.toBuffer()
    }
  } catch (error) {
    // The parser's own limits (a second part, a field) say nothing of where: say it here.
    if (['FST_PARTS_LIMIT', 'FST_FILES_LIMIT', 'FST_FIELDS_LIMIT'].includes((error as { code?: string }).code ?? '')) throw invalidField('/body', ONE_PART)
    throw error
  }
  if (file === undefined) throw invalidField('/body/file', 'is required')
  return file
}

/** Whether an If-None-Match header names this ETag: `*`, or a tag in its list, weak or not (RFC 9110 13.1.2). */
function matchesEtag (ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false
  return ifNoneMatch.split(',').some(tag => {
    const trimmed = tag.trim()
    return trimmed === '*' || trimmed.replace(/^W\//, '') === etag
  })
}

const mediaRoutes: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.requireAuthentication()
  const cached = new ByteCache(fastify.config.MEDIA_CACHE_MB * 1024 * 1024)
  const { pageCache } = fastify

  // Whether an image may be served (its post live) and its ETag, remembered under its post's
  // tag: a revalidation then needs no query, and the post's deletion (or its board's, or the
  // image's) drops it like any page showing the post.
  async function servedImage (id: string): Promise<ServedImage> {
    const entry = PageCache.mediaEntry(id)
    const kept = pageCache.get(entry, '')
    if (kept !== undefined) return JSON.parse(kept.toString()) as ServedImage
    const generation = pageCache.generation
    const image = await findServedImage(fastify.sql, id)
    pageCache.store(entry, '', keptBytes(JSON.stringify(image)), [postTag(image.postId)], generation)
    return image
  }
  // Only here: the rest of the service keeps its JSON body limit and parsers.
  await fastify.register(multipart, { limits: { fileSize: MAX_BYTES, files: 1, fields: 0, parts: 1 } })

  fastify.route({
    method: 'POST',
    url: '/posts/:id/media',
    config: {
      // A slow client's upload would hold a place in the database gate while it sends.
      databaseGate: false,
      swaggerTransform: ({ schema, url }) => ({ schema: { ...schema, body: ImageUpload }, url })
    },
    schema: {
      tags: TAGS,
      operationId: 'uploadPostImage',
      summary: 'Attach an image to your post (multipart/form-data, one part named `file`)',
      description: 'JPEG, PNG, WebP or GIF, decided from the bytes; at most 5 MiB and 10 images a post. ' +
        'Stored without its metadata (EXIF with GPS, XMP, IPTC, comments).',
      consumes: ['multipart/form-data'],
      params: IdParams,
      response: { 201: Media, ...errors(403, 404, 413, 415) }
    },
    handler: async function upload (request, reply) {
      // Who may upload is known before the bytes are read: a refusal decodes nothing.
      await checkUploadTarget(fastify.sql, request.user.id, request.params.id)
      const image = await storableImage(await onlyFile(request))
      const { media, feedAuthorId } = await addMedia(fastify.sql, request.user.id, request.params.id, image)
      fastify.postChanged({ postId: request.params.id, feedAuthorId })
      return reply.code(201).send(media)
    }
  })

  fastify.route({
    method: 'GET',
    url: '/media/:id',
    config: { public: true },
    schema: {
      tags: TAGS,
      operationId: 'getImage',
      summary: 'An image\'s bytes (no token needed); cacheable forever, revalidated by ETag',
      params: IdParams,
      response: {
        200: {
          description: 'the image, with its content type',
          headers: IMAGE_HEADERS,
          content: { 'image/*': { schema: Type.String({ format: 'binary' }) } }
        },
        304: Type.Null({ description: 'If-None-Match matched: your copy is current', headers: IMAGE_HEADERS }),
        ...errors(404)
      }
    },
    handler: async function serve (request, reply) {
      const image = await servedImage(request.params.id)
      const etag = `"${image.sha256}"`
      reply.header('etag', etag).header('cache-control', CACHE_FOREVER).header('x-content-type-options', 'nosniff')
      if (matchesEtag(request.headers['if-none-match'], etag)) {
        // No body, and no Content-Length promising one: a keep-alive client would wait for it.
        return reply.code(304).send('' as unknown as null)
      }
      let bytes = cached.get(request.params.id)
      if (bytes === undefined) {
        bytes = await imageBytes(fastify.sql, request.params.id)
        cached.set(request.params.id, bytes)
      }
      // A Buffer goes out as it is (no serializer); the schema only documents it.
      return reply.type(image.contentType).send(bytes as unknown as string)
    }
  })

  fastify.route({
    method: 'DELETE',
    url: '/media/:id',
    schema: {
      tags: TAGS,
      operationId: 'deleteImage',
      summary: 'Delete an image (the post\'s author or an admin)',
      params: IdParams,
      response: { 200: MediaDeleted, ...errors(403, 404) }
    },
    handler: async function remove (request) {
      const { id, role } = request.user
      const post = await deleteMedia(fastify.sql, { id, isAdmin: role === 'admin' }, request.params.id)
      cached.delete(request.params.id)
      fastify.postChanged(post)
      return { deleted: true as const }
    }
  })
}

export default mediaRoutes
