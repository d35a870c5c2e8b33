import { and, asc, desc, eq, gte, inArray, isNull, max, sql } from 'drizzle-orm'
import type { Database } from '../client.ts'
import {
	annotationReports,
	annotations,
	annotationTransitions,
	annotationVersions,
	documents,
	editions,
	groups,
	moderationDecisions,
	users,
} from '../schema/index.ts'

export type EditionRow = typeof editions.$inferSelect
export type NewEditionRow = typeof editions.$inferInsert
export type VersionRow = typeof annotationVersions.$inferSelect
export type NewVersionRow = typeof annotationVersions.$inferInsert
export type TransitionRow = typeof annotationTransitions.$inferSelect
export type NewTransitionRow = typeof annotationTransitions.$inferInsert
export type DecisionRow = typeof moderationDecisions.$inferSelect
export type ReportRow = typeof annotationReports.$inferSelect

/** An edition with the names a page or citation shows beside it. */
export interface EditionRecord extends Omit<EditionRow, 'yjsState' | 'content' | 'plainText'> {
	groupId: string
	groupName: string
}

const editionSummary = {
	id: editions.id,
	documentId: editions.documentId,
	number: editions.number,
	title: editions.title,
	contentHash: editions.contentHash,
	wordCount: editions.wordCount,
	createdBy: editions.createdBy,
	createdAt: editions.createdAt,
	groupId: groups.id,
	groupName: groups.name,
}

function editionQuery(db: Database) {
	return db
		.select(editionSummary)
		.from(editions)
		.innerJoin(documents, eq(documents.id, editions.documentId))
		.innerJoin(groups, eq(groups.id, documents.groupId))
}

export async function insertEdition(db: Database, row: NewEditionRow): Promise<EditionRow> {
	const [inserted] = await db.insert(editions).values(row).returning()
	if (!inserted) throw new Error('insert into editions returned no row')
	return inserted
}

export async function latestEditionNumber(db: Database, documentId: string): Promise<number> {
	const [row] = await db.select({ n: max(editions.number) }).from(editions).where(eq(editions.documentId, documentId))
	return row?.n ?? 0
}

/** The full edition (with its text and Yjs state), by document and number, or the latest when number is omitted. */
export async function findEditionContent(db: Database, documentId: string, number?: number): Promise<EditionRow | null> {
	const [row] = await db
		.select()
		.from(editions)
		.where(number === undefined ? eq(editions.documentId, documentId) : and(eq(editions.documentId, documentId), eq(editions.number, number)))
		.orderBy(desc(editions.number))
		.limit(1)
	return row ?? null
}

export async function findEditionContentById(db: Database, editionId: string): Promise<EditionRow | null> {
	const [row] = await db.select().from(editions).where(eq(editions.id, editionId))
	return row ?? null
}

export async function findEdition(db: Database, documentId: string, number?: number): Promise<EditionRecord | null> {
	const [row] = await editionQuery(db)
		.where(number === undefined ? eq(editions.documentId, documentId) : and(eq(editions.documentId, documentId), eq(editions.number, number)))
		.orderBy(desc(editions.number))
		.limit(1)
	return row ?? null
}

export async function findEditionsByIds(db: Database, ids: string[]): Promise<EditionRecord[]> {
	if (ids.length === 0) return []
	return editionQuery(db).where(inArray(editions.id, ids))
}

/** Which published items a feed or list covers: a group's, one document's, or these documents' (those a viewer may read). */
export type PublishedScope = { groupId: string } | { documentId: string } | { documentIds: readonly string[] }

/** The newest edition of any of a group's documents, or of one document (null: nothing of it is public). */
export async function findLatestEditionIn(db: Database, scope: PublishedScope): Promise<EditionRecord | null> {
	if ('documentIds' in scope && scope.documentIds.length === 0) return null
	const [row] = await editionQuery(db)
		.where(
			'groupId' in scope
				? eq(groups.id, scope.groupId)
				: 'documentId' in scope
					? eq(editions.documentId, scope.documentId)
					: inArray(editions.documentId, [...scope.documentIds]),
		)
		.orderBy(desc(editions.createdAt), desc(editions.number))
		.limit(1)
	return row ?? null
}

export async function listEditions(db: Database, documentId: string): Promise<EditionRecord[]> {
	return editionQuery(db).where(eq(editions.documentId, documentId)).orderBy(asc(editions.number))
}

export async function insertVersion(db: Database, row: NewVersionRow): Promise<VersionRow> {
	const [inserted] = await db.insert(annotationVersions).values(row).returning()
	if (!inserted) throw new Error('insert into annotation_versions returned no row')
	return inserted
}

export async function listVersions(db: Database, annotationId: string): Promise<VersionRow[]> {
	return db.select().from(annotationVersions).where(eq(annotationVersions.annotationId, annotationId)).orderBy(asc(annotationVersions.number))
}

/** The versions that stand in a group (standing 'published'): at most one per annotation. */
export async function listCurrentVersionsInGroup(db: Database, groupId: string): Promise<VersionRow[]> {
	return db
		.select()
		.from(annotationVersions)
		.where(and(eq(annotationVersions.groupId, groupId), eq(annotationVersions.standing, 'published')))
		.orderBy(asc(annotationVersions.publishedAt))
}

export async function findVersionById(db: Database, versionId: string): Promise<VersionRow | null> {
	const [row] = await db.select().from(annotationVersions).where(eq(annotationVersions.id, versionId))
	return row ?? null
}

export async function supersedeVersions(db: Database, annotationId: string, byNumber: number) {
	await db
		.update(annotationVersions)
		.set({ standing: 'superseded', supersededBy: byNumber })
		.where(and(eq(annotationVersions.annotationId, annotationId), eq(annotationVersions.standing, 'published')))
}

export async function retractVersion(db: Database, versionId: string, notice: string, at: Date) {
	await db
		.update(annotationVersions)
		.set({ standing: 'retracted', retractionNotice: notice, retractedAt: at })
		.where(eq(annotationVersions.id, versionId))
}

/**
 * For each annotation with a version on this edition, its newest version
 * there (roots and replies of the document), in publication order.
 */
export async function listEditionVersions(db: Database, editionId: string): Promise<VersionRow[]> {
	const rows = await db
		.select()
		.from(annotationVersions)
		.where(eq(annotationVersions.editionId, editionId))
		.orderBy(asc(annotationVersions.publishedAt), asc(annotationVersions.number))
	const newest = new Map<string, VersionRow>()
	for (const row of rows) {
		const seen = newest.get(row.annotationId)
		if (!seen || seen.number < row.number) newest.set(row.annotationId, row)
	}
	return [...newest.values()].sort((a, b) => a.publishedAt.getTime() - b.publishedAt.getTime())
}

/** The newest version of each published reply to these annotations, wherever pinned. */
export async function listPublishedReplies(db: Database, parentIds: string[]): Promise<VersionRow[]> {
	if (parentIds.length === 0) return []
	const rows = await db
		.select()
		.from(annotationVersions)
		.where(inArray(annotationVersions.parentId, parentIds))
		.orderBy(asc(annotationVersions.publishedAt))
	const newest = new Map<string, VersionRow>()
	for (const row of rows) {
		const seen = newest.get(row.annotationId)
		if (!seen || seen.number < row.number) newest.set(row.annotationId, row)
	}
	return [...newest.values()].filter((row) => row.standing !== 'superseded')
}

/** Newly published versions, newest first, of a group or of a document (for feeds). */
export async function listRecentVersions(db: Database, scope: PublishedScope, limit = 50): Promise<VersionRow[]> {
	if ('documentIds' in scope && scope.documentIds.length === 0) return []
	return db
		.select()
		.from(annotationVersions)
		.where(
			'groupId' in scope
				? eq(annotationVersions.groupId, scope.groupId)
				: 'documentId' in scope
					? eq(annotationVersions.documentId, scope.documentId)
					: inArray(annotationVersions.documentId, [...scope.documentIds]),
		)
		.orderBy(desc(annotationVersions.publishedAt))
		.limit(limit)
}

export async function appendTransition(db: Database, row: NewTransitionRow) {
	await db.insert(annotationTransitions).values(row)
}

export async function listTransitions(db: Database, annotationId: string): Promise<TransitionRow[]> {
	return db
		.select()
		.from(annotationTransitions)
		.where(eq(annotationTransitions.annotationId, annotationId))
		.orderBy(asc(annotationTransitions.id))
}

export async function insertDecision(db: Database, row: typeof moderationDecisions.$inferInsert) {
	await db.insert(moderationDecisions).values(row)
}

export async function listDecisions(db: Database, annotationId: string, round: number): Promise<DecisionRow[]> {
	return db
		.select()
		.from(moderationDecisions)
		.where(and(eq(moderationDecisions.annotationId, annotationId), eq(moderationDecisions.round, round)))
		.orderBy(asc(moderationDecisions.createdAt))
}

/** Locks the annotation's row for the rest of the transaction, so two approvals cannot both publish. */
export async function lockAnnotation(db: Database, annotationId: string) {
	await db.select({ id: annotations.id }).from(annotations).where(eq(annotations.id, annotationId)).for('update')
}

export async function setAnnotationStatus(
	db: Database,
	annotationId: string,
	changes: { status: (typeof annotations.$inferSelect)['status']; submissionRound?: number },
) {
	await db.update(annotations).set(changes).where(eq(annotations.id, annotationId))
}

export interface QueueEntry {
	annotationId: string
	documentId: string
	documentTitle: string
	status: (typeof annotations.$inferSelect)['status']
	submissionRound: number
	parentId: string | null
	modifiedAt: Date
}

/** What waits for moderators in a group: submitted annotations and replies, oldest first. */
export async function listQueue(db: Database, groupId: string): Promise<QueueEntry[]> {
	return db
		.select({
			annotationId: annotations.id,
			documentId: annotations.documentId,
			documentTitle: documents.title,
			status: annotations.status,
			submissionRound: annotations.submissionRound,
			parentId: annotations.parentId,
			modifiedAt: annotations.modifiedAt,
		})
		.from(annotations)
		.innerJoin(documents, eq(documents.id, annotations.documentId))
		.where(and(eq(annotations.groupId, groupId), eq(annotations.status, 'submitted')))
		.orderBy(asc(annotations.modifiedAt))
}

/** The accepted items of a group (approved where the published layer had no audience), by document. */
export async function listAccepted(db: Database, groupId: string): Promise<{ annotationId: string; documentId: string }[]> {
	return db
		.select({ annotationId: annotations.id, documentId: annotations.documentId })
		.from(annotations)
		.where(and(eq(annotations.groupId, groupId), eq(annotations.status, 'accepted')))
		.orderBy(asc(annotations.modifiedAt))
}

export async function insertReport(db: Database, row: typeof annotationReports.$inferInsert) {
	const [inserted] = await db.insert(annotationReports).values(row).returning()
	return inserted!
}

export async function countRecentReports(db: Database, reporterKey: string, since: Date): Promise<number> {
	const [row] = await db
		.select({ n: sql<number>`count(*)::int` })
		.from(annotationReports)
		.where(and(eq(annotationReports.reporterKey, reporterKey), gte(annotationReports.createdAt, since)))
	return Number(row?.n ?? 0)
}

export async function listOpenReports(db: Database, groupId: string): Promise<ReportRow[]> {
	return db
		.select()
		.from(annotationReports)
		.where(and(eq(annotationReports.groupId, groupId), isNull(annotationReports.resolvedAt)))
		.orderBy(asc(annotationReports.createdAt))
}

export async function findReport(db: Database, reportId: string): Promise<ReportRow | null> {
	const [row] = await db.select().from(annotationReports).where(eq(annotationReports.id, reportId))
	return row ?? null
}

export async function resolveReport(db: Database, reportId: string, userId: string, resolution: string) {
	await db
		.update(annotationReports)
		.set({ resolvedAt: new Date(), resolvedBy: userId, resolution })
		.where(eq(annotationReports.id, reportId))
}

export async function setGroupPolicy(db: Database, groupId: string, policy: { requiresApproval: boolean; approvalQuorum: number }) {
	await db.update(groups).set(policy).where(eq(groups.id, groupId))
}

export async function userName(db: Database, userId: string): Promise<string> {
	const [row] = await db.select({ name: users.name }).from(users).where(eq(users.id, userId))
	return row?.name ?? 'Someone'
}

/**
 * What an edition page of a document depends on, in one cheap query: its
 * effective audience (first, so the reader-page cache can tell a public page
 * at a glance, and a narrowed audience is a new fingerprint at once), the
 * versions (how many, the latest publication and retraction, how many
 * superseded), the latest edition and the group's name. Equal fingerprints
 * mean an identical page, so a rendered page can be reused.
 */
export async function documentPublicationFingerprint(db: Database, documentId: string): Promise<string> {
	// Both drivers answer execute() with { rows }.
	const result = (await db.execute(sql`
		select
			coalesce((select coalesce(${documents.publishedAudience}, ${groups.publishedAudience})::text from ${documents} join ${groups} on ${groups.id} = ${documents.groupId} where ${documents.id} = ${documentId}), 'none') || '/' ||
			(select count(*) from ${annotationVersions} where ${annotationVersions.documentId} = ${documentId})::text || '/' ||
			coalesce((select max(${annotationVersions.publishedAt})::text from ${annotationVersions} where ${annotationVersions.documentId} = ${documentId}), '') || '/' ||
			coalesce((select max(${annotationVersions.retractedAt})::text from ${annotationVersions} where ${annotationVersions.documentId} = ${documentId}), '') || '/' ||
			(select count(*) from ${annotationVersions} where ${annotationVersions.documentId} = ${documentId} and ${annotationVersions.standing} = 'superseded')::text || '/' ||
			coalesce((select max(${editions.number}) from ${editions} where ${editions.documentId} = ${documentId}), 0)::text || '/' ||
			coalesce((select ${groups.name} from ${documents} join ${groups} on ${groups.id} = ${documents.groupId} where ${documents.id} = ${documentId}), '')
			as fingerprint
	`)) as unknown as { rows: { fingerprint: string }[] }
	return result.rows[0]?.fingerprint ?? ''
}
