import type { Node as ProseMirrorNode } from 'prosemirror-model'
import { prosemirrorToYXmlFragment } from 'y-prosemirror'
import * as Y from 'yjs'
import { safeHref } from './safe-url.ts'
import { salvageFragment, type SalvagedDocument } from './salvage.ts'

/** The name of the Y.XmlFragment holding the document, as y-prosemirror's ySyncPlugin binds it. */
export const documentFragmentName = 'prosemirror'

/** A fresh Yjs update that creates `doc`: what an import stores as the document's first snapshot. */
export function documentToYUpdate(doc: ProseMirrorNode): Uint8Array {
	const ydoc = new Y.Doc()
	prosemirrorToYXmlFragment(doc, ydoc.getXmlFragment(documentFragmentName))
	const update = Y.encodeStateAsUpdate(ydoc)
	ydoc.destroy()
	return update
}

/**
 * The ProseMirror document held in a Y.Doc, whatever the Y.Doc holds: what
 * the schema refuses is left out and marked (see salvage.ts), so one broken
 * document never fails a page, a search or an export.
 */
export function yDocToDocument(ydoc: Y.Doc): ProseMirrorNode {
	return readYDoc(ydoc).doc
}

/** The document held in a Y.Doc and what had to be changed to read it (nothing, for a document the schema accepts). */
export function readYDoc(ydoc: Y.Doc): SalvagedDocument {
	return salvageFragment(ydoc.getXmlFragment(documentFragmentName))
}

/**
 * Takes the link off every run of text in `types` (and below) whose href the
 * schema refuses, keeping the words. y-prosemirror cannot build such a run
 * into the editor's document and deletes the whole Y.XmlText it sits in (its
 * createTextNodesFromYText catches the schema's RangeError), which would lose
 * a paragraph of a document stored before the rule. The change is not `local`
 * (it is no edit of this user's, for "Saving…"), but it is sent like any other,
 * so a writer's client repairs the stored document. Returns how many runs it changed.
 */
export function unlinkUnsafeHrefs(types: Iterable<Y.AbstractType<any>>, origin: unknown): number {
	const unsafe: { text: Y.XmlText; index: number; length: number; attribute: string }[] = []
	const visit = (type: Y.AbstractType<any>) => {
		if (type instanceof Y.XmlText) {
			let index = 0
			for (const op of type.toDelta() as { insert: unknown; attributes?: Record<string, { href?: unknown } | null> }[]) {
				const length = typeof op.insert === 'string' ? op.insert.length : 1
				for (const [attribute, value] of Object.entries(op.attributes ?? {})) {
					// y-prosemirror names a mark's attribute `link`, or `link--<hash>` when marks of a type overlap.
					if (/^link(--|$)/.test(attribute) && safeHref(value?.href) === null) unsafe.push({ text: type, index, length, attribute })
				}
				index += length
			}
		} else if (type instanceof Y.XmlElement || type instanceof Y.XmlFragment) {
			for (const child of type.toArray()) if (child instanceof Y.AbstractType) visit(child)
		}
	}
	let doc: Y.Doc | null = null
	for (const type of types) {
		doc ??= type.doc
		visit(type)
	}
	if (unsafe.length === 0 || !doc) return 0
	Y.transact(
		doc,
		() => {
			for (const run of unsafe) run.text.format(run.index, run.length, { [run.attribute]: null })
		},
		origin,
		false,
	)
	return unsafe.length
}

/** The ProseMirror document after applying stored updates in order (snapshot first, then the log). */
export function documentFromUpdates(updates: readonly Uint8Array[]): ProseMirrorNode {
	const ydoc = new Y.Doc()
	for (const update of updates) Y.applyUpdate(ydoc, update)
	const doc = yDocToDocument(ydoc)
	ydoc.destroy()
	return doc
}

/**
 * Levels of nesting deleted per transaction by contentReplacementSteps. Yjs
 * deletes a subtree recursively, and every peer applies a deletion from the
 * top down, so one transaction deleting 5,000 nested elements overflows the
 * stack of the server and of every client that receives it.
 */
export const deletionSliceDepth = 200

/**
 * The transactions, in order, that replace the content of `ydoc`'s document
 * with `doc` (a repair): a deep tree is deleted from the bottom up,
 * `deletionSliceDepth` levels at a time, each slice its own update; the last
 * deletes the top level and writes `doc`. One step for an ordinary document.
 */
export function contentReplacementSteps(ydoc: Y.Doc, doc: ProseMirrorNode): (() => void)[] {
	const fragment = ydoc.getXmlFragment(documentFragmentName)
	// Every element with its depth (top-level children are at depth 1), without recursion.
	const byDepth = new Map<number, Y.XmlElement[]>()
	let deepest = 0
	const stack: [Y.XmlFragment | Y.XmlElement, number][] = [[fragment, 0]]
	while (stack.length > 0) {
		const [parent, depth] = stack.pop()!
		for (const child of parent.toArray()) {
			if (!(child instanceof Y.XmlElement)) continue
			const level = depth + 1
			if (level % deletionSliceDepth === 0) byDepth.set(level, [...(byDepth.get(level) ?? []), child])
			deepest = Math.max(deepest, level)
			stack.push([child, level])
		}
	}
	const steps: (() => void)[] = []
	for (let level = deepest - (deepest % deletionSliceDepth); level > 0; level -= deletionSliceDepth) {
		const elements = byDepth.get(level) ?? []
		steps.push(() => {
			for (const element of elements) if (element.length > 0) element.delete(0, element.length)
		})
	}
	steps.push(() => {
		fragment.delete(0, fragment.length)
		prosemirrorToYXmlFragment(doc, fragment)
	})
	return steps
}