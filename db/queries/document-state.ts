import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm'
import * as Y from 'yjs'
import type { Database } from '../client.ts'
import { documents, documentSnapshots, documentUpdates } from '../schema/index.ts'

export interface StoredDocumentState {
	/** The snapshot (if any) followed by every logged update after it, in order. */
	updates: Uint8Array[]
	/** How many logged updates follow the snapshot: the compaction trigger counts from here. */
	tailLength: number
}

/** Everything needed to rebuild a document's Y.Doc. */
export async function loadDocumentState(db: Database, documentId: string): Promise<StoredDocumentState> {
	const [snapshot] = await db
		.select({ state: documentSnapshots.state, through: documentSnapshots.throughUpdateId })
		.from(documentSnapshots)
		.where(eq(documentSnapshots.documentId, documentId))
	const through = snapshot?.through ?? 0
	const tail = await db
		.select({ update: documentUpdates.update })
		.from(documentUpdates)
		.where(and(eq(documentUpdates.documentId, documentId), sql`${documentUpdates.id} > ${through}`))
		.orderBy(asc(documentUpdates.id))
	return {
		updates: [...(snapshot ? [snapshot.state] : []), ...tail.map((row) => row.update)],
		tailLength: tail.length,
	}
}

/**
 * The document as stored, in a Y.Doc of its own (not the live one, which may
 * be ahead of it). A stored update that cannot be applied is left out and
 * logged rather than failing every reader of the document. Each update is
 * applied in its own transaction: a deep tree deleted level by level (see
 * DocumentRoom.replaceContent) is collected level by level too, where one
 * transaction would collect it all at once, recursively.
 */
export async function loadStoredYDoc(db: Database, documentId: string): Promise<Y.Doc> {
	const { updates } = await loadDocumentState(db, documentId)
	const ydoc = new Y.Doc()
	let skipped = 0
	for (const update of updates) {
		try {
			Y.applyUpdate(ydoc, update)
		} catch (error) {
			if (skipped++ === 0) console.error(`[documents] a stored update of document ${documentId} cannot be applied; read without it:`, error)
		}
	}
	if (skipped > 1) console.error(`[documents] ${skipped} of ${updates.length} stored updates of document ${documentId} were left out`)
	return ydoc
}

/** Appends updates of any number of documents in one statement (one transaction: all or none). */
export async function appendDocumentUpdates(db: Database, rows: { documentId: string; update: Uint8Array }[]) {
	if (rows.length === 0) return
	await db.insert(documentUpdates).values(rows)
}

/**
 * Stores updates a killed process left in its journal, one transaction per
 * document, so that one document's failure keeps no other's edits out.
 * Rows already committed before the kill are written again: applying a Yjs
 * update twice changes nothing, and compaction folds the duplicates away.
 * Updates of documents deleted since are dropped. Updates are stored as they
 * are, never applied here: one the schema refuses is kept for its document's
 * owner to repair (readers see it salvaged). Returns the rows written and the
 * rows of documents whose transaction failed, with the error.
 */
export async function replayDocumentUpdates(
	db: Database,
	rows: { documentId: string; update: Uint8Array }[],
): Promise<{ stored: number; failed: { documentId: string; rows: { documentId: string; update: Uint8Array }[]; error: unknown }[] }> {
	if (rows.length === 0) return { stored: 0, failed: [] }
	const ids = [...new Set(rows.map((row) => row.documentId))]
	const existing = new Set((await db.select({ id: documents.id }).from(documents).where(inArray(documents.id, ids))).map((row) => row.id))
	let stored = 0
	const failed: { documentId: string; rows: { documentId: string; update: Uint8Array }[]; error: unknown }[] = []
	for (const documentId of ids) {
		if (!existing.has(documentId)) continue
		const kept = rows.filter((row) => row.documentId === documentId)
		try {
			await db.transaction(async (tx) => {
				// In slices: one statement's parameters are limited to 65,535.
				for (let from = 0; from < kept.length; from += 1000) await tx.insert(documentUpdates).values(kept.slice(from, from + 1000))
			})
			stored += kept.length
		} catch (error) {
			failed.push({ documentId, rows: kept, error })
		}
	}
	return { stored, failed }
}

/**
 * Folds a document's log into its snapshot. Reads the stored state (not any
 * process's memory, which may lag behind other processes' writes), merges it
 * with `merge`, and in the same transaction replaces the snapshot and deletes
 * the folded rows. The snapshot row is locked, so concurrent compactions of
 * one document (two processes) run one after the other.
 */
export async function compactDocumentLog(
	db: Database,
	documentId: string,
	merge: (updates: Uint8Array[]) => Uint8Array,
): Promise<{ folded: number }> {
	return db.transaction(async (tx) => {
		const [snapshot] = await tx
			.select({ state: documentSnapshots.state, through: documentSnapshots.throughUpdateId })
			.from(documentSnapshots)
			.where(eq(documentSnapshots.documentId, documentId))
			.for('update')
		const through = snapshot?.through ?? 0
		const tail = await tx
			.select({ id: documentUpdates.id, update: documentUpdates.update })
			.from(documentUpdates)
			.where(and(eq(documentUpdates.documentId, documentId), sql`${documentUpdates.id} > ${through}`))
			.orderBy(asc(documentUpdates.id))
		const last = tail.at(-1)
		if (!last) return { folded: 0 }
		const state = merge([...(snapshot ? [snapshot.state] : []), ...tail.map((row) => row.update)])
		await tx
			.insert(documentSnapshots)
			.values({ documentId, state, throughUpdateId: last.id, updatedAt: new Date() })
			.onConflictDoUpdate({
				target: documentSnapshots.documentId,
				set: { state, throughUpdateId: last.id, updatedAt: new Date() },
			})
		await tx
			.delete(documentUpdates)
			.where(and(eq(documentUpdates.documentId, documentId), lte(documentUpdates.id, last.id)))
		return { folded: tail.length }
	})
}
