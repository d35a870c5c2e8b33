import { Schema, type MarkSpec, type Node as ProseMirrorNode, type NodeSpec } from 'prosemirror-model'
import { safeHref } from './safe-url.ts'

/**
 * The one ProseMirror schema of a Scholion document, shared by the importer
 * and the read view on the server and by the live editor in the browser.
 * Node and mark names follow prosemirror-schema-basic/-list so that
 * y-prosemirror's XML element names are the familiar ones.
 */
const nodes: Record<string, NodeSpec> = {
	doc: { content: 'block+' },
	paragraph: {
		content: 'inline*',
		group: 'block',
		parseDOM: [{ tag: 'p' }],
		toDOM: () => ['p', 0],
	},
	heading: {
		// `h${level}` is the tag every renderer makes.
		attrs: { level: { default: 1, validate: validateHeadingLevel } },
		content: 'inline*',
		group: 'block',
		defining: true,
		parseDOM: [1, 2, 3, 4, 5, 6].map((level) => ({ tag: `h${level}`, attrs: { level } })),
		toDOM: (node) => [`h${node.attrs.level}`, 0],
	},
	blockquote: {
		content: 'block+',
		group: 'block',
		defining: true,
		parseDOM: [{ tag: 'blockquote' }],
		toDOM: () => ['blockquote', 0],
	},
	horizontal_rule: {
		group: 'block',
		parseDOM: [{ tag: 'hr' }],
		toDOM: () => ['hr'],
	},
	code_block: {
		content: 'text*',
		marks: '',
		group: 'block',
		code: true,
		defining: true,
		parseDOM: [{ tag: 'pre', preserveWhitespace: 'full' }],
		toDOM: () => ['pre', ['code', 0]],
	},
	bullet_list: {
		content: 'list_item+',
		group: 'block',
		parseDOM: [{ tag: 'ul' }],
		toDOM: () => ['ul', 0],
	},
	ordered_list: {
		attrs: { order: { default: 1, validate: validateListOrder } },
		content: 'list_item+',
		group: 'block',
		parseDOM: [
			{
				tag: 'ol',
				getAttrs: (dom) => {
					const start = (dom as HTMLElement).getAttribute('start')
					// Nine digits at most, as CommonMark allows for a list's start (and validateListOrder).
					return { order: start && /^\d{1,9}$/.test(start) ? Number(start) : 1 }
				},
			},
		],
		toDOM: (node) => (node.attrs.order === 1 ? ['ol', 0] : ['ol', { start: node.attrs.order }, 0]),
	},
	list_item: {
		content: 'paragraph block*',
		defining: true,
		parseDOM: [{ tag: 'li' }],
		toDOM: () => ['li', 0],
	},
	text: { group: 'inline' },
	hard_break: {
		inline: true,
		group: 'inline',
		selectable: false,
		parseDOM: [{ tag: 'br' }],
		toDOM: () => ['br'],
	},
}

const marks: Record<string, MarkSpec> = {
	link: {
		// The href rule lives here, in the schema, so that every way in (pasted or imported HTML,
		// Markdown through HTML, a link typed in the toolbar, a Yjs update checked with Node.check)
		// refuses what safeHref refuses: creating such a mark throws a RangeError.
		attrs: { href: { validate: validateHref }, title: { default: null, validate: 'string|null' } },
		inclusive: false,
		parseDOM: [
			{
				tag: 'a[href]',
				getAttrs: (dom) => {
					const el = dom as HTMLElement
					const href = safeHref(el.getAttribute('href'))
					// No link, but its words stay as plain text.
					return href === null ? false : { href, title: el.getAttribute('title') }
				},
			},
		],
		toDOM: (mark) => {
			// validateHref keeps unsafe hrefs out of a document; this is the second lock on the door.
			const href = safeHref(mark.attrs.href)
			if (href === null) return ['span', 0]
			return ['a', { href, title: mark.attrs.title, rel: 'noopener noreferrer nofollow' }, 0]
		},
	},
	em: {
		parseDOM: [{ tag: 'i' }, { tag: 'em' }, { style: 'font-style=italic' }],
		toDOM: () => ['em', 0],
	},
	strong: {
		parseDOM: [
			{ tag: 'strong' },
			// Google Docs wraps everything in <b style="font-weight:normal">.
			{ tag: 'b', getAttrs: (node) => (node as HTMLElement).style.fontWeight !== 'normal' && null },
			{ style: 'font-weight=400', clearMark: (m) => m.type.name === 'strong' },
			{ style: 'font-weight', getAttrs: (value) => /^(bold(er)?|[5-9]\d{2,})$/.test(value as string) && null },
		],
		toDOM: () => ['strong', 0],
	},
	code: {
		code: true,
		parseDOM: [{ tag: 'code' }],
		toDOM: () => ['code', 0],
	},
}

/**
 * How deep elements may nest in a document (the top level being 1): far beyond
 * what a person writes (a quote in a list in a quote…), far below what
 * Node.check(), toJSON, the renderers or y-prosemirror overflow on. The
 * server's update check refuses deeper updates; salvage flattens deeper
 * stored content.
 */
export const maxDocumentDepth = 100

function validateHeadingLevel(value: unknown) {
	if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 6) {
		throw new RangeError(`A heading's level must be a whole number from 1 to 6, not ${JSON.stringify(value)?.slice(0, 40)}`)
	}
}

function validateListOrder(value: unknown) {
	if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 999_999_999) {
		throw new RangeError(`A list's first number must be a whole number from 0 to 999999999, not ${JSON.stringify(value)?.slice(0, 40)}`)
	}
}

function validateHref(value: unknown) {
	if (safeHref(value) === null) throw new RangeError(`A link's href must be an http(s), mailto or same-site URL, not ${JSON.stringify(String(value).slice(0, 80))}`)
}

export const schema = new Schema({ nodes, marks })

/**
 * The document held in stored JSON (an edition, y-prosemirror's JSON of a
 * Y.Doc), with every link whose href the schema now refuses turned back into
 * plain text: a document stored before the rule, or by an older server,
 * still opens, and its words are all there.
 */
export function documentFromJSON(json: unknown): ProseMirrorNode {
	return schema.nodeFromJSON(withoutUnsafeLinks(json))
}

/** `json` itself when it holds no unsafe link (the usual case, and no copy); else a copy without them. */
function withoutUnsafeLinks(json: unknown): unknown {
	if (typeof json !== 'object' || json === null) return json
	const node = json as DocumentJSON
	let { marks, content } = node
	if (Array.isArray(marks) && marks.some((mark) => mark?.type === 'link' && safeHref(mark.attrs?.href) === null)) {
		marks = marks.filter((mark) => mark?.type !== 'link' || safeHref(mark.attrs?.href) !== null)
	}
	if (Array.isArray(content)) {
		const children = content.map(withoutUnsafeLinks) as DocumentJSON[]
		if (children.some((child, i) => child !== content![i])) content = children
	}
	return marks === node.marks && content === node.content ? node : { ...node, marks, content }
}

/** The JSON form of a document (ProseMirror's Node.toJSON), as stored in editions and sent to the read view. */
export interface DocumentJSON {
	type: string
	attrs?: Record<string, unknown>
	content?: DocumentJSON[]
	marks?: { type: string; attrs?: Record<string, unknown> }[]
	text?: string
}
