import { bigint, bigserial, index, integer, pgEnum, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { users } from './accounts.ts'
import { groups, publishedAudience } from './groups.ts'
import { bytea } from './types.ts'

export const sourceFormat = pgEnum('source_format', ['txt', 'md', 'html'])

export const documents = pgTable(
	'documents',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		groupId: uuid('group_id')
			.notNull()
			.references(() => groups.id, { onDelete: 'cascade' }),
		title: text('title').notNull(),
		sourceFormat: sourceFormat('source_format').notNull(),
		/** The uploaded file's name, or null when the text was pasted. */
		sourceName: text('source_name'),
		wordCount: integer('word_count').notNull().default(0),
		/** Overrides the group's published audience for this document; null follows the group. */
		publishedAudience: publishedAudience('published_audience'),
		createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [index('documents_group_idx').on(t.groupId)],
)

/**
 * The compacted Yjs state of a document (Y.encodeStateAsUpdate), covering
 * every update in document_updates with id <= throughUpdateId.
 */
export const documentSnapshots = pgTable('document_snapshots', {
	documentId: uuid('document_id')
		.primaryKey()
		.references(() => documents.id, { onDelete: 'cascade' }),
	state: bytea('state').notNull(),
	throughUpdateId: bigint('through_update_id', { mode: 'number' }).notNull().default(0),
	updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
})

/** The append-only log of Yjs updates since the snapshot; the collaboration server writes it. */
export const documentUpdates = pgTable(
	'document_updates',
	{
		id: bigserial('id', { mode: 'number' }).primaryKey(),
		documentId: uuid('document_id')
			.notNull()
			.references(() => documents.id, { onDelete: 'cascade' }),
		update: bytea('update').notNull(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [index('document_updates_document_idx').on(t.documentId, t.id)],
)
