import { Fragment, Mark, type MarkType, type Node as ProseMirrorNode, type NodeType } from 'prosemirror-model'
import * as Y from 'yjs'
import { safeHref } from './safe-url.ts'
import { maxDocumentDepth, schema } from './schema.ts'

/**
 * Reading a stored Y.XmlFragment that the schema may not accept: a document
 * broken before the server checked updates (old data, a bug, a journal) must
 * still render, be searched and exported. y-prosemirror's own conversion
 * throws on the first unknown node or attribute and recurses once per level,
 * so 5,000 nested elements overflow the stack; this reader walks the tree
 * with its own stack, keeps what the schema accepts, and puts a visible
 * placeholder where it had to remove something.
 */

/** What was wrong, by kind. */
export type DamageKind =
	/** An element the schema does not know (its text is kept). */
	| 'unknown-node'
	/** An attribute the node does not have or whose value it refuses (dropped, the default used). */
	| 'invalid-attribute'
	/** A mark the schema does not know, or one its node does not allow (dropped). */
	| 'invalid-mark'
	/** A link whose href is not a safe URL (the link dropped, its text kept). */
	| 'unsafe-link'
	/** Content where its parent does not allow it (wrapped or moved out, or its text kept). */
	| 'misplaced-content'
	/** Nesting deeper than maxSalvageDepth (flattened into paragraphs of its text). */
	| 'too-deep'
	/** Something that is neither element nor text (embeds, hooks): removed. */
	| 'unreadable'

export interface DocumentDamage {
	/** How many things were changed; 0 for a document the schema accepts as it is. */
	count: number
	kinds: Partial<Record<DamageKind, number>>
}

export interface SalvagedDocument {
	doc: ProseMirrorNode
	damage: DocumentDamage
}

/** The text standing where something was removed. */
export const removedContentPlaceholder = '[Unreadable content removed]'

/**
 * Nesting kept as it is: the schema's maxDocumentDepth, which the server's
 * update check enforces; deeper stored elements become paragraphs of their
 * text at this level.
 */
export const maxSalvageDepth = maxDocumentDepth

/** A change made while reading: counted once per place. */
class DamageLog {
	readonly kinds: Partial<Record<DamageKind, number>> = {}
	count = 0
	add(kind: DamageKind) {
		this.count++
		this.kinds[kind] = (this.kinds[kind] ?? 0) + 1
	}
}

/** What a change that needs the document's text as stored (annotating, freezing) answers while it is damaged. */
export const damagedDocumentRefusal = 'This document is damaged and must be repaired first: its owner or a moderator can repair it from its page.'

/**
 * Whether reading found anything that makes the text read differ from the
 * Yjs tree. An unsafe link alone does not: its words stay where they are
 * with the link taken off (as the schema reads stored JSON), so highlights,
 * annotating and freezing are unaffected, and the live editor takes the link
 * off the stored document itself (unlinkUnsafeHrefs in yjs.ts).
 */
export function isDamaged(damage: DocumentDamage): boolean {
	return damage.count - (damage.kinds['unsafe-link'] ?? 0) > 0
}

/** One line for logs and notices: "2 unknown-node, 1 unsafe-link". */
export function describeDamage(damage: DocumentDamage): string {
	return Object.entries(damage.kinds)
		.map(([kind, n]) => `${n} ${kind}`)
		.join(', ')
}

/**
 * The document in `fragment`, valid in the schema whatever the fragment
 * holds. Never throws: if reading fails unexpectedly, the document is its
 * text, one paragraph per run, after a placeholder.
 */
export function salvageFragment(fragment: Y.XmlFragment): SalvagedDocument {
	const damage = new DamageLog()
	try {
		const doc = readTree(fragment, damage)
		doc.check()
		return { doc, damage: { count: damage.count, kinds: damage.kinds } }
	} catch (error) {
		// Not expected: the tree walk builds only checked nodes. The text is still worth showing.
		console.error('[salvage] reading a document failed; keeping only its text:', error)
		const fallback = new DamageLog()
		fallback.add('unreadable')
		const paragraphs = [placeholderParagraph(), ...textRuns(fragment).map((text) => paragraphOf(schema.text(text)))]
		return { doc: schema.topNodeType.create(null, paragraphs), damage: { count: fallback.count, kinds: fallback.kinds } }
	}
}

/** A piece of content on its way up the tree: a checked node, or a node that did not fit below and is moved up. */
type Piece = ProseMirrorNode

interface Frame {
	/** null for the fragment itself (the doc node). */
	element: Y.XmlElement | null
	type: NodeType | null
	children: unknown[]
	next: number
	depth: number
	pieces: Piece[]
}

function readTree(fragment: Y.XmlFragment, damage: DamageLog): ProseMirrorNode {
	const root: Frame = { element: null, type: schema.topNodeType, children: fragment.toArray(), next: 0, depth: 0, pieces: [] }
	const stack: Frame[] = [root]
	for (;;) {
		const frame = stack.at(-1)!
		if (frame.next < frame.children.length) {
			const child = frame.children[frame.next++]
			if (child instanceof Y.XmlText) {
				frame.pieces.push(...textPieces(child, damage))
			} else if (child instanceof Y.XmlElement) {
				if (frame.depth + 1 >= maxSalvageDepth && !isPlainParagraph(child)) {
					damage.add('too-deep')
					frame.pieces.push(placeholderParagraph(), ...textRuns(child).map((text) => paragraphOf(schema.text(text))))
					continue
				}
				const type = schema.nodes[child.nodeName]
				const known = type && type !== schema.topNodeType && !type.isText ? type : null
				if (!known) {
					damage.add('unknown-node')
					frame.pieces.push(placeholderParagraph())
				}
				stack.push({ element: child, type: known, children: child.toArray(), next: 0, depth: frame.depth + 1, pieces: [] })
			} else {
				damage.add('unreadable')
				frame.pieces.push(placeholderParagraph())
			}
			continue
		}
		stack.pop()
		if (frame === root) return buildDoc(frame.pieces, damage)
		const parent = stack.at(-1)!
		// An unknown element is unwrapped: its content takes its place.
		if (!frame.type) parent.pieces.push(...frame.pieces)
		else parent.pieces.push(...buildNode(frame.type, attributesOf(frame.type, frame.element!, damage), frame.pieces, damage))
	}
}

/** The text of an XmlText as text nodes with the marks the schema knows. */
function textPieces(text: Y.XmlText, damage: DamageLog): Piece[] {
	const pieces: Piece[] = []
	for (const op of text.toDelta() as { insert: unknown; attributes?: Record<string, unknown> }[]) {
		if (typeof op.insert !== 'string') {
			damage.add('unreadable')
			pieces.push(placeholderParagraph())
			continue
		}
		if (op.insert === '') continue
		pieces.push(schema.text(op.insert, marksOf(op.attributes, damage)))
	}
	return pieces
}

// y-prosemirror names a second mark of one type `name--<8 chars of hash>`.
const hashedMarkName = /^(.*)--[a-zA-Z0-9+/=]{8}$/

function marksOf(attributes: Record<string, unknown> | undefined, damage: DamageLog): readonly Mark[] {
	let marks: readonly Mark[] = Mark.none
	for (const [key, value] of Object.entries(attributes ?? {})) {
		const type: MarkType | undefined = schema.marks[hashedMarkName.exec(key)?.[1] ?? key]
		if (!type) {
			damage.add('invalid-mark')
			continue
		}
		const raw = value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {}
		const mark = type.name === 'link' ? linkMark(raw, damage) : plainMark(type, raw, damage)
		if (mark) marks = mark.addToSet(marks)
	}
	return marks
}

function linkMark(raw: Record<string, unknown>, damage: DamageLog): Mark | null {
	const href = safeHref(raw.href)
	if (href === null) {
		damage.add('unsafe-link')
		return null
	}
	const title = typeof raw.title === 'string' ? raw.title : null
	if (href !== raw.href || (raw.title !== undefined && raw.title !== null && title === null)) damage.add('invalid-attribute')
	return schema.mark('link', { href, title })
}

function plainMark(type: MarkType, raw: Record<string, unknown>, damage: DamageLog): Mark | null {
	const declared = Object.keys(type.spec.attrs ?? {})
	if (Object.keys(raw).some((key) => !declared.includes(key))) damage.add('invalid-attribute')
	try {
		return type.create(Object.fromEntries(declared.filter((key) => key in raw).map((key) => [key, raw[key]])))
	} catch {
		damage.add('invalid-mark')
		return null
	}
}

/** Whether the schema's own `validate` accepts `value` as this attribute. */
function acceptsAttribute(type: NodeType, key: string, value: unknown): boolean {
	try {
		type.create({ [key]: value })
		return true
	} catch {
		return false
	}
}

/** The element's attributes the node type declares and accepts; the rest dropped (defaults used). */
function attributesOf(type: NodeType, element: Y.XmlElement, damage: DamageLog): Record<string, unknown> {
	const raw = element.getAttributes() as Record<string, unknown>
	const declared = type.spec.attrs ?? {}
	const attrs: Record<string, unknown> = {}
	for (const [key, value] of Object.entries(raw)) {
		if (!(key in declared) || !acceptsAttribute(type, key, value)) {
			damage.add('invalid-attribute')
			continue
		}
		attrs[key] = value
	}
	try {
		type.create(attrs)
		return attrs
	} catch {
		// The schema's own `validate` refused one: keep the defaults of them all.
		damage.add('invalid-attribute')
		return {}
	}
}

/**
 * Builds `type` from the pieces read inside it. Pieces it cannot hold are
 * wrapped when a wrapper fits (text in a list: list item and paragraph) or
 * else moved up after it, splitting it there (a quote found inside a
 * paragraph ends the paragraph); returns the node(s) and what moved up.
 */
function buildNode(type: NodeType, attrs: Record<string, unknown>, pieces: Piece[], damage: DamageLog): Piece[] {
	if (type.isLeaf) {
		if (pieces.length > 0) damage.add('misplaced-content')
		return [type.create(attrs), ...pieces]
	}
	const out: Piece[] = []
	let content: ProseMirrorNode[] = []
	let match = type.contentMatch
	let built = 0
	const close = (always: boolean) => {
		if (content.length === 0 && !always) return
		const end = match.fillBefore(Fragment.empty, true)
		out.push(type.createChecked(attrs, Fragment.from(content).append(end ?? Fragment.empty)))
		built++
		content = []
		match = type.contentMatch
	}
	const fitted = fitPieces(type, pieces, damage)
	for (const piece of fitted) {
		const next = match.matchType(piece.type)
		if (next && marksAllowed(type, piece)) {
			content.push(piece)
			match = next
			continue
		}
		const wrapped = wrapFor(match.findWrapping(piece.type), piece)
		if (wrapped) {
			damage.add('misplaced-content')
			content.push(wrapped.node)
			match = match.matchType(wrapped.node.type)!
			continue
		}
		damage.add('misplaced-content')
		close(false)
		out.push(piece)
	}
	close(built === 0)
	return out
}

/** The doc: what reached the top and fits nowhere else becomes a paragraph of its text, or goes. */
function buildDoc(pieces: Piece[], damage: DamageLog): ProseMirrorNode {
	const doc = schema.topNodeType
	const content: ProseMirrorNode[] = []
	let match = doc.contentMatch
	for (const piece of fitPieces(doc, pieces, damage)) {
		const next = match.matchType(piece.type)
		if (next) {
			content.push(piece)
			match = next
			continue
		}
		const wrapped = wrapFor(match.findWrapping(piece.type), piece)
		damage.add('misplaced-content')
		const node = wrapped?.node ?? (piece.textContent ? paragraphOf(schema.text(piece.textContent)) : null)
		if (!node) continue
		content.push(node)
		match = match.matchType(node.type) ?? match
	}
	const end = match.fillBefore(Fragment.empty, true)
	return doc.createChecked(null, Fragment.from(content).append(end ?? Fragment.empty))
}

/**
 * Inside a block container, consecutive inline pieces go into one paragraph
 * (bare text at the top level); inside a code block, line breaks are
 * newlines and marks go.
 */
function fitPieces(type: NodeType, pieces: Piece[], damage: DamageLog): Piece[] {
	if (type.inlineContent) {
		if (!type.spec.code) return pieces
		return pieces.map((piece) => {
			if (piece.type.name === 'hard_break') return schema.text('\n')
			if (piece.isText && piece.marks.length > 0) {
				damage.add('invalid-mark')
				return piece.mark(Mark.none)
			}
			return piece
		})
	}
	const out: Piece[] = []
	let run: ProseMirrorNode[] = []
	const flush = () => {
		if (run.length === 0) return
		damage.add('misplaced-content')
		out.push(paragraphOf(run))
		run = []
	}
	for (const piece of pieces) {
		if (piece.isInline) run.push(piece)
		else {
			flush()
			out.push(piece)
		}
	}
	flush()
	return out
}

function marksAllowed(parent: NodeType, piece: ProseMirrorNode): boolean {
	return piece.marks.every((mark) => parent.allowsMarkType(mark.type))
}

/** `piece` inside the wrapper types (outermost first), filled so each is valid; null if that cannot be done. */
function wrapFor(wrapping: readonly NodeType[] | null, piece: ProseMirrorNode): { node: ProseMirrorNode } | null {
	if (!wrapping || wrapping.length === 0) return null
	let node: ProseMirrorNode | null = piece
	for (let i = wrapping.length - 1; i >= 0 && node; i--) node = wrapping[i]!.createAndFill(null, node)
	return node ? { node } : null
}

/**
 * What flattening leaves at the deepest level kept: a paragraph of text only,
 * read as it is there, so that a salvaged document reads again unchanged.
 */
function isPlainParagraph(element: Y.XmlElement): boolean {
	return element.nodeName === 'paragraph' && element.toArray().every((child) => child instanceof Y.XmlText)
}

function placeholderParagraph(): ProseMirrorNode {
	return paragraphOf(schema.text(removedContentPlaceholder))
}

function paragraphOf(content: ProseMirrorNode | readonly ProseMirrorNode[]): ProseMirrorNode {
	return schema.node('paragraph', null, content)
}

/** The text under `root`, one string per non-empty XmlText, walked without recursion. */
function textRuns(root: Y.XmlFragment | Y.XmlElement): string[] {
	const runs: string[] = []
	const stack: unknown[] = [root]
	while (stack.length > 0) {
		const node = stack.pop()
		if (node instanceof Y.XmlText) {
			const text = (node.toDelta() as { insert: unknown }[])
				.map((op) => (typeof op.insert === 'string' ? op.insert : ''))
				.join('')
			if (text) runs.push(text)
		} else if (node instanceof Y.XmlElement || node instanceof Y.XmlFragment) {
			const children = node.toArray()
			for (let i = children.length - 1; i >= 0; i--) stack.push(children[i])
		}
	}
	return runs
}
