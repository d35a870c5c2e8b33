import { index, integer, pgEnum, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { users } from './accounts.ts'

export const exportFormat = pgEnum('export_format', ['csv', 'jsonld', 'markdown'])
export const exportStatus = pgEnum('export_status', ['running', 'done', 'failed'])

/**
 * One export of a document's or a group's annotations, as its progress page
 * and its download see it. A row, not process memory: with several
 * instances behind a load balancer the page may be polled on any of them.
 * The finished file is kept here for a day (server/exports/jobs.ts).
 */
export const exportJobs = pgTable(
	'export_jobs',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		/** Whose export it is: only they may see its progress or download it. */
		userId: uuid('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		scope: text('scope', { enum: ['document', 'group'] }).notNull(),
		scopeId: uuid('scope_id').notNull(),
		/** What is being exported, for the progress page ("Stalin, 1924 – 1953"). */
		label: text('label').notNull(),
		format: exportFormat('format').notNull(),
		status: exportStatus('status').notNull().default('running'),
		/** Annotations written so far, of `total`. */
		done: integer('done').notNull().default(0),
		total: integer('total').notNull().default(0),
		filename: text('filename').notNull(),
		mediaType: text('media_type').notNull(),
		content: text('content'),
		error: text('error'),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		finishedAt: timestamp('finished_at', { withTimezone: true }),
	},
	(t) => [index('export_jobs_user_idx').on(t.userId, t.createdAt)],
)
