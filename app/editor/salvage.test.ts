import { readFileSync } from 'node:fs'
import type { Node as ProseMirrorNode } from 'prosemirror-model'
import { describe, expect, test } from 'vitest'
import { yXmlFragmentToProsemirror } from 'y-prosemirror'
import * as Y from 'yjs'
import { importDocument } from '#server/import/index.ts'
import { isDamaged, maxSalvageDepth, removedContentPlaceholder, salvageFragment } from './salvage.ts'
import { schema } from './schema.ts'
import { documentFragmentName, documentToYUpdate, readYDoc } from './yjs.ts'

// The document builder: doc(p('hi')).
type Content = ProseMirrorNode | string
const block =
	(type: string, attrs?: Record<string, unknown>) =>
	(...content: Content[]) =>
		schema.node(type, attrs, content.map((c) => (typeof c === 'string' ? schema.text(c) : c)))
const doc = block('doc')
const p = block('paragraph')
const h = (level: number) => block('heading', { level })
const blockquote = block('blockquote')
const ul = block('bullet_list')
const li = block('list_item')
const pre = block('code_block')
const placeholder = () => p(removedContentPlaceholder)

/** A Y.Doc whose fragment is built by `build`, as a crafted update would leave it. */
function crafted(build: (fragment: Y.XmlFragment) => void): Y.XmlFragment {
	const ydoc = new Y.Doc()
	const fragment = ydoc.getXmlFragment(documentFragmentName)
	ydoc.transact(() => build(fragment))
	// Through an update, as the server reads it from storage.
	const stored = new Y.Doc()
	Y.applyUpdate(stored, Y.encodeStateAsUpdate(ydoc))
	return stored.getXmlFragment(documentFragmentName)
}

function element(name: string, children: (Y.XmlElement | Y.XmlText)[] = [], attrs: Record<string, unknown> = {}): Y.XmlElement {
	const el = new Y.XmlElement(name)
	for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, value as string)
	el.insert(0, children)
	return el
}

function text(value: string, attributes?: Record<string, unknown>): Y.XmlText {
	const t = new Y.XmlText()
	t.insert(0, value, attributes)
	return t
}

describe('salvageFragment', () => {
	test('a valid document reads exactly as y-prosemirror reads it, with no damage', () => {
		const sample = importDocument({
			bytes: readFileSync(new URL('../../seeds/documents/stalin-1924-1953.txt', import.meta.url)),
			filename: 'stalin-1924-1953.txt',
		})
		if (!sample.ok) throw new Error(sample.error)
		const ydoc = new Y.Doc()
		Y.applyUpdate(ydoc, documentToYUpdate(sample.doc))
		const fragment = ydoc.getXmlFragment(documentFragmentName)
		const salvaged = salvageFragment(fragment)
		expect(salvaged.damage.count).toBe(0)
		expect(salvaged.doc.eq(yXmlFragmentToProsemirror(schema, fragment))).toBe(true)
		expect(salvaged.doc.eq(sample.doc)).toBe(true)
	})

	test('every node and mark of the schema survives unchanged', () => {
		const rich = doc(
			h(2)('Title'),
			p(schema.text('link', [schema.mark('link', { href: 'https://example.org/', title: 't' })]), ' and ', schema.text('em', [schema.mark('em')])),
			blockquote(p('quoted')),
			ul(li(p('one'), blockquote(p('inner')))),
			schema.node('ordered_list', { order: 3 }, [li(p('three'))]),
			pre('code\nblock'),
			schema.node('horizontal_rule'),
			p('a', schema.node('hard_break'), 'b'),
		)
		const ydoc = new Y.Doc()
		Y.applyUpdate(ydoc, documentToYUpdate(rich))
		const salvaged = salvageFragment(ydoc.getXmlFragment(documentFragmentName))
		expect(salvaged.damage.count).toBe(0)
		expect(salvaged.doc.eq(rich)).toBe(true)
	})

	test('an unknown element is replaced by a placeholder and its text is kept', () => {
		const fragment = crafted((f) => f.insert(0, [element('paragraph', [text('before')]), element('script', [text('alert(1)')])]))
		const { doc: read, damage } = salvageFragment(fragment)
		expect(read.eq(doc(p('before'), placeholder(), p('alert(1)')))).toBe(true)
		expect(damage.kinds['unknown-node']).toBe(1)
		expect(() => yXmlFragmentToProsemirror(schema, fragment)).toThrow(/Unknown node type: script/)
	})

	test('an unknown element inside a paragraph splits it around the placeholder', () => {
		const fragment = crafted((f) => f.insert(0, [element('paragraph', [text('a'), element('iframe', [text('b')]), text('c')])]))
		const { doc: read, damage } = salvageFragment(fragment)
		expect(read.textContent).toContain('a')
		expect(read.textContent).toContain(removedContentPlaceholder)
		expect(read.textContent).toContain('c')
		expect(damage.kinds['unknown-node']).toBe(1)
	})

	test('attributes a node does not have, or values it refuses, are dropped', () => {
		const fragment = crafted((f) =>
			f.insert(0, [
				element('heading', [text('seven')], { level: 7 }),
				element('heading', [text('nan')], { level: 'x' }),
				element('paragraph', [text('styled')], { onclick: 'alert(1)' }),
				element('ordered_list', [element('list_item', [element('paragraph', [text('i')])])], { order: -4 }),
			]),
		)
		const { doc: read, damage } = salvageFragment(fragment)
		expect(read.eq(doc(h(1)('seven'), h(1)('nan'), p('styled'), schema.node('ordered_list', { order: 1 }, [li(p('i'))])))).toBe(true)
		expect(damage.kinds['invalid-attribute']).toBe(4)
	})

	test('bare text at the top level goes into a paragraph', () => {
		const fragment = crafted((f) => f.insert(0, [text('bare'), element('paragraph', [text('kept')])]))
		const { doc: read, damage } = salvageFragment(fragment)
		expect(read.eq(doc(p('bare'), p('kept')))).toBe(true)
		expect(damage.kinds['misplaced-content']).toBe(1)
	})

	test('an empty fragment is one empty paragraph', () => {
		const { doc: read } = salvageFragment(crafted(() => {}))
		expect(read.eq(doc(p()))).toBe(true)
	})

	test('misplaced blocks are wrapped or moved out, never dropped', () => {
		const fragment = crafted((f) =>
			f.insert(0, [
				element('bullet_list', [element('paragraph', [text('loose item')])]),
				element('paragraph', [text('outer'), element('blockquote', [element('paragraph', [text('inner')])])]),
				element('list_item', [element('paragraph', [text('orphan item')])]),
				element('blockquote', []),
			]),
		)
		const { doc: read, damage } = salvageFragment(fragment)
		expect(read.eq(doc(ul(li(p('loose item'))), p('outer'), blockquote(p('inner')), ul(li(p('orphan item'))), blockquote(p())))).toBe(true)
		expect(damage.kinds['misplaced-content']).toBeGreaterThanOrEqual(3)
	})

	test('unknown marks and links that are not safe URLs are dropped, their text kept', () => {
		const fragment = crafted((f) =>
			f.insert(0, [
				element('paragraph', [
					text('js', { link: { href: 'javascript:alert(1)', title: null } }),
					text(' proto', { link: { href: '//evil.example/', title: null } }),
					text(' blink', { blink: {} }),
					text(' ok', { 'link--AbCd1234': { href: 'https://example.org/', title: null } }),
				]),
			]),
		)
		const { doc: read, damage } = salvageFragment(fragment)
		expect(read.textContent).toBe('js proto blink ok')
		const links: string[] = []
		read.descendants((node) => {
			for (const mark of node.marks) if (mark.type.name === 'link') links.push(mark.attrs.href as string)
		})
		expect(links).toEqual(['https://example.org/'])
		expect(damage.kinds['unsafe-link']).toBe(2)
		expect(damage.kinds['invalid-mark']).toBe(1)
		expect(isDamaged(damage)).toBe(true)
	})

	test('a document whose only fault is an unsafe link reads word for word and is not damaged (the editor opens it)', () => {
		const fragment = crafted((f) =>
			f.insert(0, [element('paragraph', [text('click ', {}), text('here', { link: { href: 'javascript:alert(1)', title: null } })])]),
		)
		const { doc: read, damage } = salvageFragment(fragment)
		expect(read.textContent).toBe('click here')
		expect(damage.kinds['unsafe-link']).toBe(1)
		expect(isDamaged(damage)).toBe(false)
	})

	test('marks inside a code block and embeds in text are removed', () => {
		const fragment = crafted((f) => {
			const code = text('x', { strong: {} })
			const para = text('a')
			f.insert(0, [element('code_block', [code]), element('paragraph', [para])])
			para.insertEmbed(1, { image: 'https://example.org/x.png' })
		})
		const { doc: read, damage } = salvageFragment(fragment)
		expect(read.child(0).eq(pre('x'))).toBe(true)
		expect(read.textContent).toContain(removedContentPlaceholder)
		expect(damage.kinds['invalid-mark']).toBe(1)
		expect(damage.kinds.unreadable).toBe(1)
	})

	test('5,000 nested elements are read without recursion and flattened past the limit', () => {
		const fragment = crafted((f) => {
			let parent: Y.XmlFragment | Y.XmlElement = f
			for (let i = 0; i < 5000; i++) {
				const quote = new Y.XmlElement('blockquote')
				parent.insert(0, [quote])
				parent = quote
			}
			parent.insert(0, [element('paragraph', [text('at the bottom')])])
		})
		const { doc: read, damage } = salvageFragment(fragment)
		expect(damage.kinds['too-deep']).toBe(1)
		expect(read.textContent).toContain('at the bottom')
		let depth = 0
		read.nodesBetween(0, read.content.size, (_node, pos) => {
			depth = Math.max(depth, read.resolve(pos).depth)
		})
		expect(depth).toBeLessThanOrEqual(maxSalvageDepth + 1)
		expect(() => read.check()).not.toThrow()
	})

	test('what it reads, stored again, reads unchanged with no damage (a repair is done once)', () => {
		const fragment = crafted((f) => {
			let parent: Y.XmlFragment | Y.XmlElement = f
			for (let i = 0; i < 300; i++) {
				const quote = new Y.XmlElement('blockquote')
				parent.insert(0, [quote])
				parent = quote
			}
			parent.insert(0, [element('paragraph', [text('deep'), element('hard_break'), text('er')])])
			f.insert(0, [text('bare'), element('script', [text('x')]), element('heading', [text('h')], { level: 9 })])
		})
		const first = salvageFragment(fragment)
		expect(first.damage.count).toBeGreaterThan(0)
		const again = new Y.Doc()
		Y.applyUpdate(again, documentToYUpdate(first.doc))
		const second = readYDoc(again)
		expect(second.damage).toEqual({ count: 0, kinds: {} })
		expect(second.doc.eq(first.doc)).toBe(true)
	})

	test('unknown nesting far past the limit (20,000 unknown elements) is read too', () => {
		const fragment = crafted((f) => {
			let parent: Y.XmlFragment | Y.XmlElement = f
			for (let i = 0; i < 20_000; i++) {
				const div = new Y.XmlElement('div')
				parent.insert(0, [div])
				parent = div
			}
			parent.insert(0, [text('deep text')])
		})
		const { doc: read } = salvageFragment(fragment)
		expect(read.textContent).toContain('deep text')
	})
})
