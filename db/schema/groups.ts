import { sql } from 'drizzle-orm'
import {
	boolean,
	check,
	index,
	integer,
	pgEnum,
	pgTable,
	primaryKey,
	text,
	timestamp,
	uniqueIndex,
	uuid,
} from 'drizzle-orm/pg-core'
import { users } from './accounts.ts'

export const groupKind = pgEnum('group_kind', ['seminar', 'editorial_board', 'community'])
export const groupRole = pgEnum('group_role', ['owner', 'moderator', 'reviewer', 'reader'])

/**
 * Who may read a group's published layer (editions, published versions and
 * everything built from them): anyone, only the group's members, or nobody
 * outside the workflow (approval then records the decision and publishes nothing).
 * See app/policy/identity.ts.
 */
export const publishedAudience = pgEnum('published_audience', ['public', 'members', 'none'])

/**
 * Whether people are known by name: to everyone, to the group only (the public
 * sees pseudonyms), or to its stewards only (double-blind inside the group too).
 */
export const identityMode = pgEnum('identity_mode', ['named', 'anonymous_public', 'anonymous'])

export const groups = pgTable('groups', {
	id: uuid('id').primaryKey().defaultRandom(),
	name: text('name').notNull(),
	kind: groupKind('kind').notNull(),
	description: text('description').notNull().default(''),
	/** Moderation policy: whether a submission needs approval to be published, and how many moderators must approve. */
	requiresApproval: boolean('requires_approval').notNull().default(true),
	approvalQuorum: integer('approval_quorum').notNull().default(1),
	/** The default for its documents (each may override it); set from the group's kind at creation. */
	publishedAudience: publishedAudience('published_audience').notNull().default('public'),
	identityMode: identityMode('identity_mode').notNull().default('named'),
	createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
	createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [check('groups_quorum_range', sql`${t.approvalQuorum} between 1 and 10`)])

export const memberships = pgTable(
	'memberships',
	{
		groupId: uuid('group_id')
			.notNull()
			.references(() => groups.id, { onDelete: 'cascade' }),
		userId: uuid('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		role: groupRole('role').notNull(),
		joinedAt: timestamp('joined_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [primaryKey({ columns: [t.groupId, t.userId] }), index('memberships_user_idx').on(t.userId)],
)

/** An invitation link: anyone holding the token may join with `role` until it expires or is revoked. */
export const invites = pgTable(
	'invites',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		groupId: uuid('group_id')
			.notNull()
			.references(() => groups.id, { onDelete: 'cascade' }),
		tokenHash: text('token_hash').notNull(),
		role: groupRole('role').notNull(),
		createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
		revokedAt: timestamp('revoked_at', { withTimezone: true }),
		uses: integer('uses').notNull().default(0),
	},
	(t) => [uniqueIndex('invites_token_hash_key').on(t.tokenHash), index('invites_group_idx').on(t.groupId)],
)

/**
 * A person's pseudonym on one document ("Reviewer 3"): numbered in the order
 * people first appear there, never reused or renumbered, so the same person
 * keeps the same label across annotations, replies, presence and history.
 */
export const documentPseudonyms = pgTable(
	'document_pseudonyms',
	{
		documentId: uuid('document_id').notNull(),
		userId: uuid('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		number: integer('number').notNull(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [
		primaryKey({ columns: [t.documentId, t.userId] }),
		uniqueIndex('document_pseudonyms_number_key').on(t.documentId, t.number),
	],
)
