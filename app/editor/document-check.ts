import { Mark, type MarkType, type NodeType } from 'prosemirror-model'
import * as Y from 'yjs'
import { safeHref } from './safe-url.ts'
import { maxDocumentDepth, schema } from './schema.ts'

/**
 * The document schema read off the Yjs tree itself, without building
 * ProseMirror nodes: what `Node.check()` would say of the document that
 * y-prosemirror makes of an XmlFragment, plus what the renderers need
 * beyond it (a heading level a tag can have, a link `safeHref` allows) and
 * bounds on depth and size. Every walk here is iterative: a document nested
 * past `maxDepth` is refused before anything recursive reads it.
 */

export interface DocumentLimits {
	/** Deepest element, counting the document's own children as depth 1. */
	maxDepth: number
	/** Elements (paragraphs, list items, hard breaks, ...) in the whole document. */
	maxNodes: number
	/** Characters of text (UTF-16 code units) in the whole document. */
	maxTextLength: number
}

/**
 * Far beyond any honest text (the longest seminar text is 7 kB and 200
 * blocks) and far below where rendering, search or export would struggle;
 * Node.check(), toJSON and the renderers recurse once per level.
 */
export const defaultDocumentLimits: DocumentLimits = {
	maxDepth: maxDocumentDepth,
	maxNodes: 200_000,
	maxTextLength: 5_000_000,
}

/** Why a node attribute stored in Yjs may not be there, or null. */
export function attributeProblem(type: NodeType, key: string, value: unknown): string | null {
	if (!(key in (type.spec.attrs ?? {}))) return `unknown attribute "${key}" on ${type.name}`
	try {
		// NodeType.create runs the schema's own `validate` (heading levels, list numbers, …).
		type.create({ [key]: value })
	} catch (error) {
		return `bad ${type.name} ${key}: ${(error as Error).message}`
	}
	return null
}

/**
 * Why a Yjs formatting attribute (y-prosemirror's encoding of a mark: key
 * the mark's name, optionally with a `--hash` suffix for overlapping marks;
 * value its attrs, null to end it) may not be in the text of a `parent`
 * node, or null.
 */
export function formatProblem(parent: NodeType | null, key: string, value: unknown): string | null {
	if (value === null) return null
	const markType = schema.marks[markName(key)]
	if (!markType) return `unknown mark "${key}"`
	if (parent && !parent.allowsMarkType(markType)) return `${markType.name} is not allowed in ${parent.name}`
	// y-prosemirror suffixes a mark's key only for marks that may overlap themselves; two of a
	// mark that excludes itself (a link over a link) are not a valid mark set.
	if (key !== markType.name && markType.excludes(markType)) return `marks that exclude each other (${key})`
	return markAttrsProblem(markType, value)
}

function markAttrsProblem(markType: MarkType, value: unknown): string | null {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return `bad ${markType.name} attributes`
	const attrs = value as Record<string, unknown>
	for (const key of Object.keys(attrs)) if (!(key in (markType.spec.attrs ?? {}))) return `unknown attribute "${key}" on ${markType.name}`
	try {
		markType.create(attrs)
	} catch (error) {
		return `bad ${markType.name}: ${(error as Error).message}`
	}
	if (markType.name === 'link') {
		if (safeHref(attrs.href) === null) return `link to a refused URL: ${JSON.stringify(attrs.href)?.slice(0, 80)}`
		if (attrs.title != null && typeof attrs.title !== 'string') return 'bad link title'
	}
	return null
}

/** y-prosemirror's key for a mark that may overlap itself: `name--hash` (yattr2markname). */
function markName(key: string): string {
	return /^(.*)--[a-zA-Z0-9+/=]{8}$/.exec(key)?.[1] ?? key
}

/** The ProseMirror node type of a Yjs element, the document's type for the fragment, or null. */
export function nodeTypeOf(type: Y.AbstractType<any>): NodeType | null {
	if (type instanceof Y.XmlElement) {
		const nodeType = schema.nodes[type.nodeName]
		return nodeType && nodeType !== schema.topNodeType && !nodeType.isText ? nodeType : null
	}
	if (type instanceof Y.XmlFragment) return schema.topNodeType
	return null
}

/** Whether a type and every type above it are still in the document. */
export function isLive(type: Y.AbstractType<any>): boolean {
	for (let item = type._item; item; item = (item.parent as Y.AbstractType<any>)._item) {
		if (item.deleted) return false
	}
	return true
}

/** Elements above `type`, up to the fragment: the depth of its children minus one. */
export function depthOf(type: Y.AbstractType<any>): number {
	let depth = 0
	for (let item = type._item; item; item = (item.parent as Y.AbstractType<any>)._item) depth++
	return depth
}

export interface ElementReport {
	problem: string | null
	/** The element children, for a walk that goes on below. */
	elements: Y.XmlElement[]
	/** Characters of text among the direct children. */
	textLength: number
}

/**
 * Checks one element (or the fragment) as Node.check() checks a node, but
 * only its own level: its name and attributes, and its direct children
 * against its content expression, their marks included.
 */
export function checkElement(type: Y.XmlElement | Y.XmlFragment): ElementReport {
	const report: ElementReport = { problem: null, elements: [], textLength: 0 }
	const nodeType = nodeTypeOf(type)
	if (!nodeType) {
		report.problem = `unknown node type "${(type as Y.XmlElement).nodeName}"`
		return report
	}
	if (type instanceof Y.XmlElement) {
		const attrs = type.getAttributes() as Record<string, unknown>
		for (const key of Object.keys(attrs)) {
			report.problem = attributeProblem(nodeType, key, attrs[key])
			if (report.problem) return report
		}
	} else if (liveMapEntries(type) > 0) {
		report.problem = 'attributes on the document'
		return report
	}
	let match = nodeType.contentMatch
	for (let item = type._start; item; item = item.right) {
		if (item.deleted) continue
		const content = item.content
		if (!(content instanceof Y.ContentType)) {
			report.problem = `${nodeType.name} holds something that is not a node`
			return report
		}
		const child = content.type
		let childType: NodeType | null
		if (child instanceof Y.XmlText) {
			const problem = textProblem(nodeType, child)
			if (problem) {
				report.problem = problem
				return report
			}
			report.textLength += child.length
			if (child.length === 0) continue
			childType = schema.nodes.text!
		} else if (child instanceof Y.XmlElement) {
			childType = nodeTypeOf(child)
			if (!childType) {
				report.problem = `unknown node type "${child.nodeName}"`
				return report
			}
			report.elements.push(child)
		} else {
			report.problem = `${nodeType.name} holds something that is not a node`
			return report
		}
		const next = match.matchType(childType)
		if (!next) {
			report.problem = `${childType.name} is not allowed here in ${nodeType.name}`
			return report
		}
		match = next
	}
	if (!match.validEnd) report.problem = `${nodeType.name} is missing required content`
	return report
}

/** Why the text of an XmlText inside a `parent` node breaks the schema, or null. */
function textProblem(parent: NodeType, text: Y.XmlText): string | null {
	if (liveMapEntries(text) > 0) return 'attributes on text'
	for (const op of text.toDelta() as { insert: unknown; attributes?: Record<string, unknown> }[]) {
		if (typeof op.insert !== 'string') return 'an embedded object in text'
		if (!op.attributes) continue
		let marks = Mark.none
		const keys = Object.keys(op.attributes)
		for (const key of keys) {
			const problem = formatProblem(parent, key, op.attributes[key])
			if (problem) return problem
			marks = schema.marks[markName(key)]!.create(op.attributes[key] as Record<string, unknown>).addToSet(marks)
		}
		// Node.check(): a mark that excludes another (a link over a link) leaves an invalid set.
		if (marks.length !== keys.length) return 'marks that exclude each other on the same text'
	}
	return null
}

function liveMapEntries(type: Y.AbstractType<any>): number {
	let count = 0
	for (const item of type._map.values()) if (!item.deleted) count++
	return count
}

export interface SubtreeReport {
	problem: string | null
	nodes: number
	textLength: number
}

/**
 * Checks `root` and everything below it (checkElement on each element),
 * iteratively, with `root` at `depth`. Stops at the first problem.
 */
export function checkSubtree(
	root: Y.XmlElement | Y.XmlFragment,
	depth: number,
	limits: DocumentLimits,
): SubtreeReport {
	const result: SubtreeReport = { problem: null, nodes: 0, textLength: 0 }
	const stack: [Y.XmlElement | Y.XmlFragment, number][] = [[root, depth]]
	while (stack.length > 0) {
		const [type, at] = stack.pop()!
		if (at > limits.maxDepth) {
			result.problem = `nested deeper than ${limits.maxDepth} levels`
			return result
		}
		const report = checkElement(type)
		if (report.problem) {
			result.problem = report.problem
			return result
		}
		result.nodes += report.elements.length
		result.textLength += report.textLength
		for (const element of report.elements) stack.push([element, at + 1])
	}
	return result
}

/** Checks a whole document (the y-prosemirror fragment), limits included. */
export function checkDocument(fragment: Y.XmlFragment, limits: DocumentLimits = defaultDocumentLimits): SubtreeReport {
	const report = checkSubtree(fragment, 0, limits)
	return report.problem ? report : { ...report, problem: sizeProblem(report, limits) }
}

export function sizeProblem(size: { nodes: number; textLength: number }, limits: DocumentLimits): string | null {
	if (size.nodes > limits.maxNodes) return `more than ${limits.maxNodes} nodes`
	if (size.textLength > limits.maxTextLength) return `more than ${limits.maxTextLength} characters`
	return null
}

/**
 * Elements and characters of text in a document, counted without checking
 * it, deleted content left out. Iterative, as a stored document may be deep.
 */
export function measureDocument(fragment: Y.XmlFragment): { nodes: number; textLength: number } {
	const size = { nodes: 0, textLength: 0 }
	const stack: Y.AbstractType<any>[] = [fragment]
	while (stack.length > 0) {
		const type = stack.pop()!
		for (let item = type._start; item; item = item.right) {
			if (item.deleted || !(item.content instanceof Y.ContentType)) continue
			const child = item.content.type
			if (child instanceof Y.XmlText) size.textLength += child.length
			else {
				size.nodes++
				stack.push(child)
			}
		}
	}
	return size
}
