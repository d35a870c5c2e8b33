/**
 * Search results as the search pages show them (built by server/search).
 * A snippet is text cut into runs, the matched words marked: the pages render
 * each run as text (a matched one inside <mark>), never as HTML.
 */

export type Snippet = { text: string; match: boolean }[]

export interface AnnotationHit {
	kind: 'annotation'
	id: string
	/** The thread's first annotation, for a reply: the link focuses that thread. */
	threadId: string
	isReply: boolean
	documentId: string
	documentTitle: string
	groupName: string
	authorName: string
	motivation: string
	status: string
	tags: string[]
	createdAt: string
	/** The anchor's state ('orphaned' when its words are gone); null for a reply. */
	anchorStatus: string | null
	body: Snippet
	quote: Snippet
	/** /documents/:id#annotation-<thread id>. */
	href: string
}

export interface DocumentTextHit {
	kind: 'document'
	id: string
	documentTitle: string
	groupName: string
	text: Snippet
	href: string
}

export type WorkspaceHit = AnnotationHit | DocumentTextHit

export interface PublishedAnnotationHit {
	kind: 'annotation'
	/** The annotation's id (its permalink /a/:id). */
	id: string
	versionNumber: number
	isReply: boolean
	documentTitle: string
	groupName: string
	editionNumber: number
	authorName: string
	motivation: string
	standing: 'published' | 'retracted'
	retractionNotice: string | null
	publishedAt: string
	body: Snippet
	quote: Snippet
	/** /a/:id */
	permalink: string
	/** /read/:documentId/e/:n#note-<id> */
	inEdition: string
}

export interface EditionTextHit {
	kind: 'edition'
	id: string
	documentTitle: string
	groupName: string
	editionNumber: number
	text: Snippet
	/** /read/:documentId/e/:n */
	href: string
}

export type PublishedHit = PublishedAnnotationHit | EditionTextHit

export interface ResultPage<Hit> {
	hits: Hit[]
	total: number
	page: number
	pageCount: number
}
