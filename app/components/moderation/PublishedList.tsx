import { Form } from '@remix-run/react'
import { Time } from './QuoteInContext.tsx'
import type { PublishedItemView } from './types.ts'

/** What stands published in the group now: a moderator may retract any of it at any time, with a public notice. */
export function PublishedList({ items }: { items: PublishedItemView[] }) {
	if (items.length === 0) return <p className="empty">Nothing of this group is published.</p>
	return (
		<details>
			<summary>Show the published annotations, to retract one</summary>
			<ol className="published-list">
				{items.map((item) => {
					const titleId = `published-${item.annotationId}`
					return (
						<li key={item.annotationId} className="card">
							<article aria-labelledby={titleId}>
								<h3 id={titleId}>
									Version {item.versionNumber} by {item.authorName} on “{item.documentTitle}”
								</h3>
								<p className="small muted">
									Published <Time iso={item.publishedAt} />
									{item.exact ? ` · on “${item.exact.length > 80 ? `${item.exact.slice(0, 80)}…` : item.exact}”` : ' · a reply'} ·{' '}
									<a href={`/annotations/${item.annotationId}/history`}>History</a>
								</p>
								<div className="markdown-body" dangerouslySetInnerHTML={{ __html: item.bodyHtml }} />
								<Form method="post" preventScrollReset className="retract-form">
									<input type="hidden" name="intent" value="retract" />
									<input type="hidden" name="annotationId" value={item.annotationId} />
									<div className="field">
										<label htmlFor={`retract-${item.annotationId}`}>Public notice of the retraction</label>
										<textarea id={`retract-${item.annotationId}`} name="notice" rows={2} required maxLength={2000} />
									</div>
									<button type="submit" className="danger">
										Retract
									</button>
								</Form>
							</article>
						</li>
					)
				})}
			</ol>
		</details>
	)
}
