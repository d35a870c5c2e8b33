/**
 * The published layer as pages, citations, feeds and the W3C exports see it.
 * Everything here is immutable once published, except a version's standing
 * (published → superseded or retracted), which the public is always told.
 * Built on the server from rows (server/publication); shared with the browser
 * so the reader page and the Cite dialog can render it.
 */

/** A version's standing in the published layer. */
export const versionStandings = ['published', 'superseded', 'retracted'] as const
export type VersionStanding = (typeof versionStandings)[number]

export interface EditionView {
	id: string
	documentId: string
	documentTitle: string
	groupId: string
	groupName: string
	/** 1, 2, … per document. */
	number: number
	/** ISO 8601 with time zone. */
	createdAt: string
	/** "sha256:<hex>" of the edition's plain text. */
	contentHash: string
	/** Number of words in the edition's text. */
	wordCount: number
}

export interface PublishedAuthor {
	id: string | null
	/** The author's name as it was when the version was published. */
	name: string
}

/** One immutable published version of an annotation (or of a reply). */
export interface PublishedVersionView {
	/** The annotation's id (stable across versions). */
	annotationId: string
	/** 1, 2, … per annotation. */
	number: number
	/** The thread's first annotation, for a reply (replies carry no selectors of their own). */
	parentId: string | null
	edition: EditionView
	motivation: import('#app/annotations/types.ts').Motivation
	/** Markdown source, and the same rendered by app/markdown (sanitized). */
	body: string
	bodyHtml: string
	tags: string[]
	author: PublishedAuthor
	/** When the annotation was first created, and when this version was published. */
	createdAt: string
	publishedAt: string
	standing: VersionStanding
	/** Set when standing is 'retracted'. */
	retraction: { at: string; notice: string } | null
	/** Set when standing is 'superseded': the number of the version that replaced it. */
	supersededBy: number | null
	/** Selectors against the edition's text (code points); null for a reply. */
	selector: {
		exact: string
		prefix: string
		suffix: string
		start: number
		end: number
	} | null
}

/** Absolute URLs of the published layer, built from the public origin (server/publication/urls.ts). */
export interface PublicationUrls {
	annotation(annotationId: string): string
	version(annotationId: string, number: number): string
	edition(documentId: string, editionNumber: number): string
	/** The W3C Web Annotation Protocol container of an edition. */
	container(documentId: string, editionNumber: number): string
}
