import type { AnnotationStatus, Motivation } from '#app/annotations/types.ts'

/**
 * What the moderation pages show, as the loaders build it
 * (app/utils/moderation.server.ts): plain JSON, with every annotation body
 * already rendered by app/markdown.
 */

export type ModerationIntent = 'approve' | 'request_changes' | 'reject'
/** A recorded verdict: an intent, or an owner's override of an unreachable quorum. */
export type Verdict = ModerationIntent | 'override'

export const intentLabels: Record<ModerationIntent, string> = {
	approve: 'Approve',
	request_changes: 'Request changes',
	reject: 'Reject',
}

/** TextQuoteSelector of the words an annotation is on. */
export interface QuoteView {
	prefix: string
	exact: string
	suffix: string
}

/** Where an approval would publish the annotation (moderation.ts placementOnLatestEdition). */
export interface PlacementView {
	status: 'exact' | 'fuzzy' | 'orphaned' | 'no-edition' | 'reply'
	editionNumber: number | null
	confidence: number
	/** The words found on the edition (for a fuzzy placement, the approximate match). */
	exact: string | null
}

export interface DecisionView {
	moderatorName: string
	verdict: Verdict
	reason: string
	at: string
}

export interface QueueItemView {
	id: string
	documentId: string
	documentTitle: string
	motivation: Motivation
	bodyHtml: string
	tags: string[]
	author: { id: string; name: string; color: string } | null
	/** When this submission round began. */
	submittedAt: string
	quote: QuoteView | null
	/** For a reply: the annotation it answers. */
	parent: { id: string; authorName: string; bodyHtml: string; quote: QuoteView | null } | null
	/** Decisions so far in this round; approvals count towards the quorum. */
	decisions: DecisionView[]
	approvals: number
	quorum: number
	/** A published annotation's edit: the published version stays up meanwhile. */
	publishedVersions: number
	placement: PlacementView
	/** Why the viewer cannot decide on it, or null when they can. */
	blocked: string | null
	/** False under audience `none`: the quorum accepts it, nothing is published. */
	publishes: boolean
	/** Too few eligible stewards (owners and moderators who did not write it) to ever meet the quorum. */
	unreachable: { eligible: number; quorum: number } | null
	/** The viewer is an owner who may override the unreachable quorum (not the item's author). */
	mayOverride: boolean
}

/** A document with items accepted while its published layer had no audience. */
export interface AcceptedView {
	documentId: string
	title: string
	count: number
	/** Its audience lets them be published now. */
	publishable: boolean
}

/** A version that stands now, for a moderator to retract. */
export interface PublishedItemView {
	annotationId: string
	documentTitle: string
	versionNumber: number
	authorName: string
	exact: string | null
	bodyHtml: string
	publishedAt: string
}

/** What freezing would do, shown before confirming (moderation.ts freezePreview). */
export interface FreezePreviewView {
	documentId: string
	title: string
	latestEditionNumber: number | null
	nextEditionNumber: number
	contentHash: string
	changes: { kind: 'same' | 'added' | 'removed'; paragraphs: string[] }[]
	annotations: { exact: number; confirm: number; orphaned: number }
}

export interface ReportView {
	id: string
	annotationId: string
	versionNumber: number
	authorName: string
	quote: QuoteView | null
	bodyHtml: string
	standing: 'published' | 'superseded' | 'retracted'
	reason: string
	at: string
}

export interface EditionSummary {
	number: number
	createdAt: string
}

export interface DocumentEditions {
	id: string
	title: string
	editions: EditionSummary[]
}

export interface QueueFilters {
	document?: string
	kind?: Motivation
	tag?: string
	author?: string
}

/** What happened to one annotation in a (bulk) decision, for the status message. */
export interface DecisionReport {
	annotationId: string
	label: string
	outcome: 'published' | 'accepted' | 'waiting' | 'decided' | 'refused'
	message: string
	/** For a refusal: the service's HTTP status (403, 404, 409 …). */
	status?: number
}

export interface TransitionView {
	at: string
	actorName: string
	from: AnnotationStatus | null
	to: AnnotationStatus
	reason: string
	versionNumber: number | null
}

export interface VersionSummary {
	number: number
	editionNumber: number | null
	publishedAt: string
	standing: 'published' | 'superseded' | 'retracted'
	retractionNotice: string | null
}

/** A published annotation whose current version is on an older edition than its document's latest. */
export interface EarlierEditionView {
	annotationId: string
	documentTitle: string
	author: string
	/** The words it is published on, and where they would be on the latest edition. */
	exact: string
	bodyHtml: string
	editionNumber: number
	latestEditionNumber: number
	placement: { status: 'exact' | 'fuzzy' | 'orphaned'; confidence: number; exact: string | null }
	ownedByViewer: boolean
}
