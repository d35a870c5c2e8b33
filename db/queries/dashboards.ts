import { and, asc, desc, eq, inArray, isNotNull, isNull, ne, sql, type SQL } from 'drizzle-orm'
import type { Database } from '../client.ts'
import {
	annotationAnchors,
	annotations,
	annotationTransitions,
	documents,
	endorsements,
	memberships,
	moderationDecisions,
	users,
} from '../schema/index.ts'

/**
 * The figures behind the dashboards (server/dashboards). Drafts are their
 * authors' alone, so no figure here counts one: a dashboard shows shared
 * work only. No permission logic here; the route asks `dashboard.view`.
 */

/** A dashboard covers one document or a whole group. */
export type DashboardScope = { documentId: string } | { groupId: string }

function inScope(scope: DashboardScope): SQL {
	return 'documentId' in scope ? eq(annotations.documentId, scope.documentId) : eq(annotations.groupId, scope.groupId)
}

const shared = ne(annotations.status, 'draft')

/** Per person, a count: `{ userId, n }` rows. */
type Counted = { userId: string | null; n: number }[]

export interface ParticipationCounts {
	annotations: Counted
	replies: Counted
	endorsements: Counted
	submissions: Counted
	approvals: Counted
}

export async function countParticipation(db: Database, scope: DashboardScope): Promise<ParticipationCounts> {
	const n = sql<number>`count(*)::int`
	const [roots, replies, endorsed, submissions, approvals] = await Promise.all([
		db
			.select({ userId: annotations.creatorId, n })
			.from(annotations)
			.where(and(inScope(scope), shared, isNull(annotations.parentId)))
			.groupBy(annotations.creatorId),
		db
			.select({ userId: annotations.creatorId, n })
			.from(annotations)
			.where(and(inScope(scope), shared, isNotNull(annotations.parentId)))
			.groupBy(annotations.creatorId),
		db
			.select({ userId: endorsements.userId, n })
			.from(endorsements)
			.innerJoin(annotations, eq(annotations.id, endorsements.annotationId))
			.where(and(inScope(scope), shared))
			.groupBy(endorsements.userId),
		// A submission is the author sending a round to moderation (first submission, resubmission, or an
		// edit that starts a new round); a moderator's approval short of the quorum is logged as
		// submitted → submitted too, but by someone who is never the author.
		db
			.select({ userId: annotationTransitions.actorId, n })
			.from(annotationTransitions)
			.innerJoin(annotations, eq(annotations.id, annotationTransitions.annotationId))
			.where(and(inScope(scope), shared, eq(annotationTransitions.toStatus, 'submitted'), eq(annotationTransitions.actorId, annotations.creatorId)))
			.groupBy(annotationTransitions.actorId),
		db
			.select({ userId: moderationDecisions.moderatorId, n })
			.from(moderationDecisions)
			.innerJoin(annotations, eq(annotations.id, moderationDecisions.annotationId))
			.where(and(inScope(scope), eq(moderationDecisions.verdict, 'approve')))
			.groupBy(moderationDecisions.moderatorId),
	])
	return { annotations: roots, replies, endorsements: endorsed, submissions, approvals }
}

export interface Participant {
	userId: string
	name: string
	role: (typeof memberships.$inferSelect)['role'] | null
}

/** The group's members, and anyone else named in `others` (people who took part and have since left). */
export async function listParticipants(db: Database, groupId: string, others: string[]): Promise<Participant[]> {
	const members = await db
		.select({ userId: users.id, name: users.name, role: memberships.role })
		.from(memberships)
		.innerJoin(users, eq(users.id, memberships.userId))
		.where(eq(memberships.groupId, groupId))
	const known = new Set(members.map((m) => m.userId))
	const missing = [...new Set(others)].filter((id) => !known.has(id))
	const former =
		missing.length === 0
			? []
			: await db
					.select({ userId: users.id, name: users.name })
					.from(users)
					.where(inArray(users.id, missing))
	return [...members, ...former.map((f) => ({ ...f, role: null }))]
}

/** When each round went to moderation (the author's submissions), and each moderator's decision. */
export async function listModerationTimes(db: Database, scope: DashboardScope) {
	const [submissions, decisions] = await Promise.all([
		db
			.select({ annotationId: annotationTransitions.annotationId, at: annotationTransitions.at })
			.from(annotationTransitions)
			.innerJoin(annotations, eq(annotations.id, annotationTransitions.annotationId))
			.where(and(inScope(scope), shared, eq(annotationTransitions.toStatus, 'submitted'), eq(annotationTransitions.actorId, annotations.creatorId)))
			.orderBy(asc(annotationTransitions.at)),
		db
			.select({ annotationId: moderationDecisions.annotationId, at: moderationDecisions.createdAt, verdict: moderationDecisions.verdict })
			.from(moderationDecisions)
			.innerJoin(annotations, eq(annotations.id, moderationDecisions.annotationId))
			.where(and(inScope(scope), shared))
			.orderBy(asc(moderationDecisions.createdAt)),
	])
	return { submissions, decisions }
}

/** The shared root annotations' anchors of a document (for the density strip). */
export async function listSharedAnchors(db: Database, documentId: string) {
	return db
		.select({ anchor: annotationAnchors })
		.from(annotationAnchors)
		.innerJoin(annotations, eq(annotations.id, annotationAnchors.annotationId))
		.where(and(eq(annotations.documentId, documentId), shared, isNull(annotations.parentId)))
}

/** The newest entries of the audit log in scope, with what the feed shows beside them. */
export async function listRecentTransitions(db: Database, scope: DashboardScope, limit: number) {
	return db
		.select({
			id: annotationTransitions.id,
			at: annotationTransitions.at,
			actorName: annotationTransitions.actorName,
			fromStatus: annotationTransitions.fromStatus,
			toStatus: annotationTransitions.toStatus,
			reason: annotationTransitions.reason,
			annotationId: annotations.id,
			parentId: annotations.parentId,
			status: annotations.status,
			creatorId: annotations.creatorId,
			creatorName: users.name,
			documentId: documents.id,
			documentTitle: documents.title,
			exact: annotationAnchors.exact,
		})
		.from(annotationTransitions)
		// Inner join: an entry about an annotation deleted since has nothing left to show or link to.
		.innerJoin(annotations, eq(annotations.id, annotationTransitions.annotationId))
		.innerJoin(documents, eq(documents.id, annotations.documentId))
		.leftJoin(users, eq(users.id, annotations.creatorId))
		.leftJoin(annotationAnchors, eq(annotationAnchors.annotationId, annotations.id))
		.where(inScope(scope))
		.orderBy(desc(annotationTransitions.at), desc(annotationTransitions.id))
		.limit(limit)
}

/** Shared annotations per document of a group (the group dashboard's list). */
export async function countSharedByDocument(db: Database, groupId: string) {
	return db
		.select({ documentId: documents.id, title: documents.title, n: sql<number>`count(${annotations.id})::int` })
		.from(documents)
		.leftJoin(annotations, and(eq(annotations.documentId, documents.id), shared, isNull(annotations.parentId)))
		.where(eq(documents.groupId, groupId))
		.groupBy(documents.id, documents.title)
		.orderBy(asc(documents.title))
}
