import fc from 'fast-check'
import { Node } from 'prosemirror-model'
import { yXmlFragmentToProsemirrorJSON } from 'y-prosemirror'
import * as Y from 'yjs'
import { describe, expect, test } from 'vitest'
import { checkDocument, defaultDocumentLimits, measureDocument } from './document-check.ts'
import { schema } from './schema.ts'
import { documentFragmentName } from './yjs.ts'

// The check reads the Yjs tree directly; its reference is ProseMirror's own
// Node.check() on the document the read view builds from the same tree
// (y-prosemirror's JSON, then Node.fromJSON). On random trees of the
// schema's names, valid or not, both must say the same.

type Tree = { name: string; level?: number; children: Tree[] } | { text: string; marks: string[] }

const markAttrs: Record<string, object> = {
	strong: {},
	em: {},
	code: {},
	link: { href: 'https://example.org/', title: null },
}

const tree: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree }>((tie) => ({
	node: fc.oneof(
		{ depthSize: 'small', withCrossShrink: true },
		fc.record({ text: fc.constantFrom('a', 'bc'), marks: fc.subarray(Object.keys(markAttrs)) }),
		fc.record({
			name: fc.constantFrom('paragraph', 'heading', 'blockquote', 'bullet_list', 'ordered_list', 'list_item', 'code_block', 'horizontal_rule', 'hard_break'),
			level: fc.integer({ min: 1, max: 6 }),
			children: fc.array(tie('node'), { maxLength: 3 }),
		}),
	),
})).node

function build(roots: Tree[]): Y.XmlFragment {
	const doc = new Y.Doc()
	const fragment = doc.getXmlFragment(documentFragmentName)
	const make = (node: Tree): Y.XmlElement | Y.XmlText => {
		if ('text' in node) {
			const text = new Y.XmlText()
			text.insert(0, node.text, Object.fromEntries(node.marks.map((mark) => [mark, markAttrs[mark]])))
			return text
		}
		const element = new Y.XmlElement(node.name)
		if (node.name === 'heading') element.setAttribute('level', node.level as never)
		element.insert(0, node.children.map(make))
		return element
	}
	fragment.insert(0, roots.map(make))
	return fragment
}

function referenceAccepts(fragment: Y.XmlFragment): boolean {
	try {
		Node.fromJSON(schema, yXmlFragmentToProsemirrorJSON(fragment)).check()
		return true
	} catch {
		return false
	}
}

describe('checkDocument', () => {
	test('agrees with Node.check() on random trees of the schema’s nodes and marks', () => {
		let valid = 0
		fc.assert(
			fc.property(fc.array(tree, { maxLength: 4 }), (roots) => {
				const fragment = build(roots)
				const accepted = checkDocument(fragment).problem === null
				expect(accepted).toBe(referenceAccepts(fragment))
				if (accepted) valid++
			}),
			{ seed: 12, numRuns: 3000 },
		)
		// The generator must reach both answers for the comparison to mean anything.
		expect(valid).toBeGreaterThan(50)
	})

	test('refuses depth past the limit without recursing, and counts what it reads', () => {
		const doc = new Y.Doc()
		const fragment = doc.getXmlFragment(documentFragmentName)
		doc.transact(() => {
			let parent: Y.XmlFragment | Y.XmlElement = fragment
			for (let i = 0; i < 20_000; i++) {
				const quote = new Y.XmlElement('blockquote')
				parent.insert(0, [quote])
				parent = quote
			}
		})
		expect(checkDocument(fragment).problem).toBe(`nested deeper than ${defaultDocumentLimits.maxDepth} levels`)
		expect(measureDocument(fragment)).toEqual({ nodes: 20_000, textLength: 0 })
	})
})
