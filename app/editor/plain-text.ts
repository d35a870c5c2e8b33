import type { Node as ProseMirrorNode } from 'prosemirror-model'

/** Textblocks are separated by a blank line, so the text reads as it looks. */
export const blockSeparator = '\n\n'

interface Block {
	/** ProseMirror position of the block's first inline content. */
	pmStart: number
	/** UTF-16 offset of the block's text in the plain text. */
	textStart: number
	/** Length of the block's text in UTF-16 units (equal to its inline content size). */
	length: number
}

/**
 * A document as plain text, with the maps between ProseMirror positions,
 * UTF-16 offsets and Unicode code point offsets. The one place that turns a
 * document into text: W3C TextPositionSelectors count code points over
 * exactly `text`, quotes are taken from it, and search indexes it.
 *
 * Each textblock contributes its text; a hard break becomes "\n"; blocks are
 * joined with "\n\n". Every inline character is one ProseMirror position and
 * one UTF-16 unit, so offsets inside a block map one to one.
 */
export class PlainTextIndex {
	readonly text: string
	private readonly blocks: Block[]
	private codePointPrefix: Uint32Array | null = null

	constructor(doc: ProseMirrorNode) {
		const parts: string[] = []
		const blocks: Block[] = []
		let textStart = 0
		doc.descendants((node, pos) => {
			if (!node.isTextblock) return true
			let text = ''
			node.forEach((child) => {
				if (child.isText) text += child.text
				else text += child.type.name === 'hard_break' ? '\n' : '\ufffc'
			})
			if (parts.length > 0) textStart += blockSeparator.length
			blocks.push({ pmStart: pos + 1, textStart, length: text.length })
			parts.push(text)
			textStart += text.length
			return false
		})
		this.text = parts.join(blockSeparator)
		this.blocks = blocks
	}

	/** The UTF-16 offset in `text` of a ProseMirror position inside a textblock, or null between blocks. */
	offsetOfPosition(pos: number): number | null {
		const block = this.blockAtPosition(pos)
		return block ? block.textStart + (pos - block.pmStart) : null
	}

	/** The ProseMirror position of a UTF-16 offset in `text` (an offset in a separator maps to the next block). */
	positionOfOffset(offset: number): number {
		let low = 0
		let high = this.blocks.length - 1
		while (low < high) {
			const mid = (low + high + 1) >> 1
			if (this.blocks[mid]!.textStart <= offset) low = mid
			else high = mid - 1
		}
		const block = this.blocks[low]
		if (!block) return 0
		const inside = offset - block.textStart
		if (inside > block.length) {
			const next = this.blocks[low + 1]
			return next ? next.pmStart : block.pmStart + block.length
		}
		return block.pmStart + Math.max(0, inside)
	}

	/** Code points before a UTF-16 offset: TextPositionSelector counts these. */
	codePointOffset(utf16Offset: number): number {
		return this.prefix()[Math.max(0, Math.min(utf16Offset, this.text.length))]!
	}

	/** The UTF-16 offset of a code point offset. */
	utf16Offset(codePointOffset: number): number {
		const prefix = this.prefix()
		let low = 0
		let high = this.text.length
		while (low < high) {
			const mid = (low + high) >> 1
			if (prefix[mid]! < codePointOffset) low = mid + 1
			else high = mid
		}
		return low
	}

	private blockAtPosition(pos: number): Block | null {
		let low = 0
		let high = this.blocks.length - 1
		while (low <= high) {
			const mid = (low + high) >> 1
			const block = this.blocks[mid]!
			if (pos < block.pmStart) high = mid - 1
			else if (pos > block.pmStart + block.length) low = mid + 1
			else return block
		}
		return null
	}

	private prefix(): Uint32Array {
		if (this.codePointPrefix) return this.codePointPrefix
		const prefix = new Uint32Array(this.text.length + 1)
		let count = 0
		for (let i = 0; i < this.text.length; i++) {
			prefix[i] = count
			// A surrogate pair is one code point, counted at its low half, so that an offset
			// inside the pair maps to the code point it belongs to, never to its middle.
			const pairStart = isHighSurrogate(this.text.charCodeAt(i)) && isLowSurrogate(this.text.charCodeAt(i + 1))
			if (!pairStart) count++
		}
		prefix[this.text.length] = count
		this.codePointPrefix = prefix
		return prefix
	}
}

function isHighSurrogate(code: number) {
	return code >= 0xd800 && code <= 0xdbff
}

function isLowSurrogate(code: number) {
	return code >= 0xdc00 && code <= 0xdfff
}

/** The document's plain text (see PlainTextIndex). */
export function documentPlainText(doc: ProseMirrorNode): string {
	return new PlainTextIndex(doc).text
}

/** Words as a reader would count them: runs of non-space characters. */
export function countWords(text: string): number {
	return text.split(/\s+/u).filter(Boolean).length
}
