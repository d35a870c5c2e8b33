import { Form } from '@remix-run/react'
import type { EarlierEditionView } from './types.ts'

/**
 * Published annotations that freezing a new edition did not carry forward
 * by itself (their words are there only approximately, or not at all), with
 * "Publish on edition N" where the anchoring rules allow it.
 */
export function EarlierEditionList({ items }: { items: EarlierEditionView[] }) {
	if (items.length === 0) return <p className="empty">Every published annotation is on its document’s latest edition.</p>
	return (
		<ul className="earlier-editions">
			{items.map((item) => {
				const titleId = `earlier-${item.annotationId}`
				return (
					<li key={item.annotationId} className="card" aria-labelledby={titleId}>
						<h3 id={titleId} className="small">
							“{item.exact}” by {item.author} · {item.documentTitle}
						</h3>
						<div className="markdown-body" dangerouslySetInnerHTML={{ __html: item.bodyHtml }} />
						<p className="muted small">
							Published on edition {item.editionNumber}; the latest is edition {item.latestEditionNumber}.{' '}
							{item.placement.status === 'orphaned'
								? `Its words are not in edition ${item.latestEditionNumber}: it stays on edition ${item.editionNumber}.`
								: item.placement.status === 'fuzzy'
									? `On edition ${item.latestEditionNumber} its words were found only approximately (${Math.round(item.placement.confidence * 100)} % match): “${item.placement.exact ?? ''}”.`
									: `Its words are exactly in edition ${item.latestEditionNumber}.`}
						</p>
						{item.placement.status === 'orphaned' ? null : item.ownedByViewer ? (
							<p className="muted small">You wrote this: another moderator decides.</p>
						) : (
							<Form method="post" preventScrollReset className="carry-form">
								<input type="hidden" name="intent" value="carry" />
								<input type="hidden" name="annotationId" value={item.annotationId} />
								{item.placement.status === 'fuzzy' ? (
									<label className="radio-row">
										<input type="checkbox" name="confirmPlacement" value="on" required />
										<span>Confirm the approximate placement on edition {item.latestEditionNumber}</span>
									</label>
								) : null}
								<button type="submit" className="secondary">
									Publish on edition {item.latestEditionNumber}
								</button>
							</Form>
						)}
					</li>
				)
			})}
		</ul>
	)
}
