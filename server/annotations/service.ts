import { toBase64 } from 'lib0/buffer'
import type { Database } from '#db/client.ts'
import type { User } from '#db/queries/accounts.ts'
import { randomUUID } from 'node:crypto'
import type * as Y from 'yjs'
import {
	countDocumentAnnotations,
	deleteAnnotation,
	findAnnotation,
	findAnnotationsByIds,
	insertAnnotation,
	insertAnnotations,
	listDocumentAnchors,
	listDocumentAnnotations,
	saveAnchors,
	setEndorsement,
	updateAnnotation,
	type AnchorRow,
	type AnnotationRecord,
	type NewAnchorRow,
} from '#db/queries/annotations.ts'
import { findDocument } from '#db/queries/documents.ts'
import { findGroup, findRole } from '#db/queries/groups.ts'
import { AnchorContext, anchorFromJSON, type Anchor, type Placement, type PlacementStatus } from '#app/editor/anchoring.ts'
import { damagedDocumentRefusal, isDamaged } from '#app/editor/salvage.ts'
import { documentFragmentName, readYDoc } from '#app/editor/yjs.ts'
import { renderMarkdown } from '#app/markdown/render.ts'
import { can, canSeeAnnotation, type Action, type Actor, type GroupKind } from '#app/policy/permissions.ts'
import type { AnchorInput, AnchorView, AnnotationFacts, AnnotationStatus, AnnotationView, Motivation } from '#app/annotations/types.ts'
import type { IdentityMode } from '#app/policy/identity.ts'
import { annotationFrame, showAnnotation, storedBody } from '../identity/annotation-views.ts'

export type { AnchorInput }
import type { CollabServer } from '../collab/collab-server.ts'
import {
	defaultAnnotationImportQuota,
	documentQuotaMessage,
	fileQuotaMessage,
	type AnnotationImportQuota,
} from './import-quota.ts'
import type { DocumentRoom } from '../collab/room.ts'
import type { PublicationService } from '../publication/moderation.ts'

/** An expected refusal: the route turns it into a response with this status and message. */
export class AnnotationError extends Error {
	override readonly name = 'AnnotationError'
	constructor(
		readonly status: 400 | 403 | 404 | 409,
		message: string,
	) {
		super(message)
	}
}

/**
 * Recognises an AnnotationError by name, not by class: the Remix server
 * build bundles its own copy of this module, so `instanceof` would fail for
 * errors thrown by the service instance the server created.
 */
export function isAnnotationError(error: unknown): error is AnnotationError {
	return error instanceof Error && error.name === 'AnnotationError' && 'status' in error
}

export interface NewAnnotation {
	motivation: Motivation
	body: string
	tags: string[]
	status: AnnotationStatus
	anchor: AnchorInput
}

interface Standing {
	actor: Actor
	groupKind: GroupKind
	groupId: string
	identityMode: IdentityMode
}

/**
 * Every change to annotations goes through here: the permission table is
 * asked, the anchor is placed by the server against its own copy of the
 * text, the rows are written, and everyone viewing the document hears of it
 * (each only what they may see). Routes and tests call this; nothing writes
 * annotation rows elsewhere.
 */
export class AnnotationService {
	private readonly placing = new Map<string, NodeJS.Timeout>()
	/** When each document's anchors were last re-placed (performance.now()). */
	private readonly placedAt = new Map<string, number>()
	/** The moderation workflow (server/publication), told of submissions and edits; it sets itself here. */
	workflow: PublicationService | null = null
	/** Told of a document's text after edits, with the anchors (server/search sets itself here). */
	textChanged: ((documentId: string, ydoc: Y.Doc) => void) | null = null
	/** How many annotations an import may bring (server/http.ts sets it from the settings). */
	importQuota: AnnotationImportQuota = defaultAnnotationImportQuota

	constructor(
		private readonly db: Database,
		private readonly collab: CollabServer,
		/** Debounce of re-placing a document's anchors after edits, in ms. */
		private readonly placeAfterMs = 300,
		/** Shortest time between two re-placements of one document's anchors, in ms. */
		private readonly placeEveryMs = 1000,
	) {
		collab.documentChanged = (documentId) => this.schedulePlacement(documentId)
	}

	/** The annotations of a document the user may see, as the browser shows them. */
	async list(user: User, documentId: string): Promise<AnnotationView[]> {
		const standing = await this.standing(user, documentId, 'annotation.read')
		const records = await listDocumentAnnotations(this.db, documentId)
		const facts = records.filter((r) => canSeeAnnotation(standing.actor, r, { groupKind: standing.groupKind })).map(toFacts)
		return this.shown(user, documentId, standing, facts)
	}

	/** Annotations as this user sees them (their group's identity mode and their role applied). */
	private async shown(user: User, documentId: string, standing: Standing, facts: AnnotationFacts[]): Promise<AnnotationView[]> {
		const frame = await annotationFrame(this.db, {
			viewer: { userId: user.id, role: standing.actor.role },
			mode: standing.identityMode,
			documentId,
			facts,
		})
		return facts.map((f) => showAnnotation(f, frame))
	}

	async create(user: User, documentId: string, input: NewAnnotation): Promise<AnnotationView> {
		const standing = await this.standing(user, documentId, 'annotation.create')
		const placement = await this.collab.withDocument(documentId, (room) =>
			this.context(room).place(anchorFromJSON(input.anchor)),
		)
		// At creation the words must be where the client says: a selection is never attached approximately.
		if (placement.status !== 'exact' || !placement.anchor) {
			throw new AnnotationError(409, 'The selected text has changed since you selected it. Select it again.')
		}
		const id = await insertAnnotation(
			this.db,
			{
				documentId,
				groupId: standing.groupId,
				creatorId: user.id,
				motivation: input.motivation,
				body: await storedBody(this.db, documentId, input.body),
				tags: normalizeTags(input.tags),
				// A submission is made by the workflow, which logs it and may publish it at once.
				status: input.status === 'submitted' && this.workflow ? 'draft' : input.status,
			},
			anchorRow(documentId, placement),
		)
		if (input.status === 'submitted' && this.workflow) {
			await this.workflow.submitted(user, (await findAnnotation(this.db, id))!, null)
		}
		return this.announce(id, user, standing)
	}

	async reply(user: User, parentId: string, body: string): Promise<AnnotationView> {
		const parent = await this.visible(user, parentId)
		if (parent.parentId) throw new AnnotationError(400, 'Reply to the thread’s first annotation.')
		if (parent.status === 'draft') throw new AnnotationError(400, 'A draft cannot be replied to until it is shared.')
		const standing = await this.standing(user, parent.documentId, 'annotation.reply')
		const id = await insertAnnotation(
			this.db,
			{
				documentId: parent.documentId,
				groupId: standing.groupId,
				creatorId: user.id,
				parentId: parent.id,
				motivation: 'commenting',
				body: await storedBody(this.db, parent.documentId, body),
				status: this.workflow ? 'draft' : 'submitted',
			},
			null,
		)
		if (this.workflow) await this.workflow.submitted(user, (await findAnnotation(this.db, id))!, null, 'Reply submitted.')
		return this.announce(id, user, standing)
	}

	async edit(
		user: User,
		id: string,
		changes: Partial<{ body: string; motivation: Motivation; tags: string[]; status: AnnotationStatus }>,
	): Promise<AnnotationView> {
		const record = await this.visible(user, id)
		const standing = await this.standing(user, record.documentId, 'annotation.editOwn', record.creatorId)
		if (changes.body !== undefined) changes = { ...changes, body: await storedBody(this.db, record.documentId, changes.body) }
		if (record.parentId && (changes.status === 'draft' || changes.motivation || changes.tags)) {
			throw new AnnotationError(400, 'A reply has only a body.')
		}
		if (record.status === 'rejected') throw new AnnotationError(409, 'A rejected annotation cannot be changed.')
		const { status, ...content } = changes
		const tags = content.tags ? normalizeTags(content.tags) : undefined
		const contentChanged =
			(content.body !== undefined && content.body !== record.body) ||
			(content.motivation !== undefined && content.motivation !== record.motivation) ||
			(tags !== undefined && tags.join('\u0000') !== record.tags.join('\u0000'))
		const statusChange = status && status !== record.status ? (status === 'draft' ? 'draft' : 'submitted') : null
		// A refused status change must not leave the new words saved behind it.
		if (statusChange) await this.workflow?.checkAuthorStatusChange(record, statusChange)
		if (contentChanged) await updateAnnotation(this.db, id, { ...content, ...(tags ? { tags } : {}) })
		if (this.workflow) {
			const updated = (await findAnnotation(this.db, id))!
			if (statusChange) {
				await this.workflow.authorStatusChange(user, updated, statusChange)
			} else if (contentChanged) {
				await this.workflow.contentEdited(user, updated)
			}
		} else if (status) {
			await updateAnnotation(this.db, id, { status })
		}
		return this.announce(id, user, standing)
	}

	async remove(user: User, id: string): Promise<void> {
		const record = await this.visible(user, id)
		const own = await this.allowed(user, record.documentId, 'annotation.deleteOwn', record.creatorId)
		if (!own) await this.standing(user, record.documentId, 'annotation.deleteAny')
		await this.workflow?.assertDeletable(record)
		await deleteAnnotation(this.db, id)
		this.collab.publishAnnotationEvent(record.documentId, { kind: 'annotation-removed', id })
	}

	async endorse(user: User, id: string, endorsed: boolean): Promise<AnnotationView> {
		const record = await this.visible(user, id)
		const standing = await this.standing(user, record.documentId, 'annotation.endorse')
		if (record.creatorId === user.id) throw new AnnotationError(400, 'You cannot endorse your own annotation.')
		if (record.status === 'draft') throw new AnnotationError(400, 'Drafts cannot be endorsed.')
		await setEndorsement(this.db, id, user.id, endorsed)
		return this.announce(id, user, standing)
	}

	/** Puts an orphan (or any annotation) on new text, or on its suggested place. */
	async reanchor(user: User, id: string, anchor: AnchorInput): Promise<AnnotationView> {
		const record = await this.visible(user, id)
		if (!record.anchor) throw new AnnotationError(400, 'A reply has no place in the text.')
		const standing = await this.standing(user, record.documentId, 'annotation.reanchor')
		const placement = await this.collab.withDocument(record.documentId, (room) =>
			this.context(room).place(anchorFromJSON(anchor)),
		)
		if (placement.status !== 'exact' || !placement.anchor) {
			throw new AnnotationError(409, 'The selected text has changed since you selected it. Select it again.')
		}
		await saveAnchors(this.db, [{ ...anchorRow(record.documentId, placement), annotationId: id }])
		return this.announce(id, user, standing)
	}

	/** Re-places every anchor of a document now (the debounced path calls this). */
	async placeAnchors(documentId: string): Promise<number> {
		const room = this.collab.rooms.get(documentId)
		if (!room?.loaded) return 0
		this.textChanged?.(documentId, room.doc)
		const stored = await listDocumentAnchors(this.db, documentId)
		if (stored.length === 0 || isDamaged(readYDoc(room.doc).damage)) return 0
		const context = this.context(room)
		const changed: NewAnchorRow[] = []
		for (const row of stored) {
			const placement = context.place(anchorFromRow(row))
			const next = placement.anchor ? { ...anchorRow(documentId, placement), annotationId: row.annotationId } : orphanRow(row, placement)
			if (anchorMoved(row, next)) changed.push(next)
		}
		if (changed.length === 0) return 0
		await saveAnchors(this.db, changed)
		const records = await listDocumentAnnotations(this.db, documentId)
		const byId = new Map(records.map((r) => [r.id, r]))
		const anchors = changed.flatMap((row) => {
			const record = byId.get(row.annotationId)
			if (!record?.anchor) return []
			return [{ id: record.id, anchor: anchorView(record.anchor), visibleTo: record.status === 'draft' ? (record.creatorId ?? '') : undefined }]
		})
		this.collab.publishAnnotationEvent(documentId, { kind: 'anchors', anchors })
		return changed.length
	}

	/** Waits for any scheduled placement to run (tests, shutdown). */
	async settle(documentId: string) {
		const timer = this.placing.get(documentId)
		if (timer) {
			clearTimeout(timer)
			this.placing.delete(documentId)
			await this.placeAnchors(documentId)
		}
	}

	/**
	 * Re-places a document's anchors once its text has been still for
	 * `placeAfterMs`, and no more than once per `placeEveryMs` however it is
	 * edited: a document typed into slowly (a keystroke every half second)
	 * would otherwise be re-placed, and its text re-indexed, after every key.
	 */
	private schedulePlacement(documentId: string) {
		const pending = this.placing.get(documentId)
		if (pending) clearTimeout(pending)
		const sinceLast = performance.now() - (this.placedAt.get(documentId) ?? -Infinity)
		const delay = Math.max(this.placeAfterMs, this.placeEveryMs - sinceLast)
		const timer = setTimeout(() => {
			this.placing.delete(documentId)
			this.placedAt.set(documentId, performance.now())
			this.placeAnchors(documentId).catch((error) =>
				console.error(`[annotations] placing anchors of ${documentId} failed:`, error),
			)
		}, delay)
		timer.unref()
		this.placing.set(documentId, timer)
	}

	/**
	 * Anchoring maps the text to the Yjs tree one to one, which a damaged
	 * document's salvaged text no longer is: nothing is placed in it until its
	 * owner repairs it.
	 */
	private context(room: DocumentRoom): AnchorContext {
		const { doc, damage } = readYDoc(room.doc)
		if (isDamaged(damage)) throw new AnnotationError(409, damagedDocumentRefusal)
		return new AnchorContext(room.doc, room.doc.getXmlFragment(documentFragmentName), doc)
	}

	/** Tells every viewer of the annotation's document how it is now (after a moderation decision). */
	async announceById(id: string): Promise<AnnotationFacts> {
		return this.announce(id)
	}

	/** The annotation if the user may see it; a 404 exactly like a missing one otherwise. */
	async visibleRecord(user: User, id: string): Promise<AnnotationRecord> {
		return this.visible(user, id)
	}

	/** Reads the annotation back and tells every viewer (each through their own lens). */
	private async announce(id: string): Promise<AnnotationFacts>
	/** … and answers with it as `user` sees it. */
	private async announce(id: string, user: User, standing: Standing): Promise<AnnotationView>
	private async announce(id: string, user?: User, standing?: Standing): Promise<AnnotationFacts | AnnotationView> {
		const record = await findAnnotation(this.db, id)
		if (!record) throw new AnnotationError(404, 'Annotation not found.')
		const facts = toFacts(record)
		this.collab.publishAnnotationEvent(record.documentId, { kind: 'annotation', annotation: facts })
		if (!user || !standing) return facts
		const [view] = await this.shown(user, record.documentId, standing, [facts])
		return view!
	}

	/** An annotation the user may see, or a 404 exactly like a missing one. */
	private async visible(user: User, id: string): Promise<AnnotationRecord> {
		const record = await findAnnotation(this.db, id)
		if (!record) throw new AnnotationError(404, 'Annotation not found.')
		const standing = await this.standing(user, record.documentId, 'annotation.read').catch(() => null)
		if (!standing || !canSeeAnnotation(standing.actor, record, { groupKind: standing.groupKind })) {
			throw new AnnotationError(404, 'Annotation not found.')
		}
		return record
	}

	/**
	 * Creates the user's drafts from imported annotations (server/import-annotations).
	 * Unlike create(), a quote is placed by the anchoring rules as they stand after
	 * edits: exactly, by fuzzy match above the threshold, or as an orphan that keeps
	 * its quote (and a suggestion) for a person to place. All are written in one
	 * transaction, or none. Replies name a thread's first annotation in the same batch.
	 * A batch over the import quota is refused whole (409), before placing and again,
	 * under a lock of the document, as it is written.
	 */
	async importDrafts(
		user: User,
		documentId: string,
		drafts: readonly ImportedDraft[],
		onPlaced?: (placed: number) => Promise<void>,
	): Promise<{ key: string; id: string; placement: PlacementStatus | null }[]> {
		const standing = await this.standing(user, documentId, 'annotation.create')
		const overQuota = await this.importQuotaRefusal(documentId, drafts.length)
		if (overQuota) throw new AnnotationError(409, overQuota)
		const placements = await this.collab.withDocument(documentId, async (room) => {
			// Rebuilt only if the text changes while placing (placing yields between batches).
			let changed = true
			const onUpdate = () => (changed = true)
			room.doc.on('update', onUpdate)
			let context: AnchorContext | null = null
			const placed: (Placement | null)[] = []
			try {
				for (const draft of drafts) {
					if (changed) {
						context = this.context(room)
						changed = false
					}
					placed.push(draft.quote ? context!.place(quoteAnchor(draft)) : null)
					if (onPlaced && placed.length % 100 === 0) await onPlaced(placed.length)
				}
			} finally {
				room.doc.off('update', onUpdate)
			}
			return placed
		})
		const ids = new Map(drafts.map((d) => [d.key, randomUUID()]))
		const rows = drafts.map((draft) => ({
			id: ids.get(draft.key)!,
			documentId,
			groupId: standing.groupId,
			creatorId: user.id,
			parentId: draft.parentKey ? (ids.get(draft.parentKey) ?? null) : null,
			motivation: draft.parentKey ? ('commenting' as const) : draft.motivation,
			body: draft.body,
			tags: draft.parentKey ? [] : normalizeTags(draft.tags),
			status: 'draft' as const,
			...(draft.createdAt ? { createdAt: draft.createdAt } : {}),
		}))
		const anchors: NewAnchorRow[] = []
		drafts.forEach((draft, i) => {
			const placement = placements[i]
			if (!draft.quote || !placement) return
			const annotationId = ids.get(draft.key)!
			if (placement.anchor) anchors.push({ ...anchorRow(documentId, placement), annotationId })
			else anchors.push(importedOrphanRow(documentId, annotationId, draft, placement))
		})
		const insert = await insertAnnotations(this.db, rows, anchors, { documentId, atMost: this.importQuota.perDocument })
		if (!insert.stored) throw new AnnotationError(409, documentQuotaMessage(insert.existing, rows.length, this.importQuota.perDocument))
		for (const record of await findAnnotationsByIds(this.db, [...ids.values()])) {
			this.collab.publishAnnotationEvent(documentId, { kind: 'annotation', annotation: toFacts(record) })
		}
		return drafts.map((draft, i) => ({ key: draft.key, id: ids.get(draft.key)!, placement: placements[i]?.status ?? null }))
	}

	/**
	 * Why importing `incoming` annotations and replies onto a document would go over
	 * the import quota, as a sentence for the user; null when it would not.
	 */
	async importQuotaRefusal(documentId: string, incoming: number): Promise<string | null> {
		const { perImport, perDocument } = this.importQuota
		if (incoming > perImport) return fileQuotaMessage(incoming, perImport)
		const existing = await countDocumentAnnotations(this.db, documentId)
		return existing + incoming > perDocument ? documentQuotaMessage(existing, incoming, perDocument) : null
	}

	private async allowed(user: User, documentId: string, action: Action, ownerId?: string | null): Promise<boolean> {
		try {
			await this.standing(user, documentId, action, ownerId)
			return true
		} catch {
			return false
		}
	}

	/** The user's standing towards a document, checked against `action` (404 when the document is invisible). */
	private async standing(user: User, documentId: string, action: Action, ownerId?: string | null): Promise<Standing> {
		const document = await findDocument(this.db, documentId)
		const group = document ? await findGroup(this.db, document.groupId) : null
		if (!document || !group) throw new AnnotationError(404, 'Document not found.')
		const actor: Actor = { userId: user.id, role: await findRole(this.db, group.id, user.id) }
		if (!can(actor, 'document.read', { groupKind: group.kind })) throw new AnnotationError(404, 'Document not found.')
		if (!can(actor, action, { groupKind: group.kind, ownerId })) {
			throw new AnnotationError(403, 'You do not have permission to do that.')
		}
		return { actor, groupKind: group.kind, groupId: group.id, identityMode: group.identityMode }
	}
}

/** An annotation from an imported file, as server/import-annotations hands it to importDrafts(). */
export interface ImportedDraft {
	/** The file's own id for it, by which its replies name it. */
	key: string
	/** For a reply: the key of its thread's first annotation, which comes earlier in the batch. */
	parentKey: string | null
	motivation: Motivation
	body: string
	tags: string[]
	createdAt: Date | null
	/** Where it sits (TextQuoteSelector), null for a reply; `position` (code points) only hints where to look first. */
	quote: { exact: string; prefix: string; suffix: string } | null
	position: { start: number; end: number } | null
}

/** A quote-only anchor: no relative positions (they resolve nowhere), so placing goes by the quote. */
function quoteAnchor(draft: ImportedDraft): Anchor {
	const quote = draft.quote!
	const start = draft.position?.start ?? 0
	return {
		start: new Uint8Array(),
		end: new Uint8Array(),
		quote: { type: 'TextQuoteSelector', ...quote },
		position: { type: 'TextPositionSelector', start, end: draft.position?.end ?? start + [...quote.exact].length },
	}
}

/** An imported annotation whose words were not found: it keeps its quote, to be placed by a person. */
function importedOrphanRow(documentId: string, annotationId: string, draft: ImportedDraft, placement: Placement): NewAnchorRow {
	const length = Math.max(1, [...draft.quote!.exact].length)
	const startOffset = Math.max(0, draft.position?.start ?? 0)
	const endOffset = draft.position && draft.position.end > startOffset ? draft.position.end : startOffset + length
	return {
		annotationId,
		documentId,
		startPosition: new Uint8Array(),
		endPosition: new Uint8Array(),
		exact: draft.quote!.exact,
		prefix: draft.quote!.prefix,
		suffix: draft.quote!.suffix,
		startOffset,
		endOffset,
		status: 'orphaned',
		confidence: placement.confidence,
		suggestedExact: placement.suggestion?.quote ?? null,
		suggestedStartOffset: placement.suggestion?.startOffset ?? null,
		suggestedEndOffset: placement.suggestion?.endOffset ?? null,
		suggestedConfidence: placement.suggestion?.confidence ?? null,
	}
}

function normalizeTags(tags: string[]): string[] {
	return [...new Set(tags.map((t) => t.trim().toLowerCase()).filter(Boolean))].slice(0, 20)
}

function anchorFromRow(row: AnchorRow): Anchor {
	return {
		start: row.startPosition,
		end: row.endPosition,
		quote: { type: 'TextQuoteSelector', exact: row.exact, prefix: row.prefix, suffix: row.suffix },
		position: { type: 'TextPositionSelector', start: row.startOffset, end: row.endOffset },
	}
}

function anchorRow(documentId: string, placement: Placement): Omit<NewAnchorRow, 'annotationId'> & { annotationId: string } {
	const anchor = placement.anchor!
	return {
		annotationId: '',
		documentId,
		startPosition: anchor.start,
		endPosition: anchor.end,
		exact: anchor.quote.exact,
		prefix: anchor.quote.prefix,
		suffix: anchor.quote.suffix,
		startOffset: anchor.position.start,
		endOffset: anchor.position.end,
		status: placement.status,
		confidence: placement.confidence,
		suggestedExact: null,
		suggestedStartOffset: null,
		suggestedEndOffset: null,
		suggestedConfidence: null,
	}
}

/** An orphan keeps its last description (so it can be found again if the text comes back) and gains a suggestion. */
function orphanRow(row: AnchorRow, placement: Placement): NewAnchorRow {
	return {
		...row,
		status: 'orphaned',
		confidence: placement.confidence,
		suggestedExact: placement.suggestion?.quote ?? null,
		suggestedStartOffset: placement.suggestion?.startOffset ?? null,
		suggestedEndOffset: placement.suggestion?.endOffset ?? null,
		suggestedConfidence: placement.suggestion?.confidence ?? null,
	}
}

/**
 * Whether a placement changed anything clients draw or that placing relies
 * on: status, confidence, the relative positions or the suggestion. An
 * anchor whose relative positions still hold is not rewritten just because
 * text before it shifted its offsets: the stored TextPositionSelector and
 * context are then the last placement's, used only as a hint when the
 * relative positions fail. Otherwise every keystroke would rewrite every
 * anchor after it.
 */
function anchorMoved(before: AnchorRow, after: NewAnchorRow): boolean {
	return (
		before.status !== after.status ||
		Math.abs(before.confidence - (after.confidence ?? 1)) > 0.01 ||
		before.suggestedStartOffset !== (after.suggestedStartOffset ?? null) ||
		!sameBytes(before.startPosition, after.startPosition) ||
		!sameBytes(before.endPosition, after.endPosition) ||
		(before.status !== 'orphaned' && before.exact !== after.exact)
	)
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
	return a.length === b.length && a.every((byte, i) => byte === b[i])
}

export function anchorView(row: AnchorRow): AnchorView {
	return {
		start: toBase64(row.startPosition),
		end: toBase64(row.endPosition),
		exact: row.exact,
		prefix: row.prefix,
		suffix: row.suffix,
		startOffset: row.startOffset,
		endOffset: row.endOffset,
		status: row.status,
		confidence: row.confidence,
		suggestion:
			row.suggestedExact !== null && row.suggestedStartOffset !== null && row.suggestedEndOffset !== null
				? {
						exact: row.suggestedExact,
						startOffset: row.suggestedStartOffset,
						endOffset: row.suggestedEndOffset,
						confidence: row.suggestedConfidence ?? 0,
					}
				: null,
	}
}

/** The annotation as the server knows it; showAnnotation (server/identity) makes each viewer's view of it. */
export function toFacts(record: AnnotationRecord): AnnotationFacts {
	return {
		id: record.id,
		documentId: record.documentId,
		parentId: record.parentId,
		motivation: record.motivation,
		body: record.body,
		bodyHtml: renderMarkdown(record.body),
		tags: record.tags,
		status: record.status,
		createdAt: record.createdAt.toISOString(),
		modifiedAt: record.modifiedAt.toISOString(),
		creator: record.creatorId ? { id: record.creatorId, name: record.creatorName ?? 'Someone', color: record.creatorColor ?? '#57606a' } : null,
		endorserIds: record.endorserIds,
		anchor: record.anchor ? anchorView(record.anchor) : null,
	}
}
