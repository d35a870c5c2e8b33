import { Form } from '@remix-run/react'
import type { AcceptedView } from './types.ts'

/**
 * Items the board accepted while their document's published layer had no
 * audience. Publishing them is a steward's deliberate act, offered only once
 * the audience lets anyone read them.
 */
export function AcceptedList({ documents }: { documents: AcceptedView[] }) {
	return (
		<ul className="accepted-list">
			{documents.map((doc) => (
				<li key={doc.documentId} className="card">
					<h3 id={`accepted-${doc.documentId}`}>{doc.title}</h3>
					<p className="small">
						{doc.count} accepted {doc.count === 1 ? 'item' : 'items'}.{' '}
						{doc.publishable
							? 'Its published layer has an audience now: publishing freezes an edition if there is none and publishes them as approval would.'
							: 'Its published layer has no audience: they stay the board’s decision, published nowhere.'}
					</p>
					{doc.publishable ? (
						<Form method="post" preventScrollReset className="actions" aria-labelledby={`accepted-${doc.documentId}`}>
							<input type="hidden" name="intent" value="publishAccepted" />
							<input type="hidden" name="documentId" value={doc.documentId} />
							<label className="radio-row">
								<input type="checkbox" name="confirmPlacement" value="on" />
								<span>Also publish those placed only approximately on the latest edition</span>
							</label>
							<button type="submit">Publish accepted ({doc.count})</button>
						</Form>
					) : null}
				</li>
			))}
		</ul>
	)
}
