/** The bridge from routes to the annotation service in server/ (see app/utils/queries.server.ts). */
export { isAnnotationError, type AnchorInput } from '#server/annotations/service.ts'
export { isUuid } from '#db/ids.ts'
