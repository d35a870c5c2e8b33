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

export const groups = pgTable('groups', {
	id: uuid('id').primaryKey().defaultRandom(),
	name: text('name').notNull(),
	kind: groupKind('kind').notNull(),
	description: text('description').notNull().default(''),
	/** Moderation policy: whether a submission needs approval to be published, and how many moderators must approve. */
	requiresApproval: boolean('requires_approval').notNull().default(true),
	approvalQuorum: integer('approval_quorum').notNull().default(1),
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
