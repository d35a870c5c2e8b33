/**
 * Dates as the reader's pages print them: a calendar date in UTC, so the
 * server's rendering and the browser's hydration agree, and a citation's
 * date and the page's never differ by a time zone.
 */
const longDate = new Intl.DateTimeFormat('en-US', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })

/** "March 14, 2026" (month first: "Edition 1 of 2 March" would read as a count). */
export function formatDate(iso: string): string {
	return longDate.format(new Date(iso))
}

/** The page's path of an annotation version's permalink (server/publication/urls.ts has the absolute form). */
export const versionPath = (annotationId: string, number: number) => `/a/${annotationId}/v/${number}`

/** The page's path of an edition, optionally at one of its notes. */
export const editionPath = (documentId: string, number: number, noteOf?: string) =>
	`/read/${documentId}/e/${number}${noteOf ? `#${noteElementId(noteOf)}` : ''}`

/** The element ids an edition page gives a note and the first piece of its highlight (they link to each other). */
export const noteElementId = (annotationId: string) => `note-${annotationId}`
export const highlightElementId = (annotationId: string) => `highlight-${annotationId}`
