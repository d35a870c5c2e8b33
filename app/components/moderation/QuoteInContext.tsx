import type { QuoteView } from './types.ts'

/** The annotated words with the text around them; the words themselves emphasised. */
export function QuoteInContext({ quote, label = 'Quote in context' }: { quote: QuoteView; label?: string }) {
	return (
		<blockquote className="quote-in-context" aria-label={label}>
			{quote.prefix ? <span className="quote-around">…{quote.prefix}</span> : null}
			<mark className="quote-exact">{quote.exact}</mark>
			{quote.suffix ? <span className="quote-around">{quote.suffix}…</span> : null}
		</blockquote>
	)
}

/** An ISO time as a person reads it, in UTC so that server and browser render the same. */
export function Time({ iso }: { iso: string }) {
	return <time dateTime={iso}>{iso.slice(0, 16).replace('T', ' ')} UTC</time>
}
