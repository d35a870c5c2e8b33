/**
 * The bridge from the moderation pages to server/publication: builds what
 * the queue and history pages show from PublicationService's answers, and
 * runs decisions, reporting per annotation what came of them. Permission
 * checks stay in the service (queue, decide, history all ask the table).
 */
import type { AppLoadContext } from '@remix-run/node'
import type { User } from '#db/queries/accounts.ts'
import type { AnnotationRecord } from '#db/queries/annotations.ts'
import { findDocument, listDocuments } from '#db/queries/documents.ts'
import { listQueue, listTransitions, userName, type VersionRow } from '#db/queries/publication.ts'
import { renderMarkdown } from '#app/markdown/render.ts'
import { isAnnotationError } from '#server/annotations/service.ts'
import { findGroup, findRole } from '#db/queries/groups.ts'
import { mentionedAccounts, peopleByIds, shownBody } from '#server/identity/annotation-views.ts'
import { identityLens } from '#server/identity/lens.ts'
import type { Verdict } from '#server/publication/moderation.ts'
export { QuorumPolicyError } from '#server/publication/moderation.ts'
import type {
	AcceptedView,
	EarlierEditionView,
	PublishedItemView,
	DecisionReport,
	DocumentEditions,
	QueueItemView,
	QuoteView,
	ReportView,
	TransitionView,
	VersionSummary,
} from '#app/components/moderation/types.ts'

/** The queue page's content: pending items, open reports, the group's policy. */
export async function loadQueue(context: AppLoadContext, user: User, groupId: string) {
	const queue = await context.publication.queue(user, groupId)
	const names = new NameCache(context)
	const items: QueueItemView[] = []
	for (const entry of queue.items) {
		const { record } = entry
		const decisions = await Promise.all(
			entry.decisions.map(async (d) => ({
				moderatorName: await names.of(d.moderatorId),
				verdict: d.verdict,
				reason: d.reason,
				at: d.createdAt.toISOString(),
			})),
		)
		const { approvals, quorum, eligible, reachable } = entry.standing
		const own = entry.decisions.find((d) => d.moderatorId === user.id)
		items.push({
			id: record.id,
			documentId: record.documentId,
			documentTitle: entry.documentTitle,
			motivation: record.motivation,
			bodyHtml: renderMarkdown(record.body),
			tags: record.tags,
			author: record.creatorId
				? { id: record.creatorId, name: record.creatorName ?? 'Someone', color: record.creatorColor ?? '#57606a' }
				: null,
			submittedAt: (await submittedAt(context, record)).toISOString(),
			quote: quoteOf(record),
			parent: entry.parent
				? {
						id: entry.parent.id,
						authorName: entry.parent.creatorName ?? 'Someone',
						bodyHtml: renderMarkdown(entry.parent.body),
						quote: quoteOf(entry.parent),
					}
				: null,
			decisions,
			approvals,
			quorum,
			publishedVersions: entry.publishedVersions,
			placement: entry.placement,
			blocked: entry.ownedByViewer
				? 'You wrote this: nobody decides on their own annotation.'
				: own
					? `You have already decided on this submission (${own.verdict === 'approve' ? 'approved' : own.verdict.replace('_', ' ')}); it waits for other moderators.`
					: null,
			publishes: entry.publishes,
			unreachable: reachable ? null : { eligible, quorum },
			mayOverride: !reachable && queue.viewerIsOwner && !entry.ownedByViewer,
		})
	}
	const reports: ReportView[] = queue.reports.map(({ report, version }) => ({
		id: report.id,
		annotationId: version.annotationId,
		versionNumber: version.number,
		authorName: version.authorName,
		quote: version.exact !== null ? { prefix: version.prefix ?? '', exact: version.exact, suffix: version.suffix ?? '' } : null,
		bodyHtml: renderMarkdown(version.body),
		standing: version.standing,
		reason: report.reason,
		at: report.createdAt.toISOString(),
	}))
	return {
		group: { id: queue.group.id, name: queue.group.name, requiresApproval: queue.group.requiresApproval, approvalQuorum: queue.group.approvalQuorum },
		quorum: queue.quorum,
		items,
		reports,
		accepted: queue.accepted.map(({ documentId, title, count, publishable }): AcceptedView => ({ documentId, title, count, publishable })),
	}
}

/** The versions that stand in the group now, for the queue's "Published" section (retraction at any time). */
export async function loadPublished(context: AppLoadContext, user: User, groupId: string): Promise<PublishedItemView[]> {
	const versions = await context.publication.publishedInGroup(user, groupId)
	const titles = new Map<string, string>()
	const out: PublishedItemView[] = []
	for (const v of versions) {
		if (!titles.has(v.documentId)) titles.set(v.documentId, (await findDocument(context.db, v.documentId))?.title ?? '')
		out.push({
			annotationId: v.annotationId,
			documentTitle: titles.get(v.documentId) ?? '',
			versionNumber: v.number,
			authorName: v.authorName,
			exact: v.exact,
			bodyHtml: renderMarkdown(v.body),
			publishedAt: v.publishedAt.toISOString(),
		})
	}
	return out
}

/** How many submissions wait in a group's queue (for the group page's link; ask only stewards). */
export async function queueSize(context: AppLoadContext, groupId: string): Promise<number> {
	return (await listQueue(context.db, groupId)).length
}

/** Each document of the group with its frozen editions. */
export async function documentEditions(context: AppLoadContext, groupId: string): Promise<DocumentEditions[]> {
	const documents = await listDocuments(context.db, groupId)
	return Promise.all(
		documents.map(async (doc) => ({
			id: doc.id,
			title: doc.title,
			editions: (await context.publication.published.editions(doc.id)).map((e) => ({ number: e.number, createdAt: e.createdAt })),
		})),
	)
}

/**
 * One decision, told as what the moderator needs to know next: published,
 * waiting for more approvals, decided, or refused with the service's reason.
 * Unexpected errors are rethrown; refusals are values.
 */
export async function decideAndReport(
	context: AppLoadContext,
	user: User,
	annotationId: string,
	label: string,
	decision: { verdict: Verdict; reason: string; confirmPlacement: boolean },
): Promise<DecisionReport> {
	try {
		const outcome = await context.publication.decide(user, annotationId, decision)
		if (outcome.published) {
			return { annotationId, label, outcome: 'published', message: `published as version ${outcome.published.number}` }
		}
		if (outcome.status === 'accepted') {
			return { annotationId, label, outcome: 'accepted', message: 'accepted; nothing is published (this document’s published layer has no audience)' }
		}
		if (decision.verdict === 'approve') {
			const left = outcome.quorum - outcome.approvals
			return {
				annotationId,
				label,
				outcome: 'waiting',
				message: `approved (${outcome.approvals} of ${outcome.quorum}); waiting for ${left} more ${left === 1 ? 'approval' : 'approvals'}`,
			}
		}
		return {
			annotationId,
			label,
			outcome: 'decided',
			message: outcome.status === 'rejected' ? 'rejected' : outcome.status === 'changes_requested' ? 'changes requested from the author' : 'rejected; the published version stays up',
		}
	} catch (error) {
		if (!isAnnotationError(error)) throw error
		return { annotationId, label, outcome: 'refused', message: `refused: ${error.message}`, status: error.status }
	}
}

/** An annotation's audit trail and published versions, for its history page. */
export async function loadHistory(context: AppLoadContext, user: User, annotationId: string) {
	const history = await context.publication.history(user, annotationId)
	const record = await context.annotations.visibleRecord(user, annotationId)
	const editions = new Map((await context.publication.published.editions(record.documentId)).map((e) => [e.id, e.number]))
	// Who wrote it and who moved it, as this user may know them (the group's identity mode; stewards see names).
	const [group, role] = await Promise.all([findGroup(context.db, record.groupId), findRole(context.db, record.groupId, user.id)])
	const mentioned = mentionedAccounts(record.body)
	const [lens, mentionedPeople] = await Promise.all([
		identityLens(context.db, {
			viewer: { userId: user.id, role },
			mode: group?.identityMode ?? 'anonymous',
			documentId: record.documentId,
			people: [record.creatorId, ...history.transitions.map((t) => t.actorId), ...mentioned],
		}),
		peopleByIds(context.db, mentioned),
	])
	const transitions: TransitionView[] = history.transitions.map((t) => ({
		at: t.at.toISOString(),
		actorName: lens.person({ id: t.actorId, name: t.actorName }).name,
		from: t.fromStatus,
		to: t.toStatus,
		reason: t.reason,
		versionNumber: t.versionNumber,
	}))
	const versions: VersionSummary[] = history.versions.map((v: VersionRow) => ({
		number: v.number,
		editionNumber: editions.get(v.editionId) ?? null,
		publishedAt: v.publishedAt.toISOString(),
		standing: v.standing,
		retractionNotice: v.retractionNotice,
	}))
	return {
		annotation: {
			id: record.id,
			documentId: record.documentId,
			groupId: record.groupId,
			status: record.status,
			motivation: record.motivation,
			bodyHtml: renderMarkdown(shownBody(record.body, lens, mentionedPeople)),
			authorName: lens.person({ id: record.creatorId, name: record.creatorName ?? 'Someone' }).name,
			quote: quoteOf(record),
		},
		transitions,
		versions,
	}
}

function quoteOf(record: AnnotationRecord): QuoteView | null {
	return record.anchor ? { prefix: record.anchor.prefix, exact: record.anchor.exact, suffix: record.anchor.suffix } : null
}

/** When the current submission round began: the latest step into `submitted` from another status. */
async function submittedAt(context: AppLoadContext, record: AnnotationRecord): Promise<Date> {
	const trail = await listTransitions(context.db, record.id)
	for (let i = trail.length - 1; i >= 0; i--) {
		const t = trail[i]!
		if (t.toStatus === 'submitted' && t.fromStatus !== 'submitted') return t.at
	}
	return record.modifiedAt
}

class NameCache {
	private names = new Map<string, Promise<string>>()
	constructor(private readonly context: AppLoadContext) {}
	of(userId: string): Promise<string> {
		let name = this.names.get(userId)
		if (!name) {
			name = userName(this.context.db, userId)
			this.names.set(userId, name)
		}
		return name
	}
}

/** Published annotations left on an earlier edition, for "Publish on edition N" (moderation.ts onEarlierEditions). */
export async function loadEarlierEditions(context: AppLoadContext, user: User, groupId: string): Promise<EarlierEditionView[]> {
	const items = await context.publication.onEarlierEditions(user, groupId)
	const titles = new Map<string, string>()
	const out: EarlierEditionView[] = []
	for (const item of items) {
		if (!titles.has(item.record.documentId)) titles.set(item.record.documentId, (await findDocument(context.db, item.record.documentId))?.title ?? '')
		out.push({
			annotationId: item.record.id,
			documentTitle: titles.get(item.record.documentId) ?? '',
			author: item.version.authorName,
			exact: item.version.exact ?? '',
			bodyHtml: renderMarkdown(item.version.body),
			editionNumber: item.editionNumber,
			latestEditionNumber: item.latestEditionNumber,
			placement: item.placement,
			ownedByViewer: item.record.creatorId === user.id,
		})
	}
	return out
}
