import DOMPurify from 'isomorphic-dompurify'
import MarkdownIt from 'markdown-it'
import { safeHref } from '#app/editor/safe-url.ts'
import { mentionsIn, mentionsPlugin, type Mention } from './mentions.ts'

/**
 * The one place that turns an annotation's Markdown into HTML, on the server
 * and in the browser (the live preview). markdown-it with raw HTML off
 * renders; DOMPurify then removes anything executable that got through
 * (scripts, event-handler attributes, javascript: and data: URLs), and links
 * are marked as user-generated. Both libraries are maintained for exactly
 * this; nothing here parses HTML by hand.
 */
const markdown = new MarkdownIt({ html: false, linkify: true, breaks: false, typographer: false }).use(mentionsPlugin)

// markdown-it's own link check already refuses javascript:, vbscript:, file:
// and most data: URLs; this makes it refuse every data: URL, images too.
const defaultValidateLink = markdown.validateLink.bind(markdown)
markdown.validateLink = (url) => defaultValidateLink(url) && !/^\s*data:/i.test(url)

const allowedTags = [
	'p', 'br', 'em', 'strong', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
	'hr', 's', 'del', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'span',
]

let hooked = false
function purifier() {
	if (!hooked) {
		DOMPurify.addHook('afterSanitizeAttributes', (node) => {
			if (node.tagName === 'A') {
				const href = safeHref(node.getAttribute('href'))
				if (href === null) node.removeAttribute('href')
				else node.setAttribute('href', href)
				node.setAttribute('rel', 'nofollow noopener ugc')
				node.setAttribute('target', '_blank')
			}
		})
		// The only class that survives is the mention plugin's, on its own span.
		DOMPurify.addHook('uponSanitizeAttribute', (node, data) => {
			if (data.attrName === 'class' && !(node.tagName === 'SPAN' && data.attrValue === 'mention')) data.keepAttr = false
		})
		hooked = true
	}
	return DOMPurify
}

/** Sanitized HTML for an annotation body written in Markdown. */
export function renderMarkdown(source: string): string {
	const html = markdown.render(source)
	return purifier().sanitize(html, {
		ALLOWED_TAGS: allowedTags,
		ALLOWED_ATTR: ['href', 'title', 'start', 'rel', 'target', 'class'],
		ALLOW_DATA_ATTR: false,
	})
}

/** The people an annotation body mentions (see ./mentions.ts), parsed by the same renderer. */
export function mentionedIn(source: string): Mention[] {
	return mentionsIn(markdown, source)
}

/** The words of a body as plain text, shortened to `max` characters (for notifications and email). */
export function markdownExcerpt(source: string, max = 200): string {
	const words: string[] = []
	const visit = (tokens: ReturnType<MarkdownIt['parse']>) => {
		for (const token of tokens) {
			if (token.type === 'text' || token.type === 'code_inline') words.push(token.content)
			else if (token.type === 'mention') words.push(`@${(token.meta as Mention).name}`)
			else if (token.type === 'softbreak' || token.type === 'hardbreak' || token.type.endsWith('_close')) words.push(' ')
			if (token.children) visit(token.children)
		}
	}
	visit(markdown.parse(source, {}))
	const text = words.join('').replace(/\s+/g, ' ').trim()
	return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text
}
