/**
 * How much a single import may ask of the server. The counts are checked as
 * the parsers go, so a hostile file stops at the first element over a limit
 * instead of after it has been built in memory; time and memory are the
 * worker's (see worker-pool.ts), for what the counts cannot foresee.
 */
export interface ImportLimits {
	/** Paragraphs, headings, list items, quotes and other blocks in one document. */
	maxBlocks: number
	/** Elements of markup (blocks, emphasis, links, line breaks, dropped tags) or, in Markdown, tokens. */
	maxElements: number
	/** Elements open inside one another (a list item in a list counts two). */
	maxDepth: number
	/** Lines of a plain-text or Markdown source, counted before it is parsed at all. */
	maxLines: number
	/** Wall-clock time of one conversion, in ms, from the moment the worker starts on it. */
	timeoutMs: number
	/** The worker's heap (V8's old generation), in MB. */
	maxMemoryMb: number
}

/**
 * A 500-page book has 10,000 to 20,000 paragraphs, 30,000 to 60,000 elements
 * of markup, 20,000 to 40,000 lines, and is nested a handful of levels deep (a
 * list in a quote in a list); HTML saved from a web page wraps that in some 20
 * to 40 levels of layout. The counts leave room of two and a half times and
 * more. Measured on the largest document they admit (25,000 paragraphs of
 * HTML with a link and emphasis in each, 100,000 elements, 2.5 MB): the worker
 * needs between 384 and 512 MB, and 3 s on an idle core (20 s on two cores
 * shared by fifteen busy processes), which sets the memory and time below.
 */
export const defaultImportLimits: ImportLimits = {
	maxBlocks: 50_000,
	maxElements: 100_000,
	maxDepth: 100,
	maxLines: 250_000,
	timeoutMs: 60_000,
	maxMemoryMb: 512,
}

/** The limits a parser checks as it goes; time and memory are the worker's. */
export type ParseLimits = Pick<ImportLimits, 'maxBlocks' | 'maxElements' | 'maxDepth' | 'maxLines'>

export type ImportLimitKind = 'lines' | 'blocks' | 'elements' | 'depth' | 'time' | 'memory'

/** Thrown by a parser the moment a source goes over one of the limits; never leaves the importer. */
export class ImportLimitError extends Error {
	constructor(
		readonly kind: ImportLimitKind,
		readonly limit: number,
	) {
		super(`import limit exceeded: ${kind} > ${limit}`)
		this.name = 'ImportLimitError'
	}
}

/** The counts of one parse, checked at every step; each parser keeps its own. */
export class ParseBudget {
	blocks = 0
	elements = 0

	constructor(readonly limits: ParseLimits) {}

	/**
	 * Counts the lines of a source before a parser indexes them all: markdown-it
	 * and the reflow keep a record per line, which for millions of short lines
	 * costs more than the rest of the parse.
	 */
	lines(text: string): void {
		let lines = 1
		for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) {
			if (++lines > this.limits.maxLines) throw new ImportLimitError('lines', this.limits.maxLines)
		}
	}

	block(): void {
		if (++this.blocks > this.limits.maxBlocks) throw new ImportLimitError('blocks', this.limits.maxBlocks)
	}

	element(): void {
		if (++this.elements > this.limits.maxElements) throw new ImportLimitError('elements', this.limits.maxElements)
	}

	/** `depth` is how many elements are open around the one being opened, itself included. */
	depth(depth: number): void {
		if (depth > this.limits.maxDepth) throw new ImportLimitError('depth', this.limits.maxDepth)
	}
}

/** The sentence a user reads when `subject` (“essay.md”, The pasted text) went over a limit. */
export function limitMessage(subject: string, kind: ImportLimitKind, limit: number): string {
	const n = limit.toLocaleString('en')
	const split = 'Split it into parts and import each, or remove what is not the text.'
	switch (kind) {
		case 'lines':
			return `${subject} has more than ${n} lines; Scholion imports up to ${n}. ${split}`
		case 'blocks':
			return `${subject} has more than ${n} paragraphs and other blocks (headings, list items, quotes); Scholion imports up to ${n}. ${split}`
		case 'elements':
			return `${subject} has more than ${n} elements of markup (paragraphs, emphasis, links, line breaks); Scholion imports up to ${n}. ${split}`
		case 'depth':
			return `${subject} has elements nested deeper than ${n} levels (quotes, lists or other markup inside one another); Scholion imports up to ${n}. Flatten the markup and try again.`
		case 'time':
			return `${subject} took longer than ${seconds(limit)} to convert, and was stopped. ${split}`
		case 'memory':
			return `${subject} needed more memory than ${n} MB to convert, and was stopped. ${split}`
	}
}

function seconds(ms: number): string {
	const s = ms / 1000
	return s === 1 ? '1 second' : `${Number(s.toPrecision(3))} seconds`
}
