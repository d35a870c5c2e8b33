import { asc, eq, sql, type SQL } from 'drizzle-orm'
import type { Database } from '../client.ts'
import { annotations, annotationVersions, documents, editions, groups, memberships } from '../schema/index.ts'
import type { Role } from './groups.ts'

/**
 * What the published layer's gate (server/publication/audience.ts) needs to
 * know of one document, in one query: its group, both audiences and the
 * viewer's role. The same statement runs whether the document exists or not,
 * so a hidden document costs what a missing one does.
 */
export interface AudienceRow {
	documentId: string
	groupId: string
	groupName: string
	groupAudience: 'public' | 'members' | 'none'
	documentAudience: 'public' | 'members' | 'none' | null
	role: Role | null
}

/** Stands in for "nobody" so that an anonymous viewer's query has the same shape (no account has this id). */
export const nobody = '00000000-0000-0000-0000-000000000000'

export async function findAudience(
	db: Database,
	viewerId: string | null,
	target: { documentId: string } | { annotationId: string },
): Promise<AudienceRow | null> {
	// An annotation's document is known only from its published versions: nothing else of it is public.
	const documentId =
		'documentId' in target
			? sql`${target.documentId}::uuid`
			: sql`(select ${annotationVersions.documentId} from ${annotationVersions} where ${annotationVersions.annotationId} = ${target.annotationId} limit 1)`
	const result = (await db.execute(sql`
		select d.id::text as "documentId", g.id::text as "groupId", g.name as "groupName",
			g.published_audience::text as "groupAudience", d.published_audience::text as "documentAudience", m.role::text as role
		from ${documents} d
		join ${groups} g on g.id = d.group_id
		left join ${memberships} m on m.group_id = g.id and m.user_id = ${viewerId ?? nobody}::uuid
		where d.id = ${documentId}`)) as unknown as { rows: AudienceRow[] }
	return result.rows[0] ?? null
}

/**
 * A condition on a document id column: whether this viewer may read that
 * document's published layer. The SQL twin of mayReadPublished
 * (app/policy/identity.ts) for lists (search, feeds), where asking row by
 * row would leak counts through timing: public to anyone, members to the
 * group's members, none to nobody.
 */
export function readablePublishedDocument(documentIdColumn: SQL, viewerId: string | null): SQL {
	return sql`${documentIdColumn} in (
		select rd.id from ${documents} rd join ${groups} rg on rg.id = rd.group_id
		where coalesce(rd.published_audience, rg.published_audience) = 'public'
			or (coalesce(rd.published_audience, rg.published_audience) = 'members'
				and exists (select 1 from ${memberships} rm where rm.group_id = rg.id and rm.user_id = ${viewerId ?? nobody}::uuid)))`
}

/** The documents of a group whose published layer this viewer may read (a group's feed lists only these). */
export async function listReadablePublishedDocuments(
	db: Database,
	groupId: string,
	viewerId: string | null,
): Promise<{ id: string; audience: 'public' | 'members' | 'none' }[]> {
	const result = (await db.execute(sql`
		select d.id::text as id, coalesce(d.published_audience, g.published_audience)::text as audience
		from ${documents} d join ${groups} g on g.id = d.group_id
		where d.group_id = ${groupId}::uuid and ${readablePublishedDocument(sql`d.id`, viewerId)}`)) as unknown as {
		rows: { id: string; audience: 'public' | 'members' | 'none' }[]
	}
	return result.rows
}

type AudienceValue = 'public' | 'members' | 'none'

export async function setGroupAudience(db: Database, groupId: string, audience: AudienceValue) {
	await db.update(groups).set({ publishedAudience: audience }).where(eq(groups.id, groupId))
}

/** A document's own audience, or null to follow its group's. */
export async function setDocumentAudience(db: Database, documentId: string, audience: AudienceValue | null) {
	await db.update(documents).set({ publishedAudience: audience }).where(eq(documents.id, documentId))
}

/** A group's documents with their own audience (null: the group's), for the settings page. */
export async function listDocumentAudiences(db: Database, groupId: string) {
	return db
		.select({ id: documents.id, title: documents.title, audience: documents.publishedAudience })
		.from(documents)
		.where(eq(documents.groupId, groupId))
		.orderBy(asc(documents.title), asc(documents.id))
}

/**
 * What each document of a group has that an audience decides over: its
 * editions, the published versions that stand (the permalinks a reader can
 * follow), and the accepted reviews that were never published.
 */
export async function countPublishedPerDocument(db: Database, groupId: string) {
	const result = (await db.execute(sql`
		select d.id::text as "documentId",
			(select count(*) from ${editions} e where e.document_id = d.id)::int as editions,
			(select count(*) from ${annotationVersions} v where v.document_id = d.id and v.standing = 'published')::int as versions,
			(select count(*) from ${annotations} a where a.document_id = d.id and a.status = 'accepted')::int as accepted
		from ${documents} d where d.group_id = ${groupId}::uuid`)) as unknown as {
		rows: { documentId: string; editions: number; versions: number; accepted: number }[]
	}
	return result.rows
}

export async function findGroupAudience(db: Database, groupId: string): Promise<AudienceValue | null> {
	const [row] = await db.select({ audience: groups.publishedAudience }).from(groups).where(eq(groups.id, groupId))
	return row?.audience ?? null
}
