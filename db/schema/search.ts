import { sql } from 'drizzle-orm'
import { customType, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { annotations } from './annotations.ts'
import { documents } from './documents.ts'
import { annotationVersions, editions } from './publication.ts'

/**
 * Full-text search (server/search). Each indexed thing has a tsvector
 * with a GIN index, built with a PostgreSQL text search configuration
 * (`regconfig`) chosen per document from its detected language: 'english'
 * when nothing is known, 'simple' (no stemming, every word as written) for a
 * language PostgreSQL has no configuration for. Rows are kept up to date by
 * the database itself (generated column, triggers in the migration), except
 * a document's live text, which only the server can read out of Yjs.
 */

/** A PostgreSQL text search configuration name, such as 'english' or 'simple'. */
export const regconfig = customType<{ data: string }>({
	dataType() {
		return 'regconfig'
	},
})

export const tsvector = customType<{ data: string }>({
	dataType() {
		return 'tsvector'
	},
})

/**
 * A plain-text copy of each document's live text (PlainTextIndex's text),
 * refreshed by the server after edits (debounced, with the anchors).
 */
export const documentSearch = pgTable(
	'document_search',
	{
		documentId: uuid('document_id')
			.primaryKey()
			.references(() => documents.id, { onDelete: 'cascade' }),
		language: regconfig('language').notNull().default(sql`'english'::regconfig`),
		plainText: text('plain_text').notNull(),
		search: tsvector('search')
			.notNull()
			.generatedAlwaysAs(sql`setweight(to_tsvector("language", "plain_text"), 'D')`),
		indexedAt: timestamp('indexed_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [index('document_search_idx').using('gin', t.search)],
)

/**
 * An annotation's (or reply's) body (weight A), tags (B) and quote (C), in
 * its document's language. The words live in two tables (annotations,
 * annotation_anchors), which a generated column cannot reach: triggers keep
 * this row in step with both.
 */
export const annotationSearch = pgTable(
	'annotation_search',
	{
		annotationId: uuid('annotation_id')
			.primaryKey()
			.references(() => annotations.id, { onDelete: 'cascade' }),
		language: regconfig('language').notNull(),
		search: tsvector('search').notNull(),
	},
	(t) => [index('annotation_search_idx').using('gin', t.search)],
)

/** A published version's body, tags and quote: written once, when the version is (a trigger). */
export const publishedSearch = pgTable(
	'published_search',
	{
		versionId: uuid('version_id')
			.primaryKey()
			.references(() => annotationVersions.id, { onDelete: 'cascade' }),
		language: regconfig('language').notNull(),
		search: tsvector('search').notNull(),
	},
	(t) => [index('published_search_idx').using('gin', t.search)],
)

/** An edition's frozen text: written once, when the edition is (a trigger). */
export const editionSearch = pgTable(
	'edition_search',
	{
		editionId: uuid('edition_id')
			.primaryKey()
			.references(() => editions.id, { onDelete: 'cascade' }),
		language: regconfig('language').notNull(),
		search: tsvector('search').notNull(),
	},
	(t) => [index('edition_search_idx').using('gin', t.search)],
)
