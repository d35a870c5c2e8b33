import { Link } from '@remix-run/react'
import { Time } from './QuoteInContext.tsx'
import type { DocumentEditions } from './types.ts'

/** Each document's frozen editions, with links to the public reader, and freezing the next one. */
export function EditionList({ documents, canFreeze }: { documents: DocumentEditions[]; canFreeze: boolean }) {
	if (documents.length === 0) return <p className="empty">This group has no documents yet.</p>
	return (
		<ul className="edition-documents">
			{documents.map((doc) => (
				<li key={doc.id} className="card">
					<h3 id={`editions-${doc.id}`}>{doc.title}</h3>
					{doc.editions.length === 0 ? (
						<p className="muted small">No edition yet. The first publication freezes edition 1.</p>
					) : (
						<ul className="editions" aria-labelledby={`editions-${doc.id}`}>
							{doc.editions.map((e) => (
								<li key={e.number}>
									<a href={`/read/${doc.id}/e/${e.number}`}>Edition {e.number}</a>, frozen <Time iso={e.createdAt} />
								</li>
							))}
						</ul>
					)}
					{canFreeze ? (
						<p>
							{/* A preview first: the changes and what happens to published annotations; it freezes only when confirmed there. */}
							<Link to={`/documents/${doc.id}/editions/new`} aria-label={`Freeze a new edition of “${doc.title}”: preview first`}>
								Freeze a new edition…
							</Link>
						</p>
					) : null}
				</li>
			))}
		</ul>
	)
}
