import type { Node as ProseMirrorNode } from 'prosemirror-model'

/**
 * The one function that turns a document into plain text. Textblocks are
 * separated by a blank line ("\n\n") and a hard break becomes "\n", so the
 * text reads as it looks. Later issues count TextPositionSelector offsets in
 * Unicode code points over exactly this string.
 */
export function documentPlainText(doc: ProseMirrorNode): string {
	const blocks: string[] = []
	doc.descendants((node) => {
		if (!node.isTextblock) return true
		let text = ''
		node.forEach((child) => {
			if (child.isText) text += child.text
			else if (child.type.name === 'hard_break') text += '\n'
		})
		blocks.push(text)
		return false
	})
	return blocks.join('\n\n')
}

/** Words as a reader would count them: runs of non-space characters. */
export function countWords(text: string): number {
	return text.split(/\s+/u).filter(Boolean).length
}
