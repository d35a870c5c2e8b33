import { JSDOM } from 'jsdom'
import { DOMParser, type Node as ProseMirrorNode } from 'prosemirror-model'
import sanitizeHtml from 'sanitize-html'
import { schema } from '#app/editor/schema.ts'
import { ParseBudget, type ParseLimits } from './limits.ts'

/** Tags the schema has a node or mark for (see the parseDOM rules in app/editor/schema.ts). */
const SCHEMA_TAGS = [
	'p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'hr', 'pre', 'code',
	'ul', 'ol', 'li', 'br', 'a', 'em', 'i', 'strong', 'b',
]

/**
 * Block containers the schema has no node for. Dropping the tag would glue the
 * text of neighbouring blocks together ("<td>one</td><td>two</td>" reading
 * "onetwo"), so they become a bare <div>: ProseMirror's parser has no rule for
 * div either, but it knows div is a block and starts a new paragraph there.
 */
const BLOCK_CONTAINER_TAGS = [
	'address', 'article', 'aside', 'caption', 'center', 'dd', 'details', 'dialog', 'dl', 'dt',
	'fieldset', 'figcaption', 'figure', 'footer', 'form', 'header', 'hgroup', 'legend', 'main',
	'nav', 'section', 'summary', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr',
]

/** Tags that open a block of the document, or a paragraph break, and so count towards `maxBlocks`. */
const BLOCK_TAGS = new Set([
	'p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'hr', 'pre', 'ul', 'ol', 'li', 'div',
	...BLOCK_CONTAINER_TAGS,
])

const sanitizeOptions: sanitizeHtml.IOptions = {
	// <title> passes so that one DOM parse yields both the body and the page title;
	// ProseMirror's parser ignores it, so its text never lands in the document.
	allowedTags: [...SCHEMA_TAGS, 'div', 'title'],
	allowedAttributes: { a: ['href', 'title'], ol: ['start'] },
	// Relative hrefs have no scheme and pass; `javascript:`, `data:` and the like lose
	// their href, and a link without one parses as plain text, so its words stay.
	allowedSchemes: ['http', 'https', 'mailto'],
	transformTags: Object.fromEntries(BLOCK_CONTAINER_TAGS.map((tag) => [tag, 'div'])),
	// Elements whose content is code, data or form chrome rather than the author's
	// text: sanitize-html's defaults (`xmp` guards an XSS bypass), and <template>,
	// which a browser never renders.
	nonTextTags: ['script', 'style', 'textarea', 'option', 'xmp', 'template'],
}

const parser = DOMParser.fromSchema(schema)

/**
 * Turns HTML, a whole page or a fragment such as rendered Markdown, into a
 * document, with the page's <title> for when the document has no heading.
 * Only what the schema can hold survives: unknown inline tags give up their
 * text, unknown block tags their text and a paragraph break, and scripts and
 * styles nothing at all. Throws ImportLimitError as soon as the markup goes
 * over a limit, before any DOM is built.
 */
export function htmlToDocument(
	html: string,
	limits: ParseLimits,
): { doc: ProseMirrorNode; title: string | null } {
	// sanitize-html reads the markup with a streaming parser, tag by tag, and keeps
	// no tree, so counting there stops a hostile page before jsdom and ProseMirror,
	// whose trees cost memory per element and whose walks recurse per level.
	const budget = new ParseBudget(limits)
	let depth = 0
	// Sanitizing the string first spares a second DOM parse, which for jsdom costs
	// about half a second per megabyte.
	const clean = sanitizeHtml(html, {
		...sanitizeOptions,
		onOpenTag(name) {
			budget.element()
			budget.depth(++depth)
			if (BLOCK_TAGS.has(name)) budget.block()
		},
		// Void elements, implied ends and elements left open at the end all close here too.
		onCloseTag() {
			depth--
		},
	})
	// Scripts never run: JSDOM's default `runScripts` is off and nothing is fetched.
	const { document } = new JSDOM(clean).window
	// `title` is the first <title> anywhere, its whitespace already collapsed.
	return { doc: parser.parse(document.body), title: document.title.trim() || null }
}
