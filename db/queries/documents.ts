import { desc, eq } from 'drizzle-orm'
import type { Database } from '../client.ts'
import { documentSnapshots, documents, users } from '../schema/index.ts'

export type DocumentRow = typeof documents.$inferSelect

/** Stores a new document and its first Yjs state together: both or neither. */
export async function createDocument(
	db: Database,
	input: {
		id?: string
		groupId: string
		title: string
		sourceFormat: DocumentRow['sourceFormat']
		sourceName: string | null
		wordCount: number
		createdBy: string | null
		state: Uint8Array
	},
): Promise<DocumentRow> {
	const { state, ...row } = input
	return db.transaction(async (tx) => {
		const [document] = await tx.insert(documents).values(row).returning()
		if (!document) throw new Error('insert into documents returned no row')
		await tx.insert(documentSnapshots).values({ documentId: document.id, state })
		return document
	})
}

export async function findDocument(db: Database, documentId: string): Promise<DocumentRow | null> {
	const [document] = await db.select().from(documents).where(eq(documents.id, documentId))
	return document ?? null
}

export async function listDocuments(db: Database, groupId: string) {
	return db
		.select({
			id: documents.id,
			title: documents.title,
			wordCount: documents.wordCount,
			sourceFormat: documents.sourceFormat,
			createdAt: documents.createdAt,
			createdByName: users.name,
		})
		.from(documents)
		.leftJoin(users, eq(users.id, documents.createdBy))
		.where(eq(documents.groupId, groupId))
		.orderBy(desc(documents.createdAt))
}
