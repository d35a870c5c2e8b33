import type { AppLoadContext } from '@remix-run/node'
import { createDocument, type DocumentRow } from '#db/queries/documents.ts'
import { loadDocumentState } from '#db/queries/document-state.ts'
import { importDocument, type ImportInput } from '#server/import/index.ts'
import { documentFromUpdates, documentToYUpdate } from '#app/editor/yjs.ts'
import type { DocumentJSON } from '#app/editor/schema.ts'

export type ImportOutcome = { ok: true; document: DocumentRow } | { ok: false; error: string }

const maxTitleLength = 200

/** The file's name without its extension, as a last-resort title. */
function titleFromFilename(name: string | null | undefined): string | null {
	if (!name) return null
	const base = name.replace(/\.[^.]+$/, '').replace(/[_-]+/g, ' ').trim()
	return base || null
}

/**
 * Imports a source into a group: converts it with the importer, stores the
 * document row and its first Yjs snapshot in one transaction. Nothing is
 * stored when the source is refused.
 */
export async function importIntoGroup(
	context: AppLoadContext,
	input: ImportInput & { groupId: string; userId: string; title?: string | null },
): Promise<ImportOutcome> {
	const result = importDocument(input, { maxBytes: context.maxImportBytes })
	if (!result.ok) return result
	const title = (input.title?.trim() || result.title || titleFromFilename(input.filename) || 'Untitled document').slice(
		0,
		maxTitleLength,
	)
	const document = await createDocument(context.db, {
		groupId: input.groupId,
		title,
		sourceFormat: result.format,
		sourceName: input.filename ?? null,
		wordCount: result.wordCount,
		createdBy: input.userId,
		state: documentToYUpdate(result.doc),
	})
	return { ok: true, document }
}

/** The current text of a document as ProseMirror JSON, rebuilt from its stored Yjs state. */
export async function loadDocumentJSON(context: AppLoadContext, documentId: string): Promise<DocumentJSON> {
	const { updates } = await loadDocumentState(context.db, documentId)
	return documentFromUpdates(updates).toJSON() as DocumentJSON
}
