import { annotationStatusLabels } from '#app/annotations/types.ts'
import type { ActivityItem } from './types.ts'

function what(item: ActivityItem): string {
	const whose = item.authorName === null ? 'an' : item.authorName === item.actorName ? 'their' : `${item.authorName}’s`
	const thing = `${whose} ${item.isReply ? 'reply' : 'annotation'}`
	if (item.fromStatus === null) return item.isReply ? 'replied' : 'submitted an annotation'
	if (item.fromStatus === item.toStatus) return `updated ${thing} (${annotationStatusLabels[item.toStatus].toLowerCase()})`
	return `moved ${thing} from ${annotationStatusLabels[item.fromStatus].toLowerCase()} to ${annotationStatusLabels[item.toStatus].toLowerCase()}`
}

/** Recent activity, newest first: who did what to which annotation, and why. */
export function ActivityFeed({ items }: { items: ActivityItem[] }) {
	if (items.length === 0) return <p className="empty">No activity yet.</p>
	return (
		<ol className="activity-feed">
			{items.map((item) => (
				<li key={item.id}>
					<time dateTime={item.at}>{item.at.slice(0, 16).replace('T', ' ')} UTC</time>{' '}
					<strong>{item.actorName}</strong> {what(item)}
					{item.quote ? <> on “{item.quote.length > 80 ? `${item.quote.slice(0, 80)}…` : item.quote}”</> : null} in{' '}
					<a href={`/documents/${item.documentId}`}>{item.documentTitle}</a>. <span className="muted">{item.reason}</span>
				</li>
			))}
		</ol>
	)
}
