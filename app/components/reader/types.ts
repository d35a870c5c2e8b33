import type { DocumentJSON } from '#app/editor/schema.ts'
import type { Citations } from '#app/publication/citations.server.ts'
import type { EditionView, PublishedVersionView } from '#app/publication/types.ts'

/** What the public reader's pages receive from app/utils/reader.server.ts. */

/** One published annotation in an edition's margin. */
export interface EditionNote {
	/** 1, 2, … in the order of the text, as the margin numbers them. */
	number: number
	version: PublishedVersionView
	/** The top-level block where its highlight starts (its note follows that block); null when not placed. */
	block: number | null
	placed: boolean
	/** Its published replies, oldest first. */
	replies: PublishedVersionView[]
	/** For a superseded version: the edition its newer version is on. */
	newerEdition: number | null
}

export interface EditionPageData {
	edition: EditionView
	/** Every edition of the document, oldest first. */
	editions: EditionView[]
	/** The document's top-level blocks, highlights marked (render-only `annotation` marks). */
	blocks: DocumentJSON[]
	notes: EditionNote[]
	citation: Citations
	links: { edition: string; container: string; feed: string }
}

/** What an edition page's <head> and headers need, beside its rendered markup. */
export interface EditionSummary {
	edition: EditionView
	noteCount: number
	links: EditionPageData['links']
}

export interface PermalinkPageData {
	version: PublishedVersionView
	versions: PublishedVersionView[]
	replies: PublishedVersionView[]
	/** The quote with the words around it in the edition's text; null for a reply. */
	context: { before: string; exact: string; after: string } | null
	/** The number of the version that stands now, if any does (none once retracted). */
	current: number | null
	citation: Citations
	links: { version: string; edition: string; jsonLd: string }
}

export type { Citations }
