import { useState } from 'react'
import type { AnnotationStore, Thread } from '#app/annotations/client.ts'
import { motivationLabels, type AnnotationDecisionView, type AnnotationStatus, type AnnotationView } from '#app/annotations/types.ts'
import { StatusBadge } from '#app/components/moderation/StatusBadge.tsx'
import { Composer } from './Composer.tsx'

export interface Viewer {
	id: string
	/** May annotate, reply and endorse. */
	canWrite: boolean
	/** May remove anyone's annotation (moderators and owners). */
	canModerate: boolean
}

function AnnotationBody({ annotation }: { annotation: AnnotationView }) {
	return (
		<>
			<p className="annotation-meta">
				<span className="who">
					<span className="swatch" style={{ background: annotation.creator?.color ?? '#57606a' }} aria-hidden="true" />
					<strong>{annotation.creator?.name ?? 'Someone'}</strong>
				</span>{' '}
				<time dateTime={annotation.createdAt}>{annotation.createdAt.slice(0, 16).replace('T', ' ')}</time>
				<StatusBadge status={annotation.status} />
			</p>
			<div className="markdown-body" dangerouslySetInnerHTML={{ __html: annotation.bodyHtml }} />
		</>
	)
}

/**
 * One thread in the margin: the annotation, its quote, tags, endorsements
 * and replies, with the actions this viewer may take.
 */
export function ThreadCard({
	thread,
	store,
	viewer,
	focused,
	onFocus,
	onReanchor,
}: {
	thread: Thread
	store: AnnotationStore
	viewer: Viewer
	focused: boolean
	onFocus: (id: string) => void
	/** For orphans: place the annotation on the current selection, or confirm the suggestion. */
	onReanchor?: (id: string, useSuggestion: boolean) => void
}) {
	const { root, replies } = thread
	const [mode, setMode] = useState<'view' | 'reply' | 'edit'>('view')
	const [busy, setBusy] = useState(false)
	const [error, setError] = useState<string | null>(null)
	const own = root.mine
	const endorsed = root.endorsedByMe
	const mayWrite = own && viewer.canWrite
	const isPublic = root.status === 'published' || root.status === 'retracted'

	async function run(command: Record<string, unknown>, after: () => void = () => setMode('view')) {
		setBusy(true)
		setError(null)
		const result = await store.send(command)
		setBusy(false)
		if (result.ok) after()
		else setError(result.error)
	}

	return (
		<article
			className={`thread motivation-${root.motivation}${focused ? ' is-focused' : ''}`}
			aria-label={`${motivationLabels[root.motivation]} by ${root.creator?.name ?? 'someone'}`}
			data-thread-id={root.id}
		>
			<button type="button" className="thread-quote" onClick={() => onFocus(root.id)} aria-label={`Show in the text: “${root.anchor?.exact ?? ''}”`}>
				<span className="badge">{motivationLabels[root.motivation]}</span> “{root.anchor?.exact}”
			</button>
			{root.anchor?.status === 'fuzzy' ? (
				<p className="muted small">Placed on similar words ({Math.round(root.anchor.confidence * 100)}% match): the text changed.</p>
			) : null}
			{mode === 'edit' ? (
				<Composer
					initial={{ body: root.body, motivation: root.motivation, tags: root.tags, draft: root.status === 'draft' }}
					submitLabel="Save"
					busy={busy}
					error={error}
					onCancel={() => setMode('view')}
					onSubmit={(v) =>
						void run({ intent: 'edit', id: root.id, body: v.body, motivation: v.motivation, tags: v.tags, ...statusChange(root.status, v.draft) })
					}
				/>
			) : (
				<AnnotationBody annotation={root} />
			)}
			{root.decision ? <DecisionNote decision={root.decision} /> : null}
			{root.tags.length > 0 ? (
				<ul className="tags" aria-label="Tags">
					{root.tags.map((tag) => (
						<li key={tag} className="tag">
							{tag}
						</li>
					))}
				</ul>
			) : null}
			{root.anchor?.status === 'orphaned' && onReanchor && viewer.canWrite ? (
				<div className="actions">
					{root.anchor.suggestion ? (
						<button type="button" className="secondary" onClick={() => onReanchor(root.id, true)}>
							Confirm suggested place: “{root.anchor.suggestion.exact.slice(0, 60)}”
						</button>
					) : null}
					<button type="button" className="secondary" onClick={() => onReanchor(root.id, false)}>
						Anchor to the selected text
					</button>
				</div>
			) : null}
			<div className="actions thread-actions">
				{viewer.canWrite && !own && root.status !== 'draft' ? (
					<button
						type="button"
						className="secondary"
						aria-pressed={endorsed}
						disabled={busy}
						onClick={() => void run({ intent: 'endorse', id: root.id, endorsed: !endorsed }, () => {})}
					>
						{endorsed ? 'Endorsed' : 'Endorse'} ({root.endorsementCount})
					</button>
				) : (
					<span className="muted small">
						{root.endorsementCount} {root.endorsementCount === 1 ? 'endorsement' : 'endorsements'}
					</span>
				)}
				{viewer.canWrite && root.status !== 'draft' && mode === 'view' ? (
					<button type="button" className="link-button" onClick={() => setMode('reply')}>
						Reply
					</button>
				) : null}
				{own && viewer.canWrite && mode === 'view' ? (
					<button type="button" className="link-button" onClick={() => setMode('edit')}>
						Edit
					</button>
				) : null}
				{mayWrite && mode === 'view' && (root.status === 'draft' || root.status === 'changes_requested') ? (
					<button type="button" className="link-button" disabled={busy} onClick={() => void run({ intent: 'edit', id: root.id, status: 'submitted' }, () => {})}>
						Submit for moderation
					</button>
				) : null}
				{mayWrite && mode === 'view' && (root.status === 'submitted' || root.status === 'changes_requested') ? (
					<button type="button" className="link-button" disabled={busy} onClick={() => void run({ intent: 'edit', id: root.id, status: 'draft' }, () => {})}>
						Withdraw to draft
					</button>
				) : null}
				{isPublic ? <a href={`/a/${root.id}`}>Public permalink</a> : null}
				<a href={`/annotations/${root.id}/history`} aria-label={`History of the ${motivationLabels[root.motivation].toLowerCase()} by ${root.creator?.name ?? 'someone'}`}>
					History
				</a>
				{(own && viewer.canWrite) || viewer.canModerate ? (
					<button
						type="button"
						className="link-button danger-link"
						disabled={busy}
						onClick={() => {
							if (window.confirm('Delete this annotation and its replies?')) void run({ intent: 'delete', id: root.id })
						}}
					>
						Delete
					</button>
				) : null}
			</div>
			{viewer.canModerate && root.status === 'published' && mode === 'view' ? <RetractForm annotationId={root.id} documentId={root.documentId} /> : null}
			{replies.length > 0 ? (
				<ol className="replies" aria-label="Replies">
					{replies.map((reply) => (
						<li key={reply.id} className="reply">
							<AnnotationBody annotation={reply} />
							{(reply.mine && viewer.canWrite) || viewer.canModerate ? (
								<button type="button" className="link-button danger-link" onClick={() => void run({ intent: 'delete', id: reply.id }, () => {})}>
									Delete reply
								</button>
							) : null}
						</li>
					))}
				</ol>
			) : null}
			{mode === 'reply' ? (
				<Composer
					replyOnly
					submitLabel="Reply"
					busy={busy}
					error={error}
					onCancel={() => setMode('view')}
					onSubmit={(v) => void run({ intent: 'reply', parentId: root.id, body: v.body })}
				/>
			) : mode === 'view' && error ? (
				<p className="form-error" role="alert">
					{error}
				</p>
			) : null}
		</article>
	)
}

/** Why the annotation came back: the reason its author needs to revise it, in the thread itself. */
function DecisionNote({ decision }: { decision: AnnotationDecisionView }) {
	return (
		<p className="decision-note" role="note">
			<strong>{decision.verdict === 'reject' ? 'Rejected' : 'Changes requested'}:</strong> {decision.reason}
		</p>
	)
}

/**
 * A steward's retraction from the margin: a plain form posted to the
 * history page (which retracts and comes back here), so it needs no script.
 */
function RetractForm({ annotationId, documentId }: { annotationId: string; documentId: string }) {
	return (
		<details className="retract">
			<summary>Retract</summary>
			<form method="post" action={`/annotations/${annotationId}/history`}>
				<input type="hidden" name="intent" value="retract" />
				<input type="hidden" name="returnTo" value={`/documents/${documentId}`} />
				<label htmlFor={`retract-notice-${annotationId}`}>Public notice in its place</label>
				<textarea id={`retract-notice-${annotationId}`} name="notice" required maxLength={2000} rows={2} />
				<button type="submit" className="danger">
					Retract the published version
				</button>
			</form>
		</details>
	)
}

/**
 * The status an edit asks for: the draft box moves a draft to moderation or
 * back; saving a changes-requested annotation resubmits it. A published
 * annotation's edit needs no status: the service starts a new version.
 */
function statusChange(current: AnnotationStatus, keepDraft: boolean): { status?: 'draft' | 'submitted' } {
	if (keepDraft) return current === 'draft' ? {} : { status: 'draft' }
	return current === 'draft' || current === 'changes_requested' ? { status: 'submitted' } : {}
}
