import type { Node as ProseMirrorNode } from 'prosemirror-model'
import { schema } from '#app/editor/schema.ts'
import { ParseBudget, type ParseLimits } from './limits.ts'

// Plain text says nothing about its structure, so the reflow reads it from the
// layout, in four passes:
//
//   1. lines   whitespace-only lines go, the rest are trimmed and measured;
//   2. layout  is the text hard-wrapped (a PDF copy, an e-mail), or is every line
//              a paragraph (a blog post copied from a browser)?
//   3. blocks  runs of lines between blank lines; a short lone block above prose
//              is a heading, every other block splits into passages (paragraphs
//              and list items) by the wrapping rules;
//   4. nodes   passages become paragraphs and lists in the shared schema.
//
// Every rule only decides where lines join and where blocks break: the words
// themselves are never changed, dropped or added, apart from list markers,
// which become the list's own numbering and bullets.

/** A non-blank line of the source, trimmed at both edges. */
interface Line {
	text: string
	/** Leading whitespace characters (PDF copies mark a paragraph's first line with one). */
	indent: number
	/** In code points, as a reader judges whether a line "looks full". */
	length: number
	/** Whether whitespace-only lines, or the start of the text, come right before it. */
	afterBlank: boolean
}

/** What the text as a whole says about its line ends. */
interface Layout {
	/** Whether line ends are the typesetter's (to be joined) rather than the author's (to be kept). */
	hardWrapped: boolean
	/** The column the text was wrapped at: the length most full lines reach. */
	width: number
}

/** `-`, `*` or `•`, or a number followed by `.` or `)`; up to three digits, so a year starting a line is not an item. */
interface ListMarker {
	kind: 'bullet' | 'ordered'
	/** The bullet character, or the ordered delimiter (`.` or `)`): a change of symbol starts a new list. */
	symbol: string
	number: number
	/** Characters up to the item's text, spaces included. */
	length: number
}

/** A paragraph's worth of joined lines, or a list item's first paragraph, before it becomes nodes. */
interface Passage {
	kind: 'passage'
	text: string
	/** Its list marker, already cut from `text`. */
	marker: ListMarker | null
	/** Indent of its first line: a passage indented deeper than a list item belongs to that item. */
	indent: number
	/** The column its wrapped lines continue at: after the marker for an item, else that of the last line. */
	column: number
	last: Line
}

interface Heading {
	kind: 'heading'
	text: string
}

/**
 * Turns plain text (LF line ends) into a document of headings, paragraphs and
 * lists. Throws ImportLimitError at the first line over `maxLines` or passage
 * over `maxBlocks`, before any node is built.
 */
export function plainTextToDocument(text: string, limits: Pick<ParseLimits, 'maxBlocks' | 'maxLines'>): ProseMirrorNode {
	const budget = new ParseBudget({ ...limits, maxElements: Infinity, maxDepth: Infinity })
	budget.lines(text)
	const lines = readLines(text)
	const layout = measureLayout(lines)
	const blocks = groupBlocks(lines, layout)
	const parts = blocks.flatMap((block, index): (Heading | Passage)[] => {
		const heading = headingText(block, index, blocks[index + 1])
		const found: (Heading | Passage)[] = heading === null ? splitPassages(block, layout) : [{ kind: 'heading', text: heading }]
		for (const _part of found) budget.block()
		return found
	})
	return buildDocument(parts)
}

// 1. Lines

function readLines(text: string): Line[] {
	const lines: Line[] = []
	let afterBlank = true
	for (const raw of text.split('\n')) {
		const trimmed = raw.trim()
		if (!trimmed) {
			afterBlank = true
			continue
		}
		const indent = raw.length - raw.trimStart().length
		lines.push({ text: trimmed, indent, length: [...trimmed].length, afterBlank })
		afterBlank = false
	}
	return lines
}

// 2. Layout

/** The share of lines at or under the wrap width: the longest tenth may overshoot it. */
const WRAP_PERCENTILE = 0.9
/** Texts whose lines are mostly shorter than this are verse, addresses or lists, set line by line on purpose. */
const MIN_WRAP_WIDTH = 40
/** Nobody hard-wraps wider than this; lines that long are paragraphs in their own right. */
const MAX_WRAP_WIDTH = 160
/** A line reaching this share of the width is full: it ended only because the next word did not fit. */
const FULL_LINE_SHARE = 0.6
/** The share of lines that must run on into the next for the text to count as hard-wrapped. */
const MIN_RUN_ON_SHARE = 0.2

/**
 * A hard-wrapped text has a typical width, and many of its lines break off
 * mid-sentence at about that width, the sentence carrying on lower-case in the
 * next line. A text with one paragraph per line has neither.
 */
function measureLayout(lines: Line[]): Layout {
	const lengths = lines.map((line) => line.length).sort((a, b) => a - b)
	const width = lengths[Math.floor((lengths.length - 1) * WRAP_PERCENTILE)] ?? 0
	if (width < MIN_WRAP_WIDTH || width > MAX_WRAP_WIDTH) return { hardWrapped: false, width }
	let runOns = 0
	for (let i = 1; i < lines.length; i++) {
		const line = lines[i - 1]!
		const next = lines[i]!
		if (!next.afterBlank && isFull(line, width) && !endsSentence(line.text) && startsLowerCase(next.text)) runOns++
	}
	return { hardWrapped: runOns >= 2 && runOns >= lines.length * MIN_RUN_ON_SHARE, width }
}

function isFull(line: Line, width: number): boolean {
	return line.length >= width * FULL_LINE_SHARE
}

// 3. Blocks, headings and passages

function groupBlocks(lines: Line[], layout: Layout): Line[][] {
	const blocks: Line[][] = []
	for (const line of lines) {
		const block = blocks.at(-1)
		const previous = block?.at(-1)
		if (block && previous && (!line.afterBlank || bridgesBlank(previous, line, layout))) block.push(line)
		else blocks.push([line])
	}
	return blocks
}

/**
 * PDF extraction leaves blank lines at page breaks and at random, even
 * mid-sentence ("Cheka under" / "" / "new name NKVD"). A sentence that stops
 * and resumes lower-case across them is still one sentence.
 */
function bridgesBlank(previous: Line, line: Line, layout: Layout): boolean {
	return layout.hardWrapped && !endsSentence(previous.text) && startsLowerCase(line.text)
}

/** Longer than this, a line is a sentence rather than a heading. */
const HEADING_MAX_LENGTH = 80
const HEADING_MAX_WORDS = 12
/** A title page may split its title over a few short lines (" STALIN " / "1924 – 1953"). */
const TITLE_MAX_LINES = 3
/** A block at least this long is prose, the kind of text a heading stands over. */
const PROSE_MIN_LENGTH = 120

/**
 * The text of the heading that `block` is, or null. Conservative on purpose, as
 * a paragraph wrongly shown as a heading is worse than the reverse: a heading
 * is a lone short line (or, for the first block, up to three of them) that
 * reads like a heading, standing between blank lines over a block of prose no
 * shallower than itself. So "Dear Parisar", followed directly by its letter, stays
 * a paragraph, and "Leave a Reply" above a one-line form label stays one too.
 */
function headingText(block: Line[], index: number, next: Line[] | undefined): string | null {
	const maxLines = index === 0 ? TITLE_MAX_LINES : 1
	if (block.length > maxLines || !block.every((line) => readsLikeHeading(line.text))) return null
	if (!next || !isProse(next)) return null
	// An indented line over shallower text belongs to something above it (a list item, a quote).
	if (block.some((line) => line.indent > next[0]!.indent)) return null
	return block.map((line) => line.text).join(' ')
}

function readsLikeHeading(text: string): boolean {
	return (
		[...text].length <= HEADING_MAX_LENGTH &&
		text.split(/\s+/u).length <= HEADING_MAX_WORDS &&
		// Headings end on a word; sentences, salutations and form labels on punctuation.
		/[\p{L}\p{N}]$/u.test(withoutClosers(text)) &&
		// A line starting lower-case continues something; it does not title it.
		!startsLowerCase(text) &&
		listMarker(text) === null &&
		!isDecoration(text)
	)
}

/** Below this share of letters and digits a line is ornament ("parisar ……………….परिसर"), not words. */
const MIN_WORD_CHARACTER_SHARE = 0.7

function isDecoration(text: string): boolean {
	const characters = [...text.replace(/\s/gu, '')]
	// \p{M} counts the vowel signs of scripts such as Devanagari as the letters they are part of.
	const wordCharacters = characters.filter((c) => /[\p{L}\p{N}\p{M}]/u.test(c)).length
	return wordCharacters < characters.length * MIN_WORD_CHARACTER_SHARE
}

function isProse(block: Line[]): boolean {
	const length = block.reduce((sum, line) => sum + line.length, 0)
	return listMarker(block[0]!.text) === null && length >= PROSE_MIN_LENGTH
}

function splitPassages(block: Line[], layout: Layout): Passage[] {
	const passages: Passage[] = []
	for (const line of block) {
		const current = passages.at(-1)
		const marker = listMarker(line.text)
		if (current && continuesPassage(current, line, marker, layout)) {
			current.text = joinLines(current.text, line.text)
			current.column = line.indent
			current.last = line
		} else {
			passages.push({
				kind: 'passage',
				text: marker ? line.text.slice(marker.length) : line.text,
				marker,
				indent: line.indent,
				column: marker ? line.indent + marker.length : line.indent,
				last: line,
			})
		}
	}
	return passages
}

/**
 * Whether `line` carries on the passage before it in the same block. Without
 * hard wrapping each line is a paragraph of its own; with it, lines join
 * unless one of the signs of a new paragraph or item says otherwise.
 */
function continuesPassage(current: Passage, line: Line, marker: ListMarker | null, layout: Layout): boolean {
	// Blank lines inside a block were bridged by groupBlocks: the sentence goes on.
	if (line.afterBlank) return true
	if (!layout.hardWrapped) return false
	const previous = current.last
	if (marker && !isWrappedMarker(current, previous, marker, layout)) return false
	// A first-line indent after a finished sentence (" Inspired by Hitler’s…") opens a paragraph.
	if (line.indent > current.column && endsSentence(previous.text)) return false
	// A line ending well short of the width ended its paragraph, unless a lower-case
	// continuation says the author just broke early.
	if (!isFull(previous, layout.width) && !startsLowerCase(line.text)) return false
	return true
}

/**
 * A wrapped sentence can put "1." or "-" at the start of a line ("…in chapter" /
 * "12. The next…"). Such a "marker" is text when the line above is full and
 * stops mid-sentence, unless it carries on the list that line belongs to.
 */
function isWrappedMarker(current: Passage, previous: Line, marker: ListMarker, layout: Layout): boolean {
	const listGoesOn = current.marker !== null && continuesList(current.marker, marker)
	return isFull(previous, layout.width) && !endsSentence(previous.text) && !listGoesOn
}

const LIST_MARKER = /^(?:([-*•])|(\d{1,3})([.)]))\s+/u

function listMarker(text: string): ListMarker | null {
	const match = LIST_MARKER.exec(text)
	if (!match) return null
	// "* * *" and "- - -" are section breaks, not items.
	if (!/[\p{L}\p{N}]/u.test(text.slice(match[0].length))) return null
	const [whole, bullet, digits, delimiter] = match
	return bullet
		? { kind: 'bullet', symbol: bullet, number: 1, length: whole.length }
		: { kind: 'ordered', symbol: delimiter!, number: Number(digits), length: whole.length }
}

/**
 * Items of one list share their symbol, and ordered ones count up by one. So a
 * list's rendered numbers are always the ones in the source.
 */
function continuesList(previous: ListMarker, marker: ListMarker): boolean {
	if (previous.kind !== marker.kind || previous.symbol !== marker.symbol) return false
	return marker.kind === 'bullet' || marker.number === previous.number + 1
}

/** Closing quotes and brackets, which may follow a sentence's final stop. */
const CLOSERS = /[\p{Pe}\p{Pf}"'\s]+$/u

function withoutClosers(text: string): string {
	return text.replace(CLOSERS, '')
}

function endsSentence(text: string): boolean {
	// A colon or semicolon also ends the line's thought: what follows is a list or a new clause.
	return /[.!?…:;]$/u.test(withoutClosers(text))
}

function startsLowerCase(text: string): boolean {
	return /^[\p{Ps}\p{Pi}"']*\p{Ll}/u.test(text)
}

/** A line ending in a hyphen after a letter ("inter-" / "national") continues the word, so no space goes between. */
function joinLines(text: string, line: string): string {
	return /\p{L}-$/u.test(text) && startsLowerCase(line) ? text + line : `${text} ${line}`
}

// 4. Nodes

interface OpenList {
	/** The first item's number (1 for bullets), which the list is rendered from. */
	order: number
	/** The latest item's marker, which the next item must continue. */
	marker: ListMarker
	/** The items' indent: a plain passage indented deeper belongs to the last item. */
	indent: number
	/** Each item's paragraphs. */
	items: ProseMirrorNode[][]
}

function buildDocument(parts: (Heading | Passage)[]): ProseMirrorNode {
	const blocks: ProseMirrorNode[] = []
	let list: OpenList | null = null
	let headings = 0

	for (const part of parts) {
		if (part.kind === 'heading') {
			if (list) blocks.push(listNode(list))
			list = null
			// Plain text cannot say how deep a heading is: the first is the title, later ones sections.
			blocks.push(schema.node('heading', { level: headings++ === 0 ? 1 : 2 }, schema.text(part.text)))
			continue
		}
		const paragraph = schema.node('paragraph', null, schema.text(part.text))
		if (list && part.marker && continuesList(list.marker, part.marker)) {
			list.items.push([paragraph])
			list.marker = part.marker
			continue
		}
		// "    Comment by Marthanda | October 21, 2007" under a numbered comment is part of it.
		if (list && !part.marker && part.indent > list.indent) {
			list.items.at(-1)!.push(paragraph)
			continue
		}
		if (list) blocks.push(listNode(list))
		list = part.marker ? { order: part.marker.number, marker: part.marker, indent: part.indent, items: [[paragraph]] } : null
		if (!part.marker) blocks.push(paragraph)
	}
	if (list) blocks.push(listNode(list))

	if (blocks.length === 0) blocks.push(schema.node('paragraph'))
	return schema.node('doc', null, blocks)
}

function listNode(list: OpenList): ProseMirrorNode {
	const items = list.items.map((paragraphs) => schema.node('list_item', null, paragraphs))
	return list.marker.kind === 'bullet'
		? schema.node('bullet_list', null, items)
		: schema.node('ordered_list', { order: list.order }, items)
}
