import { and, asc, desc, eq, gt, inArray, isNull, lte, ne, or, sql } from 'drizzle-orm'
import type { Database } from '../client.ts'
import {
	annotations,
	annotationTransitions,
	documents,
	emailOutbox,
	groups,
	memberships,
	notificationPreferences,
	notifications,
	submissionNoticeSettings,
	users,
} from '../schema/index.ts'

export type NotificationRow = typeof notifications.$inferSelect
export type NewNotification = typeof notifications.$inferInsert
export type NotificationKind = NotificationRow['kind']
export type EmailCadence = NotificationRow['email']
export type PreferenceRow = typeof notificationPreferences.$inferSelect
export type EmailRow = typeof emailOutbox.$inferSelect

/**
 * A notification with what deciding whether its recipient may still see it
 * needs (the annotation's status and author, the group's kind, the
 * recipient's role today) and what the inbox shows.
 */
export interface InboxEntry extends NotificationRow {
	documentTitle: string
	/** Null for a submission summary, which is about no one annotation. */
	annotationStatus: (typeof annotations.$inferSelect)['status'] | null
	annotationCreatorId: string | null
	parentId: string | null
	groupKind: (typeof groups.$inferSelect)['kind']
	identityMode: (typeof groups.$inferSelect)['identityMode']
	recipientRole: (typeof memberships.$inferSelect)['role'] | null
}

export async function insertNotifications(db: Database, rows: NewNotification[]): Promise<NotificationRow[]> {
	if (rows.length === 0) return []
	return db.insert(notifications).values(rows).returning()
}

/** A person's notifications, newest first, with their standing towards each; the service filters by permission. */
export async function listInboxEntries(
	db: Database,
	recipientId: string,
	options: { unreadOnly?: boolean; limit: number; ids?: string[]; inAppOnly?: boolean },
): Promise<InboxEntry[]> {
	const conditions = [eq(notifications.recipientId, recipientId)]
	if (options.inAppOnly ?? true) conditions.push(eq(notifications.inApp, true))
	if (options.unreadOnly) conditions.push(isNull(notifications.readAt))
	if (options.ids) conditions.push(inArray(notifications.id, options.ids))
	const rows = await db
		.select({
			notification: notifications,
			documentTitle: documents.title,
			annotationStatus: annotations.status,
			annotationCreatorId: annotations.creatorId,
			parentId: annotations.parentId,
			groupKind: groups.kind,
			identityMode: groups.identityMode,
			recipientRole: memberships.role,
		})
		.from(notifications)
		.leftJoin(annotations, eq(annotations.id, notifications.annotationId))
		.innerJoin(documents, eq(documents.id, notifications.documentId))
		.innerJoin(groups, eq(groups.id, notifications.groupId))
		.leftJoin(memberships, and(eq(memberships.groupId, notifications.groupId), eq(memberships.userId, notifications.recipientId)))
		.where(and(...conditions))
		.orderBy(desc(notifications.createdAt), desc(notifications.id))
		.limit(options.limit)
	return rows.map(({ notification, ...rest }) => ({ ...notification, ...rest }))
}

export async function markRead(db: Database, recipientId: string, ids: string[], at: Date): Promise<number> {
	if (ids.length === 0) return 0
	const changed = await db
		.update(notifications)
		.set({ readAt: at })
		.where(and(eq(notifications.recipientId, recipientId), inArray(notifications.id, ids), isNull(notifications.readAt)))
		.returning({ id: notifications.id })
	return changed.length
}

export async function markAllRead(db: Database, recipientId: string, at: Date): Promise<number> {
	const changed = await db
		.update(notifications)
		.set({ readAt: at })
		.where(and(eq(notifications.recipientId, recipientId), isNull(notifications.readAt)))
		.returning({ id: notifications.id })
	return changed.length
}

/** Who has already been told of a mention in this annotation (an edit or resubmission does not tell them again). */
export async function listMentionRecipients(db: Database, annotationId: string): Promise<Set<string>> {
	const rows = await db
		.select({ recipientId: notifications.recipientId })
		.from(notifications)
		.where(and(eq(notifications.annotationId, annotationId), eq(notifications.kind, 'mention')))
	return new Set(rows.map((r) => r.recipientId))
}

/** Everyone who wrote in a thread (its first annotation and its replies), for telling them of a new reply. */
export async function listThreadParticipants(db: Database, rootId: string): Promise<string[]> {
	const rows = await db
		.selectDistinct({ creatorId: annotations.creatorId })
		.from(annotations)
		.where(and(or(eq(annotations.id, rootId), eq(annotations.parentId, rootId)), ne(annotations.status, 'draft')))
	return rows.map((r) => r.creatorId).filter((id): id is string => id !== null)
}

export async function findRecipients(db: Database, userIds: string[]) {
	if (userIds.length === 0) return []
	return db.select({ id: users.id, name: users.name, email: users.email }).from(users).where(inArray(users.id, userIds))
}

// ─── Preferences ──────────────────────────────────────────────────────────

export async function listPreferences(db: Database, userIds: string[]): Promise<PreferenceRow[]> {
	if (userIds.length === 0) return []
	return db.select().from(notificationPreferences).where(inArray(notificationPreferences.userId, userIds))
}

export async function savePreferences(db: Database, rows: PreferenceRow[]) {
	if (rows.length === 0) return
	await db
		.insert(notificationPreferences)
		.values(rows)
		.onConflictDoUpdate({
			target: [notificationPreferences.userId, notificationPreferences.kind],
			set: { inApp: sql`excluded.in_app`, email: sql`excluded.email` },
		})
}

// ─── Digest ───────────────────────────────────────────────────────────────

/** People with notifications waiting for a digest, written in (from, to]. */
export async function listDigestRecipients(db: Database, from: Date, to: Date, limit: number): Promise<string[]> {
	const rows = await db
		.selectDistinct({ recipientId: notifications.recipientId })
		.from(notifications)
		.where(digestWindow(from, to))
		.orderBy(asc(notifications.recipientId))
		.limit(limit)
	return rows.map((r) => r.recipientId)
}

/**
 * Takes a person's waiting digest notifications for one email: marks them
 * emailed and returns them, in one statement, so two processes running the
 * digest at once cannot both send the same ones.
 */
export async function claimDigest(db: Database, recipientId: string, from: Date, to: Date, at: Date): Promise<NotificationRow[]> {
	const rows = await db
		.update(notifications)
		.set({ emailedAt: at })
		.where(and(eq(notifications.recipientId, recipientId), digestWindow(from, to)))
		.returning()
	return rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
}

function digestWindow(from: Date, to: Date) {
	return and(
		eq(notifications.email, 'daily'),
		isNull(notifications.emailedAt),
		isNull(notifications.readAt),
		gt(notifications.createdAt, from),
		lte(notifications.createdAt, to),
	)
}

export async function markEmailed(db: Database, ids: string[], at: Date) {
	if (ids.length === 0) return
	await db.update(notifications).set({ emailedAt: at }).where(inArray(notifications.id, ids))
}

// ─── Submission notices ───────────────────────────────────────────────────

export type SubmissionCadence = (typeof submissionNoticeSettings.$inferSelect)['cadence']
export type NoticeSettingRow = typeof submissionNoticeSettings.$inferSelect

/** Stewards' chosen cadence in one group; those without a row hear of each submission. */
export async function listSubmissionCadences(db: Database, groupId: string): Promise<Map<string, SubmissionCadence>> {
	const rows = await db
		.select({ userId: submissionNoticeSettings.userId, cadence: submissionNoticeSettings.cadence })
		.from(submissionNoticeSettings)
		.where(eq(submissionNoticeSettings.groupId, groupId))
	return new Map(rows.map((r) => [r.userId, r.cadence]))
}

export async function listNoticeSettingsOf(db: Database, userId: string): Promise<NoticeSettingRow[]> {
	return db.select().from(submissionNoticeSettings).where(eq(submissionNoticeSettings.userId, userId))
}

/**
 * Sets a steward's cadence in a group. A changed cadence starts its
 * summaries from `at` (what came before was told the old way); the same
 * cadence saved again keeps what is waiting for the next summary.
 */
export async function saveSubmissionCadence(db: Database, row: { userId: string; groupId: string; cadence: SubmissionCadence; at: Date }) {
	await db
		.insert(submissionNoticeSettings)
		.values({ userId: row.userId, groupId: row.groupId, cadence: row.cadence, summarisedThrough: row.at })
		.onConflictDoUpdate({
			target: [submissionNoticeSettings.userId, submissionNoticeSettings.groupId],
			set: {
				cadence: sql`excluded.cadence`,
				summarisedThrough: sql`case when ${submissionNoticeSettings.cadence} = excluded.cadence then ${submissionNoticeSettings.summarisedThrough} else excluded.summarised_through end`,
			},
		})
}

/** Settings of one cadence whose last summary is older than `due`. */
export async function listSummariesDue(db: Database, cadence: 'hourly' | 'daily', due: Date, limit: number): Promise<NoticeSettingRow[]> {
	return db
		.select()
		.from(submissionNoticeSettings)
		.where(and(eq(submissionNoticeSettings.cadence, cadence), sql`${submissionNoticeSettings.summarisedThrough} < ${due.toISOString()}::timestamptz`))
		.orderBy(asc(submissionNoticeSettings.userId), asc(submissionNoticeSettings.groupId))
		.limit(limit)
}

/**
 * Takes the window (from, to] for one steward's summary: moves
 * summarised_through on only if nobody else did meanwhile, so two processes
 * never both summarise it. True when this caller took it.
 */
export async function claimSummaryWindow(db: Database, row: NoticeSettingRow, to: Date): Promise<boolean> {
	const taken = await db
		.update(submissionNoticeSettings)
		.set({ summarisedThrough: to })
		.where(
			and(
				eq(submissionNoticeSettings.userId, row.userId),
				eq(submissionNoticeSettings.groupId, row.groupId),
				eq(submissionNoticeSettings.cadence, row.cadence),
				eq(submissionNoticeSettings.summarisedThrough, row.summarisedThrough),
			),
		)
		.returning({ userId: submissionNoticeSettings.userId })
	return taken.length > 0
}

/**
 * Annotations (not replies) submitted or resubmitted in a group in (from, to]
 * and still waiting for a decision, per document, leaving out the steward's own.
 */
export async function countWaitingSubmissions(db: Database, p: { groupId: string; stewardId: string; from: Date; to: Date }) {
	const count = sql<number>`count(distinct ${annotations.id})::int`
	return db
		.select({ documentId: annotations.documentId, title: documents.title, count })
		.from(annotationTransitions)
		.innerJoin(annotations, eq(annotations.id, annotationTransitions.annotationId))
		.innerJoin(documents, eq(documents.id, annotations.documentId))
		.where(
			and(
				eq(annotationTransitions.groupId, p.groupId),
				eq(annotationTransitions.toStatus, 'submitted'),
				gt(annotationTransitions.at, p.from),
				lte(annotationTransitions.at, p.to),
				isNull(annotations.parentId),
				eq(annotations.status, 'submitted'),
				sql`${annotations.creatorId} is distinct from ${p.stewardId}::uuid`,
			),
		)
		.groupBy(annotations.documentId, documents.title)
		.orderBy(desc(count), asc(documents.title))
}

// ─── Outbox ───────────────────────────────────────────────────────────────

export async function insertEmail(db: Database, row: typeof emailOutbox.$inferInsert): Promise<EmailRow> {
	const [email] = await db.insert(emailOutbox).values(row).returning()
	if (!email) throw new Error('insert into email_outbox returned no row')
	return email
}

/** Whether this recipient was sent an email with this subject since `since`. */
export async function emailedSince(db: Database, by: { recipientId: string; subject: string; since: Date }): Promise<boolean> {
	const [row] = await db
		.select({ id: emailOutbox.id })
		.from(emailOutbox)
		.where(and(eq(emailOutbox.recipientId, by.recipientId), eq(emailOutbox.subject, by.subject), gt(emailOutbox.createdAt, by.since)))
		.limit(1)
	return row !== undefined
}

/**
 * Takes up to `limit` emails due for sending: pushes their next attempt out
 * by `leaseMs` and counts the attempt, so another process (or a slow send)
 * does not take them too. Rows locked by another claim are skipped.
 */
export async function claimDueEmails(db: Database, now: Date, leaseMs: number, limit: number): Promise<EmailRow[]> {
	// Both drivers answer a raw statement with { rows }.
	const result = (await db.execute(sql`
		update ${emailOutbox}
		set next_attempt_at = ${new Date(now.getTime() + leaseMs).toISOString()}::timestamptz, attempts = attempts + 1
		where id in (
			select id from ${emailOutbox}
			where status = 'pending' and next_attempt_at <= ${now.toISOString()}::timestamptz
			order by created_at
			limit ${limit}
			for update skip locked
		)
		returning id`)) as unknown as { rows: { id: string }[] }
	const ids = result.rows.map((r) => r.id)
	if (ids.length === 0) return []
	return db.select().from(emailOutbox).where(inArray(emailOutbox.id, ids)).orderBy(asc(emailOutbox.createdAt))
}

export async function markEmailSent(db: Database, id: string, at: Date) {
	await db.update(emailOutbox).set({ status: 'sent', sentAt: at, lastError: null }).where(eq(emailOutbox.id, id))
}

/** Records a failed attempt: retried at `retryAt`, or given up (failed) when null. */
export async function markEmailAttemptFailed(db: Database, id: string, error: string, retryAt: Date | null) {
	await db
		.update(emailOutbox)
		.set(retryAt ? { lastError: error, nextAttemptAt: retryAt } : { lastError: error, status: 'failed' })
		.where(eq(emailOutbox.id, id))
}

/** The newest emails, all or one person's. */
export async function listEmails(db: Database, options: { recipientId?: string; limit: number }): Promise<EmailRow[]> {
	return db
		.select()
		.from(emailOutbox)
		.where(options.recipientId ? eq(emailOutbox.recipientId, options.recipientId) : undefined)
		.orderBy(desc(emailOutbox.createdAt))
		.limit(options.limit)
}
