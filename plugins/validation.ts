// Request validation with two ajv instances, because bodies and query strings need different
// rules. Both reject unknown properties (removeAdditional: false), never collect all errors
// (a huge invalid body must not cost a huge error list), and know the standard formats.
// - body: no type coercion: `"2020"` is not a year and `"true"` is not a boolean.
// - query string, params, headers: text by nature, coerced to the schema's types. Not 'array'
//   coercion: a repeated parameter stays an array and fails its scalar schema.
import fp from 'fastify-plugin'
import { Ajv, type Options } from 'ajv'
import addFormats from 'ajv-formats'

/** An ajv with the service's request rules: `false` for bodies, `true` for query strings and params. */
export function makeAjv (coerceTypes: Options['coerceTypes']): Ajv {
  const ajv = new Ajv({
    coerceTypes,
    removeAdditional: false,
    useDefaults: true,
    allErrors: false,
    strict: false
  })
  addFormats.default(ajv)
  return ajv
}

export default fp(async function validationPlugin (fastify) {
  const body = makeAjv(false)
  const text = makeAjv(true)
  // A custom compiler does not see fastify.addSchema's schemas: the components of
  // plugins/schemas.ts are added here, before the first route's schema is compiled.
  let shared = false
  fastify.setValidatorCompiler(({ schema, httpPart }) => {
    if (!shared) {
      for (const component of Object.values(fastify.getSchemas())) {
        body.addSchema(component as object)
        text.addSchema(component as object)
      }
      shared = true
    }
    return (httpPart === 'body' ? body : text).compile(schema)
  })
}, { name: 'validation', dependencies: ['schemas'] })
