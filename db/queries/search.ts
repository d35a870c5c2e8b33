import { eq, sql, type SQL } from 'drizzle-orm'
import type { Database } from '../client.ts'
import { readablePublishedDocument } from './audience.ts'
import { documentSearch, documents } from '../schema/index.ts'

/**
 * Full-text search over db/schema/search.ts. No permission logic here: the
 * caller (server/search) passes the groups the searcher may read, and these
 * queries keep to them. Each tsvector was built with its row's configuration,
 * so a query is parsed once per configuration in use and matched only against
 * rows of that configuration (which keeps the GIN indexes usable).
 */

/** The plain-text copy of a document as last indexed. */
export async function findDocumentSearch(db: Database, documentId: string) {
	const [row] = await db
		.select({ language: sql<string>`${documentSearch.language}::text`, indexedAt: documentSearch.indexedAt })
		.from(documentSearch)
		.where(eq(documentSearch.documentId, documentId))
	return row ?? null
}

/** Documents whose text has never been indexed (imported and not edited since), oldest first. */
export async function listUnindexedDocuments(db: Database, limit = 50): Promise<string[]> {
	const rows = await db
		.select({ id: documents.id })
		.from(documents)
		.where(sql`not exists (select 1 from ${documentSearch} where ${documentSearch.documentId} = ${documents.id})`)
		.orderBy(documents.createdAt)
		.limit(limit)
	return rows.map((r) => r.id)
}

/**
 * Stores a document's text and language. When the language changes, its
 * annotations, published versions and editions are indexed again in it, so
 * that one query finds them all.
 */
export async function saveDocumentText(db: Database, documentId: string, plainText: string, language: string) {
	await db.transaction(async (tx) => {
		const [before] = await tx
			.select({ language: sql<string>`${documentSearch.language}::text` })
			.from(documentSearch)
			.where(eq(documentSearch.documentId, documentId))
		await tx
			.insert(documentSearch)
			.values({ documentId, plainText, language: sql`${language}::regconfig` as unknown as string })
			.onConflictDoUpdate({
				target: documentSearch.documentId,
				set: { plainText, language: sql`${language}::regconfig` as unknown as string, indexedAt: new Date() },
			})
		if ((before?.language ?? 'english') === language) return
		await tx.execute(sql`
			update annotation_search s
			set language = ${language}::regconfig,
				search = scholion_annotation_tsvector(${language}::regconfig, a.body, a.tags, an.exact)
			from annotations a left join annotation_anchors an on an.annotation_id = a.id
			where a.id = s.annotation_id and a.document_id = ${documentId} and s.language <> ${language}::regconfig`)
		await tx.execute(sql`
			update published_search s
			set language = ${language}::regconfig,
				search = scholion_annotation_tsvector(${language}::regconfig, v.body, v.tags, v.exact)
			from annotation_versions v
			where v.id = s.version_id and v.document_id = ${documentId} and s.language <> ${language}::regconfig`)
		await tx.execute(sql`
			update edition_search s
			set language = ${language}::regconfig, search = setweight(to_tsvector(${language}::regconfig, e.plain_text), 'D')
			from editions e
			where e.id = s.edition_id and e.document_id = ${documentId} and s.language <> ${language}::regconfig`)
	})
}

/** The configurations rows are indexed in ('english' always: the default). */
export async function listSearchLanguages(db: Database): Promise<string[]> {
	const rows = await db.selectDistinct({ language: sql<string>`${documentSearch.language}::text` }).from(documentSearch)
	return [...new Set(['english', ...rows.map((r) => r.language)])].sort()
}

// ---------------------------------------------------------------------------
// Shared pieces

function list(values: readonly string[]): SQL {
	return values.length === 0 ? sql`(null)` : sql`(${sql.join(values.map((v) => sql`${v}`), sql`, `)})`
}

/** `vector` matches the query, parsed in the row's own configuration (`language`). */
function matches(vector: SQL, language: SQL, query: string, languages: readonly string[]): SQL {
	return sql`(${sql.join(
		languages.map((l) => sql`(${language} = ${l}::regconfig and ${vector} @@ websearch_to_tsquery(${l}::regconfig, ${query}))`),
		sql` or `,
	)})`
}

/** ts_headline of `text` (control marks stripped first), or its beginning when there is no query. */
function headline(language: SQL, text: SQL, query: string, options: string): SQL<string> {
	const clean = sql`translate(${text}, chr(2) || chr(3), '')`
	return query
		? sql<string>`ts_headline(${language}, ${clean}, websearch_to_tsquery(${language}, ${query}), ${options})`
		: sql<string>`left(${clean}, 240)`
}

function rank(vector: SQL, language: SQL, query: string): SQL {
	// Normalization 1: divided by 1 + log(length), so a long text does not win by length alone.
	return query ? sql`ts_rank(${vector}, websearch_to_tsquery(${language}, ${query}), 1)` : sql`0`
}

interface Paging {
	limit: number
	offset: number
}

// ---------------------------------------------------------------------------
// The workspace (signed in)

export interface WorkspaceSearchParams extends Paging {
	/** What was typed; '' lists annotations by the filters alone. */
	query: string
	languages: readonly string[]
	userId: string
	/** Groups whose annotations the searcher may read, and whose documents. */
	annotationGroupIds: readonly string[]
	documentGroupIds: readonly string[]
	groupId?: string
	documentId?: string
	authorId?: string
	tag?: string
	motivation?: string
	status?: string
	/** Annotations created at or after `from` and before `until`. */
	from?: Date
	until?: Date
	/** Whether to look in documents' text (only with a query and no annotation-only filter). */
	includeDocuments: boolean
	includeAnnotations: boolean
	/** ts_headline options (server/search/snippet.ts). */
	headlineOptions: string
}

export interface WorkspaceHitRow {
	kind: 'annotation' | 'document'
	id: string
	total: number
}

export async function searchWorkspace(db: Database, p: WorkspaceSearchParams) {
	const parts: SQL[] = []
	if (p.includeAnnotations && p.annotationGroupIds.length > 0) {
		const where: SQL[] = [
			sql`a.group_id in ${list(p.annotationGroupIds)}`,
			// Drafts are their author's alone (app/policy/permissions.ts canSeeAnnotation).
			sql`(a.status <> 'draft' or a.creator_id = ${p.userId})`,
		]
		if (p.query) where.push(matches(sql`s.search`, sql`s.language`, p.query, p.languages))
		if (p.groupId) where.push(sql`a.group_id = ${p.groupId}`)
		if (p.documentId) where.push(sql`a.document_id = ${p.documentId}`)
		if (p.authorId) where.push(sql`a.creator_id = ${p.authorId}`)
		if (p.tag) where.push(sql`${p.tag} = any(a.tags)`)
		if (p.motivation) where.push(sql`a.motivation = ${p.motivation}::annotation_motivation`)
		if (p.status) where.push(sql`a.status = ${p.status}::annotation_status`)
		if (p.from) where.push(sql`a.created_at >= ${p.from.toISOString()}::timestamptz`)
		if (p.until) where.push(sql`a.created_at < ${p.until.toISOString()}::timestamptz`)
		parts.push(sql`
			select 'annotation' as kind, a.id, ${rank(sql`s.search`, sql`s.language`, p.query)} as rank, a.created_at as at
			from annotation_search s join annotations a on a.id = s.annotation_id
			where ${sql.join(where, sql` and `)}`)
	}
	if (p.includeDocuments && p.query && p.documentGroupIds.length > 0) {
		const where: SQL[] = [
			sql`d.group_id in ${list(p.documentGroupIds)}`,
			matches(sql`ds.search`, sql`ds.language`, p.query, p.languages),
		]
		if (p.groupId) where.push(sql`d.group_id = ${p.groupId}`)
		if (p.documentId) where.push(sql`d.id = ${p.documentId}`)
		parts.push(sql`
			select 'document' as kind, d.id, ${rank(sql`ds.search`, sql`ds.language`, p.query)} as rank, d.created_at as at
			from document_search ds join documents d on d.id = ds.document_id
			where ${sql.join(where, sql` and `)}`)
	}
	if (parts.length === 0) return { total: 0, annotations: [], documents: [], order: [] as WorkspaceHitRow[] }
	const result = await db.execute(sql`
		select kind, id::text, (count(*) over ())::int as total
		from (${sql.join(parts, sql` union all `)}) hits
		order by rank desc, at desc, id
		limit ${p.limit} offset ${p.offset}`)
	const order = rowsOf<WorkspaceHitRow>(result)
	const annotationIds = order.filter((r) => r.kind === 'annotation').map((r) => r.id)
	const documentIds = order.filter((r) => r.kind === 'document').map((r) => r.id)
	return {
		total: order[0]?.total ?? 0,
		order,
		annotations: annotationIds.length ? await annotationDetails(db, annotationIds, p.query, p.headlineOptions) : [],
		documents: documentIds.length ? await documentDetails(db, documentIds, p.query, p.headlineOptions) : [],
	}
}

export interface AnnotationHitRow {
	id: string
	parentId: string | null
	documentId: string
	groupId: string
	documentTitle: string
	groupName: string
	creatorId: string | null
	authorName: string | null
	motivation: string
	status: string
	tags: string[] | string
	createdAt: string | Date
	anchorStatus: string | null
	bodySnippet: string
	quoteSnippet: string
	/** What the snippets were made from, for a searcher who must see its mentions as pseudonyms (server/search). */
	body: string
	quote: string | null
	language: string
}

async function annotationDetails(db: Database, ids: string[], query: string, options: string) {
	const result = await db.execute(sql`
		select a.id::text, a.parent_id::text as "parentId", a.document_id::text as "documentId", a.group_id::text as "groupId",
			d.title as "documentTitle", g.name as "groupName", a.creator_id::text as "creatorId", u.name as "authorName",
			a.motivation::text, a.status::text, a.tags, a.created_at as "createdAt", an.status::text as "anchorStatus",
			${headline(sql`s.language`, sql`scholion_markdown_text(a.body)`, query, options)} as "bodySnippet",
			${headline(sql`s.language`, sql`coalesce(an.exact, '')`, query, options)} as "quoteSnippet",
			a.body, an.exact as "quote", s.language::text as "language"
		from annotations a
		join annotation_search s on s.annotation_id = a.id
		join documents d on d.id = a.document_id
		join groups g on g.id = a.group_id
		left join users u on u.id = a.creator_id
		left join annotation_anchors an on an.annotation_id = a.id
		where a.id in ${list(ids)}`)
	return rowsOf<AnnotationHitRow>(result)
}

/**
 * An annotation's body snippet made again from `body` (its mentions already
 * written as the searcher may see them), and whether the query still matches
 * the annotation without the words it no longer shows (a mentioned person's
 * name or account).
 */
export async function rewrittenBodyHit(
	db: Database,
	p: { language: string; body: string; tags: readonly string[]; quote: string | null; query: string; headlineOptions: string },
): Promise<{ bodySnippet: string; matches: boolean }> {
	const language = sql`${p.language}::regconfig`
	const text = sql`scholion_markdown_text(${p.body})`
	const result = await db.execute(sql`
		select ${headline(language, text, p.query, p.headlineOptions)} as "bodySnippet",
			${p.query ? sql`scholion_annotation_tsvector(${language}, ${p.body}, ${sql`string_to_array(${p.tags.join('')}, chr(1))`}, ${p.quote ?? ''}) @@ websearch_to_tsquery(${language}, ${p.query})` : sql`true`} as "matches"`)
	const [row] = rowsOf<{ bodySnippet: string; matches: boolean }>(result)
	return { bodySnippet: row?.bodySnippet ?? '', matches: row?.matches ?? false }
}

export interface DocumentHitRow {
	id: string
	groupId: string
	documentTitle: string
	groupName: string
	textSnippet: string
}

async function documentDetails(db: Database, ids: string[], query: string, options: string) {
	const result = await db.execute(sql`
		select d.id::text, d.group_id::text as "groupId", d.title as "documentTitle", g.name as "groupName",
			${headline(sql`ds.language`, sql`ds.plain_text`, query, options)} as "textSnippet"
		from document_search ds
		join documents d on d.id = ds.document_id
		join groups g on g.id = d.group_id
		where d.id in ${list(ids)}`)
	return rowsOf<DocumentHitRow>(result)
}

/** The documents of some groups, for the search form's document filter. */
export async function listDocumentsOfGroups(db: Database, groupIds: readonly string[]) {
	if (groupIds.length === 0) return []
	const result = await db.execute(sql`
		select d.id::text, d.title, d.group_id::text as "groupId" from documents d
		where d.group_id in ${list(groupIds)} order by d.title, d.id`)
	return rowsOf<{ id: string; title: string; groupId: string }>(result)
}

/** Members of some groups (only members write annotations), for the author filter. */
export async function listMembersOfGroups(db: Database, groupIds: readonly string[]) {
	if (groupIds.length === 0) return []
	const result = await db.execute(sql`
		select u.id::text as id, u.name from memberships m join users u on u.id = m.user_id
		where m.group_id in ${list(groupIds)} group by u.id, u.name order by u.name, u.id`)
	return rowsOf<{ id: string; name: string }>(result)
}

// ---------------------------------------------------------------------------
// The published layer (no login)

export interface PublishedSearchParams extends Paging {
	query: string
	languages: readonly string[]
	documentId?: string
	/** Also retracted versions (shown as such); superseded ones never: their successor is found instead. */
	includeRetracted: boolean
	headlineOptions: string
	/** Who searches (null: anonymous): only documents whose audience lets them read the published layer are searched. */
	viewerId: string | null
}

export interface PublishedHitRow {
	kind: 'annotation' | 'edition'
	id: string
	total: number
}

export async function searchPublished(db: Database, p: PublishedSearchParams) {
	const standings = p.includeRetracted ? sql`('published', 'retracted')` : sql`('published')`
	const versions = sql`
		select 'annotation' as kind, v.id, ${rank(sql`ps.search`, sql`ps.language`, p.query)} as rank, v.published_at as at
		from published_search ps join annotation_versions v on v.id = ps.version_id
		where v.standing in ${standings} and ${matches(sql`ps.search`, sql`ps.language`, p.query, p.languages)}
			and ${readablePublishedDocument(sql`v.document_id`, p.viewerId)}
		${p.documentId ? sql`and v.document_id = ${p.documentId}` : sql``}`
	// The latest edition of each document: older ones are the same text, frozen earlier.
	const texts = sql`
		select 'edition' as kind, e.id, ${rank(sql`es.search`, sql`es.language`, p.query)} as rank, e.created_at as at
		from edition_search es join editions e on e.id = es.edition_id
		where e.number = (select max(e2.number) from editions e2 where e2.document_id = e.document_id)
			and ${matches(sql`es.search`, sql`es.language`, p.query, p.languages)}
			and ${readablePublishedDocument(sql`e.document_id`, p.viewerId)}
		${p.documentId ? sql`and e.document_id = ${p.documentId}` : sql``}`
	const result = await db.execute(sql`
		select kind, id::text, (count(*) over ())::int as total
		from (${versions} union all ${texts}) hits
		order by rank desc, at desc, id
		limit ${p.limit} offset ${p.offset}`)
	const order = rowsOf<PublishedHitRow>(result)
	const versionIds = order.filter((r) => r.kind === 'annotation').map((r) => r.id)
	const editionIds = order.filter((r) => r.kind === 'edition').map((r) => r.id)
	return {
		total: order[0]?.total ?? 0,
		order,
		versions: versionIds.length ? await versionDetails(db, versionIds, p.query, p.headlineOptions) : [],
		editions: editionIds.length ? await editionDetails(db, editionIds, p.query, p.headlineOptions) : [],
	}
}

export interface VersionHitRow {
	id: string
	annotationId: string
	number: number
	parentId: string | null
	documentId: string
	documentTitle: string
	groupName: string
	editionNumber: number
	authorName: string
	motivation: string
	standing: 'published' | 'retracted'
	retractionNotice: string | null
	publishedAt: string | Date
	bodySnippet: string
	quoteSnippet: string
}

async function versionDetails(db: Database, ids: string[], query: string, options: string) {
	const result = await db.execute(sql`
		select v.id::text, v.annotation_id::text as "annotationId", v.number, v.parent_id::text as "parentId",
			v.document_id::text as "documentId", e.title as "documentTitle", g.name as "groupName", e.number as "editionNumber",
			v.author_name as "authorName", v.motivation::text, v.standing::text, v.retraction_notice as "retractionNotice",
			v.published_at as "publishedAt",
			${headline(sql`ps.language`, sql`scholion_markdown_text(v.body)`, query, options)} as "bodySnippet",
			${headline(sql`ps.language`, sql`coalesce(v.exact, '')`, query, options)} as "quoteSnippet"
		from annotation_versions v
		join published_search ps on ps.version_id = v.id
		join editions e on e.id = v.edition_id
		join groups g on g.id = v.group_id
		where v.id in ${list(ids)}`)
	return rowsOf<VersionHitRow>(result)
}

export interface EditionHitRow {
	id: string
	documentId: string
	documentTitle: string
	groupName: string
	number: number
	textSnippet: string
}

async function editionDetails(db: Database, ids: string[], query: string, options: string) {
	const result = await db.execute(sql`
		select e.id::text, e.document_id::text as "documentId", e.title as "documentTitle", g.name as "groupName", e.number,
			${headline(sql`es.language`, sql`e.plain_text`, query, options)} as "textSnippet"
		from editions e
		join edition_search es on es.edition_id = e.id
		join documents d on d.id = e.document_id
		join groups g on g.id = d.group_id
		where e.id in ${list(ids)}`)
	return rowsOf<EditionHitRow>(result)
}

/** Rows of db.execute: node-postgres and PGlite both answer `{ rows }`. */
function rowsOf<T>(result: unknown): T[] {
	return ((result as { rows?: T[] }).rows ?? (result as T[])) as T[]
}
