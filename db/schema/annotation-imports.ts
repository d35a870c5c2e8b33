import { index, integer, jsonb, pgEnum, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { users } from './accounts.ts'
import { documents } from './documents.ts'

export const annotationImportStatus = pgEnum('annotation_import_status', ['placing', 'done', 'failed'])

/**
 * One import of annotations from a Hypothesis or W3C file
 * (server/import-annotations): its progress while the quotes are placed,
 * then its summary. In the database, not in memory, so that any instance
 * can answer the status page; the annotations themselves are written in
 * one transaction at the end, so a failed import leaves none behind.
 */
export const annotationImports = pgTable(
	'annotation_imports',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		documentId: uuid('document_id')
			.notNull()
			.references(() => documents.id, { onDelete: 'cascade' }),
		userId: uuid('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		/** 'hypothesis' or 'w3c'. */
		format: text('format').notNull(),
		fileName: text('file_name'),
		status: annotationImportStatus('status').notNull().default('placing'),
		/** Annotations to place, and how many have been. */
		total: integer('total').notNull(),
		processed: integer('processed').notNull().default(0),
		/** server/import-annotations ImportSummary once done (counts and skipped with reasons). */
		summary: jsonb('summary'),
		error: text('error'),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [index('annotation_imports_document_idx').on(t.documentId, t.createdAt)],
)
