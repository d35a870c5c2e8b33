/** The bridge from routes to the moderation workflow and the published layer in server/publication (see ARCHITECTURE.md). */
export { isAnnotationError } from '#server/annotations/service.ts'
export { PlacementConfirmationError, reportsPerHour, type Decision, type DecisionOutcome, type Verdict } from '#server/publication/moderation.ts'
export { quoteInContext } from '#server/publication/published.ts'
export { publicationUrls } from '#server/publication/urls.ts'
export { isUuid } from '#db/ids.ts'
