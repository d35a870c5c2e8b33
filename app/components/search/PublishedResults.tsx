import { Link } from '@remix-run/react'
import { motivationLabels, type Motivation } from '#app/annotations/types.ts'
import { Pagination } from './Pagination.tsx'
import { Snippet } from './Snippet.tsx'
import type { PublishedHit, ResultPage } from './types.ts'
import './search.css'

/** Ranked results of the public search: published annotations (permalink and place in the edition) and editions' text. */
export function PublishedResults({ results, search }: { results: ResultPage<PublishedHit>; search: string }) {
	return (
		<section aria-labelledby="results-heading">
			<h2 id="results-heading" className="search-summary">Results</h2>
			<p role="status">
				{results.total === 0 ? 'No results' : `${results.total.toLocaleString('en')} result${results.total === 1 ? '' : 's'}`}
			</p>
			<ol className="search-results">
				{results.hits.map((hit) => (
					<li key={`${hit.kind}-${hit.id}`} className="search-hit">
						{hit.kind === 'annotation' ? (
							<>
								<h3>
									<Link to={hit.permalink}>
										{hit.isReply ? 'Reply' : motivationLabels[hit.motivation as Motivation] ?? 'Annotation'} by {hit.authorName}
										<span className="sr-only"> on {hit.documentTitle}</span>
									</Link>
								</h3>
								<p className="hit-meta">
									{hit.standing === 'retracted' ? <span className="retracted">Retracted</span> : null}
									<span>
										{hit.documentTitle} · {hit.groupName}
									</span>
									<time dateTime={hit.publishedAt}>Published {hit.publishedAt.slice(0, 10)}</time>
									<Link to={hit.inEdition}>In edition {hit.editionNumber}</Link>
								</p>
								{hit.retractionNotice ? <p className="muted small">Retraction notice: {hit.retractionNotice}</p> : null}
								<Snippet runs={hit.quote} className="snippet quote" />
								<Snippet runs={hit.body} />
							</>
						) : (
							<>
								<h3>
									<Link to={hit.href}>
										{hit.documentTitle}, edition {hit.editionNumber}
									</Link>
								</h3>
								<p className="hit-meta">
									<span className="badge">Edition text</span> <span>{hit.groupName}</span>
								</p>
								<Snippet runs={hit.text} />
							</>
						)}
					</li>
				))}
			</ol>
			<Pagination page={results.page} pageCount={results.pageCount} search={search} />
		</section>
	)
}
