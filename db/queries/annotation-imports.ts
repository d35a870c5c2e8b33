import { and, eq, sql } from 'drizzle-orm'
import type { Database } from '../client.ts'
import { annotationImports } from '../schema/index.ts'

export type AnnotationImportRow = typeof annotationImports.$inferSelect

export async function insertAnnotationImport(
	db: Database,
	row: { documentId: string; userId: string; format: string; fileName: string | null; total: number },
): Promise<AnnotationImportRow> {
	const [inserted] = await db.insert(annotationImports).values(row).returning()
	if (!inserted) throw new Error('insert into annotation_imports returned no row')
	return inserted
}

export async function recordImportProgress(db: Database, id: string, processed: number) {
	await db.update(annotationImports).set({ processed, updatedAt: new Date() }).where(eq(annotationImports.id, id))
}

export async function finishAnnotationImport(db: Database, id: string, summary: unknown) {
	await db
		.update(annotationImports)
		.set({ status: 'done', processed: sql`${annotationImports.total}`, summary, updatedAt: new Date() })
		.where(eq(annotationImports.id, id))
}

export async function failAnnotationImport(db: Database, id: string, error: string) {
	await db.update(annotationImports).set({ status: 'failed', error, updatedAt: new Date() }).where(eq(annotationImports.id, id))
}

/** An import of this user's on this document, or null. */
export async function findAnnotationImport(db: Database, id: string, userId: string, documentId: string) {
	const [row] = await db
		.select()
		.from(annotationImports)
		.where(and(eq(annotationImports.id, id), eq(annotationImports.userId, userId), eq(annotationImports.documentId, documentId)))
	return row ?? null
}
