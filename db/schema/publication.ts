import { sql } from 'drizzle-orm'
import {
	bigserial,
	boolean,
	check,
	index,
	integer,
	jsonb,
	pgEnum,
	pgTable,
	text,
	timestamp,
	uniqueIndex,
	uuid,
} from 'drizzle-orm/pg-core'
import { users } from './accounts.ts'
import { annotationMotivation, annotations, annotationStatus } from './annotations.ts'
import { documents } from './documents.ts'
import { groups } from './groups.ts'
import { bytea } from './types.ts'

/**
 * A frozen, immutable copy of a document: what published annotations are
 * pinned to and what the public reader shows. Rows are never updated.
 */
export const editions = pgTable(
	'editions',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		documentId: uuid('document_id')
			.notNull()
			.references(() => documents.id, { onDelete: 'cascade' }),
		number: integer('number').notNull(),
		title: text('title').notNull(),
		/** "sha256:<hex>" of plainText. */
		contentHash: text('content_hash').notNull(),
		/** The ProseMirror document as JSON, and PlainTextIndex's text of it (selectors count code points in this). */
		content: jsonb('content').notNull(),
		plainText: text('plain_text').notNull(),
		wordCount: integer('word_count').notNull(),
		/** Y.encodeStateAsUpdate of the live document when frozen: the annotations' relative positions resolve in it. */
		yjsState: bytea('yjs_state').notNull(),
		createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [uniqueIndex('editions_document_number_key').on(t.documentId, t.number)],
)

export const versionStanding = pgEnum('version_standing', ['published', 'superseded', 'retracted'])

/**
 * One published version of an annotation or reply, pinned to an edition.
 * Its content and selectors never change; only its standing does
 * (superseded by a newer version, or retracted with a public notice).
 */
export const annotationVersions = pgTable(
	'annotation_versions',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		/** No foreign key on purpose: a published version stays resolvable whatever happens to the working copy. */
		annotationId: uuid('annotation_id').notNull(),
		number: integer('number').notNull(),
		parentId: uuid('parent_id'),
		documentId: uuid('document_id')
			.notNull()
			.references(() => documents.id, { onDelete: 'cascade' }),
		groupId: uuid('group_id')
			.notNull()
			.references(() => groups.id, { onDelete: 'cascade' }),
		editionId: uuid('edition_id')
			.notNull()
			.references(() => editions.id, { onDelete: 'cascade' }),
		motivation: annotationMotivation('motivation').notNull(),
		body: text('body').notNull(),
		tags: text('tags')
			.array()
			.notNull()
			.default(sql`'{}'::text[]`),
		authorId: uuid('author_id').references(() => users.id, { onDelete: 'set null' }),
		/** The author's name when published: a citation must not change when a profile does. */
		authorName: text('author_name').notNull(),
		/** authorName is a pseudonym ("Reviewer 2"): the author's id and real name are never shown with this version. */
		authorAnonymous: boolean('author_anonymous').notNull().default(false),
		/** TextQuoteSelector and TextPositionSelector against the edition's plain text; null for a reply. */
		exact: text('exact'),
		prefix: text('prefix'),
		suffix: text('suffix'),
		startOffset: integer('start_offset'),
		endOffset: integer('end_offset'),
		annotationCreatedAt: timestamp('annotation_created_at', { withTimezone: true }).notNull(),
		publishedAt: timestamp('published_at', { withTimezone: true }).notNull().defaultNow(),
		standing: versionStanding('standing').notNull().default('published'),
		supersededBy: integer('superseded_by'),
		retractedAt: timestamp('retracted_at', { withTimezone: true }),
		retractionNotice: text('retraction_notice'),
	},
	(t) => [
		uniqueIndex('annotation_versions_number_key').on(t.annotationId, t.number),
		index('annotation_versions_edition_idx').on(t.editionId),
		index('annotation_versions_group_published_idx').on(t.groupId, t.publishedAt),
		index('annotation_versions_document_published_idx').on(t.documentId, t.publishedAt),
	],
)

/** `override`: an owner published an item whose quorum had become unreachable (with a reason, in the audit log). */
export const moderationVerdict = pgEnum('moderation_verdict', ['approve', 'reject', 'request_changes', 'override'])

/** A moderator's decision on one submission round of an annotation; approvals are counted against the quorum. */
export const moderationDecisions = pgTable(
	'moderation_decisions',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		annotationId: uuid('annotation_id')
			.notNull()
			.references(() => annotations.id, { onDelete: 'cascade' }),
		round: integer('round').notNull(),
		moderatorId: uuid('moderator_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		verdict: moderationVerdict('verdict').notNull(),
		reason: text('reason').notNull(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [uniqueIndex('moderation_decisions_one_per_round').on(t.annotationId, t.round, t.moderatorId)],
)

/**
 * The audit log: every transition of an annotation (who, when, from, to,
 * why). Append-only — a trigger in the migration refuses UPDATE and DELETE —
 * and without foreign keys, so it outlives what it describes.
 */
export const annotationTransitions = pgTable(
	'annotation_transitions',
	{
		id: bigserial('id', { mode: 'number' }).primaryKey(),
		annotationId: uuid('annotation_id').notNull(),
		groupId: uuid('group_id').notNull(),
		/** Null for the system (e.g. publication under a policy that needs no approval). */
		actorId: uuid('actor_id'),
		actorName: text('actor_name').notNull(),
		fromStatus: annotationStatus('from_status'),
		toStatus: annotationStatus('to_status').notNull(),
		/** The published version this transition made or touched, if any. */
		versionNumber: integer('version_number'),
		reason: text('reason').notNull(),
		at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [index('annotation_transitions_annotation_idx').on(t.annotationId, t.id)],
)

/** A public reader's report about a published version; it lands in the moderation queue. */
export const annotationReports = pgTable(
	'annotation_reports',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		versionId: uuid('version_id')
			.notNull()
			.references(() => annotationVersions.id, { onDelete: 'cascade' }),
		groupId: uuid('group_id')
			.notNull()
			.references(() => groups.id, { onDelete: 'cascade' }),
		reason: text('reason').notNull(),
		/** SHA-256 of the reporter's address, for the rate limit; never the address itself. */
		reporterKey: text('reporter_key').notNull(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		resolvedAt: timestamp('resolved_at', { withTimezone: true }),
		resolvedBy: uuid('resolved_by').references(() => users.id, { onDelete: 'set null' }),
		resolution: text('resolution'),
	},
	(t) => [
		index('annotation_reports_group_open_idx').on(t.groupId, t.resolvedAt),
		index('annotation_reports_reporter_idx').on(t.reporterKey, t.createdAt),
		check('annotation_reports_reason_length', sql`char_length(${t.reason}) between 1 and 2000`),
	],
)
