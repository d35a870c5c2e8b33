import type { Database } from '#db/client.ts'
import type { User } from '#db/queries/accounts.ts'
import { listDocumentAnnotations } from '#db/queries/annotations.ts'
import { findDocument, listDocuments } from '#db/queries/documents.ts'
import { findGroup, findRole } from '#db/queries/groups.ts'
import { anchorFromJSON } from '#app/editor/anchoring.ts'
import type { AnnotationView } from '#app/annotations/types.ts'
import type { AnnotationService } from '../annotations/service.ts'
import { identityLens } from '../identity/lens.ts'
import { mentionedIds, mentionsAsMarkdown } from '../identity/mentions.ts'
import { CurrentDocument, type CurrentPlace } from './current-document.ts'

/** What an export covers: one document, or every document of a group. */
export type ExportScope = { kind: 'document'; id: string } | { kind: 'group'; id: string }

/** One annotation or reply as every export format writes it. */
export interface ExportedAnnotation {
	view: AnnotationView
	documentId: string
	documentTitle: string
	/** Where its words are in the text now; null for a reply, or when they are gone (then `view.anchor` has the last description). */
	place: CurrentPlace | null
	/**
	 * Its author and its words as the exporter may see them (their identity
	 * lens on the document): every format writes these, never `view.creator`
	 * or `view.body`, so a reviewer's export in an anonymous group holds
	 * pseudonyms only, mentions included.
	 */
	author: string | null
	body: string
}

export interface ExportedDocument {
	id: string
	title: string
	current: CurrentDocument
	/** Roots in text order (orphans last), each followed by nothing: replies are in `replies`. */
	roots: ExportedAnnotation[]
	replies: Map<string, ExportedAnnotation[]>
}

/** Told after each annotation is ready: how many of how many. */
export type ProgressListener = (done: number, total: number) => void | Promise<void>

/**
 * The annotations of a scope that `user` may see (AnnotationService.list:
 * the permission table, and drafts only their own), placed in each
 * document's text as it is now. The caller destroys the documents.
 */
export async function collectExport(
	deps: { db: Database; annotations: AnnotationService },
	user: User,
	scope: ExportScope,
	onProgress: ProgressListener = () => {},
): Promise<ExportedDocument[]> {
	const targets =
		scope.kind === 'document'
			? [await findDocument(deps.db, scope.id)].filter((d) => d !== null).map((d) => ({ id: d.id, title: d.title, groupId: d.groupId }))
			: (await listDocuments(deps.db, scope.id)).map((d) => ({ id: d.id, title: d.title, groupId: scope.id })).reverse()
	const lists = []
	for (const target of targets) lists.push({ target, views: await deps.annotations.list(user, target.id) })
	const total = lists.reduce((n, list) => n + list.views.length, 0)
	let done = 0
	await onProgress(done, total)
	const documents: ExportedDocument[] = []
	for (const { target, views } of lists) {
		const shown = await exportersView(deps.db, user, target)
		let current: CurrentDocument
		try {
			current = await CurrentDocument.open(deps.db, target.id)
		} catch (error) {
			// One unreadable document leaves its annotations out, not the whole export.
			console.error(`[exports] document ${target.id} cannot be read; its annotations are left out of the export:`, error)
			done += views.length
			await onProgress(done, total)
			continue
		}
		const roots: ExportedAnnotation[] = []
		const replies = new Map<string, ExportedAnnotation[]>()
		for (const view of views) {
			const place = view.anchor && view.anchor.status !== 'orphaned' ? current.place(anchorFromJSON(view.anchor)) : null
			const exported = { view, documentId: target.id, documentTitle: target.title, place, ...shown(view.id) }
			if (view.parentId) replies.set(view.parentId, [...(replies.get(view.parentId) ?? []), exported])
			else roots.push(exported)
			done++
			await onProgress(done, total)
		}
		roots.sort((a, b) => (a.place?.start ?? Infinity) - (b.place?.start ?? Infinity) || a.view.createdAt.localeCompare(b.view.createdAt))
		documents.push({ id: target.id, title: target.title, current, roots, replies })
	}
	return documents
}

/**
 * Who wrote what on one document, as the exporter may see it: read from the
 * stored rows (the account behind each annotation) through the exporter's
 * lens, so nothing depends on how the annotation views name people.
 */
async function exportersView(db: Database, user: User, target: { id: string; groupId: string }) {
	const [records, group, role] = await Promise.all([
		listDocumentAnnotations(db, target.id),
		findGroup(db, target.groupId),
		findRole(db, target.groupId, user.id),
	])
	const byId = new Map(records.map((r) => [r.id, r]))
	const lens = await identityLens(db, {
		viewer: { userId: user.id, role },
		mode: group?.identityMode ?? 'anonymous',
		documentId: target.id,
		people: records.flatMap((r) => [r.creatorId, ...mentionedIds(r.body)]),
	})
	return (annotationId: string): { author: string | null; body: string } => {
		const record = byId.get(annotationId)
		if (!record) return { author: null, body: '' }
		return {
			author: record.creatorId === null ? null : lens.person({ id: record.creatorId, name: record.creatorName ?? 'Someone' }).name,
			body: mentionsAsMarkdown(record.body, lens),
		}
	}
}

/** Every annotation of the export, each root followed by its replies. */
export function inThreadOrder(documents: ExportedDocument[]): ExportedAnnotation[] {
	return documents.flatMap((d) => d.roots.flatMap((root) => [root, ...(d.replies.get(root.view.id) ?? [])]))
}
