import { createHash } from 'node:crypto'
import { diffArrays } from 'diff'
import * as Y from 'yjs'
import type { Database } from '#db/client.ts'
import type { AnchorRow } from '#db/queries/annotations.ts'
import {
	findEditionContent,
	findEditionContentById,
	insertEdition,
	latestEditionNumber,
	type EditionRow,
} from '#db/queries/publication.ts'
import { AnchorContext, type Placement } from '#app/editor/anchoring.ts'
import { blockSeparator, countWords, documentPlainText } from '#app/editor/plain-text.ts'
import { schema } from '#app/editor/schema.ts'
import { damagedDocumentRefusal, isDamaged } from '#app/editor/salvage.ts'
import { documentFragmentName, readYDoc, yDocToDocument } from '#app/editor/yjs.ts'
import { AnnotationError } from '../annotations/service.ts'
import type { CollabServer } from '../collab/collab-server.ts'

/**
 * Editions: immutable copies of a document, frozen from the live text. Each
 * keeps the ProseMirror JSON and plain text (what readers see and what the
 * published selectors count in) and the Yjs state at the moment of freezing,
 * so an annotation's relative positions resolve in it exactly as they did
 * in the live document then.
 */
export class Editions {
	/** Placing against an edition rebuilds its Y.Doc; a few are kept, since approvals come in runs. */
	private readonly contexts = new Map<string, AnchorContext>()

	constructor(
		private readonly db: Database,
		private readonly collab: CollabServer,
	) {}

	/** Freezes the live document as its next edition; null when the text is unchanged since the latest one. */
	async freeze(documentId: string, title: string, userId: string | null): Promise<EditionRow | null> {
		const db = this.db
		const frozen = await this.collab.withDocument(documentId, (room) => {
			const { doc, damage } = readYDoc(room.doc)
			// An edition is cited for ever: never one with placeholders where the text could not be read.
			if (isDamaged(damage)) throw new AnnotationError(409, damagedDocumentRefusal)
			return { state: Y.encodeStateAsUpdate(room.doc), doc }
		})
		const plainText = documentPlainText(frozen.doc)
		const contentHash = `sha256:${createHash('sha256').update(plainText).digest('hex')}`
		const latest = await findEditionContent(db, documentId)
		// jsonb reorders keys: compare through ProseMirror, which writes them in one order.
		if (latest && latest.contentHash === contentHash && schema.nodeFromJSON(latest.content).eq(frozen.doc)) {
			return null
		}
		return insertEdition(db, {
			documentId,
			number: (await latestEditionNumber(db, documentId)) + 1,
			title,
			contentHash,
			content: frozen.doc.toJSON(),
			plainText,
			wordCount: countWords(plainText),
			yjsState: frozen.state,
			createdBy: userId,
		})
	}

	/**
	 * The live text as the next freeze would take it, without freezing: its
	 * plain text, and an anchoring context over a copy of its Yjs state, so
	 * placements are computed exactly as they will be on the frozen edition.
	 * Null when the text is unchanged since the latest edition.
	 */
	async preview(documentId: string): Promise<{ plainText: string; contentHash: string; context: AnchorContext } | null> {
		const live = await this.collab.withDocument(documentId, (room) => {
			const { doc, damage } = readYDoc(room.doc)
			if (isDamaged(damage)) throw new AnnotationError(409, damagedDocumentRefusal)
			return { state: Y.encodeStateAsUpdate(room.doc), doc }
		})
		const plainText = documentPlainText(live.doc)
		const latest = await findEditionContent(this.db, documentId)
		const contentHash = `sha256:${createHash('sha256').update(plainText).digest('hex')}`
		if (latest && latest.contentHash === contentHash && schema.nodeFromJSON(latest.content).eq(live.doc)) return null
		const ydoc = new Y.Doc({ gc: false })
		Y.applyUpdate(ydoc, live.state)
		return { plainText, contentHash, context: new AnchorContext(ydoc, ydoc.getXmlFragment(documentFragmentName), yDocToDocument(ydoc)) }
	}

	/**
	 * Places a live anchor in an edition by the anchoring rules: its relative
	 * positions if the words there are its quote, else the quote searched
	 * exactly and then approximately; orphaned below the threshold.
	 */
	async place(editionId: string, anchor: AnchorRow, db: Database = this.db): Promise<Placement> {
		return placeIn(await this.context(editionId, db), anchor)
	}

	private async context(editionId: string, db: Database): Promise<AnchorContext> {
		const cached = this.contexts.get(editionId)
		if (cached) return cached
		const edition = await findEditionContentById(db, editionId)
		if (!edition) throw new RangeError(`no edition ${editionId}`)
		const ydoc = new Y.Doc({ gc: false })
		Y.applyUpdate(ydoc, edition.yjsState)
		const context = new AnchorContext(ydoc, ydoc.getXmlFragment(documentFragmentName), yDocToDocument(ydoc))
		this.contexts.set(editionId, context)
		if (this.contexts.size > 8) {
			const [oldest] = this.contexts.keys()
			if (oldest) {
				this.contexts.get(oldest)?.ydoc.destroy()
				this.contexts.delete(oldest)
			}
		}
		return context
	}
}

/** Places a live anchor in a text (an edition's, or the live text about to be frozen) by the anchoring rules. */
export function placeIn(context: AnchorContext, anchor: AnchorRow): Placement {
	return context.place({
		start: anchor.startPosition,
		end: anchor.endPosition,
		quote: { type: 'TextQuoteSelector', exact: anchor.exact, prefix: anchor.prefix, suffix: anchor.suffix },
		position: { type: 'TextPositionSelector', start: anchor.startOffset, end: anchor.endOffset },
	})
}

/** One run of a paragraph-level diff: paragraphs kept, added or removed. */
export interface ParagraphChange {
	kind: 'same' | 'added' | 'removed'
	paragraphs: string[]
}

/** The paragraphs (textblocks) of two plain texts compared as units, the way a reader notices changes. */
export function paragraphDiff(before: string, after: string): ParagraphChange[] {
	const split = (text: string) => (text === '' ? [] : text.split(blockSeparator))
	return diffArrays(split(before), split(after)).map((part) => ({
		kind: part.added ? 'added' : part.removed ? 'removed' : 'same',
		paragraphs: part.value,
	}))
}
