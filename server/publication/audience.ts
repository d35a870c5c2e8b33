import type { Database } from '#db/client.ts'
import { findAudience } from '#db/queries/audience.ts'
import { effectiveAudience, mayReadPublished, type Audience } from '#app/policy/identity.ts'

/**
 * The one gate in front of every surface of the published layer (reader,
 * print, permalinks and their JSON-LD, the W3C container, citations, feeds,
 * reports): whether this viewer may read what was published on a document.
 *
 * A document that is hidden from the viewer and one that does not exist give
 * the same answer (null) from the same single query, so a caller that
 * answers null with its usual 404 cannot be told apart from a missing id by
 * status, body or time.
 */

export interface PublishedGrant {
	documentId: string
	groupId: string
	groupName: string
	audience: Audience
}

export type PublishedTarget = { documentId: string } | { annotationId: string }

/** The grant to read a document's (or an annotation's document's) published layer, or null: hidden or missing alike. */
export async function publishedGrant(db: Database, viewerId: string | null, target: PublishedTarget): Promise<PublishedGrant | null> {
	const row = await findAudience(db, viewerId, target)
	if (!row) return null
	const audience = effectiveAudience(row.groupAudience, row.documentAudience)
	if (!mayReadPublished(audience, row.role)) return null
	return { documentId: row.documentId, groupId: row.groupId, groupName: row.groupName, audience }
}

/**
 * How a response built from what a grant allows may be cached: anything not
 * public is for this viewer only, never a shared cache's (and never the
 * anonymous reader-page cache, which keeps only public pages).
 */
export function audienceCacheControl(audience: Audience): string | null {
	return audience === 'public' ? null : 'private, no-store'
}
