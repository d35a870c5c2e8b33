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
	allowedTags: [...SCHEMA_TAGS, 'div'],
	allowedAttributes: { a: ['href', 'title'], ol: ['start'] },
	// Relative hrefs have no scheme and pass; `javascript:`, `data:` and the like lose
	// their href, and a link without one parses as plain text, so its words stay.
	allowedSchemes: ['http', 'https', 'mailto'],
	transformTags: Object.fromEntries(BLOCK_CONTAINER_TAGS.map((tag) => [tag, 'div'])),
	// Elements whose content is code, data or form chrome rather than the author's
	// text. The first five are sanitize-html's defaults (`xmp` guards an XSS bypass);
	// a <template> is never rendered, and <title>/<head> only appear when a whole
	// page is passed, and the caller reads the title separately.
	nonTextTags: ['script', 'style', 'textarea', 'option', 'xmp', 'template', 'title', 'head'],
}

const parser = DOMParser.fromSchema(schema)

/**
 * Turns an HTML fragment (a page body, or rendered Markdown) into a document.
 * Only what the schema can hold survives: unknown inline tags give up their
 * text, unknown block tags their text and a paragraph break, and scripts and
 * styles nothing at all.
 */
export function htmlToDocument(html: string): ProseMirrorNode {
	const clean = sanitizeHtml(html, sanitizeOptions)
	// Scripts never run: JSDOM's default `runScripts` is off and nothing is fetched.
	const { document } = new JSDOM(clean).window
	return parser.parse(document.body)
}

/** A whole HTML page as a document, with its <title> for when it has no heading. */
export function htmlPageToDocument(html: string): { doc: ProseMirrorNode; title: string | null } {
	const { document } = new JSDOM(html).window
	// jsdom's `title` already collapses the whitespace inside <title>.
	return { doc: htmlToDocument(document.body.innerHTML), title: document.title.trim() || null }
}
