/**
 * What the dashboards show, as the server builds it (server/dashboards) and
 * the components render it. Shared, browser-safe, plain JSON.
 */
import type { AnnotationStatus } from '#app/annotations/types.ts'
import type { Role } from '#app/policy/permissions.ts'

/** The participation table's columns, in the order shown; each can sort the table. */
export const participationColumns = ['name', 'role', 'annotations', 'replies', 'endorsements', 'submissions', 'approvals'] as const
export type ParticipationColumn = (typeof participationColumns)[number]
export type SortDirection = 'asc' | 'desc'

export interface ParticipationRow {
	userId: string
	name: string
	/** Null for someone who took part and has since left the group. */
	role: Role | null
	/** Shared annotations on the text (drafts are private and never counted). */
	annotations: number
	replies: number
	/** Endorsements given. */
	endorsements: number
	/** Rounds sent to moderation: first submissions, resubmissions, edits that start a new round. */
	submissions: number
	/** Approvals given as a moderator. */
	approvals: number
}

/** One stretch of the document's text and the annotations that begin in it. */
export interface DensityBin {
	/** Code point offsets of the stretch, [start, end). */
	start: number
	end: number
	count: number
	/** Where a click lands: the first annotation in the stretch, or its beginning when it has none. */
	jumpTo: number
	/** The first words of the stretch, for the table that stands in for the picture. */
	excerpt: string
}

export interface DensityStrip {
	/** The document's length in code points. */
	length: number
	bins: DensityBin[]
	/** The largest count of any bin (the picture's scale). */
	max: number
	/** Shared annotations placed in the text now, and those whose words are gone. */
	placed: number
	orphaned: number
}

export interface ModerationWeek {
	/** The Monday (UTC) the week starts on, YYYY-MM-DD. */
	week: string
	/** Rounds sent to moderation that week. */
	submissions: number
	/** Moderators' decisions made that week (approvals, rejections, requests for changes). */
	decisions: number
	/** Median time from a round's submission to a decision on it, of that week's decisions; null without any. */
	medianMs: number | null
}

export interface ModerationThroughput {
	weeks: ModerationWeek[]
	/** Median time to decision over every decision shown. */
	medianMs: number | null
	decisions: number
}

export interface ActivityItem {
	id: number
	/** ISO 8601. */
	at: string
	actorName: string
	fromStatus: AnnotationStatus | null
	toStatus: AnnotationStatus
	/** The audit log's reason ("Submitted for moderation.", "Approved (1 of 2 needed): …"). */
	reason: string
	annotationId: string
	isReply: boolean
	authorName: string | null
	documentId: string
	documentTitle: string
	/** The annotated words (null for a reply). */
	quote: string | null
}
