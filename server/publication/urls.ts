import type { PublicationUrls } from '#app/publication/types.ts'

/**
 * The published layer's permalinks. They are part of what is cited, so
 * their shapes never change: /a/:id (current version), /a/:id/v/:n, the
 * reader's /read/:documentId/e/:n and its annotation container.
 */
export function publicationUrls(origin: string): PublicationUrls {
	const base = origin.replace(/\/+$/, '')
	return {
		annotation: (id) => `${base}/a/${id}`,
		version: (id, n) => `${base}/a/${id}/v/${n}`,
		edition: (documentId, n) => `${base}/read/${documentId}/e/${n}`,
		container: (documentId, n) => `${base}/read/${documentId}/e/${n}/annotations/`,
	}
}
