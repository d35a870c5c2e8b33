import { Link } from '@remix-run/react'
import { annotationStatusLabels, motivationLabels, type AnnotationStatus, type Motivation } from '#app/annotations/types.ts'
import { Pagination } from './Pagination.tsx'
import { Snippet } from './Snippet.tsx'
import type { ResultPage, WorkspaceHit } from './types.ts'
import './search.css'

/** Ranked results of the workspace search, each linking straight to its thread or document. */
export function WorkspaceResults({ results, search }: { results: ResultPage<WorkspaceHit>; search: string }) {
	return (
		<section aria-labelledby="results-heading">
			<h2 id="results-heading" className="search-summary">Results</h2>
			<p role="status">
				{results.total === 0 ? 'No results' : `${results.total.toLocaleString('en')} result${results.total === 1 ? '' : 's'}`}
			</p>
			{results.total === 0 ? <p className="muted">Try fewer words, or remove a filter.</p> : null}
			<ol className="search-results">
				{results.hits.map((hit) => (
					<li key={`${hit.kind}-${hit.id}`} className="search-hit">
						{hit.kind === 'annotation' ? (
							<>
								<h3>
									<Link to={hit.href}>
										{hit.isReply ? 'Reply' : motivationLabels[hit.motivation as Motivation] ?? 'Annotation'} by {hit.authorName}
										<span className="sr-only"> on {hit.documentTitle}</span>
									</Link>
								</h3>
								<p className="hit-meta">
									<span>
										{hit.documentTitle} · {hit.groupName}
									</span>
									<time dateTime={hit.createdAt}>{hit.createdAt.slice(0, 10)}</time>
									{hit.status !== 'submitted' ? <span className="badge">{annotationStatusLabels[hit.status as AnnotationStatus] ?? hit.status}</span> : null}
									{hit.anchorStatus === 'orphaned' ? <span className="badge">Orphaned</span> : null}
									{hit.tags.map((tag) => (
										<span key={tag} className="badge">
											#{tag}
										</span>
									))}
								</p>
								<Snippet runs={hit.quote} className="snippet quote" />
								<Snippet runs={hit.body} />
							</>
						) : (
							<>
								<h3>
									<Link to={hit.href}>{hit.documentTitle}</Link>
								</h3>
								<p className="hit-meta">
									<span className="badge">Document text</span> <span>{hit.groupName}</span>
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
