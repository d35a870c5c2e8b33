import { createHash } from 'node:crypto'
import type { Database } from '#db/client.ts'
import type { User } from '#db/queries/accounts.ts'
import { findAnnotation, findAnnotationsByIds, type AnnotationRecord } from '#db/queries/annotations.ts'
import { findDocument } from '#db/queries/documents.ts'
import { findGroup, findRole, listMembers, type Group } from '#db/queries/groups.ts'
import {
	appendTransition,
	countRecentReports,
	findEditionContent,
	findEditionContentById,
	findReport,
	findVersionById,
	insertDecision,
	insertReport,
	insertVersion,
	listDecisions,
	listOpenReports,
	listQueue,
	listTransitions,
	listCurrentVersionsInGroup,
	listAccepted,
	listVersions,
	lockAnnotation,
	resolveReport,
	retractVersion,
	setAnnotationStatus,
	setGroupPolicy,
	supersedeVersions,
	userName,
	type DecisionRow,
	type EditionRow,
	type ReportRow,
	type TransitionRow,
	type VersionRow,
} from '#db/queries/publication.ts'
import { listDocumentAnnotations } from '#db/queries/annotations.ts'
import { can, type Action, type Actor } from '#app/policy/permissions.ts'
import { approvalPublishes, effectiveAudience, isSteward, publishesUnderPseudonym, type Audience } from '#app/policy/identity.ts'
import type { Anchor } from '#app/editor/anchoring.ts'
import type { AnnotationStatus, AnnotationView } from '#app/annotations/types.ts'
import { AnnotationError, type AnnotationService } from '../annotations/service.ts'
import { mentionedAccounts, peopleByIds, shownBody } from '../identity/annotation-views.ts'
import { identityLens } from '../identity/lens.ts'
import type { CollabServer } from '../collab/collab-server.ts'
import { Editions, paragraphDiff, placeIn, type ParagraphChange } from './editions.ts'
import { PublishedLayer } from './published.ts'

export type Verdict = 'approve' | 'reject' | 'request_changes'

export interface Decision {
	verdict: Verdict
	/** Every decision carries a reason; it goes into the audit log and, for the author, into their history. */
	reason: string
	/** The moderator has seen and accepts an approximate placement on the edition. */
	confirmPlacement?: boolean
}

export interface DecisionOutcome {
	annotationId: string
	status: AnnotationStatus
	/** Approvals counted in this round, and how many the group's policy asks for. */
	approvals: number
	quorum: number
	/** The version published by this decision, if it reached the quorum (never under audience `none`: then status is 'accepted'). */
	published: VersionRow | null
}

/** Whether an item's quorum can still be met by the stewards who may decide on it. */
export interface QuorumStanding {
	quorum: number
	/** Owners and moderators now in the group, not the item's author. */
	eligible: number
	/** Approvals of this round by stewards who are still eligible. */
	approvals: number
	reachable: boolean
}

/** A moderator's decision as listeners hear of it: the verdict (or a retraction) and the status it left. */
export interface WorkflowDecision {
	verdict: Verdict | 'retract'
	status: AnnotationStatus
	reason: string
}

/**
 * Told of workflow events once they are stored (server/notifications sets
 * itself here, as this service sets itself as AnnotationService.workflow).
 * A listener handles its own failures: the event has happened regardless.
 */
export interface WorkflowListener {
	/** After every submission (a new annotation or reply, a resubmission, an edit), once the policy had its say. */
	submitted(actor: User, annotationId: string, from: AnnotationStatus | null): Promise<void>
	decided(actor: User, annotationId: string, decision: WorkflowDecision): Promise<void>
}

/** What the placement of an annotation on an edition came to, for the queue to show before approving. */
export interface EditionPlacement {
	editionNumber: number | null
	status: 'exact' | 'fuzzy' | 'orphaned' | 'no-edition' | 'reply'
	confidence: number
	exact: string | null
}

const reportWindowMs = 60 * 60 * 1000
/** Reports one address may file per hour: enough for an honest reader, too few to flood a queue. */
export const reportsPerHour = 5

/**
 * The moderation workflow and the published layer's writes.
 *
 *   draft ──submit──▶ submitted ──approve × quorum──▶ published ──retract──▶ retracted
 *     ▲                 │  │                             │
 *     └──withdraw───────┘  ├──request changes──▶ changes_requested ──submit──▶ submitted
 *                          └──reject──▶ rejected         └──edit──▶ submitted (new version; the published one stays up)
 *
 * Where the document's published layer has no audience (`none`), the quorum
 * leads to `accepted` instead: the decision is recorded, nothing is frozen
 * or published; a steward publishes accepted items later, on purpose, once
 * the audience is widened (publishAccepted). An owner may override a quorum
 * that can no longer be met (overrideQuorum), with a reason.
 *
 * Publishing writes an immutable annotation_versions row pinned to the
 * document's latest edition, with selectors computed against that edition's
 * text. Every transition is appended to annotation_transitions with who,
 * when, from, to and why. Nobody decides on their own annotation.
 */
export class PublicationService {
	readonly editions: Editions
	/** Reads of the published layer (public pages, feeds, exports). */
	readonly published: PublishedLayer
	/** Hears of submissions and decisions (notifications). */
	listener: WorkflowListener | null = null

	constructor(
		private readonly db: Database,
		private readonly collab: CollabServer,
		private readonly annotations: AnnotationService,
	) {
		this.editions = new Editions(db, collab)
		this.published = new PublishedLayer(db)
		annotations.workflow = this
	}

	// ─── Called by AnnotationService ───────────────────────────────────────

	/** After an annotation was created or set to `submitted` by its author: log it, and publish at once where the policy needs no approval. */
	async submitted(user: User, record: AnnotationRecord, from: AnnotationStatus | null, reason = 'Submitted for moderation.') {
		const round = record.submissionRound + 1
		await setAnnotationStatus(this.db, record.id, { status: 'submitted', submissionRound: round })
		await this.log(record, user.id, user.name, from, 'submitted', reason)
		const group = await this.group(record.groupId)
		if (!group.requiresApproval) {
			await this.tryPublishUnderPolicy(record.id)
		}
		await this.listener?.submitted(user, record.id, from)
	}

	/** After its author changed the words, kind or tags: a published annotation starts a new version; approvals so far lapse. */
	async contentEdited(user: User, record: AnnotationRecord) {
		if (record.status === 'published' || record.status === 'retracted' || record.status === 'accepted') {
			await this.submitted(user, record, record.status, 'Edited: a new version is submitted for moderation; the published version stays up.')
		} else if (record.status === 'submitted') {
			const approvals = (await listDecisions(this.db, record.id, record.submissionRound)).filter((d) => d.verdict === 'approve')
			await this.submitted(
				user,
				record,
				'submitted',
				approvals.length > 0 ? 'Edited while in moderation: earlier approvals no longer count.' : 'Edited while in moderation.',
			)
		}
	}

	/** Whether the working copy may be deleted: not once something of it is public. */
	async assertDeletable(record: AnnotationRecord) {
		const versions = await listVersions(this.db, record.id)
		if (versions.length > 0) {
			throw new AnnotationError(409, 'A published annotation is retracted, not deleted: ask a moderator to retract it.')
		}
	}

	/** Refuses an author's status change (draft ⇄ submitted) that the workflow does not allow; changes nothing. */
	async checkAuthorStatusChange(record: AnnotationRecord, to: 'draft' | 'submitted') {
		if (record.status === to) return
		if (to === 'submitted') {
			if (record.status !== 'draft' && record.status !== 'changes_requested') {
				throw new AnnotationError(409, `A ${statusWords(record.status)} annotation cannot be submitted again.`)
			}
			return
		}
		// Back to draft: only what has never been public, and not after a decision against it.
		if (record.status !== 'submitted' && record.status !== 'changes_requested') {
			throw new AnnotationError(409, `A ${statusWords(record.status)} annotation cannot go back to draft.`)
		}
		if ((await listVersions(this.db, record.id)).length > 0) {
			throw new AnnotationError(409, 'This annotation has a published version; it cannot go back to draft.')
		}
		if (record.parentId) throw new AnnotationError(400, 'A reply cannot be a draft.')
	}

	/** Carries out an author's status change (draft ⇄ submitted), checked first. */
	async authorStatusChange(user: User, record: AnnotationRecord, to: 'draft' | 'submitted') {
		await this.checkAuthorStatusChange(record, to)
		if (record.status === to) return
		if (to === 'submitted') {
			await this.submitted(user, record, record.status, record.status === 'changes_requested' ? 'Resubmitted with the requested changes.' : 'Submitted for moderation.')
			return
		}
		await setAnnotationStatus(this.db, record.id, { status: 'draft' })
		await this.log(record, user.id, user.name, record.status, 'draft', 'Withdrawn by the author.')
	}

	// ─── Moderators ────────────────────────────────────────────────────────

	/**
	 * A moderator's decision on a submitted annotation. Approvals count
	 * towards the group's quorum for this submission round; the approval that
	 * reaches it publishes. A rejection or a request for changes takes effect
	 * at once.
	 */
	async decide(user: User, annotationId: string, decision: Decision): Promise<DecisionOutcome> {
		const reason = decision.reason.trim()
		if (!reason) throw new AnnotationError(400, 'Give a reason for the decision.')
		const { record, group } = await this.moderatable(user, annotationId, 'annotation.moderate')
		if (record.creatorId === user.id) throw new AnnotationError(403, 'Nobody approves or decides on their own annotation.')
		const publishes = approvalPublishes(await this.audienceOf(record, group))
		let author: PublishedAuthor | null = null
		if (decision.verdict === 'approve') {
			const standing = await this.quorumStanding(record, group)
			if (standing.approvals + 1 >= standing.quorum && publishes) {
				await this.ensureEdition(record, user)
				author = await this.publishedAuthor(record, group)
			}
		}
		return this.db.transaction(async (tx): Promise<DecisionOutcome> => {
			const db = tx as unknown as Database
			await lockAnnotation(db, annotationId)
			const current = await findAnnotation(db, annotationId)
			if (!current || current.status !== 'submitted') {
				throw new AnnotationError(409, `This annotation is ${statusWords(current?.status ?? 'draft')} now, no longer waiting for a decision.`)
			}
			const decisions = await listDecisions(db, annotationId, current.submissionRound)
			if (decisions.some((d) => d.moderatorId === user.id)) {
				throw new AnnotationError(409, 'You have already decided on this submission.')
			}
			const { quorum, approvals } = await this.quorumStanding(current, group, db)
			if (decision.verdict !== 'approve') {
				const to = decision.verdict === 'reject' ? 'rejected' : 'changes_requested'
				await insertDecision(db, { annotationId, round: current.submissionRound, moderatorId: user.id, verdict: decision.verdict, reason })
				// An edit of a published annotation that is turned down leaves the published version as it was.
				const hasPublic = (await listVersions(db, annotationId)).some((v) => v.standing === 'published')
				const status: AnnotationStatus = hasPublic && to === 'rejected' ? 'published' : to
				await setAnnotationStatus(db, annotationId, { status })
				await this.log(current, user.id, user.name, 'submitted', status, decision.verdict === 'reject' ? `Rejected: ${reason}` : `Changes requested: ${reason}`, null, db)
				return { annotationId, status, approvals, quorum, published: null }
			}
			if (approvals + 1 < quorum) {
				await insertDecision(db, { annotationId, round: current.submissionRound, moderatorId: user.id, verdict: 'approve', reason })
				await this.log(current, user.id, user.name, 'submitted', 'submitted', `Approved (${approvals + 1} of ${quorum} needed): ${reason}`, null, db)
				return { annotationId, status: 'submitted', approvals: approvals + 1, quorum, published: null }
			}
			const why = `Approved (${approvals + 1} of ${quorum}): ${reason}`
			if (!publishes) {
				await insertDecision(db, { annotationId, round: current.submissionRound, moderatorId: user.id, verdict: 'approve', reason })
				await this.accept(db, current, user.id, user.name, why)
				return { annotationId, status: 'accepted', approvals: approvals + 1, quorum, published: null }
			}
			// This approval reaches the quorum: check the placement before anything is written.
			const target = await this.publicationTarget(db, current, user, decision.confirmPlacement ?? false)
			await insertDecision(db, { annotationId, round: current.submissionRound, moderatorId: user.id, verdict: 'approve', reason })
			const published = await this.publish(db, current, target, user.id, user.name, why, author ?? (await this.publishedAuthor(current, group)))
			return { annotationId, status: 'published', approvals: approvals + 1, quorum, published }
		}).then(async (outcome) => {
			await this.annotations.announceById(annotationId)
			await this.listener?.decided(user, annotationId, { verdict: decision.verdict, status: outcome.status, reason })
			return outcome
		})
	}

	/**
	 * How an item stands against its quorum: only owners and moderators who
	 * are in the group now and did not write it count, both as approvals and
	 * as the people who could still approve.
	 */
	async quorumStanding(record: Pick<AnnotationRecord, 'id' | 'groupId' | 'creatorId' | 'submissionRound'>, group?: Group, db: Database = this.db): Promise<QuorumStanding> {
		const g = group ?? (await this.group(record.groupId))
		const quorum = g.requiresApproval ? g.approvalQuorum : 1
		const eligible = new Set((await listMembers(db, record.groupId)).filter((m) => isSteward(m.role) && m.userId !== record.creatorId).map((m) => m.userId))
		const approvals = (await listDecisions(db, record.id, record.submissionRound)).filter((d) => d.verdict === 'approve' && eligible.has(d.moderatorId)).length
		return { quorum, eligible: eligible.size, approvals, reachable: eligible.size >= quorum }
	}

	/**
	 * An owner's decision on a submission whose quorum can no longer be met
	 * (too few eligible stewards): publishes it, or accepts it under audience
	 * `none`, with a reason written to the audit log. Refused while the quorum
	 * is reachable: then the stewards decide.
	 */
	async overrideQuorum(user: User, annotationId: string, reasonText: string, confirmPlacement = false): Promise<DecisionOutcome> {
		const reason = reasonText.trim()
		const { record, group } = await this.moderatable(user, annotationId, 'annotation.moderate')
		await this.require(user, record.groupId, 'group.policy')
		if (!reason) throw new AnnotationError(400, 'Give the reason for overriding the quorum; it goes into the audit log.')
		if (record.creatorId === user.id) throw new AnnotationError(403, 'Nobody approves or decides on their own annotation.')
		if (record.status !== 'submitted') throw new AnnotationError(409, `This annotation is ${statusWords(record.status)} now, no longer waiting for a decision.`)
		const standing = await this.quorumStanding(record, group)
		if (standing.reachable) {
			throw new AnnotationError(409, `The quorum can still be met (${eligibleWords(standing.eligible)}, quorum ${standing.quorum}): the stewards decide.`)
		}
		const publishes = approvalPublishes(await this.audienceOf(record, group))
		let author: PublishedAuthor | null = null
		if (publishes) {
			await this.ensureEdition(record, user)
			author = await this.publishedAuthor(record, group)
		}
		const why = `Override by an owner (quorum unreachable: ${eligibleWords(standing.eligible)}, quorum ${standing.quorum}): ${reason}`
		return this.db.transaction(async (tx): Promise<DecisionOutcome> => {
			const db = tx as unknown as Database
			await lockAnnotation(db, annotationId)
			const current = await findAnnotation(db, annotationId)
			if (!current || current.status !== 'submitted') {
				throw new AnnotationError(409, `This annotation is ${statusWords(current?.status ?? 'draft')} now, no longer waiting for a decision.`)
			}
			if (!publishes) {
				await insertDecision(db, { annotationId, round: current.submissionRound, moderatorId: user.id, verdict: 'override', reason })
				await this.accept(db, current, user.id, user.name, why)
				return { annotationId, status: 'accepted', approvals: standing.approvals, quorum: standing.quorum, published: null }
			}
			const target = await this.publicationTarget(db, current, user, confirmPlacement)
			await insertDecision(db, { annotationId, round: current.submissionRound, moderatorId: user.id, verdict: 'override', reason })
			const published = await this.publish(db, current, target, user.id, user.name, why, author!)
			return { annotationId, status: 'published', approvals: standing.approvals, quorum: standing.quorum, published }
		}).then(async (outcome) => {
			await this.annotations.announceById(annotationId)
			// Listeners know approvals; an override is one, told with the status it left.
			await this.listener?.decided(user, annotationId, { verdict: 'approve', status: outcome.status, reason })
			return outcome
		})
	}

	/**
	 * A steward's deliberate publication of what a document's board accepted
	 * while its published layer had no audience: each accepted item is
	 * published as approval would have (the latest edition, frozen first if
	 * there is none; exact placements, approximate ones only when confirmed).
	 * What cannot be placed stays accepted, with the reason.
	 */
	async publishAccepted(user: User, documentId: string, confirmPlacement = false): Promise<{ published: number; left: { annotationId: string; reason: string }[] }> {
		const document = await findDocument(this.db, documentId)
		if (!document) throw new AnnotationError(404, 'Document not found.')
		await this.require(user, document.groupId, 'annotation.moderate')
		const group = await this.group(document.groupId)
		if (!approvalPublishes(effectiveAudience(group.publishedAudience, document.publishedAudience))) {
			throw new AnnotationError(409, 'This document’s published layer has no audience: choose one before publishing what was accepted.')
		}
		const accepted = (await listDocumentAnnotations(this.db, documentId)).filter((r) => r.status === 'accepted')
		// Threads first, so a reply finds the annotation it answers published.
		accepted.sort((a, b) => Number(a.parentId !== null) - Number(b.parentId !== null))
		const left: { annotationId: string; reason: string }[] = []
		let published = 0
		for (const record of accepted) {
			await this.ensureEdition(record, user)
			const author = await this.publishedAuthor(record, group)
			try {
				const done = await this.db.transaction(async (tx) => {
					const db = tx as unknown as Database
					await lockAnnotation(db, record.id)
					const current = await findAnnotation(db, record.id)
					if (!current || current.status !== 'accepted') return false
					const target = await this.publicationTarget(db, current, user, confirmPlacement)
					await this.publish(db, current, target, user.id, user.name, 'Published by a steward: accepted while the published layer had no audience.', author, 'accepted')
					return true
				})
				if (!done) continue
				published++
				await this.annotations.announceById(record.id)
				await this.listener?.decided(user, record.id, { verdict: 'approve', status: 'published', reason: 'Accepted earlier; now published.' })
			} catch (error) {
				if (!(error instanceof AnnotationError)) throw error
				left.push({ annotationId: record.id, reason: error.message })
			}
		}
		return { published, left }
	}

	/** Retracts the current published version with a public notice; it stays resolvable, marked retracted. */
	async retract(user: User, annotationId: string, notice: string): Promise<VersionRow> {
		const text = notice.trim()
		if (!text) throw new AnnotationError(400, 'Write the public notice that will stand in place of the annotation.')
		const { record } = await this.moderatable(user, annotationId, 'annotation.retract')
		const versions = await listVersions(this.db, annotationId)
		const current = currentVersion(versions)
		if (!current) throw new AnnotationError(409, 'This annotation has no published version to retract.')
		await retractVersion(this.db, current.id, text, new Date())
		// A pending new version is withdrawn with it: a retraction is a decision about the annotation.
		await setAnnotationStatus(this.db, annotationId, { status: 'retracted' })
		await this.log(record, user.id, user.name, record.status, 'retracted', `Retracted: ${text}`, current.number)
		await this.annotations.announceById(annotationId)
		await this.listener?.decided(user, annotationId, { verdict: 'retract', status: 'retracted', reason: text })
		return (await findVersionById(this.db, current.id))!
	}

	/**
	 * What freezing the live text now would do, without freezing: the
	 * paragraphs changed since the latest edition, and how the published
	 * annotations would fare by the rules freezeEdition and carryForward
	 * apply: carried over exactly, left for a person to confirm (approximate,
	 * or exact on words that changed), or left on their edition (orphaned).
	 */
	async freezePreview(user: User, documentId: string): Promise<FreezePreview> {
		const document = await findDocument(this.db, documentId)
		if (!document) throw new AnnotationError(404, 'Document not found.')
		await this.require(user, document.groupId, 'edition.freeze')
		const latest = await findEditionContent(this.db, documentId)
		const live = await this.editions.preview(documentId)
		if (!live) throw new AnnotationError(409, `The text has not changed since edition ${latest?.number ?? 1}.`)
		const counts = { exact: 0, confirm: 0, orphaned: 0 }
		for (const record of await listDocumentAnnotations(this.db, documentId)) {
			if (record.parentId || !record.anchor) continue
			const current = currentVersion(await listVersions(this.db, record.id))
			if (!current) continue
			const placement = placeIn(live.context, record.anchor)
			if (placement.status === 'orphaned' || !placement.anchor) counts.orphaned++
			else if (placement.status === 'exact' && placement.anchor.quote.exact === current.exact) counts.exact++
			else counts.confirm++
		}
		live.context.ydoc.destroy()
		return {
			documentId,
			title: document.title,
			latestEditionNumber: latest?.number ?? null,
			nextEditionNumber: (latest?.number ?? 0) + 1,
			contentHash: live.contentHash,
			changes: paragraphDiff(latest?.plainText ?? '', live.plainText),
			annotations: counts,
		}
	}

	/**
	 * Freezes the document's live text as its next edition, and carries
	 * forward the published annotations whose words are unchanged in it.
	 * With `expectedHash` (from a preview) it refuses a text that changed
	 * since: the steward confirmed what they saw, not what came after.
	 */
	async freezeEdition(user: User, documentId: string, expectedHash?: string): Promise<{ edition: EditionRow; carried: number; left: number }> {
		const document = await findDocument(this.db, documentId)
		if (!document) throw new AnnotationError(404, 'Document not found.')
		await this.require(user, document.groupId, 'edition.freeze')
		if (expectedHash !== undefined) {
			const live = await this.editions.preview(documentId)
			live?.context.ydoc.destroy()
			if (live && live.contentHash !== expectedHash) {
				throw new AnnotationError(409, 'The text has changed since the preview: look at the preview again before freezing.')
			}
		}
		const edition = await this.editions.freeze(documentId, document.title, user.id)
		if (!edition) {
			const latest = await findEditionContent(this.db, documentId)
			throw new AnnotationError(409, `The text has not changed since edition ${latest?.number ?? 1}.`)
		}
		const { carried, left } = await this.carryForward(user, documentId, edition)
		return { edition, carried, left }
	}

	/** Where an annotation would be published now: on the latest edition, exactly, approximately or not at all. */
	async placementOnLatestEdition(record: AnnotationRecord): Promise<EditionPlacement> {
		if (record.parentId) return { editionNumber: null, status: 'reply', confidence: 1, exact: null }
		const edition = await findEditionContent(this.db, record.documentId)
		if (!edition || !record.anchor) return { editionNumber: null, status: 'no-edition', confidence: 1, exact: record.anchor?.exact ?? null }
		const placement = await this.editions.place(edition.id, record.anchor)
		return {
			editionNumber: edition.number,
			status: placement.status,
			confidence: placement.confidence,
			exact: placement.anchor?.quote.exact ?? placement.suggestion?.quote ?? null,
		}
	}

	/** Sets the group's policy: whether submissions need approval, and how many approvals publish. */
	async setPolicy(user: User, groupId: string, policy: { requiresApproval: boolean; approvalQuorum: number }) {
		await this.require(user, groupId, 'group.policy')
		if (!Number.isInteger(policy.approvalQuorum) || policy.approvalQuorum < 1 || policy.approvalQuorum > 10) {
			throw new AnnotationError(400, 'The quorum is a whole number from 1 to 10.')
		}
		const stewards = (await listMembers(this.db, groupId)).filter((m) => isSteward(m.role)).length
		if (policy.requiresApproval && policy.approvalQuorum > stewards) {
			throw new QuorumPolicyError(
				`This group has ${stewards} ${stewards === 1 ? 'moderator or owner' : 'moderators and owners'}; a quorum of ${policy.approvalQuorum} could never be met.`,
			)
		}
		await setGroupPolicy(this.db, groupId, policy)
	}

	/** The moderation queue of a group: submissions waiting, with what moderators need to decide, and open reports. */
	async queue(user: User, groupId: string) {
		await this.require(user, groupId, 'annotation.moderate')
		const group = await this.group(groupId)
		const entries = await listQueue(this.db, groupId)
		const records = new Map((await findAnnotationsByIds(this.db, entries.map((e) => e.annotationId))).map((r) => [r.id, r]))
		const parentIds = entries.flatMap((e) => (e.parentId ? [e.parentId] : []))
		const parents = new Map((await findAnnotationsByIds(this.db, parentIds)).map((r) => [r.id, r]))
		const items = []
		for (const entry of entries) {
			const record = records.get(entry.annotationId)
			if (!record) continue
			const decisions = await listDecisions(this.db, record.id, record.submissionRound)
			const versions = await listVersions(this.db, record.id)
			items.push({
				standing: await this.quorumStanding(record, group),
				publishes: approvalPublishes(await this.audienceOf(record, group)),
				record,
				documentTitle: entry.documentTitle,
				parent: record.parentId ? (parents.get(record.parentId) ?? null) : null,
				decisions,
				publishedVersions: versions.length,
				placement: await this.placementOnLatestEdition(record),
				ownedByViewer: record.creatorId === user.id,
				decidedByViewer: decisions.some((d) => d.moderatorId === user.id),
			})
		}
		const reports = await this.reportsWithVersions(await listOpenReports(this.db, groupId))
		return {
			group,
			items,
			reports,
			quorum: group.requiresApproval ? group.approvalQuorum : 1,
			accepted: await this.acceptedByDocument(groupId, group),
			viewerIsOwner: (await findRole(this.db, groupId, user.id)) === 'owner',
		}
	}

	/** Per document of the group with accepted items: how many, and whether its audience now lets them be published. */
	async acceptedByDocument(groupId: string, group?: Group) {
		const g = group ?? (await this.group(groupId))
		const counts = new Map<string, number>()
		for (const row of await listAccepted(this.db, groupId)) counts.set(row.documentId, (counts.get(row.documentId) ?? 0) + 1)
		const out = []
		for (const [documentId, count] of counts) {
			const document = await findDocument(this.db, documentId)
			if (!document) continue
			const audience = effectiveAudience(g.publishedAudience, document.publishedAudience)
			out.push({ documentId, title: document.title, count, audience, publishable: approvalPublishes(audience) })
		}
		return out
	}

	/** The versions that stand in a group now, newest first, for a moderator to retract. */
	async publishedInGroup(user: User, groupId: string) {
		await this.require(user, groupId, 'annotation.retract')
		return (await listCurrentVersionsInGroup(this.db, groupId)).reverse()
	}

	/**
	 * Adds to the views of annotations sent back (changes requested,
	 * rejected) the decision and its reason, for their author and the
	 * group's stewards only: another member, in an anonymous group above all,
	 * must not learn what the board said of someone else's review.
	 */
	async withDecisions(user: User, documentId: string, views: AnnotationView[]): Promise<AnnotationView[]> {
		const document = await findDocument(this.db, documentId)
		if (!document) return views
		const steward = isSteward(await findRole(this.db, document.groupId, user.id))
		const out: AnnotationView[] = []
		for (const view of views) {
			if ((view.status !== 'changes_requested' && view.status !== 'rejected') || !(steward || view.creator?.id === user.id)) {
				out.push(view)
				continue
			}
			const record = await findAnnotation(this.db, view.id)
			const last = record
				? (await listDecisions(this.db, record.id, record.submissionRound)).filter((d) => d.verdict === 'request_changes' || d.verdict === 'reject').at(-1)
				: undefined
			out.push(last ? { ...view, decision: { verdict: last.verdict as 'request_changes' | 'reject', reason: last.reason, at: last.createdAt.toISOString() } } : view)
		}
		return out
	}

	/** An annotation's audit trail, for the group's members (drafts: their author). */
	async history(user: User, annotationId: string): Promise<{ transitions: TransitionRow[]; versions: VersionRow[]; decisions: DecisionRow[] }> {
		const record = await this.annotations.visibleRecord(user, annotationId)
		const [transitions, versions] = await Promise.all([listTransitions(this.db, annotationId), listVersions(this.db, annotationId)])
		return { transitions, versions, decisions: await listDecisions(this.db, annotationId, record.submissionRound) }
	}

	// ─── The public ────────────────────────────────────────────────────────

	/** A reader's report about a published version: rate-limited by address; lands in the group's queue. */
	async report(versionId: string, reason: string, clientAddress: string): Promise<ReportRow> {
		const text = reason.trim()
		if (!text) throw new AnnotationError(400, 'Say what is wrong with this annotation.')
		if (text.length > 2000) throw new AnnotationError(400, 'Keep a report under 2,000 characters.')
		const version = await findVersionById(this.db, versionId)
		if (!version) throw new AnnotationError(404, 'Annotation not found.')
		const reporterKey = createHash('sha256').update(`report:${clientAddress}`).digest('hex')
		const recent = await countRecentReports(this.db, reporterKey, new Date(Date.now() - reportWindowMs))
		if (recent >= reportsPerHour) {
			throw new ReportLimitError()
		}
		return insertReport(this.db, { versionId, groupId: version.groupId, reason: text, reporterKey })
	}

	async resolveReport(user: User, reportId: string, resolution: string) {
		const report = await findReport(this.db, reportId)
		if (!report) throw new AnnotationError(404, 'Report not found.')
		await this.require(user, report.groupId, 'annotation.moderate')
		if (report.resolvedAt) throw new AnnotationError(409, 'This report has already been dealt with.')
		await resolveReport(this.db, reportId, user.id, resolution.trim() || 'Dismissed.')
	}

	// ─── Inside ────────────────────────────────────────────────────────────

	/** Publishes without a person where the group's policy needs no approval, if the placement allows it. */
	private async tryPublishUnderPolicy(annotationId: string) {
		const record = await findAnnotation(this.db, annotationId)
		if (!record) return
		const group = await this.group(record.groupId)
		const publishes = approvalPublishes(await this.audienceOf(record, group))
		const author = publishes ? await this.publishedAuthor(record, group) : null
		if (publishes) await this.ensureEdition(record, null)
		await this.db.transaction(async (tx) => {
			const db = tx as unknown as Database
			await lockAnnotation(db, annotationId)
			const record = await findAnnotation(db, annotationId)
			if (!record || record.status !== 'submitted') return
			if (!author) {
				await this.accept(db, record, null, 'Scholion', 'This group accepts submissions without approval.')
				return
			}
			try {
				const target = await this.publicationTarget(db, record, null, false)
				await this.publish(db, record, target, null, 'Scholion', 'Published: this group publishes submissions without approval.', author)
			} catch (error) {
				if (!(error instanceof AnnotationError)) throw error
				// It waits in the queue for a person, saying why.
				await this.log(record, null, 'Scholion', 'submitted', 'submitted', `Not published automatically: ${error.message}`, null, db)
			}
		})
	}

	/** The audience of the annotation's document: its own override, else its group's. */
	private async audienceOf(record: Pick<AnnotationRecord, 'documentId'>, group: Group): Promise<Audience> {
		const document = await findDocument(this.db, record.documentId)
		return effectiveAudience(group.publishedAudience, document?.publishedAudience)
	}

	/**
	 * The name a version is published under: the author's pseudonym on the
	 * document while the group's mode is not `named`, else their name. Asked
	 * before the publishing transaction, since assigning a pseudonym may need
	 * a retry that a transaction could not survive.
	 */
	private async publishedAuthor(record: Pick<AnnotationRecord, 'documentId' | 'creatorId' | 'creatorName' | 'body'>, group: Group): Promise<PublishedAuthor> {
		if (!publishesUnderPseudonym(group.identityMode)) return { name: record.creatorName ?? 'Someone', anonymous: false }
		// The people the body mentions are published under their pseudonyms too, as the public would see them.
		const mentioned = mentionedAccounts(record.body)
		const lens = await identityLens(this.db, { viewer: { userId: null, role: null }, mode: group.identityMode, documentId: record.documentId, people: [record.creatorId, ...mentioned] })
		const body = { source: record.body, published: shownBody(record.body, lens, await peopleByIds(this.db, mentioned)) }
		if (!record.creatorId) return { name: 'Someone', anonymous: true, body }
		return { name: lens.person({ id: record.creatorId, name: record.creatorName ?? 'Someone' }).name, anonymous: true, body }
	}

	/** Approval under audience `none`: the decision is the outcome, nothing is frozen or published. */
	private async accept(db: Database, record: AnnotationRecord, actorId: string | null, actorName: string, reason: string) {
		await setAnnotationStatus(db, record.id, { status: 'accepted' })
		await this.log(record, actorId, actorName, 'submitted', 'accepted', `${reason} Accepted; nothing is published (this document's published layer has no audience).`, null, db)
	}

	/**
	 * The first publication on a document freezes its first edition. Done
	 * before the publishing transaction: freezing reads the live document,
	 * which may need loading from the database.
	 */
	private async ensureEdition(record: AnnotationRecord, user: User | null) {
		if (record.parentId || (await findEditionContent(this.db, record.documentId))) return
		const document = await findDocument(this.db, record.documentId)
		const edition = await this.editions.freeze(record.documentId, document?.title ?? 'Untitled', user?.id ?? null)
		if (edition) {
			await this.log(record, user?.id ?? null, user?.name ?? 'Scholion', record.status, record.status, `Edition ${edition.number} frozen for the first publication on this document.`)
		}
	}

	/**
	 * The edition and selectors an annotation would be published with. Roots
	 * go on the document's latest edition; a
	 * fuzzy placement needs the moderator's confirmation; an orphan is refused.
	 * Replies go on the edition of the annotation they answer.
	 */
	private async publicationTarget(db: Database, record: AnnotationRecord, user: User | null, confirmed: boolean): Promise<PublicationTarget> {
		if (record.parentId) {
			const parentVersions = await listVersions(db, record.parentId)
			const parentCurrent = currentVersion(parentVersions)
			if (!parentCurrent) throw new AnnotationError(409, 'Publish the annotation this replies to first.')
			return { editionId: parentCurrent.editionId, editionNumber: null, selector: null }
		}
		if (!record.anchor) throw new AnnotationError(400, 'This annotation has no place in the text.')
		const edition = await findEditionContent(db, record.documentId)
		if (!edition) throw new AnnotationError(409, 'Freeze an edition of this document before publishing on it.')
		const placement = await this.editions.place(edition.id, record.anchor, db)
		if (placement.status === 'orphaned' || !placement.anchor) {
			throw new AnnotationError(
				409,
				`The annotated words are not in edition ${edition.number}. Freeze a new edition, or anchor the annotation to text that is in it.`,
			)
		}
		if (placement.status === 'fuzzy' && !confirmed) {
			throw new PlacementConfirmationError(edition.number, placement.anchor.quote.exact, placement.confidence)
		}
		const { quote, position } = placement.anchor
		return {
			editionId: edition.id,
			editionNumber: edition.number,
			selector: { exact: quote.exact, prefix: quote.prefix, suffix: quote.suffix, start: position.start, end: position.end },
		}
	}

	private async publish(
		db: Database,
		record: AnnotationRecord,
		target: PublicationTarget,
		actorId: string | null,
		actorName: string,
		reason: string,
		author: PublishedAuthor,
		from: AnnotationStatus = 'submitted',
	): Promise<VersionRow> {
		const versions = await listVersions(db, record.id)
		const number = (versions.at(-1)?.number ?? 0) + 1
		await supersedeVersions(db, record.id, number)
		const version = await insertVersion(db, {
			annotationId: record.id,
			number,
			parentId: record.parentId,
			documentId: record.documentId,
			groupId: record.groupId,
			editionId: target.editionId,
			motivation: record.motivation,
			body: publishedBody(record.body, author),
			tags: record.tags,
			authorId: record.creatorId,
			authorName: author.name,
			authorAnonymous: author.anonymous,
			exact: target.selector?.exact ?? null,
			prefix: target.selector?.prefix ?? null,
			suffix: target.selector?.suffix ?? null,
			startOffset: target.selector?.start ?? null,
			endOffset: target.selector?.end ?? null,
			annotationCreatedAt: record.createdAt,
		})
		await setAnnotationStatus(db, record.id, { status: 'published' })
		const edition = target.editionNumber ?? (await findEditionContentById(db, target.editionId))?.number
		await this.log(record, actorId, actorName, from, 'published', `${reason} Published as version ${number} on edition ${edition}.`, number, db)
		return version
	}

	/** After a new edition: published annotations whose words are there exactly get a version on it; the rest stay on their edition. */
	private async carryForward(user: User, documentId: string, edition: EditionRow) {
		const records = await listDocumentAnnotations(this.db, documentId)
		let carried = 0
		let left = 0
		for (const record of records) {
			if (record.parentId || !record.anchor) continue
			const versions = await listVersions(this.db, record.id)
			const current = currentVersion(versions)
			if (!current || current.editionId === edition.id) continue
			const placement = await this.editions.place(edition.id, record.anchor)
			// Only what is unchanged is carried without a person; the published words must be the same words.
			if (placement.status !== 'exact' || !placement.anchor || placement.anchor.quote.exact !== current.exact) {
				left++
				continue
			}
			await this.carryVersion(record, current, edition, placement.anchor, user, `Carried forward to edition ${edition.number}: the annotated words are unchanged.`)
			carried++
		}
		return { carried, left }
	}

	/**
	 * Published annotations of a group whose current version is on an older
	 * edition than their document's latest, with where they would go on it:
	 * what freezing did not carry forward by itself, for a moderator to decide.
	 */
	async onEarlierEditions(user: User, groupId: string) {
		await this.require(user, groupId, 'annotation.moderate')
		const out = []
		for (const version of await listCurrentVersionsInGroup(this.db, groupId)) {
			if (version.parentId) continue
			const latest = await findEditionContent(this.db, version.documentId)
			if (!latest || latest.id === version.editionId) continue
			const record = await findAnnotation(this.db, version.annotationId)
			if (!record?.anchor) continue
			const placement = await this.editions.place(latest.id, record.anchor)
			out.push({
				record,
				version,
				editionNumber: (await findEditionContentById(this.db, version.editionId))?.number ?? 0,
				latestEditionNumber: latest.number,
				placement: { status: placement.status, confidence: placement.confidence, exact: placement.anchor?.quote.exact ?? placement.suggestion?.quote ?? null },
			})
		}
		return out
	}

	/**
	 * Publishes an annotation's current version again on its document's
	 * latest edition, by the anchoring rules: exactly, or approximately with
	 * the moderator's confirmation; an orphan stays on its edition.
	 */
	async carryToLatestEdition(user: User, annotationId: string, confirmPlacement: boolean): Promise<VersionRow> {
		const { record } = await this.moderatable(user, annotationId, 'annotation.moderate')
		if (record.creatorId === user.id) throw new AnnotationError(403, 'Nobody decides on their own annotation.')
		if (!record.anchor) throw new AnnotationError(400, 'A reply goes with the annotation it answers.')
		const current = currentVersion(await listVersions(this.db, annotationId))
		if (!current) throw new AnnotationError(409, 'This annotation has no published version.')
		const latest = await findEditionContent(this.db, record.documentId)
		if (!latest || latest.id === current.editionId) throw new AnnotationError(409, 'It is already on the latest edition.')
		const placement = await this.editions.place(latest.id, record.anchor)
		if (placement.status === 'orphaned' || !placement.anchor) {
			throw new AnnotationError(409, `The annotated words are not in edition ${latest.number}: the annotation stays on its edition.`)
		}
		if (placement.status === 'fuzzy' && !confirmPlacement) {
			throw new PlacementConfirmationError(latest.number, placement.anchor.quote.exact, placement.confidence)
		}
		const how = placement.status === 'fuzzy' ? `placed approximately (${Math.round(placement.confidence * 100)} %), confirmed` : 'placed exactly'
		const version = await this.carryVersion(record, current, latest, placement.anchor, user, `Carried forward to edition ${latest.number}: ${how}.`)
		await this.annotations.announceById(annotationId)
		return version
	}

	/** The current version again, unchanged but pinned to `edition` with selectors of its text; the old one is superseded. */
	private async carryVersion(record: AnnotationRecord, current: VersionRow, edition: EditionRow, anchor: Anchor, user: User, reason: string) {
		const { quote, position } = anchor
		return this.db.transaction(async (tx) => {
			const db = tx as unknown as Database
			await lockAnnotation(db, record.id)
			const number = ((await listVersions(db, record.id)).at(-1)?.number ?? 0) + 1
			await supersedeVersions(db, record.id, number)
			const version = await insertVersion(db, {
				...withoutGenerated(current),
				number,
				editionId: edition.id,
				exact: quote.exact,
				prefix: quote.prefix,
				suffix: quote.suffix,
				startOffset: position.start,
				endOffset: position.end,
				publishedAt: new Date(),
			})
			await this.log(record, user.id, user.name, record.status, record.status, reason, number, db)
			return version
		})
	}

	private async reportsWithVersions(reports: ReportRow[]) {
		const out = []
		for (const report of reports) {
			const version = await findVersionById(this.db, report.versionId)
			if (version) out.push({ report, version })
		}
		return out
	}

	private async log(
		record: Pick<AnnotationRecord, 'id' | 'groupId'>,
		actorId: string | null,
		actorName: string,
		from: AnnotationStatus | null,
		to: AnnotationStatus,
		reason: string,
		versionNumber: number | null = null,
		db: Database = this.db,
	) {
		await appendTransition(db, { annotationId: record.id, groupId: record.groupId, actorId, actorName, fromStatus: from, toStatus: to, reason, versionNumber })
	}

	private async group(groupId: string): Promise<Group> {
		const group = await findGroup(this.db, groupId)
		if (!group) throw new AnnotationError(404, 'Group not found.')
		return group
	}

	/** The user's standing in a group, checked against `action`: 404 for outsiders who may not see it, 403 otherwise. */
	private async require(user: User, groupId: string, action: Action): Promise<Actor> {
		const group = await this.group(groupId)
		const actor: Actor = { userId: user.id, role: await findRole(this.db, groupId, user.id) }
		if (!can(actor, 'group.view', { groupKind: group.kind })) throw new AnnotationError(404, 'Group not found.')
		if (!can(actor, action, { groupKind: group.kind })) throw new AnnotationError(403, 'You do not have permission to do that.')
		return actor
	}

	private async moderatable(user: User, annotationId: string, action: Action) {
		const record = await this.annotations.visibleRecord(user, annotationId)
		await this.require(user, record.groupId, action)
		return { record, group: await this.group(record.groupId) }
	}
}

export interface FreezePreview {
	documentId: string
	title: string
	latestEditionNumber: number | null
	nextEditionNumber: number
	/** Identifies the previewed text; the confirmation freezes only that text. */
	contentHash: string
	changes: ParagraphChange[]
	/** Published annotations: carried over exactly, needing a person's confirmation, staying on their edition. */
	annotations: { exact: number; confirm: number; orphaned: number }
}

/** Who a version names: a real name, or a pseudonym (then the version never shows its author's account). */
interface PublishedAuthor {
	name: string
	anonymous: boolean
	/** Under a pseudonym: the body it was computed from, and the same with every mention as the public may see it. */
	body?: { source: string; published: string }
}

interface PublicationTarget {
	editionId: string
	editionNumber: number | null
	selector: { exact: string; prefix: string; suffix: string; start: number; end: number } | null
}

/** The approval would publish on an approximate placement: the moderator must confirm it first. */
export class PlacementConfirmationError extends AnnotationError {
	constructor(
		readonly editionNumber: number,
		readonly exact: string,
		readonly confidence: number,
	) {
		super(
			409,
			`On edition ${editionNumber} the annotated words were found only approximately (“${exact}”, ${Math.round(confidence * 100)} % match). Confirm the placement to publish.`,
		)
	}
}

/** A quorum the group's stewards could never meet; shown next to the quorum field. */
export class QuorumPolicyError extends AnnotationError {
	constructor(message: string) {
		super(400, message)
	}
}

export class ReportLimitError extends AnnotationError {
	constructor() {
		super(409, `Too many reports from your address: at most ${reportsPerHour} an hour. Try again later.`)
	}
}

function withoutGenerated(version: VersionRow) {
	const { id: _id, standing: _s, supersededBy: _b, retractedAt: _r, retractionNotice: _n, ...rest } = version
	return rest
}

/** The version the public sees as current: the newest one still standing. */
function currentVersion(versions: VersionRow[]): VersionRow | undefined {
	for (let i = versions.length - 1; i >= 0; i--) if (versions[i]!.standing === 'published') return versions[i]
	return undefined
}

export function eligibleWords(n: number): string {
	return `${n} eligible ${n === 1 ? 'steward' : 'stewards'}`
}

function statusWords(status: AnnotationStatus): string {
	return status.replace('_', ' ')
}

/**
 * The body a version publishes: under a pseudonym, mentions are pseudonyms
 * too; should the body have changed since that was computed, a mention keeps
 * only its words, never the account it points at.
 */
function publishedBody(body: string, author: PublishedAuthor): string {
	if (!author.anonymous) return body
	if (author.body && author.body.source === body) return author.body.published
	return body.replace(/@\[((?:\\.|[^\\\]])*)\]\(user:[0-9a-f-]{36}\)/gi, (_all, label: string) => `@${label.replace(/\\(.)/g, '$1')}`)
}
