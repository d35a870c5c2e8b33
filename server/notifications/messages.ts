import type { InboxEntry, NotificationKind } from '#db/queries/notifications.ts'
import { can, canSeeAnnotation, type Actor } from '#app/policy/permissions.ts'

/** What a notification says, in the inbox and in email alike. */
export interface NotificationWords {
	kind: NotificationKind
	actorName: string
	documentTitle: string
	/** Whether the annotation concerned is a reply. */
	isReply: boolean
	outcome: string | null
}

const decisionWords: Record<string, string> = {
	published: 'approved your annotation: it is published',
	changes_requested: 'asked for changes to your annotation',
	rejected: 'rejected your annotation',
	retracted: 'retracted your published annotation',
}

export function summaryOf(n: NotificationWords): string {
	const on = `on “${n.documentTitle}”`
	const what = n.isReply ? 'a reply' : 'an annotation'
	switch (n.kind) {
		case 'reply':
			return `${n.actorName} replied to your annotation ${on}`
		case 'mention':
			return `${n.actorName} mentioned you in ${what} ${on}`
		case 'decision': {
			const words = decisionWords[n.outcome ?? ''] ?? 'decided on your annotation'
			return `${n.actorName} ${words.replace('your annotation', n.isReply ? 'your reply' : 'your annotation')} ${on}`
		}
		case 'submission_summary':
			return `New submissions ${on}`
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
	if (!canSeeAnnotation(actor, { status: entry.annotationStatus, creatorId: entry.annotationCreatorId }, target)) return false
	return entry.kind !== 'submission' || can(actor, 'annotation.moderate', target)
}

export function toItem(entry: InboxEntry): InboxItem {
	return {
		id: entry.id,
		kind: entry.kind,
		summary: summaryOf({ ...entry, isReply: entry.parentId !== null }),
		excerpt: entry.excerpt,
		href: entry.annotationId === null ? `/documents/${entry.documentId}` : linkOf(entry.documentId, entry.parentId ?? entry.annotationId),
		createdAt: entry.createdAt.toISOString(),
		read: entry.readAt !== null,
	}
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
