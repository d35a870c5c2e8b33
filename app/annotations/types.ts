/**
 * Annotations as the browser sees them, in the page's loader data, the
 * JSON API and the live messages on the document's socket. Shared by the
 * server (which builds them) and the editor (which shows them).
 */

export const motivations = [
	'commenting',
	'questioning',
	'assessing',
	'tagging',
	'linking',
	'highlighting',
	'editing',
] as const
export type Motivation = (typeof motivations)[number]

export const motivationLabels: Record<Motivation, string> = {
	commenting: 'Comment',
	questioning: 'Question',
	assessing: 'Assessment',
	tagging: 'Tag',
	linking: 'Link',
	highlighting: 'Highlight',
	editing: 'Suggested edit',
}

/** The working copy's status (see server/publication/moderation.ts for the transitions). */
export const annotationStatuses = ['draft', 'submitted', 'changes_requested', 'rejected', 'published', 'retracted', 'accepted'] as const
export type AnnotationStatus = (typeof annotationStatuses)[number]

/** What an author may set directly: keep a draft, or submit it. The rest are moderators' decisions. */
export const authorStatuses = ['draft', 'submitted'] as const satisfies readonly AnnotationStatus[]

export const annotationStatusLabels: Record<AnnotationStatus, string> = {
	draft: 'Draft',
	submitted: 'Submitted',
	changes_requested: 'Changes requested',
	rejected: 'Rejected',
	published: 'Published',
	retracted: 'Retracted',
	accepted: 'Accepted',
}

export type AnchorStatus = 'exact' | 'fuzzy' | 'orphaned'

/** An anchor as JSON: what the browser sends to create or move an annotation. */
export interface AnchorInput {
	/** Base64 of Y.encodeRelativePosition: resolve with the document's Y.Doc. */
	start: string
	end: string
	/** TextQuoteSelector. */
	exact: string
	prefix: string
	suffix: string
	/** TextPositionSelector, code points. */
	startOffset: number
	endOffset: number
}

/** An anchor as the browser sees it: where it is and how it was last placed. */
export interface AnchorView extends AnchorInput {
	status: AnchorStatus
	confidence: number
	suggestion: { exact: string; startOffset: number; endOffset: number; confidence: number } | null
}

export interface AnnotationView {
	id: string
	documentId: string
	/** The thread's first annotation, for a reply. */
	parentId: string | null
	motivation: Motivation
	body: string
	/** `body` rendered by app/markdown (sanitized). */
	bodyHtml: string
	tags: string[]
	status: AnnotationStatus
	createdAt: string
	modifiedAt: string
	/**
	 * The author as this viewer may see them: `id` null (and `name` a pseudonym)
	 * wherever the group's identity mode hides the account from this viewer.
	 */
	creator: { id: string | null; name: string; color: string; pseudonymous?: boolean } | null
	/** Whether the viewer wrote it: the browser never needs the author's id to know. */
	mine: boolean
	endorsementCount: number
	endorsedByMe: boolean
	anchor: AnchorView | null
	/**
	 * The decision that sent it back (status changes_requested or rejected),
	 * with its reason: only in the list its author and the group's stewards
	 * get (server/publication/moderation.ts withDecisions), never in live events.
	 */
	decision?: AnnotationDecisionView | null
}

export interface AnnotationDecisionView {
	verdict: 'request_changes' | 'reject'
	reason: string
	at: string
}

/**
 * An annotation as the server knows it, before it is shown to a viewer
 * (server side only: the author's account, the endorsers' ids, the body as
 * stored). server/identity/annotation-views.ts turns it into each viewer's
 * AnnotationView.
 */
export interface AnnotationFacts extends Omit<AnnotationView, 'creator' | 'mine' | 'endorsementCount' | 'endorsedByMe'> {
	creator: { id: string; name: string; color: string } | null
	endorserIds: string[]
}

/** Live events on the document socket (message type 102, JSON), each already shown through its receiver's lens. */
export type AnnotationEvent =
	| { kind: 'annotation'; annotation: AnnotationView }
	/** The group's identity mode changed: every name shown may have changed, so the list is read again. */
	| { kind: 'reload' }
	| { kind: 'annotation-removed'; id: string }
	| {
			kind: 'anchors'
			/** `visibleTo` (server side only, stripped before sending): the author of a draft. */
			anchors: { id: string; anchor: AnchorView; visibleTo?: string }[]
	  }

/** What the server passes between its processes and shows each viewer through their lens (never sent as is). */
export type AnnotationFactsEvent =
	| { kind: 'annotation'; annotation: AnnotationFacts }
	| Exclude<AnnotationEvent, { kind: 'annotation' }>

/** Whether `viewerId` may see an annotation: drafts are their author's alone. */
export function visibleTo(annotation: { status: AnnotationStatus; creator: { id: string | null } | null }, viewerId: string) {
	return annotation.status !== 'draft' || annotation.creator?.id === viewerId
}
