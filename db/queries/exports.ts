import { and, eq, lt } from 'drizzle-orm'
import type { Database } from '../client.ts'
import { exportJobs } from '../schema/index.ts'

export type ExportJobRow = typeof exportJobs.$inferSelect

export async function insertExportJob(db: Database, row: typeof exportJobs.$inferInsert): Promise<ExportJobRow> {
	const [inserted] = await db.insert(exportJobs).values(row).returning()
	if (!inserted) throw new Error('insert into export_jobs returned no row')
	return inserted
}

/** A job as its owner sees it; null for anyone else's (or none). */
export async function findExportJob(db: Database, id: string, userId: string): Promise<ExportJobRow | null> {
	const [row] = await db.select().from(exportJobs).where(and(eq(exportJobs.id, id), eq(exportJobs.userId, userId)))
	return row ?? null
}

export async function setExportProgress(db: Database, id: string, done: number, total: number) {
	await db.update(exportJobs).set({ done, total }).where(eq(exportJobs.id, id))
}

export async function finishExportJob(db: Database, id: string, outcome: { content: string } | { error: string }) {
	await db
		.update(exportJobs)
		.set('content' in outcome ? { status: 'done', content: outcome.content, finishedAt: new Date() } : { status: 'failed', error: outcome.error, finishedAt: new Date() })
		.where(eq(exportJobs.id, id))
}

export async function deleteExportJobsBefore(db: Database, before: Date) {
	await db.delete(exportJobs).where(lt(exportJobs.createdAt, before))
}
