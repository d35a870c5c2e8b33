import type { Node as ProseMirrorNode } from 'prosemirror-model'
import { prosemirrorToYXmlFragment } from 'y-prosemirror'
import * as Y from 'yjs'
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

/** The ProseMirror document after applying stored updates in order (snapshot first, then the log). */
export function documentFromUpdates(updates: readonly Uint8Array[]): ProseMirrorNode {
	const ydoc = new Y.Doc()
	for (const update of updates) Y.applyUpdate(ydoc, update)
	const doc = yDocToDocument(ydoc)
	ydoc.destroy()
	return doc
}
