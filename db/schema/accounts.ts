import { sql } from 'drizzle-orm'
import {
	bigserial,
	boolean,
	index,
	pgTable,
	text,
	timestamp,
	uniqueIndex,
	uuid,
} from 'drizzle-orm/pg-core'

export const users = pgTable(
	'users',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		/** Stored lower-cased and trimmed; see normalizeEmail. */
		email: text('email').notNull(),
		name: text('name').notNull(),
		passwordHash: text('password_hash').notNull(),
		/** A stable presence colour, `#rrggbb`, chosen at sign-up. */
		color: text('color').notNull(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [uniqueIndex('users_email_key').on(t.email)],
)

export const sessions = pgTable(
	'sessions',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		/** SHA-256 of the cookie token: a database leak does not leak live sessions. */
		tokenHash: text('token_hash').notNull(),
		userId: uuid('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
	},
	(t) => [uniqueIndex('sessions_token_hash_key').on(t.tokenHash), index('sessions_user_idx').on(t.userId)],
)

/** One row per login attempt; the rate limiter counts recent failures per email and per address. */
export const loginAttempts = pgTable(
	'login_attempts',
	{
		id: bigserial('id', { mode: 'number' }).primaryKey(),
		email: text('email').notNull(),
		address: text('address').notNull(),
		succeeded: boolean('succeeded').notNull(),
		at: timestamp('at', { withTimezone: true }).notNull().default(sql`now()`),
	},
	(t) => [
		index('login_attempts_email_at_idx').on(t.email, t.at),
		index('login_attempts_address_at_idx').on(t.address, t.at),
	],
)

/** One row per sign-up that passed the form's checks; the per-address sign-up limit counts these. */
export const signupAttempts = pgTable(
	'signup_attempts',
	{
		id: bigserial('id', { mode: 'number' }).primaryKey(),
		address: text('address').notNull(),
		at: timestamp('at', { withTimezone: true }).notNull().default(sql`now()`),
	},
	(t) => [index('signup_attempts_address_at_idx').on(t.address, t.at)],
)
