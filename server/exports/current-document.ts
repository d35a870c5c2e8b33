import type { Node as ProseMirrorNode } from 'prosemirror-model'
import type { Database } from '#db/client.ts'
import { loadStoredYDoc } from '#db/queries/document-state.ts'
import { AnchorContext, type Anchor } from '#app/editor/anchoring.ts'
import { documentFragmentName, yDocToDocument } from '#app/editor/yjs.ts'

/** Where an anchor is in the document as it is now, in both coordinates. */
export interface CurrentPlace {
	/** ProseMirror range. */
	from: number
	to: number
	/** Code point offsets into the plain text (TextPositionSelector). */
	start: number
	end: number
	exact: string
	prefix: string
	suffix: string
}

/**
 * A document's text as stored now (snapshot + log), ready to place many
 * anchors: what the dashboards' density strip and the exports work from.
 * Anchors are placed again rather than read from their stored offsets,
 * which are the last placement's and may lag edits before them (see
 * anchorMoved in server/annotations/service.ts).
 */
export class CurrentDocument {
	private constructor(
		readonly doc: ProseMirrorNode,
		private readonly context: AnchorContext,
	) {}

	static async open(db: Database, documentId: string): Promise<CurrentDocument> {
		const ydoc = await loadStoredYDoc(db, documentId)
		const doc = yDocToDocument(ydoc)
		return new CurrentDocument(doc, new AnchorContext(ydoc, ydoc.getXmlFragment(documentFragmentName), doc))
	}

	/** PlainTextIndex's text of the document. */
	get text(): string {
		return this.context.index.text
	}

	/** The length of the text in code points: the unit of every selector. */
	get codePoints(): number {
		return this.context.index.codePointOffset(this.context.index.text.length)
	}

	/** The text from a code point offset, `length` code points long (for labels). */
	excerpt(start: number, length: number): string {
		const from = this.context.index.utf16Offset(start)
		return Array.from(this.context.index.text.slice(from, from + length * 2)).slice(0, length).join('')
	}

	/** Where the anchor is now, or null when its words are gone (orphaned). */
	place(anchor: Anchor): CurrentPlace | null {
		let placement: ReturnType<AnchorContext['place']>
		try {
			placement = this.context.place(anchor)
		} catch (error) {
			// A damaged document's text is salvaged and no longer matches its Yjs tree one to one.
			if (!(error instanceof RangeError)) throw error
			return null
		}
		if (!placement.anchor || placement.from === undefined || placement.to === undefined) return null
		const { quote, position } = placement.anchor
		return { from: placement.from, to: placement.to, start: position.start, end: position.end, exact: quote.exact, prefix: quote.prefix, suffix: quote.suffix }
	}

	destroy() {
		this.context.ydoc.destroy()
	}
}
