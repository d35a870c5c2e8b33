import type { QuoteView } from './types.ts'

/** The annotated words with the text around them; the words themselves emphasised. */
export function QuoteInContext({ quote, label = 'Quote in context' }: { quote: QuoteView; label?: string }) {
	// Selector context is cut at a fixed length, often mid-word: show whole words only.
	const prefix = quote.prefix.replace(/^\S*\s+/, '')
	const suffix = quote.suffix.replace(/\s+\S*$/, '')
	return (
		<blockquote className="quote-in-context" aria-label={label}>
			{prefix ? <span className="quote-around">…{prefix}</span> : null}
			<mark className="quote-exact">{quote.exact}</mark>
			{suffix ? <span className="quote-around">{suffix}…</span> : null}
		</blockquote>
	)
}

/** An ISO time as a person reads it, in UTC so that server and browser render the same. */
export function Time({ iso }: { iso: string }) {
	return <time dateTime={iso}>{iso.slice(0, 16).replace('T', ' ')} UTC</time>
}
