import type { Database } from '#db/client.ts'
import { listDocumentAnnotations } from '#db/queries/annotations.ts'
import { listTransitionsOf } from '#db/queries/decision-record.ts'
import { findDocument } from '#db/queries/documents.ts'
import { findGroup } from '#db/queries/groups.ts'
import type { TransitionRow } from '#db/queries/publication.ts'
import { annotationStatusLabels, type AnnotationStatus } from '#app/annotations/types.ts'
import { markdownExcerpt } from '#app/markdown/render.ts'
import type { Role } from '#app/policy/permissions.ts'
import { identityLens, type IdentityLens } from '../identity/lens.ts'
import { mentionedIds, mentionsAsPlainText, protectMentions } from '../identity/mentions.ts'

/**
 * The board's record of one document: every review (a top-level annotation
 * that went through moderation) with where it stands, and each step of its
 * way (submissions, approvals, decisions, retractions) with the date, who
 * took it and why, read from the audit log. Two readings: the stewards'
 * (their lens: real names), and the letter for the manuscript's author,
 * where everyone is a pseudonym and the deciders are "the board".
 */

export type RecordReading = 'board' | 'letter'

export interface RecordStep {
	at: string
	/** What happened: Submitted, Approved, Changes requested, … */
	label: string
	/** Who took the step, as the reading shows them. */
	by: string
	reason: string
}

export interface RecordReview {
	/** R1, R2, … in the order of first submission. */
	label: string
	/** Anchor for the page: the review's place in this record, not its id. */
	slug: string
	author: string
	quote: string | null
	body: string
	/** Where it stands now: Pending, Accepted, Published, Changes requested, Rejected, Retracted. */
	decision: string
	status: AnnotationStatus
	submittedAt: string
	decidedAt: string | null
	steps: RecordStep[]
}

export interface DecisionRecord {
	documentId: string
	documentTitle: string
	groupName: string
	reading: RecordReading
	generatedAt: string
	counts: { label: string; count: number }[]
	reviews: RecordReview[]
}

const decisionStatuses = new Set<AnnotationStatus>(['published', 'accepted', 'changes_requested', 'rejected', 'retracted'])

function decisionLabel(status: AnnotationStatus): string {
	return status === 'submitted' ? 'Pending' : annotationStatusLabels[status]
}

function stepLabel(t: TransitionRow): string {
	if (t.toStatus === 'submitted') {
		if (t.fromStatus === 'submitted') return t.reason.startsWith('Approved') ? 'Approved (short of the quorum)' : 'Note'
		return t.fromStatus === null || t.fromStatus === 'draft' ? 'Submitted' : 'Resubmitted'
	}
	if (t.fromStatus === t.toStatus) return 'Note'
	return decisionLabel(t.toStatus)
}

/** Steps a reader of the record needs: not withdrawals to a private draft, which nobody else ever saw. */
function recorded(t: TransitionRow): boolean {
	return t.toStatus !== 'draft'
}

/**
 * The record of a document as `viewer` (a steward: the route checks) reads
 * it, or the letter. Null when the document does not exist.
 */
export async function decisionRecord(
	db: Database,
	input: { documentId: string; viewer: { userId: string; role: Role | null }; reading: RecordReading; now?: Date },
): Promise<DecisionRecord | null> {
	const document = await findDocument(db, input.documentId)
	if (!document) return null
	const group = await findGroup(db, document.groupId)
	if (!group) return null
	const reviews = (await listDocumentAnnotations(db, document.id)).filter((a) => a.parentId === null && a.status !== 'draft')
	const transitions = await listTransitionsOf(db, reviews.map((r) => r.id))
	// The letter names deciders as "the board": only the reviewers (and whom they mention) need numbers there.
	const people = [
		...reviews.flatMap((r) => [r.creatorId, ...mentionedIds(r.body)]),
		...(input.reading === 'letter' ? [] : transitions.map((t) => t.actorId)),
	]
	// The letter goes to someone outside the workflow: a lens that knows nobody, whatever the group's mode.
	const lens: IdentityLens =
		input.reading === 'letter'
			? await identityLens(db, { viewer: { userId: null, role: null }, mode: 'anonymous', documentId: document.id, people })
			: await identityLens(db, { viewer: input.viewer, mode: group.identityMode, documentId: document.id, people })
	const stepsOf = new Map<string, TransitionRow[]>()
	for (const t of transitions) stepsOf.set(t.annotationId, [...(stepsOf.get(t.annotationId) ?? []), t])
	const shown: RecordReview[] = []
	for (const review of reviews) {
		const steps = (stepsOf.get(review.id) ?? []).filter(recorded)
		const submitted = steps.find((t) => t.toStatus === 'submitted')
		// Only what went through moderation: an annotation published before any workflow has no submission.
		if (!submitted) continue
		const decided = [...steps].reverse().find((t) => decisionStatuses.has(t.toStatus) && t.fromStatus !== t.toStatus)
		const author = lens.person({ id: review.creatorId, name: review.creatorName ?? 'Someone' }).name
		shown.push({
			label: '',
			slug: '',
			author,
			quote: review.anchor?.exact ?? null,
			body: plainBody(review.body, lens),
			decision: decisionLabel(review.status),
			status: review.status,
			submittedAt: submitted.at.toISOString(),
			decidedAt: decided && review.status !== 'submitted' ? decided.at.toISOString() : null,
			steps: steps.map((t) => ({
				at: t.at.toISOString(),
				label: stepLabel(t),
				by: byline(t, review.creatorId, author, lens, input.reading),
				reason: mentionsAsPlainText(t.reason, lens),
			})),
		})
	}
	shown.sort((a, b) => a.submittedAt.localeCompare(b.submittedAt))
	shown.forEach((r, i) => {
		r.label = `R${i + 1}`
		r.slug = `review-${i + 1}`
	})
	const counts = new Map<string, number>()
	for (const r of shown) counts.set(r.decision, (counts.get(r.decision) ?? 0) + 1)
	return {
		documentId: document.id,
		documentTitle: document.title,
		groupName: group.name,
		reading: input.reading,
		generatedAt: (input.now ?? new Date()).toISOString(),
		counts: [...counts].map(([label, count]) => ({ label, count })),
		reviews: shown,
	}
}

function byline(t: TransitionRow, authorId: string | null, author: string, lens: IdentityLens, reading: RecordReading): string {
	if (t.actorId !== null && t.actorId === authorId) return author
	if (t.actorId === null) return 'Scholion'
	// In the letter the board speaks as one: its members' names, or numbers, are not the author's business.
	if (reading === 'letter') return 'The board'
	return lens.person({ id: t.actorId, name: t.actorName }).name
}

/** A review's words as plain text, mentions as the reading shows them. */
function plainBody(body: string, lens: IdentityLens): string {
	const { text, restore } = protectMentions(body)
	return mentionsAsPlainText(restore(markdownExcerpt(text, 4000)), lens)
}

/** The record as Markdown: a letter or a file for the board's archive. */
export function recordMarkdown(record: DecisionRecord): string {
	const date = (iso: string) => iso.slice(0, 10)
	const lines = [
		`# Decisions on “${inline(record.documentTitle)}”`,
		'',
		record.reading === 'letter'
			? `${inline(record.groupName)}: the board's decisions on each review of this manuscript. Reviewers are named by pseudonym.`
			: `${inline(record.groupName)}: the record of every review and its decision, as of ${date(record.generatedAt)}.`,
		'',
	]
	if (record.reviews.length === 0) lines.push('No review has been submitted on this document yet.', '')
	else lines.push(record.counts.map((c) => `${c.label}: ${c.count}`).join(' · '), '')
	for (const review of record.reviews) {
		lines.push(`## ${review.label}: ${inline(review.decision)}`, '')
		lines.push(`- Reviewer: ${inline(review.author)}`)
		lines.push(`- Submitted: ${date(review.submittedAt)}`)
		if (review.decidedAt) lines.push(`- Decided: ${date(review.decidedAt)}`)
		if (review.quote) lines.push(`- On: “${inline(review.quote)}”`)
		lines.push('')
		if (review.body) lines.push(...review.body.split('\n').map((l) => `> ${l}`), '')
		for (const step of review.steps) lines.push(`- ${date(step.at)}, ${inline(step.label)} (${inline(step.by)}): ${inline(step.reason)}`)
		lines.push('')
	}
	return lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n'
}

function inline(text: string): string {
	return text.replace(/\s+/g, ' ').replace(/([\\`*_[\]<>#])/g, '\\$1')
}
