import type { Database } from '#db/client.ts'
import {
	countPublishedPerDocument,
	findAudience,
	findGroupAudience,
	listDocumentAudiences,
	setDocumentAudience,
	setGroupAudience,
} from '#db/queries/audience.ts'
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

/** An owner's choice: the group's audience, and each document's own (null: follow the group). */
export interface AudienceChange {
	group: Audience
	documents: Record<string, Audience | null>
}

/** What a change does, in numbers, said before it is made. */
export interface AudiencePlan {
	/** Editions and standing published versions the public can read now and will not (their permalinks answer 404). */
	closedToPublic: { editions: number; versions: number }
	/** … that the public cannot read now and will. */
	openedToPublic: { editions: number; versions: number }
	/** … that members can read now and nobody will (audience none). */
	closedToMembers: { editions: number; versions: number }
	/** … that members could not read (none) and will. */
	openedToMembers: { editions: number; versions: number }
	/** Accepted reviews never published, on documents leaving `none`: they stay unpublished. */
	acceptedUnpublished: number
	/** Whether anything changes at all. */
	changes: boolean
}

/**
 * The numbers an owner is shown before changing who may read the group's
 * published layer. Only documents of this group count; an override for a
 * document of another group is ignored (the caller refuses it first).
 */
export async function planAudienceChange(db: Database, groupId: string, change: AudienceChange): Promise<AudiencePlan> {
	const [group, current, counts] = await Promise.all([
		findGroupAudience(db, groupId),
		listDocumentAudiences(db, groupId),
		countPublishedPerDocument(db, groupId),
	])
	const byId = new Map(counts.map((c) => [c.documentId, c]))
	const plan: AudiencePlan = {
		closedToPublic: { editions: 0, versions: 0 },
		openedToPublic: { editions: 0, versions: 0 },
		closedToMembers: { editions: 0, versions: 0 },
		openedToMembers: { editions: 0, versions: 0 },
		acceptedUnpublished: 0,
		changes: group !== change.group,
	}
	const add = (into: { editions: number; versions: number }, c: { editions: number; versions: number }) => {
		into.editions += c.editions
		into.versions += c.versions
	}
	for (const doc of current) {
		const next = change.documents[doc.id] === undefined ? doc.audience : change.documents[doc.id]!
		if (next !== doc.audience) plan.changes = true
		const before = effectiveAudience(group ?? 'none', doc.audience)
		const after = effectiveAudience(change.group, next)
		const c = byId.get(doc.id) ?? { editions: 0, versions: 0, accepted: 0 }
		if (before === after) continue
		if (before === 'public') add(plan.closedToPublic, c)
		if (after === 'public') add(plan.openedToPublic, c)
		if (after === 'none') add(plan.closedToMembers, c)
		if (before === 'none') {
			add(plan.openedToMembers, c)
			plan.acceptedUnpublished += c.accepted
		}
	}
	return plan
}

/**
 * Makes the change, in one transaction. No audit table fits a group-wide
 * setting (annotation_transitions is an annotation's trail), so the change
 * is logged: who, which group, from what to what.
 */
export async function applyAudienceChange(db: Database, groupId: string, change: AudienceChange, actorId: string): Promise<void> {
	const before = await findGroupAudience(db, groupId)
	const current = await listDocumentAudiences(db, groupId)
	const changed: string[] = []
	await db.transaction(async (tx) => {
		if (before !== change.group) await setGroupAudience(tx, groupId, change.group)
		for (const doc of current) {
			const next = change.documents[doc.id]
			if (next === undefined || next === doc.audience) continue
			await setDocumentAudience(tx, doc.id, next)
			changed.push(`document ${doc.id}: ${doc.audience ?? 'group'} → ${next ?? 'group'}`)
		}
	})
	if (before !== change.group || changed.length > 0) {
		console.info(
			`[audience] user ${actorId} changed group ${groupId}'s published audience: ${before} → ${change.group}` +
				(changed.length ? `; ${changed.join('; ')}` : ''),
		)
	}
}
