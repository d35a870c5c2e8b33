import { sql } from 'drizzle-orm'
import {
	check,
	index,
	integer,
	pgEnum,
	pgTable,
	primaryKey,
	real,
	text,
	timestamp,
	uuid,
	type AnyPgColumn,
} from 'drizzle-orm/pg-core'
import { users } from './accounts.ts'
import { documents } from './documents.ts'
import { groups } from './groups.ts'
import { bytea } from './types.ts'

/** The W3C Web Annotation motivations Scholion offers (https://www.w3.org/TR/annotation-model/#motivation-and-purpose). */
export const annotationMotivation = pgEnum('annotation_motivation', [
	'commenting',
	'questioning',
	'assessing',
	'tagging',
	'linking',
	'highlighting',
	'editing',
])

/**
 * Where an annotation's working copy is in its life: drafts are their
 * author's alone; submitted ones are seen by the group and wait in the
 * moderation queue; published ones have a current version in the published
 * layer (annotation_versions). See server/publication/moderation.ts.
 */
export const annotationStatus = pgEnum('annotation_status', [
	'draft',
	'submitted',
	'changes_requested',
	'rejected',
	'published',
	'retracted',
	/** Approved where the published layer's audience is `none`: the board's decision, published nowhere. */
	'accepted',
])

/** How an anchor was last placed: on its relative positions or exact quote, approximately, or not at all. */
export const anchorStatus = pgEnum('anchor_status', ['exact', 'fuzzy', 'orphaned'])

export const annotations = pgTable(
	'annotations',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		documentId: uuid('document_id')
			.notNull()
			.references(() => documents.id, { onDelete: 'cascade' }),
		groupId: uuid('group_id')
			.notNull()
			.references(() => groups.id, { onDelete: 'cascade' }),
		creatorId: uuid('creator_id').references(() => users.id, { onDelete: 'set null' }),
		/** The thread's first annotation for a reply; null for an annotation on the text. */
		parentId: uuid('parent_id').references((): AnyPgColumn => annotations.id, { onDelete: 'cascade' }),
		motivation: annotationMotivation('motivation').notNull().default('commenting'),
		/** Markdown, rendered only through app/markdown. */
		body: text('body').notNull().default(''),
		tags: text('tags')
			.array()
			.notNull()
			.default(sql`'{}'::text[]`),
		status: annotationStatus('status').notNull().default('submitted'),
		/** Bumped at every (re)submission and edit while submitted: approvals count only for the current round. */
		submissionRound: integer('submission_round').notNull().default(0),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		modifiedAt: timestamp('modified_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [index('annotations_document_idx').on(t.documentId), index('annotations_parent_idx').on(t.parentId)],
)

/** Where an annotation on the text sits. Replies have none. */
export const annotationAnchors = pgTable(
	'annotation_anchors',
	{
		annotationId: uuid('annotation_id')
			.primaryKey()
			.references(() => annotations.id, { onDelete: 'cascade' }),
		documentId: uuid('document_id')
			.notNull()
			.references(() => documents.id, { onDelete: 'cascade' }),
		/** Y.encodeRelativePosition of the start (associated right) and end (associated left). */
		startPosition: bytea('start_position').notNull(),
		endPosition: bytea('end_position').notNull(),
		/** W3C TextQuoteSelector. */
		exact: text('exact').notNull(),
		prefix: text('prefix').notNull(),
		suffix: text('suffix').notNull(),
		/** W3C TextPositionSelector, in Unicode code points over the document's plain text. */
		startOffset: integer('start_offset').notNull(),
		endOffset: integer('end_offset').notNull(),
		status: anchorStatus('status').notNull().default('exact'),
		confidence: real('confidence').notNull().default(1),
		/** For an orphan: the best candidate place, for a person to confirm. */
		suggestedExact: text('suggested_exact'),
		suggestedStartOffset: integer('suggested_start_offset'),
		suggestedEndOffset: integer('suggested_end_offset'),
		suggestedConfidence: real('suggested_confidence'),
		placedAt: timestamp('placed_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [
		index('annotation_anchors_document_idx').on(t.documentId),
		check('annotation_anchors_range', sql`${t.endOffset} > ${t.startOffset}`),
	],
)

/** One endorsement per person per annotation ("+1"). */
export const endorsements = pgTable(
	'endorsements',
	{
		annotationId: uuid('annotation_id')
			.notNull()
			.references(() => annotations.id, { onDelete: 'cascade' }),
		userId: uuid('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [primaryKey({ columns: [t.annotationId, t.userId] })],
)
