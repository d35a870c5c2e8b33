import type { Database } from '#db/client.ts'
import type { ActivityItem } from '#app/components/dashboards/types.ts'
import { listRecentTransitions, type DashboardScope } from '#db/queries/dashboards.ts'

/**
 * Recent activity: the audit log's newest entries (submissions, replies,
 * decisions, publications, retractions) about annotations the viewer may
 * see now. Never a draft of someone else: an annotation withdrawn to draft
 * drops out of the feed for everyone but its author.
 */
export async function activityFeed(db: Database, scope: DashboardScope, viewerId: string, limit = 30): Promise<ActivityItem[]> {
	const rows = await listRecentTransitions(db, scope, limit * 3)
	return rows
		.filter((row) => row.status !== 'draft' || row.creatorId === viewerId)
		.slice(0, limit)
		.map((row) => ({
			id: row.id,
			at: row.at.toISOString(),
			actorName: row.actorName,
			fromStatus: row.fromStatus,
			toStatus: row.toStatus,
			reason: row.reason,
			annotationId: row.annotationId,
			isReply: row.parentId !== null,
			authorName: row.creatorName,
			documentId: row.documentId,
			documentTitle: row.documentTitle,
			quote: row.exact,
		}))
}
