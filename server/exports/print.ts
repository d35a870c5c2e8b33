import { Transform } from 'prosemirror-transform'
import { PlainTextIndex } from '#app/editor/plain-text.ts'
import { documentFromJSON, schema, type DocumentJSON } from '#app/editor/schema.ts'
import type { EditionView, PublishedVersionView } from '#app/publication/types.ts'
import { withHighlights, type HighlightRange } from '#app/utils/documents.server.ts'
import type { PublishedLayer } from '../publication/published.ts'
import { publicationUrls } from '../publication/urls.ts'

export interface PrintedNote {
	n: number
	version: PublishedVersionView
	permalink: string
	replies: { version: PublishedVersionView; permalink: string }[]
}

export interface PrintableEdition {
	edition: EditionView
	editionUrl: string
	/** The edition's text with each note's number after its quote (a link to the note) and the quotes marked. */
	doc: DocumentJSON
	notes: PrintedNote[]
}

/**
 * An edition as a printed paper: its frozen text with the published
 * annotations as numbered notes (their references after their quotes),
 * replies inside their notes. Only the published layer (PublishedLayer):
 * nothing unapproved can be in it. Null when there is no such edition.
 */
export async function printableEdition(published: PublishedLayer, origin: string, documentId: string, number: number): Promise<PrintableEdition | null> {
	const page = await published.edition(documentId, number)
	if (!page) return null
	const urls = publicationUrls(origin)
	const doc = documentFromJSON(page.content)
	const index = new PlainTextIndex(doc)
	const position = (codePoint: number) => index.positionOfOffset(index.utf16Offset(codePoint))
	const roots = page.annotations
		.filter((a) => a.selector !== null)
		.sort((a, b) => a.selector!.start - b.selector!.start || a.publishedAt.localeCompare(b.publishedAt))
	const notes: PrintedNote[] = roots.map((version, i) => ({
		n: i + 1,
		version,
		permalink: urls.version(version.annotationId, version.number),
		replies: page.replies
			.filter((r) => r.parentId === version.annotationId)
			.map((r) => ({ version: r, permalink: urls.version(r.annotationId, r.number) })),
	}))
	const ranges: HighlightRange[] = notes.map(({ n, version }) => ({
		from: position(version.selector!.start),
		to: position(version.selector!.end),
		id: version.annotationId,
		motivation: version.motivation,
		label: `Note ${n}`,
	}))
	// References go in from the end backwards, so the earlier positions stay valid; the quotes'
	// ranges are then mapped over them, ending before their own reference.
	const tr = new Transform(doc)
	for (const [i, range] of [...ranges.entries()].sort((a, b) => b[1].to - a[1].to || b[0] - a[0])) {
		const n = notes[i]!.n
		tr.insert(range.to, schema.text(`[${n}]`, [schema.mark('link', { href: `#note-${n}`, title: `Note ${n}` })]))
	}
	const mapped = ranges.map((r) => ({ ...r, from: tr.mapping.map(r.from, 1), to: tr.mapping.map(r.to, -1) }))
	return { edition: page.edition, editionUrl: urls.edition(documentId, number), doc: withHighlights(tr.doc, mapped), notes }
}
