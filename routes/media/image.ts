// What an uploaded file becomes before it is stored: decoded by sharp (libvips, off the event
// loop), its type read from the bytes, bounded in pixels, and re-encoded without any
// metadata (EXIF with GPS and camera serial, XMP, IPTC, comments): an anonymous author's
// photo must not name them. The orientation EXIF carried is applied to the pixels first.
import { createHash } from 'node:crypto'
import sharp, { type Metadata } from 'sharp'
import { invalidField } from '../../plugins/errors.js'
import type { StoredImage } from '../../db/media.js'

// 40 megapixels: any phone photo, but not a "bomb" declaring 100 000 × 100 000 in a few bytes.
const MAX_PIXELS = 40_000_000

const TYPES = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif' } as const
type Format = keyof typeof TYPES

const notAnImage = () => invalidField('/body/file', 'is not a JPEG, PNG, WebP or GIF image')

export async function storableImage (input: Buffer): Promise<StoredImage> {
  const options = { limitInputPixels: MAX_PIXELS, failOn: 'truncated' } as const
  let metadata: Metadata
  try {
    metadata = await sharp(input, options).metadata()
  } catch {
    throw notAnImage()
  }
  const format = metadata.format as string
  if (!(format in TYPES) || metadata.width === undefined || metadata.height === undefined) throw notAnImage()
  if (metadata.width * (metadata.pageHeight ?? metadata.height) > MAX_PIXELS) throw invalidField('/body/file', 'has too many pixels')
  const animated = (metadata.pages ?? 1) > 1
  try {
    const pipeline = sharp(input, { ...options, animated }).rotate()
    const encoded = format === 'jpeg'
      ? pipeline.jpeg({ quality: 90 })
      : format === 'png' ? pipeline.png() : format === 'webp' ? pipeline.webp({ quality: 90 }) : pipeline.gif()
    const { data, info } = await encoded.toBuffer({ resolveWithObject: true })
    return {
      contentType: TYPES[format as Format],
      width: info.width,
      height: info.pageHeight ?? info.height,
      sha256: createHash('sha256').update(data).digest('hex'),
      bytes: data
    }
  } catch {
    // Decoding the pixels found what the header did not (a truncated or corrupt file).
    throw notAnImage()
  }
}
