import type { AppLoadContext } from '@remix-run/node'
import { createDocument, type DocumentRow } from '#db/queries/documents.ts'
import { loadStoredYDoc } from '#db/queries/document-state.ts'
import type { ImportInput } from '#server/import/index.ts'
import type { Node as ProseMirrorNode } from 'prosemirror-model'
import type { User } from '#db/queries/accounts.ts'
import { AnchorContext, anchorFromJSON } from '#app/editor/anchoring.ts'
import { isDamaged, type DocumentDamage } from '#app/editor/salvage.ts'
import { documentFragmentName, readYDoc } from '#app/editor/yjs.ts'
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
 * Imports a source into a group: converts it in the import worker (within the
 * import limits), then stores the document row and its first Yjs snapshot in
 * one transaction. Nothing is stored when the source is refused.
 */
export async function importIntoGroup(
	context: AppLoadContext,
	input: ImportInput & { groupId: string; userId: string; title?: string | null },
): Promise<ImportOutcome> {
	const result = await context.importer.convert({ bytes: input.bytes, filename: input.filename, format: input.format })
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
		state: result.state,
	})
	return { ok: true, document }
}


export interface HighlightRange {
	from: number
	to: number
	id: string
	motivation: string
	label: string
}

/**
 * The document as the read view first paints it (and as it stays without
 * JavaScript): its text with the user's visible annotations marked, placed
 * by the same anchoring as everywhere. The marks are render-only
 * (`annotation`, not in the schema): nothing is written to the document.
 */
export async function loadDocumentForReading(
	context: AppLoadContext,
	user: User,
	documentId: string,
): Promise<{ doc: DocumentJSON; damage: DocumentDamage }> {
	const ydoc = await loadStoredYDoc(context.db, documentId)
	const { doc, damage } = readYDoc(ydoc)
	// A damaged document's salvaged text does not match its Yjs tree one to one: no highlights until it is repaired.
	if (isDamaged(damage)) {
		ydoc.destroy()
		return { doc: withHighlights(doc, []), damage }
	}
	const annotations = await context.annotations.list(user, documentId)
	const anchorContext = new AnchorContext(ydoc, ydoc.getXmlFragment(documentFragmentName), doc)
	const ranges: HighlightRange[] = []
	for (const annotation of annotations) {
		if (annotation.parentId || !annotation.anchor || annotation.anchor.status === 'orphaned') continue
		const placement = anchorContext.place(anchorFromJSON(annotation.anchor))
		if (placement.from === undefined || placement.to === undefined) continue
		const plain = annotation.body.replace(/\s+/g, ' ').slice(0, 200)
		ranges.push({
			from: placement.from,
			to: placement.to,
			id: annotation.id,
			motivation: annotation.motivation,
			label: `${annotation.creator?.name ?? 'Someone'}: ${plain}`,
		})
	}
	ydoc.destroy()
	return { doc: withHighlights(doc, ranges), damage }
}

/** ProseMirror JSON with text nodes split where highlights begin and end, and marked (also the public reader's). */
export function withHighlights(doc: ProseMirrorNode, ranges: HighlightRange[]): DocumentJSON {
	const convert = (node: ProseMirrorNode, pos: number): DocumentJSON[] => {
		if (node.isText) {
			const text = node.text ?? ''
			const marks = node.marks.map((m) => m.toJSON() as { type: string; attrs?: Record<string, unknown> })
			const cuts = new Set([0, text.length])
			for (const r of ranges) {
				if (r.from > pos && r.from < pos + text.length) cuts.add(r.from - pos)
				if (r.to > pos && r.to < pos + text.length) cuts.add(r.to - pos)
			}
			const points = [...cuts].sort((a, b) => a - b)
			const pieces: DocumentJSON[] = []
			for (let i = 0; i < points.length - 1; i++) {
				const start = points[i]!
				const end = points[i + 1]!
				const covering = ranges.filter((r) => r.from <= pos + start && r.to >= pos + end)
				pieces.push({
					type: 'text',
					text: text.slice(start, end),
					marks: [
						...marks,
						...covering.map((r) => ({ type: 'annotation', attrs: { id: r.id, motivation: r.motivation, label: r.label } })),
					],
				})
			}
			return pieces
		}
		const json: DocumentJSON = { type: node.type.name }
		if (Object.keys(node.attrs).length > 0) json.attrs = { ...node.attrs }
		if (node.childCount > 0) {
			const content: DocumentJSON[] = []
			node.forEach((child, offset) => content.push(...convert(child, pos + offset + (node.isLeaf ? 0 : 1))))
			json.content = content
		}
		return [json]
	}
	// The doc node's children start at position 0.
	const content: DocumentJSON[] = []
	doc.forEach((child, offset) => content.push(...convert(child, offset)))
	return { type: 'doc', content }
}
