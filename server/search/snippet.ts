import type { Snippet } from '#app/components/search/types.ts'

/**
 * Where ts_headline marks the matched words: control characters that no
 * document or annotation text contains (the queries also strip them from the
 * text first), so the marks cannot be forged and the text is never HTML.
 */
export const matchStart = '\u0002'
export const matchEnd = '\u0003'

/** ts_headline's options (https://www.postgresql.org/docs/current/textsearch-controls.html#TEXTSEARCH-HEADLINE). */
export const headlineOptions = `StartSel=${matchStart}, StopSel=${matchEnd}, MaxWords=30, MinWords=12, ShortWord=3, MaxFragments=2, FragmentDelimiter=" … "`

/** A headline cut into runs of text, the marked ones flagged. */
export function toSnippet(headline: string | null | undefined): Snippet {
	if (!headline) return []
	const runs: Snippet = []
	let match = false
	for (const piece of headline.split(/([\u0002\u0003])/)) {
		if (piece === matchStart) match = true
		else if (piece === matchEnd) match = false
		else if (piece) runs.push({ text: piece, match })
	}
	return runs
}
