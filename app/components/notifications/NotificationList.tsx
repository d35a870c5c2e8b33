import { Form, Link } from '@remix-run/react'

export interface InboxItemView {
	id: string
	kind: 'reply' | 'mention' | 'decision' | 'submission' | 'submission_summary'
	summary: string
	excerpt: string
	createdAt: string
	read: boolean
}

const kindLabels: Record<InboxItemView['kind'], string> = {
	reply: 'Reply',
	mention: 'Mention',
	decision: 'Decision',
	submission: 'Submission',
	submission_summary: 'Summary',
}

const when = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })

/**
 * The inbox's notifications, newest first. Each leads to what it is about
 * through /inbox/:id (which marks it read on the way) and can be marked read
 * by a plain form, so all of it works without JavaScript.
 */
export function NotificationList({ items }: { items: InboxItemView[] }) {
	return (
		<ul className="inbox-list">
			{items.map((item) => (
				<li key={item.id} className="inbox-item" data-read={item.read}>
					<p>
						<span className="badge">{kindLabels[item.kind]}</span>{' '}
						<Link className="summary" to={`/inbox/${item.id}`}>
							{item.summary}
						</Link>
						{item.read ? null : <span className="sr-only"> (unread)</span>}
					</p>
					{item.excerpt ? <p className="excerpt">“{item.excerpt}”</p> : null}
					<div className="meta">
						<time dateTime={item.createdAt}>{when.format(new Date(item.createdAt))} UTC</time>
						{item.read ? (
							<span>Read</span>
						) : (
							<Form method="post">
								<input type="hidden" name="id" value={item.id} />
								<button type="submit" name="intent" value="read" className="link-button">
									Mark as read<span className="sr-only">: {item.summary}</span>
								</button>
							</Form>
						)}
					</div>
				</li>
			))}
		</ul>
	)
}
