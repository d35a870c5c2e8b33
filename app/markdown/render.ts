import DOMPurify from 'isomorphic-dompurify'
import MarkdownIt from 'markdown-it'

/**
 * The one place that turns an annotation's Markdown into HTML, on the server
 * and in the browser (the live preview). markdown-it with raw HTML off
 * renders; DOMPurify then removes anything executable that got through
 * (scripts, event-handler attributes, javascript: and data: URLs), and links
 * are marked as user-generated. Both libraries are maintained for exactly
 * this; nothing here parses HTML by hand.
 */
const markdown = new MarkdownIt({ html: false, linkify: true, breaks: false, typographer: false })

// markdown-it's own link check already refuses javascript:, vbscript:, file:
// and most data: URLs; this makes it refuse every data: URL, images too.
const defaultValidateLink = markdown.validateLink.bind(markdown)
markdown.validateLink = (url) => defaultValidateLink(url) && !/^\s*data:/i.test(url)

const allowedTags = [
	'p', 'br', 'em', 'strong', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
	'hr', 's', 'del', 'table', 'thead', 'tbody', 'tr', 'th', 'td',
]

let hooked = false
function purifier() {
	if (!hooked) {
		DOMPurify.addHook('afterSanitizeAttributes', (node) => {
			if (node.tagName === 'A') {
				const href = node.getAttribute('href') ?? ''
				if (!/^(https?:|mailto:|#|\/)/i.test(href)) node.removeAttribute('href')
				node.setAttribute('rel', 'nofollow noopener ugc')
				node.setAttribute('target', '_blank')
			}
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
		ALLOWED_ATTR: ['href', 'title', 'start', 'rel', 'target'],
		ALLOW_DATA_ATTR: false,
	})
}
