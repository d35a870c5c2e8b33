import type { DecisionReport } from './types.ts'

/**
 * What the last submit came to, announced politely. Always rendered, so the
 * live region exists before its text changes (screen readers announce changes only).
 */
export function DecisionResults({ results, message }: { results: DecisionReport[]; message: string | null }) {
	return (
		<div role="status" className={results.length > 0 || message ? 'notice results' : 'results-empty'}>
			{message ? <p>{message}</p> : null}
			{results.length > 0 ? (
				<ul>
					{results.map((r) => (
						<li key={r.annotationId} className={`result-${r.outcome}`}>
							{r.label}: {r.message}.
						</li>
					))}
				</ul>
			) : null}
		</div>
	)
}
