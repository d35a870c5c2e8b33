import { and, asc, count, eq, inArray, sql } from 'drizzle-orm'
import type { Database } from '../client.ts'
import { annotationAnchors, annotations, documents, endorsements, users } from '../schema/index.ts'

export type AnnotationRow = typeof annotations.$inferSelect
export type AnchorRow = typeof annotationAnchors.$inferSelect
export type NewAnchorRow = typeof annotationAnchors.$inferInsert

/** An annotation with what is shown beside it: author, anchor, endorsements. */
export interface AnnotationRecord extends AnnotationRow {
	creatorName: string | null
	creatorColor: string | null
	anchor: AnchorRow | null
	endorserIds: string[]
}

const selection = {
	annotation: annotations,
	creatorName: users.name,
	creatorColor: users.color,
	anchor: annotationAnchors,
	endorserIds: sql<string[]>`coalesce((select array_agg(${endorsements.userId}::text order by ${endorsements.createdAt}) from ${endorsements} where ${endorsements.annotationId} = ${annotations.id}), '{}')`,
}

function toRecord(row: {
	annotation: AnnotationRow
	creatorName: string | null
	creatorColor: string | null
	anchor: AnchorRow | null
	endorserIds: string[] | string
}): AnnotationRecord {
	return {
		...row.annotation,
		creatorName: row.creatorName,
		creatorColor: row.creatorColor,
		anchor: row.anchor,
		// PGlite may hand back a Postgres array literal where node-postgres parses it.
		endorserIds: Array.isArray(row.endorserIds) ? row.endorserIds : parseArrayLiteral(row.endorserIds),
	}
}

function parseArrayLiteral(value: string): string[] {
	const inner = value.replace(/^\{|\}$/g, '')
	return inner ? inner.split(',').map((v) => v.replace(/^"|"$/g, '')) : []
}

function query(db: Database) {
	return db
		.select(selection)
		.from(annotations)
		.leftJoin(users, eq(users.id, annotations.creatorId))
		.leftJoin(annotationAnchors, eq(annotationAnchors.annotationId, annotations.id))
}

export async function listDocumentAnnotations(db: Database, documentId: string): Promise<AnnotationRecord[]> {
	const rows = await query(db).where(eq(annotations.documentId, documentId)).orderBy(asc(annotations.createdAt))
	return rows.map(toRecord)
}

export async function findAnnotation(db: Database, id: string): Promise<AnnotationRecord | null> {
	const [row] = await query(db).where(eq(annotations.id, id))
	return row ? toRecord(row) : null
}

export async function insertAnnotation(
	db: Database,
	input: typeof annotations.$inferInsert,
	anchor: Omit<NewAnchorRow, 'annotationId'> | null,
): Promise<string> {
	return db.transaction(async (tx) => {
		const [row] = await tx.insert(annotations).values(input).returning({ id: annotations.id })
		if (!row) throw new Error('insert into annotations returned no row')
		if (anchor) await tx.insert(annotationAnchors).values({ ...anchor, annotationId: row.id })
		return row.id
	})
}

export async function updateAnnotation(
	db: Database,
	id: string,
	changes: Partial<Pick<AnnotationRow, 'body' | 'motivation' | 'tags' | 'status'>>,
) {
	await db
		.update(annotations)
		.set({ ...changes, modifiedAt: new Date() })
		.where(eq(annotations.id, id))
}

export async function deleteAnnotation(db: Database, id: string) {
	await db.delete(annotations).where(eq(annotations.id, id))
}

export async function setEndorsement(db: Database, annotationId: string, userId: string, endorsed: boolean) {
	if (endorsed) await db.insert(endorsements).values({ annotationId, userId }).onConflictDoNothing()
	else
		await db
			.delete(endorsements)
			.where(and(eq(endorsements.annotationId, annotationId), eq(endorsements.userId, userId)))
}

export async function listDocumentAnchors(db: Database, documentId: string): Promise<AnchorRow[]> {
	return db.select().from(annotationAnchors).where(eq(annotationAnchors.documentId, documentId))
}

/** Stores re-placed anchors, all in one transaction. */
export async function saveAnchors(db: Database, anchors: NewAnchorRow[]) {
	if (anchors.length === 0) return
	await db.transaction(async (tx) => {
		for (const anchor of anchors) {
			await tx
				.update(annotationAnchors)
				.set({ ...anchor, placedAt: new Date() })
				.where(eq(annotationAnchors.annotationId, anchor.annotationId))
		}
	})
}

export async function findAnnotationsByIds(db: Database, ids: string[]): Promise<AnnotationRecord[]> {
	if (ids.length === 0) return []
	const rows = await query(db).where(inArray(annotations.id, ids))
	return rows.map(toRecord)
}

/**
 * Stores many annotations and their anchors at once, all in one transaction
 * or none (an import). Ids are the caller's, so replies can name their
 * thread's first annotation in the same batch; parents come first. With
 * `atMost`, nothing is stored when the document would then hold more
 * annotations (replies and drafts included) than that; the document's row is
 * locked while counting, so two imports onto it cannot both slip under the limit.
 */
export async function insertAnnotations(
	db: Database,
	rows: (typeof annotations.$inferInsert & { id: string })[],
	anchors: NewAnchorRow[],
	quota?: { documentId: string; atMost: number },
): Promise<{ stored: true } | { stored: false; existing: number }> {
	const chunk = 500
	return db.transaction(async (tx) => {
		if (quota) {
			await tx.select({ id: documents.id }).from(documents).where(eq(documents.id, quota.documentId)).for('update')
			const existing = await countDocumentAnnotations(tx, quota.documentId)
			if (existing + rows.length > quota.atMost) return { stored: false, existing }
		}
		for (let i = 0; i < rows.length; i += chunk) await tx.insert(annotations).values(rows.slice(i, i + chunk))
		for (let i = 0; i < anchors.length; i += chunk) await tx.insert(annotationAnchors).values(anchors.slice(i, i + chunk))
		return { stored: true }
	})
}

/** How many annotations a document holds, replies and everyone's drafts included. */
export async function countDocumentAnnotations(db: Database, documentId: string): Promise<number> {
	const [row] = await db.select({ n: count() }).from(annotations).where(eq(annotations.documentId, documentId))
	return row?.n ?? 0
}
