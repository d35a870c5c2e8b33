import { createHash } from 'node:crypto'
import * as Y from 'yjs'
import type { Database } from '#db/client.ts'
import type { User } from '#db/queries/accounts.ts'
import { loadStoredYDoc } from '#db/queries/document-state.ts'
import { findGroup, listGroupsOf, listOpenCommunities } from '#db/queries/groups.ts'
import {
	listDocumentsOfGroups,
	listMembersOfGroups,
	listSearchLanguages,
	listUnindexedDocuments,
	rewrittenBodyHit,
	saveDocumentText,
	searchPublished,
	searchWorkspace,
	type AnnotationHitRow,
	type VersionHitRow,
} from '#db/queries/search.ts'
import { documentPlainText } from '#app/editor/plain-text.ts'
import { describeDamage, isDamaged } from '#app/editor/salvage.ts'
import { readYDoc } from '#app/editor/yjs.ts'
import { seesRealNames, type IdentityMode } from '#app/policy/identity.ts'
import { can, canSeeAnnotation, type Actor, type GroupKind } from '#app/policy/permissions.ts'
import type {
	AnnotationHit,
	PublishedAnnotationHit,
	PublishedHit,
	ResultPage,
	WorkspaceHit,
} from '#app/components/search/types.ts'
import type { AnnotationService } from '../annotations/service.ts'
import { identityLens, type IdentityLens } from '../identity/lens.ts'
import { mentionedIds, mentionsAsMarkdown } from '../identity/mentions.ts'
import { publicationUrls } from '../publication/urls.ts'
import { searchConfigFor } from './language.ts'
import type { PublishedQuery, WorkspaceQuery } from './query.ts'
import { headlineOptions, toSnippet } from './snippet.ts'

export interface SearchOptions {
	/** Results per page (default 20). */
	pageSize: number
	/**
	 * While a document is being edited, its text is re-indexed at most once per
	 * this many ms: each time costs a full read of the document and a language
	 * guess over its first 20,000 characters, tens of ms for a long text.
	 */
	reindexEveryMs: number
}

const defaults: SearchOptions = { pageSize: 20, reindexEveryMs: 5000 }

/** Permalinks of the published layer, relative to the site (server/publication/urls.ts shapes them). */
const published = publicationUrls('')

interface Readable {
	actor: Actor
	kind: GroupKind
	annotations: boolean
	documents: boolean
	/** Whether the searcher may know who is who in this group (its identity mode and their role). */
	realNames: boolean
	mode: IdentityMode
}

/**
 * Full-text search: the signed-in workspace (documents' live text and
 * annotations, only what the searcher may see) and the public reader's
 * published layer (editions and published versions only). Keeps each
 * document's searchable text in step with its live text: the annotation
 * service tells it when it re-places a document's anchors after edits.
 */
export class SearchService {
	private readonly options: SearchOptions
	/** Per document, the hash of the text last stored, and the write in flight. */
	private readonly indexed = new Map<string, string>()
	private readonly writing = new Map<string, Promise<void>>()
	/** When each document's text was last read for indexing (performance.now()). */
	private readonly readAt = new Map<string, number>()
	/** Documents changed since their last read, with the timer that reads them. */
	private readonly due = new Map<string, { ydoc: Y.Doc; timer: NodeJS.Timeout }>()
	/** Documents that could not be read at all: skipped (and logged once) until the next start. */
	private readonly unreadable = new Set<string>()
	/** Damaged documents already logged. */
	private readonly damaged = new Set<string>()

	constructor(
		private readonly db: Database,
		annotations: AnnotationService,
		options: Partial<SearchOptions> = {},
	) {
		this.options = { ...defaults, ...options }
		annotations.textChanged = (documentId, ydoc) => this.documentChanged(documentId, ydoc)
	}

	/**
	 * Stores the document's text as it is in `ydoc` (written in order, in the
	 * background): read at once if it was not read in the last `reindexEveryMs`,
	 * else when that time is up (the live document stays loaded longer than that).
	 */
	documentChanged(documentId: string, ydoc: Y.Doc) {
		const due = this.due.get(documentId)
		if (due) {
			due.ydoc = ydoc
			return
		}
		const wait = (this.readAt.get(documentId) ?? -Infinity) + this.options.reindexEveryMs - performance.now()
		if (wait <= 0) {
			this.read(documentId, ydoc)
			return
		}
		const timer = setTimeout(() => void this.readDue(documentId).catch((error) => console.error(`[search] indexing ${documentId} failed:`, error)), wait)
		timer.unref()
		this.due.set(documentId, { ydoc, timer })
	}

	/** Reads every document whose re-indexing is waiting, then waits for every text write in flight (searches, tests, shutdown). */
	async settle() {
		const reading: Promise<void>[] = []
		for (const [documentId, { timer }] of this.due) {
			clearTimeout(timer)
			reading.push(this.readDue(documentId))
		}
		await Promise.all(reading)
		await Promise.all([...this.writing.values()])
	}

	/**
	 * Indexes documents from their stored state (those a restart recovered from
	 * the collaboration journal, say). A document that cannot be read is logged
	 * once and left out, never failing the others or the search that asked.
	 */
	async indexStored(documentIds: string[]) {
		for (const documentId of documentIds) {
			if (this.unreadable.has(documentId)) continue
			try {
				const ydoc = await loadStoredYDoc(this.db, documentId)
				try {
					this.read(documentId, ydoc)
				} finally {
					ydoc.destroy()
				}
			} catch (error) {
				this.unreadable.add(documentId)
				console.error(`[search] document ${documentId} cannot be read; left out of search until the next start:`, error)
			}
		}
	}

	private async readDue(documentId: string) {
		const due = this.due.get(documentId)
		this.due.delete(documentId)
		if (!due) return
		// Unloaded meanwhile (its updates are stored by then): read what was stored.
		if (due.ydoc.isDestroyed) await this.indexStored([documentId])
		else this.read(documentId, due.ydoc)
	}

	private read(documentId: string, ydoc: Y.Doc) {
		this.readAt.set(documentId, performance.now())
		const { doc, damage } = readYDoc(ydoc)
		if (isDamaged(damage) && !this.damaged.has(documentId)) {
			this.damaged.add(documentId)
			console.warn(`[search] document ${documentId} is damaged in storage (${describeDamage(damage)}); indexing what can be read`)
		} else if (!isDamaged(damage)) this.damaged.delete(documentId)
		this.store(documentId, documentPlainText(doc))
	}

	/** Indexes documents never indexed yet (imported and not edited since). */
	async indexNewDocuments(): Promise<number> {
		const ids = (await listUnindexedDocuments(this.db)).filter((id) => !this.unreadable.has(id))
		await this.indexStored(ids)
		await this.settle()
		return ids.length
	}

	/** The groups, documents and people the searcher may filter by. */
	async filterOptions(user: User) {
		const readable = await this.readableGroups(user)
		const groupIds = [...readable.entries()].filter(([, g]) => g.documents).map(([id]) => id)
		// Only people the searcher may know by name are offered as authors: a name in this list, filtering
		// a group where it is a pseudonym, would tell which "Reviewer 2" it is.
		const namedGroupIds = groupIds.filter((id) => readable.get(id)!.realNames)
		const [documents, members] = await Promise.all([
			listDocumentsOfGroups(this.db, groupIds),
			listMembersOfGroups(this.db, namedGroupIds),
		])
		const authors = members.some((m) => m.id === user.id) ? members : [...members, { id: user.id, name: user.name }].sort((a, b) => a.name.localeCompare(b.name))
		const names = await this.groupNames(user)
		return {
			groups: groupIds.map((id) => ({ id, name: names.get(id) ?? '' })).sort((a, b) => a.name.localeCompare(b.name)),
			documents,
			authors,
		}
	}

	/** Annotations and document text the user may see, ranked, one page. */
	async search(user: User, query: WorkspaceQuery): Promise<ResultPage<WorkspaceHit>> {
		// Settles too: whatever was typed before the search is found by it, re-indexing cadence or not.
		await this.indexNewDocuments()
		const readable = await this.readableGroups(user)
		// Filtering by someone else's account only where the searcher may know them (see filterOptions).
		const byOther = query.author !== undefined && query.author !== user.id
		const annotationOnly = Boolean(query.author || query.tag || query.motivation || query.status || query.from || query.to)
		const { pageSize } = this.options
		const result = await searchWorkspace(this.db, {
			query: query.q,
			languages: await listSearchLanguages(this.db),
			userId: user.id,
			annotationGroupIds: [...readable].filter(([, g]) => g.annotations && (!byOther || g.realNames)).map(([id]) => id),
			documentGroupIds: [...readable].filter(([, g]) => g.documents).map(([id]) => id),
			groupId: query.group,
			documentId: query.document,
			authorId: query.author,
			tag: query.tag,
			motivation: query.motivation,
			status: query.status,
			from: query.from ? new Date(`${query.from}T00:00:00Z`) : undefined,
			until: query.to ? new Date(Date.parse(`${query.to}T00:00:00Z`) + 86_400_000) : undefined,
			includeAnnotations: query.in !== 'documents',
			includeDocuments: query.in !== 'annotations' && !annotationOnly,
			headlineOptions,
			limit: pageSize,
			offset: (query.page - 1) * pageSize,
		})
		const annotations = new Map(result.annotations.map((row) => [row.id, row]))
		const documents = new Map(result.documents.map((row) => [row.id, row]))
		const lenses = await this.lenses(user, readable, result.annotations)
		const hits: WorkspaceHit[] = []
		let hidden = 0
		for (const { kind, id } of result.order) {
			if (kind === 'annotation') {
				const row = annotations.get(id)
				const group = row ? readable.get(row.groupId) : undefined
				// The query keeps to what may be seen; asking the permission module again costs nothing here.
				if (!row || !group || !canSeeAnnotation(group.actor, row, { groupKind: group.kind })) continue
				const lens = lenses.get(row.documentId)!
				const shown = await this.shownBody(row, lens, query.q)
				// Found only by the name or account of someone mentioned, whom this searcher may not know.
				if (!shown) {
					hidden++
					continue
				}
				hits.push(annotationHit({ ...row, bodySnippet: shown }, lens))
			} else {
				const row = documents.get(id)
				const group = row ? readable.get(row.groupId) : undefined
				if (!row || !group?.documents) continue
				hits.push({
					kind: 'document',
					id: row.id,
					documentTitle: row.documentTitle,
					groupName: row.groupName,
					text: toSnippet(row.textSnippet),
					href: `/documents/${row.id}`,
				})
			}
		}
		const total = result.total - hidden
		return { hits, total, page: query.page, pageCount: Math.ceil(total / pageSize) }
	}

	/** Per document of the annotation hits, the searcher's lens there (built once, with every person the hits show). */
	private async lenses(user: User, readable: Map<string, Readable>, rows: AnnotationHitRow[]): Promise<Map<string, IdentityLens>> {
		const byDocument = new Map<string, AnnotationHitRow[]>()
		for (const row of rows) byDocument.set(row.documentId, [...(byDocument.get(row.documentId) ?? []), row])
		const lenses = new Map<string, IdentityLens>()
		for (const [documentId, list] of byDocument) {
			const group = readable.get(list[0]!.groupId)
			lenses.set(
				documentId,
				await identityLens(this.db, {
					viewer: { userId: user.id, role: group?.actor.role ?? null },
					mode: group?.mode ?? 'anonymous',
					documentId,
					people: list.flatMap((r) => [r.creatorId, ...mentionedIds(r.body)]),
				}),
			)
		}
		return lenses
	}

	/**
	 * The body's snippet as this searcher may read it: as found when they know
	 * everyone it mentions; else made again from the body with its mentions as
	 * pseudonyms, or null when the query matched only what they no longer see.
	 */
	private async shownBody(row: AnnotationHitRow, lens: IdentityLens, query: string): Promise<string | null> {
		if (lens.realNames || mentionedIds(row.body).length === 0) return row.bodySnippet
		const again = await rewrittenBodyHit(this.db, {
			language: row.language,
			body: mentionsAsMarkdown(row.body, lens),
			tags: arrayOf(row.tags),
			quote: row.quote,
			query,
			headlineOptions,
		})
		return again.matches ? again.bodySnippet : null
	}

	/**
	 * The published layer: current published versions (and, if asked, retracted ones) and editions' text,
	 * of the documents whose audience lets `viewer` read them (anyone: public ones; members: their groups' too).
	 */
	async searchPublished(query: PublishedQuery, viewer: User | null = null): Promise<ResultPage<PublishedHit>> {
		const { pageSize } = this.options
		if (!query.q) return { hits: [], total: 0, page: query.page, pageCount: 0 }
		await this.indexNewDocuments()
		const result = await searchPublished(this.db, {
			query: query.q,
			languages: await listSearchLanguages(this.db),
			documentId: query.document,
			includeRetracted: query.retracted,
			headlineOptions,
			viewerId: viewer?.id ?? null,
			limit: pageSize,
			offset: (query.page - 1) * pageSize,
		})
		const versions = new Map(result.versions.map((row) => [row.id, row]))
		const editions = new Map(result.editions.map((row) => [row.id, row]))
		const hits: PublishedHit[] = []
		for (const { kind, id } of result.order) {
			if (kind === 'annotation') {
				const row = versions.get(id)
				if (row && (row.standing === 'published' || (query.retracted && row.standing === 'retracted'))) hits.push(versionHit(row))
			} else {
				const row = editions.get(id)
				if (!row) continue
				hits.push({
					kind: 'edition',
					id: row.id,
					documentTitle: row.documentTitle,
					groupName: row.groupName,
					editionNumber: row.number,
					text: toSnippet(row.textSnippet),
					href: published.edition(row.documentId, row.number),
				})
			}
		}
		return { hits, total: result.total, page: query.page, pageCount: Math.ceil(result.total / pageSize) }
	}

	/** The groups whose documents and annotations the user may read, asked of the permission table. */
	private async readableGroups(user: User): Promise<Map<string, Readable>> {
		const [memberOf, communities] = await Promise.all([listGroupsOf(this.db, user.id), listOpenCommunities(this.db, user.id)])
		const readable = new Map<string, Readable>()
		const candidates = [
			...memberOf.map((g) => ({ id: g.id, kind: g.kind, role: g.role })),
			...communities.map((g) => ({ id: g.id, kind: 'community' as const, role: null })),
		]
		const modes = new Map(
			(await Promise.all(candidates.map((c) => findGroup(this.db, c.id)))).filter((g) => g !== null).map((g) => [g.id, g.identityMode]),
		)
		for (const { id, kind, role } of candidates) {
			const actor: Actor = { userId: user.id, role }
			const annotations = can(actor, 'annotation.read', { groupKind: kind })
			const documents = can(actor, 'document.read', { groupKind: kind })
			// A group whose mode cannot be read is treated as the most private.
			const mode = modes.get(id) ?? 'anonymous'
			if (annotations || documents) readable.set(id, { actor, kind, annotations, documents, mode, realNames: seesRealNames(mode, role) })
		}
		return readable
	}

	private async groupNames(user: User): Promise<Map<string, string>> {
		const [memberOf, communities] = await Promise.all([listGroupsOf(this.db, user.id), listOpenCommunities(this.db, user.id)])
		return new Map([...memberOf, ...communities].map((g) => [g.id, g.name]))
	}

	private store(documentId: string, text: string) {
		const hash = createHash('sha256').update(text).digest('base64')
		if (this.indexed.get(documentId) === hash) return
		this.indexed.set(documentId, hash)
		const previous = this.writing.get(documentId) ?? Promise.resolve()
		const write = previous
			.then(() => saveDocumentText(this.db, documentId, text, searchConfigFor(text)))
			.catch((error: unknown) => {
				this.indexed.delete(documentId)
				console.error(`[search] indexing the text of ${documentId} failed:`, error)
			})
			.finally(() => {
				if (this.writing.get(documentId) === write) this.writing.delete(documentId)
			})
		this.writing.set(documentId, write)
	}
}

function annotationHit(row: AnnotationHitRow, lens: IdentityLens): AnnotationHit {
	const threadId = row.parentId ?? row.id
	return {
		kind: 'annotation',
		id: row.id,
		threadId,
		isReply: row.parentId !== null,
		documentId: row.documentId,
		documentTitle: row.documentTitle,
		groupName: row.groupName,
		authorName: row.creatorId === null ? (row.authorName ?? 'Someone') : lens.person({ id: row.creatorId, name: row.authorName ?? 'Someone' }).name,
		motivation: row.motivation,
		status: row.status,
		tags: arrayOf(row.tags),
		createdAt: isoOf(row.createdAt),
		anchorStatus: row.anchorStatus,
		body: toSnippet(row.bodySnippet),
		quote: toSnippet(row.quoteSnippet),
		href: `/documents/${row.documentId}#annotation-${threadId}`,
	}
}

function versionHit(row: VersionHitRow): PublishedAnnotationHit {
	return {
		kind: 'annotation',
		id: row.annotationId,
		versionNumber: row.number,
		isReply: row.parentId !== null,
		documentTitle: row.documentTitle,
		groupName: row.groupName,
		editionNumber: row.editionNumber,
		authorName: row.authorName,
		motivation: row.motivation,
		standing: row.standing,
		retractionNotice: row.retractionNotice,
		publishedAt: isoOf(row.publishedAt),
		body: toSnippet(row.bodySnippet),
		quote: toSnippet(row.quoteSnippet),
		permalink: published.annotation(row.annotationId),
		inEdition: `${published.edition(row.documentId, row.editionNumber)}#note-${row.annotationId}`,
	}
}

function isoOf(value: string | Date): string {
	return (value instanceof Date ? value : new Date(value)).toISOString()
}

/** text[] from a raw query: node-postgres parses it; PGlite may hand back the literal. */
function arrayOf(value: string[] | string): string[] {
	if (Array.isArray(value)) return value
	const inner = value.replace(/^\{|\}$/g, '')
	return inner ? inner.split(',').map((v) => v.replace(/^"|"$/g, '')) : []
}
