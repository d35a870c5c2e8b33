import type { Node as ProseMirrorNode } from 'prosemirror-model'
import { prosemirrorToYXmlFragment, yXmlFragmentToProsemirrorJSON } from 'y-prosemirror'
import * as Y from 'yjs'
import { safeHref } from './safe-url.ts'
import { documentFromJSON, type DocumentJSON } from './schema.ts'

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

/** The ProseMirror document held in a Y.Doc (a link the schema refuses is read as plain text). */
export function yDocToDocument(ydoc: Y.Doc): ProseMirrorNode {
	return documentFromJSON(yXmlFragmentToProsemirrorJSON(ydoc.getXmlFragment(documentFragmentName)) as DocumentJSON)
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
