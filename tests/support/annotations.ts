import { initProseMirrorDoc } from 'y-prosemirror'
import type * as Y from 'yjs'
import { AnchorContext, anchorToJSON } from '#app/editor/anchoring.ts'
import { schema } from '#app/editor/schema.ts'
import { documentFragmentName } from '#app/editor/yjs.ts'

/**
 * What the editor sends to create an annotation on the first occurrence of
 * `quote` (after `after`, if given), computed from a client's own Y.Doc as
 * the browser does.
 */
export function anchorFor(ydoc: Y.Doc, quote: string, after = 0) {
	const fragment = ydoc.getXmlFragment(documentFragmentName)
	const { doc } = initProseMirrorDoc(fragment, schema) as { doc: import('prosemirror-model').Node }
	const context = new AnchorContext(ydoc, fragment, doc)
	const at = context.index.text.indexOf(quote, after)
	if (at < 0) throw new Error(`"${quote}" is not in the document`)
	const anchor = context.describe(context.index.positionOfOffset(at), context.index.positionOfOffset(at + quote.length))
	return anchorToJSON(anchor)
}
