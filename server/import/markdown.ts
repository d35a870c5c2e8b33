import MarkdownIt from 'markdown-it'
import type { Node as ProseMirrorNode } from 'prosemirror-model'
import { htmlToDocument } from './html.ts'

// Raw HTML is passed through because htmlToDocument sanitizes it. Typographer and
// linkify stay off: they rewrite the author's characters (quotes, dashes,
// punycode in link text), and an importer must keep every one.
const markdown = new MarkdownIt({ html: true, linkify: false, typographer: false })

/** Turns CommonMark (with GitHub's tables and strikethrough) into a document. */
export function markdownToDocument(source: string): ProseMirrorNode {
	return htmlToDocument(markdown.render(source)).doc
}
