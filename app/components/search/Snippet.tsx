import type { Snippet as SnippetRuns } from './types.ts'

/** A snippet with its matched words in <mark>: every run is rendered as text, never as HTML. */
export function Snippet({ runs, className = 'snippet' }: { runs: SnippetRuns; className?: string }) {
	if (runs.length === 0) return null
	return (
		<p className={className}>
			{runs.map((run, i) => (run.match ? <mark key={i}>{run.text}</mark> : <span key={i}>{run.text}</span>))}
		</p>
	)
}
