import type { Database } from '#db/client.ts'
import type { User } from '#db/queries/accounts.ts'
import type { PreferenceKind } from './preferences.ts'
import { findAnnotation, type AnnotationRecord } from '#db/queries/annotations.ts'
import { findDocument } from '#db/queries/documents.ts'
import { findGroup, findRole, listGroupsOf, listMembers, type Group } from '#db/queries/groups.ts'
import {
	findRecipients,
	emailedSince,
	insertNotifications,
	listEmails,
	listInboxEntries,
	listMentionRecipients,
	listNoticeSettingsOf,
	listPreferences,
	listSubmissionCadences,
	listThreadParticipants,
	markAllRead,
	markRead,
	saveSubmissionCadence,
	savePreferences,
	type EmailRow,
	type InboxEntry,
	type NewNotification,
	type NotificationKind,
	type SubmissionCadence,
} from '#db/queries/notifications.ts'
import { mentionedIn } from '#app/markdown/render.ts'
import { can, canSeeAnnotation, type Role } from '#app/policy/permissions.ts'
import type { AnnotationStatus } from '#app/annotations/types.ts'
import { identityLens } from '../identity/lens.ts'
import { mentionedIds } from '../identity/mentions.ts'
import type { WorkflowDecision, WorkflowListener } from '../publication/moderation.ts'
import { DigestScheduler } from './digest.ts'
import { UnreadFeed } from './live.ts'
import { Mailer, type MailerOptions } from './mailer.ts'
import { emailText, stillVisible, storedExcerpt, threadParticipant, toItem, type InboxItem } from './messages.ts'
import { notificationKinds, preferencesOf, type Preference } from './preferences.ts'
import { SubmissionSummaries } from './summaries.ts'

export type { InboxItem }

export interface NotificationOptions {
	/** SMTP and outbox settings (see MailerOptions for defaults). */
	mail: Partial<MailerOptions>
	/** The hour (UTC, 0–23) at which daily digests go out. Default 7. */
	digestHourUtc: number
	/** Show every email on /dev/outbox, not only the viewer's own (development). Default false. */
	showAllEmails: boolean
	/** Run the digest and retry timers (tests call them directly instead). Default true. */
	schedule: boolean
}

const defaults: NotificationOptions = { mail: {}, digestHourUtc: 7, showAllEmails: false, schedule: true }

/** What one event tells one person. */
interface Planned {
	recipientId: string
	kind: NotificationKind
	excerpt: string
	outcome?: string
}

interface Scene {
	record: AnnotationRecord
	group: Group
	documentTitle: string
	roles: Map<string, Role>
}

const outcomes: Partial<Record<WorkflowDecision['verdict'], string>> = {
	request_changes: 'changes_requested',
	reject: 'rejected',
	retract: 'retracted',
}

/**
 * Notifications: who hears of a reply, a mention, a moderation decision or
 * a new submission; the inbox and its live unread count; preferences; email
 * (at once or in a daily digest) through the outbox.
 *
 * It learns of events from the moderation workflow, which every submission,
 * reply and decision passes through (PublicationService.listener). Nobody
 * is told of their own action, nor of anything the permission table would
 * not show them: a draft, a group they are not in. The inbox asks the same
 * question again when it lists, for what changed since (a withdrawn
 * submission, a group left).
 */
export class NotificationService implements WorkflowListener {
	readonly options: NotificationOptions
	readonly mailer: Mailer
	readonly feed = new UnreadFeed()
	readonly digest: DigestScheduler
	/** Hourly and daily submission summaries for stewards who chose them. */
	readonly summaries: SubmissionSummaries
	/** The origin links in emails point at; server/http.ts sets it once it listens. */
	origin = 'http://localhost:3000'

	constructor(
		private readonly db: Database,
		options: Partial<NotificationOptions> = {},
	) {
		this.options = { ...defaults, ...options }
		this.mailer = new Mailer(db, this.options.mail)
		this.digest = new DigestScheduler(db, this, this.options.digestHourUtc)
		this.summaries = new SubmissionSummaries(db, this, this.options.digestHourUtc)
	}

	async start(redisUrl?: string) {
		if (redisUrl) await this.feed.useRedis(redisUrl)
		if (this.options.schedule) {
			this.mailer.start()
			this.digest.start()
			this.summaries.start()
		}
	}

	async close() {
		this.digest.stop()
		this.summaries.stop()
		await this.mailer.close()
		await this.feed.close()
	}

	// ─── Accounts ──────────────────────────────────────────────────────────

	/**
	 * Someone tried to sign up with an email that already has an account. The
	 * form answered them as if it had worked (it does not say which emails
	 * are registered); the owner learns of it here, whatever their
	 * preferences, as this is about their account rather than their groups;
	 * but at most once an hour, so that the form cannot be used to flood them.
	 */
	async signupWithExistingEmail(owner: User, origin: string): Promise<void> {
		const subject = 'Someone tried to sign up to Scholion with your email'
		if (await emailedSince(this.db, { recipientId: owner.id, subject, since: new Date(Date.now() - 60 * 60 * 1000) })) return
		await this.mailer.send({
			recipientId: owner.id,
			to: owner.email,
			subject,
			text: [
				`Hello ${owner.name},`,
				'',
				'Someone just tried to create a Scholion account with this email address, which already has one.',
				'Nothing was changed and no second account was made.',
				'',
				`If it was you, log in with your existing account: ${origin}/login`,
				'If it was not you, you can ignore this email.',
			].join('\n'),
		})
	}

	// ─── The inbox ─────────────────────────────────────────────────────────

	async inbox(user: User, options: { unreadOnly?: boolean; limit?: number } = {}): Promise<InboxItem[]> {
		const entries = await listInboxEntries(this.db, user.id, { unreadOnly: options.unreadOnly, limit: options.limit ?? 100 })
		return this.shown(entries.filter(stillVisible))
	}

	/**
	 * One person's notifications as they may read them: each through their
	 * lens on its document (real names for a steward or in a named group,
	 * pseudonyms where the group's identity mode asks for them).
	 */
	async shown(entries: InboxEntry[]): Promise<InboxItem[]> {
		const byDocument = new Map<string, InboxEntry[]>()
		for (const entry of entries) byDocument.set(entry.documentId, [...(byDocument.get(entry.documentId) ?? []), entry])
		const lenses = new Map<string, Awaited<ReturnType<typeof identityLens>>>()
		for (const [documentId, list] of byDocument) {
			const first = list[0]!
			lenses.set(
				documentId,
				await identityLens(this.db, {
					viewer: { userId: first.recipientId, role: first.recipientRole },
					mode: first.identityMode,
					documentId,
					people: list.flatMap((e) => [e.actorId, ...mentionedIds(e.excerpt)]),
				}),
			)
		}
		return entries.map((entry) => toItem(entry, lenses.get(entry.documentId)!))
	}

	/** Whether the recipient may still see what a stored notification is about. */
	visible(entry: InboxEntry): boolean {
		return stillVisible(entry)
	}

	async unreadCount(userId: string): Promise<number> {
		const entries = await listInboxEntries(this.db, userId, { unreadOnly: true, limit: 1000 })
		return entries.filter(stillVisible).length
	}

	async markRead(user: User, ids: string[]) {
		if ((await markRead(this.db, user.id, ids, new Date())) > 0) this.feed.changed(user.id)
	}

	async markAllRead(user: User) {
		if ((await markAllRead(this.db, user.id, new Date())) > 0) this.feed.changed(user.id)
	}

	/** Where one of the user's notifications leads, marking it read; null when it is not theirs or no longer visible. */
	async open(user: User, id: string): Promise<string | null> {
		const [entry] = await listInboxEntries(this.db, user.id, { ids: [id], limit: 1 })
		if (!entry || !stillVisible(entry)) return null
		await this.markRead(user, [id])
		const [item] = await this.shown([entry])
		return item!.href
	}

	async preferences(userId: string): Promise<Record<PreferenceKind, Preference>> {
		return preferencesOf(userId, await listPreferences(this.db, [userId]))
	}

	async savePreferences(userId: string, preferences: Record<PreferenceKind, Preference>) {
		await savePreferences(
			this.db,
			notificationKinds.map((kind) => ({ userId, kind, ...preferences[kind] })),
		)
	}

	/** The groups a person stewards, each with how they hear of its new submissions. */
	async submissionNotices(userId: string): Promise<{ groupId: string; groupName: string; cadence: SubmissionCadence }[]> {
		const [groups, settings] = await Promise.all([listGroupsOf(this.db, userId), listNoticeSettingsOf(this.db, userId)])
		const cadences = new Map(settings.map((s) => [s.groupId, s.cadence]))
		return groups
			.filter((g) => can({ userId, role: g.role }, 'annotation.moderate', { groupKind: g.kind }))
			.map((g) => ({ groupId: g.id, groupName: g.name, cadence: cadences.get(g.id) ?? 'each' }))
	}

	/** Sets how a steward hears of a group's submissions; false (nothing saved) when they do not moderate it. */
	async saveSubmissionNotice(userId: string, groupId: string, cadence: SubmissionCadence, now = new Date()): Promise<boolean> {
		const [group, role] = await Promise.all([findGroup(this.db, groupId), findRole(this.db, groupId, userId)])
		if (!group || !can({ userId, role }, 'annotation.moderate', { groupKind: group.kind })) return false
		await saveSubmissionCadence(this.db, { userId, groupId, cadence, at: now })
		return true
	}

	/** The outbox as the developer reads it: every email in development, otherwise the viewer's own. */
	async emails(user: User): Promise<{ all: boolean; smtp: boolean; emails: EmailRow[] }> {
		const all = this.options.showAllEmails
		return { all, smtp: this.mailer.smtp, emails: await listEmails(this.db, { recipientId: all ? undefined : user.id, limit: 100 }) }
	}

	// ─── Events from the workflow ──────────────────────────────────────────

	async submitted(actor: User, annotationId: string, from: AnnotationStatus | null): Promise<void> {
		await this.guard('submission', async () => {
			const scene = await this.scene(annotationId)
			if (!scene || scene.record.status === 'draft') return
			const { record } = scene
			const excerpt = storedExcerpt(record.body)
			const planned: Planned[] = []
			const told = await listMentionRecipients(this.db, record.id)
			for (const mention of mentionedIn(record.body)) {
				if (mention.userId === actor.id || told.has(mention.userId) || !this.maySee(scene, mention.userId)) continue
				planned.push({ recipientId: mention.userId, kind: 'mention', excerpt })
			}
			// Each person hears of one event once, by its most specific kind: a mention says more than a reply.
			const planFor = (recipientId: string) => recipientId !== actor.id && !planned.some((p) => p.recipientId === recipientId)
			if (record.parentId) {
				// A reply is news to those who wrote in the thread once, when it is first made. It is not a
				// submission to tell stewards of: in a busy seminar that was one notification per reply for
				// each of them; the queue still lists it.
				if (from === null) {
					const parent = await findAnnotation(this.db, record.parentId)
					for (const participantId of await listThreadParticipants(this.db, record.parentId)) {
						if (!planFor(participantId) || !this.maySee(scene, participantId)) continue
						planned.push({ recipientId: participantId, kind: 'reply', excerpt, outcome: participantId === parent?.creatorId ? undefined : threadParticipant })
					}
				}
			} else if (record.status === 'submitted') {
				// Still waiting after the policy had its say: someone must decide. Stewards who chose a
				// summary hear of it in their next one (server/notifications/summaries.ts).
				const cadences = await listSubmissionCadences(this.db, record.groupId)
				for (const [userId, role] of scene.roles) {
					if (userId === actor.id || !can({ userId, role }, 'annotation.moderate', { groupKind: scene.group.kind })) continue
					if ((cadences.get(userId) ?? 'each') !== 'each') continue
					planned.push({ recipientId: userId, kind: 'submission', excerpt })
				}
			}
			await this.deliver(actor, scene, planned)
		})
	}

	async decided(actor: User, annotationId: string, decision: WorkflowDecision): Promise<void> {
		await this.guard('decision', async () => {
			const outcome = decision.verdict === 'approve' ? (decision.status === 'published' || decision.status === 'accepted' ? decision.status : null) : outcomes[decision.verdict]
			// An approval short of the quorum is not yet news to the author.
			if (!outcome) return
			const scene = await this.scene(annotationId)
			const authorId = scene?.record.creatorId
			if (!scene || !authorId || authorId === actor.id || !this.maySee(scene, authorId)) return
			await this.deliver(actor, scene, [{ recipientId: authorId, kind: 'decision', excerpt: storedExcerpt(decision.reason), outcome }])
		})
	}

	// ─── Inside ────────────────────────────────────────────────────────────

	/**
	 * A notification failing must not undo or fail what it is about (the
	 * annotation is stored, the decision taken): the error is logged here,
	 * once, with what was being done.
	 */
	private async guard(what: string, work: () => Promise<void>) {
		try {
			await work()
		} catch (error) {
			console.error(`[notifications] notifying of a ${what} failed:`, error)
		}
	}

	private async scene(annotationId: string): Promise<Scene | null> {
		const record = await findAnnotation(this.db, annotationId)
		if (!record) return null
		const [group, document, members] = await Promise.all([
			findGroup(this.db, record.groupId),
			findDocument(this.db, record.documentId),
			listMembers(this.db, record.groupId),
		])
		if (!group || !document) return null
		return { record, group, documentTitle: document.title, roles: new Map(members.map((m) => [m.userId, m.role])) }
	}

	/** Mentions and replies reach members only, and only what they may see. */
	private maySee(scene: Scene, userId: string): boolean {
		const role = scene.roles.get(userId)
		if (!role) return false
		return canSeeAnnotation({ userId, role }, scene.record, { groupKind: scene.group.kind })
	}

	private async deliver(actor: User, scene: Scene, planned: Planned[]) {
		const { record } = scene
		await this.write(
			{
				actor: { id: actor.id, name: actor.name },
				group: scene.group,
				documentId: record.documentId,
				documentTitle: scene.documentTitle,
				annotation: { id: record.id, status: record.status, creatorId: record.creatorId, parentId: record.parentId },
				roles: scene.roles,
			},
			planned,
		)
	}

	/**
	 * A summary of new submissions for one steward in one group (the
	 * scheduler in summaries.ts decides when): how many, and on which
	 * documents. It follows their preferences for submissions.
	 */
	async summary(stewardId: string, group: Group, documents: { documentId: string; title: string; count: number }[]) {
		const total = documents.reduce((n, d) => n + d.count, 0)
		const first = documents[0]
		if (!first || total === 0) return
		const role = await findRole(this.db, group.id, stewardId)
		await this.write(
			{
				actor: { id: null, name: 'Scholion' },
				group,
				documentId: first.documentId,
				documentTitle: first.title,
				annotation: null,
				roles: new Map(role ? [[stewardId, role]] : []),
			},
			[
				{
					recipientId: stewardId,
					kind: 'submission_summary',
					outcome: String(total),
					excerpt: documents.map((d) => `“${d.title}” (${d.count})`).join(', '),
				},
			],
		)
	}

	private async write(about: About, planned: Planned[]) {
		if (planned.length === 0) return
		const ids = [...new Set(planned.map((p) => p.recipientId))]
		const [preferenceRows, recipients] = await Promise.all([listPreferences(this.db, ids), findRecipients(this.db, ids)])
		const addresses = new Map(recipients.map((r) => [r.id, r.email]))
		const now = new Date()
		const rows: NewNotification[] = []
		for (const p of planned) {
			const preference = preferencesOf(p.recipientId, preferenceRows)[p.kind === 'submission_summary' ? 'submission' : p.kind]
			if (!preference.inApp && preference.email === 'off') continue
			rows.push({
				recipientId: p.recipientId,
				kind: p.kind,
				actorId: about.actor.id,
				actorName: about.actor.name,
				groupId: about.group.id,
				documentId: about.documentId,
				annotationId: about.annotation?.id ?? null,
				outcome: p.outcome ?? null,
				excerpt: p.excerpt,
				inApp: preference.inApp,
				email: preference.email,
				emailedAt: preference.email === 'immediately' ? now : null,
			})
		}
		const stored = await insertNotifications(this.db, rows)
		for (const row of stored) {
			if (row.inApp) this.feed.changed(row.recipientId)
			const to = addresses.get(row.recipientId)
			if (row.email !== 'immediately' || !to) continue
			// What the email says is what the inbox shows this recipient: through their lens.
			const [item] = await this.shown([
				{
					...row,
					documentTitle: about.documentTitle,
					annotationStatus: about.annotation?.status ?? null,
					annotationCreatorId: about.annotation?.creatorId ?? null,
					parentId: about.annotation?.parentId ?? null,
					groupKind: about.group.kind,
					identityMode: about.group.identityMode,
					recipientRole: about.roles.get(row.recipientId) ?? null,
				},
			])
			await this.mailer.send({
				recipientId: row.recipientId,
				to,
				subject: item!.summary,
				text: emailText([item!], this.origin),
			})
		}
	}
}

/** What a notification is about, as written on its row. */
interface About {
	actor: { id: string | null; name: string }
	group: Group
	documentId: string
	documentTitle: string
	annotation: { id: string; status: AnnotationStatus; creatorId: string | null; parentId: string | null } | null
	roles: Map<string, Role>
}
