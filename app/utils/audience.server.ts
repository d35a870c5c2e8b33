import type { AppLoadContext } from '@remix-run/node'
import type { Group } from '#db/queries/groups.ts'
import * as queries from '#db/queries/audience.ts'
import * as audience from '#server/publication/audience.ts'

/** The bridge from the audience settings page to server/publication/audience.ts (see ARCHITECTURE.md). */

export async function loadAudienceSettings(context: AppLoadContext, group: Group) {
	return {
		group: { id: group.id, name: group.name, publishedAudience: group.publishedAudience },
		documents: await queries.listDocumentAudiences(context.db, group.id),
	}
}

export function listDocumentAudiences(context: AppLoadContext, groupId: string) {
	return queries.listDocumentAudiences(context.db, groupId)
}

export function planAudienceChange(context: AppLoadContext, groupId: string, change: audience.AudienceChange) {
	return audience.planAudienceChange(context.db, groupId, change)
}

export function applyAudienceChange(context: AppLoadContext, groupId: string, change: audience.AudienceChange, actorId: string) {
	return audience.applyAudienceChange(context.db, groupId, change, actorId)
}
