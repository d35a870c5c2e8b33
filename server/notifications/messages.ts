import type { InboxEntry, NotificationKind } from '#db/queries/notifications.ts'
import { markdownExcerpt } from '#app/markdown/render.ts'
import { can, canSeeAnnotation, type Actor } from '#app/policy/permissions.ts'
import type { IdentityLens } from '../identity/lens.ts'
import { mentionsAsPlainText, protectMentions } from '../identity/mentions.ts'

/** What a notification says, in the inbox and in email alike. */
export interface NotificationWords {
	kind: NotificationKind
	actorName: string
	documentTitle: string
	/** Whether the annotation concerned is a reply. */
	isReply: boolean
	outcome: string | null
}

/** `outcome` of a reply told to someone who wrote in the thread but did not start it. */
export const threadParticipant = 'thread'

const decisionWords: Record<string, string> = {
	published: 'approved your annotation: it is published',
	accepted: 'accepted your annotation (the board’s decision; nothing is published)',
	changes_requested: 'asked for changes to your annotation',
	rejected: 'rejected your annotation',
	retracted: 'retracted your published annotation',
}

export function summaryOf(n: NotificationWords): string {
	const on = `on “${n.documentTitle}”`
	const what = n.isReply ? 'a reply' : 'an annotation'
	switch (n.kind) {
		case 'reply':
			return n.outcome === threadParticipant
				? `${n.actorName} replied in a thread you took part in ${on}`
				: `${n.actorName} replied to your annotation ${on}`
		case 'mention':
			return `${n.actorName} mentioned you in ${what} ${on}`
		case 'decision': {
			const words = decisionWords[n.outcome ?? ''] ?? 'decided on your annotation'
			return `${n.actorName} ${words.replace('your annotation', n.isReply ? 'your reply' : 'your annotation')} ${on}`
		}
		case 'submission_summary': {
			// A summary's outcome holds how many submissions it counts.
			const count = Number(n.outcome) || 0
			return `${count} new submission${count === 1 ? '' : 's'} waiting for moderation`
		}
		case 'submission':
			return `${n.actorName} submitted ${what} for moderation ${on}`
	}
}

/** Where a notification leads: the document, at the thread (see the inbox for the anchor's meaning). */
export function linkOf(documentId: string, threadId: string): string {
	return `/documents/${documentId}#annotation-${threadId}`
}

export const kindTitles: Record<NotificationKind, string> = {
	reply: 'Replies to your annotations',
	mention: 'Mentions of you',
	decision: 'Moderation decisions on your annotations',
	submission: 'New submissions in groups you moderate',
	submission_summary: 'Summaries of new submissions in groups you moderate',
}

/** One line of the inbox. */
export interface InboxItem {
	id: string
	kind: NotificationKind
	summary: string
	excerpt: string
	href: string
	createdAt: string
	read: boolean
}

/** The permission table's answer today: the annotation visible to them, and moderation theirs still for a submission. */
export function stillVisible(entry: InboxEntry): boolean {
	const actor: Actor = { userId: entry.recipientId, role: entry.recipientRole }
	const target = { groupKind: entry.groupKind }
	if (entry.kind === 'submission_summary') return can(actor, 'annotation.moderate', target)
	if (entry.annotationStatus === null) return false
	if (!canSeeAnnotation(actor, { status: entry.annotationStatus, creatorId: entry.annotationCreatorId }, target)) return false
	return entry.kind !== 'submission' || can(actor, 'annotation.moderate', target)
}

/**
 * One notification as its recipient may read it: the actor's name and the
 * mentions in the excerpt through the recipient's lens on that document (the
 * row keeps the real name, which a steward may see).
 */
export function toItem(entry: InboxEntry, lens: IdentityLens): InboxItem {
	const actorName = entry.actorId === null && entry.kind === 'submission_summary' ? '' : lens.person({ id: entry.actorId, name: entry.actorName }).name
	return {
		id: entry.id,
		kind: entry.kind,
		summary: summaryOf({ ...entry, actorName, isReply: entry.parentId !== null }),
		excerpt: mentionsAsPlainText(entry.excerpt, lens),
		href:
			entry.kind === 'submission_summary'
				? `/groups/${entry.groupId}/moderation`
				: entry.annotationId === null
					? `/documents/${entry.documentId}`
					: linkOf(entry.documentId, entry.parentId ?? entry.annotationId),
		createdAt: entry.createdAt.toISOString(),
		read: entry.readAt !== null,
	}
}

/**
 * A body's excerpt as stored on a notification: plain text, but with its
 * mentions kept as markup, so each recipient's lens can show the person as
 * that recipient may see them (toItem).
 */
export function storedExcerpt(body: string, max = 200): string {
	const { text, restore } = protectMentions(body)
	return restore(markdownExcerpt(text, max))
}

/** The plain-text body of a notification email, or of a digest of several. */
export function emailText(items: { summary: string; excerpt: string; href: string }[], origin: string): string {
	const blocks = items.map((item) => [`${item.summary}.`, item.excerpt ? `  “${item.excerpt}”` : null, `  ${origin}${item.href}`].filter(Boolean).join('\n'))
	return [
		...blocks,
		'',
		`Your inbox: ${origin}/inbox`,
		`You receive this because of your notification settings; change them at ${origin}/settings/notifications`,
	].join('\n\n')
}
