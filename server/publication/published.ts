import type { Database } from '#db/client.ts'
import {
	findEdition,
	findEditionContent,
	findEditionsByIds,
	findLatestEditionIn,
	listEditions,
	listEditionVersions,
	listPublishedReplies,
	listRecentVersions,
	listVersions,
	type EditionRecord,
	type PublishedScope,
	type VersionRow,
} from '#db/queries/publication.ts'
import { renderMarkdown } from '#app/markdown/render.ts'
import type { EditionView, PublishedVersionView } from '#app/publication/types.ts'

/**
 * Reads of the published layer: what the public reader, permalinks, feeds,
 * citations and the W3C container show. Everything comes from editions and
 * annotation_versions, which hold only what was approved, so nothing
 * unapproved can reach these pages by construction.
 */
export class PublishedLayer {
	constructor(private readonly db: Database) {}

	/** An edition (the latest when `number` is omitted) with its text and its published annotations and replies. */
	async edition(documentId: string, number?: number) {
		const content = await findEditionContent(this.db, documentId, number)
		if (!content) return null
		const record = (await findEdition(this.db, documentId, content.number))!
		const edition = editionView(record)
		const rows = await listEditionVersions(this.db, content.id)
		const roots = rows.filter((r) => r.parentId === null)
		const replies = await listPublishedReplies(this.db, roots.map((r) => r.annotationId))
		const views = await this.views(replies, new Map([[record.id, record]]))
		return {
			edition,
			content: content.content as Record<string, unknown>,
			plainText: content.plainText,
			annotations: roots.map((r) => toVersionView(r, edition)),
			replies: views,
			editions: (await listEditions(this.db, documentId)).map(editionView),
		}
	}

	/** One annotation's version (the current one when `number` is omitted), every version, its replies, and its quote in context. */
	async annotation(annotationId: string, number?: number) {
		const rows = await listVersions(this.db, annotationId)
		if (rows.length === 0) return null
		const row = number === undefined ? currentOrLatest(rows) : rows.find((r) => r.number === number)
		if (!row) return null
		const views = await this.views(rows)
		const version = views.find((v) => v.number === row.number)!
		const replies = row.parentId ? [] : await this.views(await listPublishedReplies(this.db, [annotationId]))
		let context: { before: string; exact: string; after: string } | null = null
		if (version.selector) {
			const content = await findEditionContent(this.db, version.edition.documentId, version.edition.number)
			if (content) context = quoteInContext(content.plainText, version.selector.start, version.selector.end)
		}
		return { version, versions: views, replies, context, isCurrent: row === currentOrLatest(rows) }
	}

	/** Newly published versions of a group or a document, newest first (the Atom feeds). */
	async recent(scope: PublishedScope, limit = 50): Promise<PublishedVersionView[]> {
		return this.views(await listRecentVersions(this.db, scope, limit))
	}

	/** The newest edition in a group or of a document; null when there is none, and then nothing of it is public (feeds). */
	async latestEdition(scope: PublishedScope): Promise<EditionView | null> {
		const record = await findLatestEditionIn(this.db, scope)
		return record ? editionView(record) : null
	}

	async editions(documentId: string): Promise<EditionView[]> {
		return (await listEditions(this.db, documentId)).map(editionView)
	}

	private async views(rows: VersionRow[], known = new Map<string, EditionRecord>()): Promise<PublishedVersionView[]> {
		const missing = [...new Set(rows.map((r) => r.editionId))].filter((id) => !known.has(id))
		for (const record of await findEditionsByIds(this.db, missing)) known.set(record.id, record)
		return rows.map((r) => toVersionView(r, editionView(known.get(r.editionId)!)))
	}
}

/** The version /a/:id shows: the current published one, else the newest (retracted). */
function currentOrLatest(rows: VersionRow[]): VersionRow {
	for (let i = rows.length - 1; i >= 0; i--) if (rows[i]!.standing === 'published') return rows[i]!
	return rows.at(-1)!
}

/** Up to `around` code points either side of a selector, cut at word boundaries. */
export function quoteInContext(text: string, start: number, end: number, around = 240) {
	const points = Array.from(text)
	const before = points.slice(Math.max(0, start - around), start).join('')
	const after = points.slice(end, end + around).join('')
	return {
		before: (start > around ? '…' : '') + before.replace(/^\S*\s/, ''),
		exact: points.slice(start, end).join(''),
		after: after.replace(/\s\S*$/, '') + (end + around < points.length ? '…' : ''),
	}
}

export function editionView(record: EditionRecord): EditionView {
	return {
		id: record.id,
		documentId: record.documentId,
		documentTitle: record.title,
		groupId: record.groupId,
		groupName: record.groupName,
		number: record.number,
		createdAt: record.createdAt.toISOString(),
		contentHash: record.contentHash,
		wordCount: record.wordCount,
	}
}

export function toVersionView(row: VersionRow, edition: EditionView): PublishedVersionView {
	return {
		annotationId: row.annotationId,
		number: row.number,
		parentId: row.parentId,
		edition,
		motivation: row.motivation,
		body: row.body,
		bodyHtml: renderMarkdown(row.body),
		tags: row.tags,
		// A version published under a pseudonym never carries its author's account, whoever asks.
		author: row.authorAnonymous ? { id: null, name: row.authorName } : { id: row.authorId, name: row.authorName },
		createdAt: row.annotationCreatedAt.toISOString(),
		publishedAt: row.publishedAt.toISOString(),
		standing: row.standing,
		retraction: row.standing === 'retracted' && row.retractedAt ? { at: row.retractedAt.toISOString(), notice: row.retractionNotice ?? '' } : null,
		supersededBy: row.standing === 'superseded' ? row.supersededBy : null,
		selector:
			row.exact !== null && row.startOffset !== null && row.endOffset !== null
				? { exact: row.exact, prefix: row.prefix ?? '', suffix: row.suffix ?? '', start: row.startOffset, end: row.endOffset }
				: null,
	}
}
