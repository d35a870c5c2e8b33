import search from 'approx-string-match'
import { fromBase64, toBase64 } from 'lib0/buffer'
import type { Node as ProseMirrorNode } from 'prosemirror-model'
import * as Y from 'yjs'
import type { AnchorInput } from '#app/annotations/types.ts'
import { PlainTextIndex } from './plain-text.ts'

/**
 * Anchors: where an annotation sits in a document that keeps changing.
 *
 * Each anchor keeps three descriptions of its range, from most to least
 * precise: Yjs relative positions (which follow the text through concurrent
 * edits), a W3C TextQuoteSelector (the words and their context) and a W3C
 * TextPositionSelector (code point offsets into PlainTextIndex's text).
 * Placing an anchor trusts the relative positions only when the text there
 * still equals the quote; otherwise it looks for the quote, exactly and then
 * approximately, and orphans the annotation rather than attach it to a merely
 * similar passage. https://www.w3.org/TR/annotation-model/#selectors
 */

export interface TextQuoteSelector {
	type: 'TextQuoteSelector'
	exact: string
	prefix: string
	suffix: string
}

export interface TextPositionSelector {
	type: 'TextPositionSelector'
	/** Code point offsets into the document's plain text. */
	start: number
	end: number
}

export interface Anchor {
	/** Y.encodeRelativePosition of the start, associated to the right. */
	start: Uint8Array
	/** Y.encodeRelativePosition of the end, associated to the left, so typing at the edge does not grow the range. */
	end: Uint8Array
	quote: TextQuoteSelector
	position: TextPositionSelector
}

export type PlacementStatus = 'exact' | 'fuzzy' | 'orphaned'

export interface Placement {
	status: PlacementStatus
	/** 1 for the relative positions or the exact quote in its context; lower for approximate matches. */
	confidence: number
	/** ProseMirror range where the annotation is shown; absent when orphaned. */
	from?: number
	to?: number
	/** For an orphan: the best candidate below the threshold, for a person to confirm. */
	suggestion?: { from: number; to: number; startOffset: number; endOffset: number; confidence: number; quote: string }
	/** The anchor refreshed for where it now is (null when orphaned). */
	anchor: Anchor | null
}

/** Characters of context kept on each side of a quote. */
export const contextLength = 32
/** An approximate match is accepted on its own at or above this confidence; below, it is only suggested. */
export const fuzzyThreshold = 0.75
/** Candidates below this are not even suggested. */
const suggestionThreshold = 0.45

/** A document as both trees (Yjs and ProseMirror) and its plain text, for placing many anchors at once. */
export class AnchorContext {
	readonly index: PlainTextIndex
	private readonly childIndexes = new Map<Y.AbstractType<unknown>, Map<unknown, number>>()

	constructor(
		readonly ydoc: Y.Doc,
		readonly fragment: Y.XmlFragment,
		readonly doc: ProseMirrorNode,
	) {
		this.index = new PlainTextIndex(doc)
	}

	/** Describes the ProseMirror range [from, to) as an anchor. */
	describe(from: number, to: number): Anchor {
		const text = this.index.text
		const start = this.index.offsetOfPosition(from)
		const end = this.index.offsetOfPosition(to)
		if (start === null || end === null || end <= start) {
			throw new RangeError(`cannot anchor the range ${from}–${to}: it must start and end inside text`)
		}
		return {
			start: Y.encodeRelativePosition(this.relativePosition(from, 0)),
			end: Y.encodeRelativePosition(this.relativePosition(to, -1)),
			quote: {
				type: 'TextQuoteSelector',
				exact: text.slice(start, end),
				prefix: text.slice(Math.max(0, start - contextLength), start),
				suffix: text.slice(end, end + contextLength),
			},
			position: {
				type: 'TextPositionSelector',
				start: this.index.codePointOffset(start),
				end: this.index.codePointOffset(end),
			},
		}
	}

	/** Places a stored anchor in the document as it is now. */
	place(anchor: Anchor): Placement {
		const viaYjs = this.resolve(anchor)
		if (viaYjs && this.index.text.slice(viaYjs.start, viaYjs.end) === anchor.quote.exact) {
			return this.placed('exact', 1, viaYjs.start, viaYjs.end, anchor)
		}
		const expected = viaYjs?.start ?? this.index.utf16Offset(anchor.position.start)
		const match = this.findQuote(anchor.quote, expected)
		// The same words with the wrong surroundings are only a suggestion: "the order" in
		// another paragraph is not the passage that was annotated.
		if (match && match.confidence >= fuzzyThreshold) {
			return this.placed(match.exact ? 'exact' : 'fuzzy', match.confidence, match.start, match.end)
		}
		const placement: Placement = { status: 'orphaned', confidence: match?.confidence ?? 0, anchor: null }
		if (match && match.confidence >= suggestionThreshold) {
			placement.suggestion = {
				from: this.index.positionOfOffset(match.start),
				to: this.index.positionOfOffset(match.end),
				startOffset: this.index.codePointOffset(match.start),
				endOffset: this.index.codePointOffset(match.end),
				confidence: match.confidence,
				quote: this.index.text.slice(match.start, match.end),
			}
		}
		return placement
	}

	private placed(status: PlacementStatus, confidence: number, start: number, end: number, unchanged?: Anchor): Placement {
		const from = this.index.positionOfOffset(start)
		const to = this.index.positionOfOffset(end)
		// Where the relative positions still hold, keep them (their ids follow the text best);
		// otherwise describe the range afresh.
		const anchor = unchanged
			? { ...this.describe(from, to), start: unchanged.start, end: unchanged.end }
			: this.describe(from, to)
		return { status, confidence, from, to, anchor }
	}

	/** The UTF-16 range the relative positions point at now, or null if they point nowhere usable. */
	private resolve(anchor: Anchor): { start: number; end: number } | null {
		const start = this.offsetOfRelative(anchor.start)
		const end = this.offsetOfRelative(anchor.end)
		if (start === null || end === null || end <= start) return null
		return { start, end }
	}

	private offsetOfRelative(encoded: Uint8Array): number | null {
		let absolute: Y.AbsolutePosition | null
		try {
			absolute = Y.createAbsolutePositionFromRelativePosition(Y.decodeRelativePosition(encoded), this.ydoc)
		} catch {
			return null
		}
		if (!absolute || !(absolute.type instanceof Y.XmlText) || isDeleted(absolute.type as Y.AbstractType<unknown>)) return null
		const pos = this.positionInText(absolute.type, absolute.index)
		return pos === null ? null : this.index.offsetOfPosition(pos)
	}

	/** The ProseMirror position of `index` inside a Y.XmlText, or null if the text is not in this document. */
	private positionInText(text: Y.XmlText, index: number): number | null {
		const path: number[] = []
		let type = text as Y.AbstractType<unknown>
		while (type !== this.fragment) {
			const parent = type.parent as Y.AbstractType<unknown> | null
			if (!parent) return null
			const at = this.childIndex(parent, type)
			if (at === undefined) return null
			path.unshift(at)
			type = parent
		}
		// Walk the ProseMirror tree along the same child indexes; inside the
		// textblock, Y children are runs of text and inline leaves.
		let node = this.doc
		let pos = 0
		for (let depth = 0; depth < path.length - 1; depth++) {
			const childIndex = path[depth]!
			if (childIndex >= node.childCount) return null
			for (let i = 0; i < childIndex; i++) pos += node.child(i).nodeSize
			node = node.child(childIndex)
			pos += 1
		}
		if (!node.isTextblock) return null
		const textblock = text.parent as Y.XmlElement
		let offset = 0
		for (const child of textblock.toArray()) {
			if (child === text) return pos + offset + Math.min(index, text.length)
			offset += child instanceof Y.XmlText ? child.length : 1
		}
		return null
	}

	private childIndex(parent: Y.AbstractType<unknown>, child: unknown): number | undefined {
		let indexes = this.childIndexes.get(parent)
		if (!indexes) {
			indexes = new Map()
			const children = (parent as Y.XmlElement).toArray()
			for (let i = 0; i < children.length; i++) indexes.set(children[i], i)
			this.childIndexes.set(parent, indexes)
		}
		return indexes.get(child)
	}

	/** A relative position for a ProseMirror position inside a textblock, associated to `assoc`. */
	private relativePosition(pos: number, assoc: number): Y.RelativePosition {
		const $pos = this.doc.resolve(pos)
		if (!$pos.parent.isTextblock) throw new RangeError(`position ${pos} is not inside a textblock`)
		let type: Y.XmlElement | Y.XmlFragment = this.fragment
		for (let depth = 0; depth < $pos.depth; depth++) {
			const child: unknown = type.get($pos.index(depth))
			if (!(child instanceof Y.XmlElement)) throw new RangeError(`the Yjs tree does not match the document at ${pos}`)
			type = child
		}
		let offset = $pos.parentOffset
		const children = type.toArray()
		for (let i = 0; i < children.length; i++) {
			const child = children[i]
			if (child instanceof Y.XmlText) {
				const isLastText = !children.slice(i + 1).some((c) => c instanceof Y.XmlText)
				// At the seam between two runs: the left one for a left-associated end, the right one for a start.
				// Before an inline leaf (a line break) the position belongs to the text on its left.
				const nextIsText = children[i + 1] instanceof Y.XmlText
				if (offset < child.length || (offset === child.length && (assoc < 0 || isLastText || !nextIsText))) {
					return Y.createRelativePositionFromTypeIndex(child, offset, assoc)
				}
				offset -= child.length
			} else {
				offset -= 1
			}
		}
		return Y.createRelativePositionFromTypeIndex(type, type.length, assoc)
	}

	/**
	 * Looks for the quote: first exactly (every occurrence, ranked by its
	 * context and distance from where it was), then approximately with up to
	 * a quarter of its characters wrong. Scored as Hypothesis does: quote,
	 * prefix, suffix and position, weighted.
	 */
	private findQuote(
		quote: TextQuoteSelector,
		expected: number,
	): { start: number; end: number; confidence: number; exact: boolean } | null {
		const text = this.index.text
		if (quote.exact.length === 0) return null
		const exactStarts: number[] = []
		for (let at = text.indexOf(quote.exact); at !== -1 && exactStarts.length < 1000; at = text.indexOf(quote.exact, at + 1)) {
			exactStarts.push(at)
		}
		if (exactStarts.length > 0) {
			const ranked = exactStarts
				.map((start) => ({ start, end: start + quote.exact.length, score: this.contextScore(quote, start, start + quote.exact.length, expected) }))
				.sort((a, b) => b.score - a.score)
			const best = ranked[0]!
			const runnerUp = ranked[1]
			const confidence = 0.5 + best.score / 2
			// Two equally good copies: the words are there but which one is meant is not
			// known, so at most suggest one (below the threshold), never attach on a guess.
			if (runnerUp && best.score - runnerUp.score <= 0.05) {
				return { start: best.start, end: best.end, confidence: Math.min(confidence, fuzzyThreshold - 0.01), exact: true }
			}
			if (confidence >= fuzzyThreshold) return { start: best.start, end: best.end, confidence, exact: true }
		}
		const best = this.approximate(quote, expected)
		return best ? { ...best, exact: false } : null
	}

	/**
	 * The best approximate match, searched first near where the quote was
	 * (cheap, and where it almost always still is) and in the whole text
	 * only if nothing good is found there. The quote's own similarity and
	 * its surroundings weigh equally, so similar words in another context
	 * stay below the threshold.
	 */
	private approximate(quote: TextQuoteSelector, expected: number): { start: number; end: number; confidence: number } | null {
		const text = this.index.text
		const maxErrors = Math.min(256, Math.floor(quote.exact.length / 4))
		const score = (from: number, to: number) => {
			const window = text.slice(from, to)
			let best: { start: number; end: number; confidence: number } | null = null
			for (const match of search(window, quote.exact, maxErrors)) {
				const start = from + match.start
				const end = from + match.end
				const quoteScore = 1 - match.errors / quote.exact.length
				const confidence = quoteScore * 0.5 + this.contextScore(quote, start, end, expected) * 0.5
				if (!best || confidence > best.confidence) best = { start, end, confidence }
			}
			return best
		}
		const margin = 2000 + quote.exact.length * 2
		const near = score(Math.max(0, expected - margin), Math.min(text.length, expected + quote.exact.length + margin))
		if (near && near.confidence >= fuzzyThreshold) return near
		if (text.length <= 2 * margin + quote.exact.length) return near
		const anywhere = score(0, text.length)
		return anywhere && (!near || anywhere.confidence > near.confidence) ? anywhere : near
	}

	/** How well the surroundings of [start, end) match the quote's prefix and suffix, and how near it is to `expected`: 0–1. */
	private contextScore(quote: TextQuoteSelector, start: number, end: number, expected: number): number {
		const text = this.index.text
		const prefix = similarity(quote.prefix, text.slice(Math.max(0, start - quote.prefix.length), start), 'end')
		const suffix = similarity(quote.suffix, text.slice(end, end + quote.suffix.length), 'start')
		const distance = Math.abs(start - expected)
		const nearness = 1 - Math.min(1, distance / 2000)
		return prefix * 0.4 + suffix * 0.4 + nearness * 0.2
	}
}

/**
 * Share of matching characters, compared from the side that touches the
 * quote, after collapsing runs of whitespace: a paragraph break typed next to
 * the quote turns " " into "\n\n" and must not make the context a stranger.
 */
function similarity(expectedRaw: string, actualRaw: string, align: 'start' | 'end'): number {
	const collapse = (text: string) => text.replace(/\s+/g, ' ')
	const expected = collapse(expectedRaw)
	const actual = collapse(actualRaw)
	if (expected.length === 0) return 1
	let same = 0
	for (let i = 0; i < expected.length; i++) {
		const a = align === 'start' ? expected[i] : expected[expected.length - 1 - i]
		const b = align === 'start' ? actual[i] : actual[actual.length - 1 - i]
		if (a === b) same++
	}
	return same / expected.length
}

function isDeleted(type: Y.AbstractType<unknown>): boolean {
	for (let item = type._item; item; item = (item.parent as Y.AbstractType<unknown>)._item) {
		if (item.deleted) return true
	}
	return false
}

/** An anchor as JSON, for the API and the live events. */
export function anchorToJSON(anchor: Anchor): AnchorInput {
	return {
		start: toBase64(anchor.start),
		end: toBase64(anchor.end),
		exact: anchor.quote.exact,
		prefix: anchor.quote.prefix,
		suffix: anchor.quote.suffix,
		startOffset: anchor.position.start,
		endOffset: anchor.position.end,
	}
}

export function anchorFromJSON(input: AnchorInput): Anchor {
	return {
		start: fromBase64(input.start),
		end: fromBase64(input.end),
		quote: { type: 'TextQuoteSelector', exact: input.exact, prefix: input.prefix, suffix: input.suffix },
		position: { type: 'TextPositionSelector', start: input.startOffset, end: input.endOffset },
	}
}
