import { createHash } from 'node:crypto'
import type { Database } from '#db/client.ts'
import type { User } from '#db/queries/accounts.ts'
import { findAnnotation, findAnnotationsByIds, type AnnotationRecord } from '#db/queries/annotations.ts'
import { findDocument } from '#db/queries/documents.ts'
import { findGroup, findRole, type Group } from '#db/queries/groups.ts'
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
import type { Anchor } from '#app/editor/anchoring.ts'
import type { AnnotationStatus } from '#app/annotations/types.ts'
import { AnnotationError, type AnnotationService } from '../annotations/service.ts'
import type { CollabServer } from '../collab/collab-server.ts'
import { Editions } from './editions.ts'
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
	/** The version published by this decision, if it reached the quorum. */
	published: VersionRow | null
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
		if (record.status === 'published' || record.status === 'retracted') {
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
		if (decision.verdict === 'approve') {
			const approvals = (await listDecisions(this.db, annotationId, record.submissionRound)).filter((d) => d.verdict === 'approve').length
			if (approvals + 1 >= (group.requiresApproval ? group.approvalQuorum : 1)) await this.ensureEdition(record, user)
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
			const approvals = decisions.filter((d) => d.verdict === 'approve').length
			const quorum = group.requiresApproval ? group.approvalQuorum : 1
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
			// This approval reaches the quorum: check the placement before anything is written.
			const target = await this.publicationTarget(db, current, user, decision.confirmPlacement ?? false)
			await insertDecision(db, { annotationId, round: current.submissionRound, moderatorId: user.id, verdict: 'approve', reason })
			const published = await this.publish(db, current, target, user.id, user.name, `Approved (${approvals + 1} of ${quorum}): ${reason}`)
			return { annotationId, status: 'published', approvals: approvals + 1, quorum, published }
		}).then(async (outcome) => {
			await this.annotations.announceById(annotationId)
			await this.listener?.decided(user, annotationId, { verdict: decision.verdict, status: outcome.status, reason })
			return outcome
		})
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

	/** Freezes the document's live text as its next edition, and carries forward the published annotations whose words are unchanged in it. */
	async freezeEdition(user: User, documentId: string): Promise<{ edition: EditionRow; carried: number; left: number }> {
		const document = await findDocument(this.db, documentId)
		if (!document) throw new AnnotationError(404, 'Document not found.')
		await this.require(user, document.groupId, 'edition.freeze')
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
		return { group, items, reports, quorum: group.requiresApproval ? group.approvalQuorum : 1 }
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
		if (record) await this.ensureEdition(record, null)
		await this.db.transaction(async (tx) => {
			const db = tx as unknown as Database
			await lockAnnotation(db, annotationId)
			const record = await findAnnotation(db, annotationId)
			if (!record || record.status !== 'submitted') return
			try {
				const target = await this.publicationTarget(db, record, null, false)
				await this.publish(db, record, target, null, 'Scholion', 'Published: this group publishes submissions without approval.')
			} catch (error) {
				if (!(error instanceof AnnotationError)) throw error
				// It waits in the queue for a person, saying why.
				await this.log(record, null, 'Scholion', 'submitted', 'submitted', `Not published automatically: ${error.message}`, null, db)
			}
		})
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

	private async publish(db: Database, record: AnnotationRecord, target: PublicationTarget, actorId: string | null, actorName: string, reason: string): Promise<VersionRow> {
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
			body: record.body,
			tags: record.tags,
			authorId: record.creatorId,
			authorName: record.creatorName ?? 'Someone',
			exact: target.selector?.exact ?? null,
			prefix: target.selector?.prefix ?? null,
			suffix: target.selector?.suffix ?? null,
			startOffset: target.selector?.start ?? null,
			endOffset: target.selector?.end ?? null,
			annotationCreatedAt: record.createdAt,
		})
		await setAnnotationStatus(db, record.id, { status: 'published' })
		const edition = target.editionNumber ?? (await findEditionContentById(db, target.editionId))?.number
		await this.log(record, actorId, actorName, 'submitted', 'published', `${reason} Published as version ${number} on edition ${edition}.`, number, db)
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

function statusWords(status: AnnotationStatus): string {
	return status.replace('_', ' ')
}
