import { boolean, index, integer, pgEnum, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { users } from './accounts.ts'
import { annotations } from './annotations.ts'
import { documents } from './documents.ts'
import { groups } from './groups.ts'

/**
 * What a notification is about: a reply to one's annotation, a mention of
 * one in an annotation or reply, a moderation decision on one's annotation,
 * or (for moderators and owners) a new submission in their group.
 */
export const notificationKind = pgEnum('notification_kind', ['reply', 'mention', 'decision', 'submission', 'submission_summary'])

/** How a steward hears of new submissions in one group: each one, or an hourly or daily summary. */
export const submissionCadence = pgEnum('submission_cadence', ['each', 'hourly', 'daily'])

/** How a person wants email about a kind of notification. */
export const emailCadence = pgEnum('email_cadence', ['off', 'immediately', 'daily'])

/**
 * One notification for one person. Written only by server/notifications,
 * after checking the recipient may see the annotation; the inbox checks
 * again when it lists (a draft withdrawn later, a group left later).
 */
export const notifications = pgTable(
	'notifications',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		recipientId: uuid('recipient_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		kind: notificationKind('kind').notNull(),
		actorId: uuid('actor_id').references(() => users.id, { onDelete: 'set null' }),
		/** The name as it was, so the inbox still reads right after the actor's account is gone. */
		actorName: text('actor_name').notNull(),
		groupId: uuid('group_id')
			.notNull()
			.references(() => groups.id, { onDelete: 'cascade' }),
		documentId: uuid('document_id')
			.notNull()
			.references(() => documents.id, { onDelete: 'cascade' }),
		/** Null only for a submission summary, which is about several. */
		annotationId: uuid('annotation_id').references(() => annotations.id, { onDelete: 'cascade' }),
		/** For a decision: published, changes_requested, rejected or retracted. */
		outcome: text('outcome'),
		/** A few words of the annotation or of the moderator's reason, plain text. */
		excerpt: text('excerpt').notNull().default(''),
		/** Shown in the inbox (the recipient's in-app preference when it was written). */
		inApp: boolean('in_app').notNull().default(true),
		/** The recipient's email preference when it was written. */
		email: emailCadence('email').notNull().default('off'),
		/** When it went into an email (at once or in a digest); null while it waits for the digest. */
		emailedAt: timestamp('emailed_at', { withTimezone: true }),
		readAt: timestamp('read_at', { withTimezone: true }),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [
		index('notifications_recipient_idx').on(t.recipientId, t.createdAt),
		index('notifications_annotation_idx').on(t.annotationId),
		index('notifications_digest_idx').on(t.email, t.emailedAt),
	],
)

/** A person's choices per kind; a missing row means the defaults in server/notifications/preferences.ts. */
export const notificationPreferences = pgTable(
	'notification_preferences',
	{
		userId: uuid('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		kind: notificationKind('kind').notNull(),
		inApp: boolean('in_app').notNull(),
		email: emailCadence('email').notNull(),
	},
	(t) => [primaryKey({ columns: [t.userId, t.kind] })],
)

/**
 * Where a message waits to be sent: outbox (no SMTP_URL, kept for the
 * developer to read), pending (to be sent, or retried), sent, or failed
 * (given up after the last retry; its error stays here).
 */
export const emailStatus = pgEnum('email_status', ['outbox', 'pending', 'sent', 'failed'])

/** Every email Scholion writes, before it is sent: nothing is lost when SMTP is missing or down. */
export const emailOutbox = pgTable(
	'email_outbox',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		recipientId: uuid('recipient_id').references(() => users.id, { onDelete: 'set null' }),
		toAddress: text('to_address').notNull(),
		subject: text('subject').notNull(),
		text: text('text').notNull(),
		status: emailStatus('status').notNull(),
		attempts: integer('attempts').notNull().default(0),
		lastError: text('last_error'),
		nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
		sentAt: timestamp('sent_at', { withTimezone: true }),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [index('email_outbox_due_idx').on(t.status, t.nextAttemptAt), index('email_outbox_recipient_idx').on(t.recipientId, t.createdAt)],
)

/** A steward's choice per group for submission notices; a missing row means `each`. */
export const submissionNoticeSettings = pgTable(
	'submission_notice_settings',
	{
		userId: uuid('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		groupId: uuid('group_id')
			.notNull()
			.references(() => groups.id, { onDelete: 'cascade' }),
		cadence: submissionCadence('cadence').notNull(),
		/** Up to when submissions were summarised; the next summary covers what came after. */
		summarisedThrough: timestamp('summarised_through', { withTimezone: true }).notNull().defaultNow(),
	},
	(t) => [primaryKey({ columns: [t.userId, t.groupId] })],
)
