import { Form } from '@remix-run/react'
import { motivationLabels } from '#app/annotations/types.ts'
import { PlacementNote } from './PlacementNote.tsx'
import { QuoteInContext, Time } from './QuoteInContext.tsx'
import { intentLabels, type ModerationIntent, type QueueItemView, type Verdict } from './types.ts'

export const intentKeys: Record<ModerationIntent, string> = { approve: 'a', request_changes: 'c', reject: 'x' }

const verdictWords: Record<Verdict, string> = {
	approve: 'approved',
	request_changes: 'asked for changes',
	reject: 'rejected',
	override: 'overrode the unreachable quorum',
}

/**
 * One submission waiting for a decision: what it says, where, by whom, the
 * decisions so far, where it would be published, and the decision form
 * (a plain form: it works without JavaScript). ModerationQueue adds the
 * keyboard: an armed action is submitted by Enter in the reason field.
 */
export function QueueItem({
	item,
	active,
	armed,
	selected,
	note,
	bulkFormId,
	onSelect,
	onDisarm,
	onFocused,
}: {
	item: QueueItemView
	/** The item reached by Tab (roving focus: one item of the list at a time). */
	active: boolean
	/** The action a shortcut armed on this item: Enter in the reason field carries it out. */
	armed: ModerationIntent | null
	selected: boolean
	/** A message about this item from the keyboard (why a shortcut did nothing). */
	note: string | null
	bulkFormId: string
	onSelect: (selected: boolean) => void
	onDisarm: () => void
	onFocused: () => void
}) {
	const titleId = `queue-item-${item.id}`
	const reasonId = `reason-${item.id}`
	const armedId = `armed-${item.id}`
	const author = item.author?.name ?? 'Someone'
	const kind = item.parent ? 'Reply' : motivationLabels[item.motivation]
	const quote = item.quote ?? item.parent?.quote ?? null
	return (
		<article
			className={`queue-item motivation-${item.motivation}${armed ? ' is-armed' : ''}`}
			aria-labelledby={titleId}
			tabIndex={active ? 0 : -1}
			data-queue-item={item.id}
			data-blocked={item.blocked ? 'true' : undefined}
			onFocus={onFocused}
		>
			<header className="queue-item-head">
				<label className="queue-select">
					<input
						type="checkbox"
						form={bulkFormId}
						name="annotationId"
						value={item.id}
						checked={selected}
						disabled={item.blocked !== null}
						onChange={(event) => onSelect(event.target.checked)}
					/>
					<span className="sr-only">Select {kind.toLowerCase()} by {author}</span>
				</label>
				<h3 id={titleId}>
					<span className="badge">{kind}</span> by {author} on “{item.documentTitle}”
				</h3>
			</header>
			<p className="muted small">
				Submitted <Time iso={item.submittedAt} />
				{item.publishedVersions > 0
					? ` · an edit of a published annotation (${item.publishedVersions} published ${item.publishedVersions === 1 ? 'version' : 'versions'} stay up meanwhile)`
					: ''}
			</p>
			{item.parent ? (
				<div className="queue-parent">
					<p className="small">In reply to {item.parent.authorName}:</p>
					<div className="markdown-body" dangerouslySetInnerHTML={{ __html: item.parent.bodyHtml }} />
				</div>
			) : null}
			{quote ? <QuoteInContext quote={quote} label={item.parent ? 'Quote of the thread, in context' : 'Quote in context'} /> : null}
			<div className="markdown-body queue-body" dangerouslySetInnerHTML={{ __html: item.bodyHtml }} />
			{item.tags.length > 0 ? (
				<ul className="tags" aria-label="Tags">
					{item.tags.map((tag) => (
						<li key={tag} className="tag">
							{tag}
						</li>
					))}
				</ul>
			) : null}
			<p className="approvals">
				<strong>
					{item.approvals} of {item.quorum} {item.quorum === 1 ? 'approval' : 'approvals'}
				</strong>
				{item.decisions.length > 0 ? ':' : ' so far.'}
			</p>
			{item.decisions.length > 0 ? (
				<ul className="decisions small">
					{item.decisions.map((d) => (
						<li key={`${d.moderatorName}-${d.at}`}>
							{d.moderatorName} {verdictWords[d.verdict]} (<Time iso={d.at} />): {d.reason}
						</li>
					))}
				</ul>
			) : null}
			{item.unreachable ? (
				<p className="placement placement-orphaned" data-unreachable="true">
					<strong>
						Quorum unreachable: {item.unreachable.eligible} eligible {item.unreachable.eligible === 1 ? 'steward' : 'stewards'}, quorum{' '}
						{item.unreachable.quorum}.
					</strong>{' '}
					Only owners and moderators who did not write it count. An owner may decide over the quorum, with a reason, or lower the quorum.
				</p>
			) : null}
			{item.publishes ? (
				<PlacementNote placement={item.placement} documentTitle={item.documentTitle} />
			) : (
				<p className="placement placement-none">Approval accepts it: the decision is recorded, nothing is frozen or published (this document’s published layer has no audience).</p>
			)}
			<p className="small">
				<a href={`/annotations/${item.id}/history`}>History of this annotation</a>
			</p>
			{item.blocked ? (
				<p className="blocked-note">{item.blocked}</p>
			) : (
				<Form method="post" preventScrollReset className="decision-form" aria-label={`Decide on the ${kind.toLowerCase()} by ${author}`}>
					<input type="hidden" name="annotationId" value={item.id} />
					<div className="field">
						<label htmlFor={reasonId}>Reason for the decision</label>
						<textarea
							id={reasonId}
							name="reason"
							rows={2}
							required
							maxLength={2000}
							aria-describedby={armed ? armedId : undefined}
							data-reason-for={item.id}
							onKeyDown={(event) => {
								if (event.key === 'Enter' && !event.shiftKey && armed) {
									event.preventDefault()
									const button = event.currentTarget.form?.querySelector<HTMLButtonElement>(`button[value="${armed}"]`)
									event.currentTarget.form?.requestSubmit(button ?? undefined)
								} else if (event.key === 'Escape' && armed) {
									event.preventDefault()
									onDisarm()
								}
							}}
						/>
						{armed ? (
							<p className="armed-note" id={armedId}>
								{intentLabels[armed]} is armed: type the reason and press Enter (Escape cancels).
							</p>
						) : null}
					</div>
					{item.placement.status === 'fuzzy' ? (
						<label className="radio-row">
							<input type="checkbox" name="confirmPlacement" value="on" />
							<span>Confirm the approximate placement on edition {item.placement.editionNumber}</span>
						</label>
					) : null}
					<div className="actions">
						{(['approve', 'request_changes', 'reject'] as const).map((intent) => (
							<button
								key={intent}
								type="submit"
								name="intent"
								value={intent}
								className={intent === 'approve' ? undefined : intent === 'reject' ? 'danger' : 'secondary'}
							>
								{intentLabels[intent]}
							</button>
						))}
					</div>
				</Form>
			)}
			{item.mayOverride ? <OverrideForm item={item} kind={kind} author={author} /> : null}
			{note ? (
				<p className="blocked-note" role="alert">
					{note}
				</p>
			) : null}
		</article>
	)
}

/** An owner's decision over an unreachable quorum: it publishes (or accepts) at once, and needs a reason for the audit log. */
function OverrideForm({ item, kind, author }: { item: QueueItemView; kind: string; author: string }) {
	const reasonId = `override-reason-${item.id}`
	const verb = item.publishes ? 'publish' : 'accept'
	return (
		<Form method="post" preventScrollReset className="decision-form override-form" aria-label={`Override the quorum for the ${kind.toLowerCase()} by ${author}`}>
			<input type="hidden" name="annotationId" value={item.id} />
			<div className="field">
				<label htmlFor={reasonId}>Reason to {verb} it over the unreachable quorum (goes into the audit log)</label>
				<textarea id={reasonId} name="reason" rows={2} required maxLength={2000} />
			</div>
			{item.publishes && item.placement.status === 'fuzzy' ? (
				<label className="radio-row">
					<input type="checkbox" name="confirmPlacement" value="on" />
					<span>Confirm the approximate placement on edition {item.placement.editionNumber}</span>
				</label>
			) : null}
			<div className="actions">
				<button type="submit" name="intent" value="override" className="secondary">
					Override the quorum and {verb}
				</button>
			</div>
		</Form>
	)
}
