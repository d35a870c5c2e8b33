import { JSDOM } from 'jsdom'
import { DOMParser, type Node as ProseMirrorNode } from 'prosemirror-model'
import sanitizeHtml from 'sanitize-html'
import { schema } from '#app/editor/schema.ts'

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
 * styles nothing at all.
 */
export function htmlToDocument(html: string): { doc: ProseMirrorNode; title: string | null } {
	// Sanitizing the string first spares a second DOM parse, which for jsdom costs
	// about half a second per megabyte.
	const clean = sanitizeHtml(html, sanitizeOptions)
	// Scripts never run: JSDOM's default `runScripts` is off and nothing is fetched.
	const { document } = new JSDOM(clean).window
	// `title` is the first <title> anywhere, its whitespace already collapsed.
	return { doc: parser.parse(document.body), title: document.title.trim() || null }
}
