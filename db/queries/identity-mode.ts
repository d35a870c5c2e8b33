import { and, countDistinct, eq } from 'drizzle-orm'
import type { Database } from '../client.ts'
import { annotationVersions, groups } from '../schema/index.ts'
import type { IdentityMode } from '#app/policy/identity.ts'

export async function setIdentityMode(db: Database, groupId: string, mode: IdentityMode): Promise<void> {
	await db.update(groups).set({ identityMode: mode }).where(eq(groups.id, groupId))
}

/** How many of a group's annotations are published now under their author's name (they stay so whatever the mode becomes). */
export async function countPublishedUnderNames(db: Database, groupId: string): Promise<number> {
	const [row] = await db
		.select({ n: countDistinct(annotationVersions.annotationId) })
		.from(annotationVersions)
		.where(
			and(
				eq(annotationVersions.groupId, groupId),
				eq(annotationVersions.standing, 'published'),
				eq(annotationVersions.authorAnonymous, false),
			),
		)
	return Number(row?.n ?? 0)
}
