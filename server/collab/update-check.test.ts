import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { yXmlFragmentToProsemirror } from 'y-prosemirror'
import * as Y from 'yjs'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { checkDocument, defaultDocumentLimits } from '#app/editor/document-check.ts'
import { schema } from '#app/editor/schema.ts'
import { documentFragmentName, documentToYUpdate } from '#app/editor/yjs.ts'
import { UpdateCheck, type CheckMessage } from './update-check.ts'

// A room's Y.Doc and a client's copy of it: the client changes its copy,
// and the update it would send is checked against the room's before the
// room applies it, as room.ts does.

const { doc: d, paragraph: p, heading: h, blockquote: bq, bullet_list: ul, list_item: li, code_block: pre } = schema.nodes as Record<
	string,
	import('prosemirror-model').NodeType
>
const t = (text: string, ...marks: import('prosemirror-model').Mark[]) => schema.text(text, marks)

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Element = Y.XmlElement<Record<string, any>>

let room: Y.Doc
let check: UpdateCheck
let client: Y.Doc
const kinds: CheckMessage[] = []
const listen = (message: unknown) => kinds.push(message as CheckMessage)

function open(content = d!.create(null, [h!.create({ level: 1 }, t('Title')), p!.create(null, t('First paragraph.')), bq!.create(null, [p!.create(null, t('Quoted.'))]), ul!.create(null, [li!.create(null, p!.create(null, t('Item')))]), pre!.create(null, t('code'))]), limits = defaultDocumentLimits) {
	room?.destroy()
	check?.destroy()
	room = new Y.Doc()
	Y.applyUpdate(room, documentToYUpdate(content))
	check = new UpdateCheck(room, limits)
	client = new Y.Doc()
	Y.applyUpdate(client, Y.encodeStateAsUpdate(room))
}

beforeEach(() => {
	open()
	kinds.length = 0
	subscribe('scholion:update-check', listen)
})
afterEach(() => {
	unsubscribe('scholion:update-check', listen)
})

const fragment = (doc: Y.Doc = client) => doc.getXmlFragment(documentFragmentName)
const block = (index: number, doc: Y.Doc = client) => fragment(doc).get(index) as Element
const textOf = (element: Element) => element.get(0) as Y.XmlText

/** The update `change` makes on the client, checked against the room; applied to the room if accepted. */
function send(change: (doc: Y.Doc) => void): string | null {
	let update: Uint8Array | null = null
	const capture = (u: Uint8Array) => (update = u)
	client.on('update', capture)
	Y.transact(client, () => change(client))
	client.off('update', capture)
	if (!update) throw new Error('the change made no update')
	const problem = check.problem(update, Y.decodeUpdate(update))
	if (problem === null) Y.applyUpdate(room, update)
	else {
		// The refused client is disconnected; whoever edits next starts from the room's state.
		client = new Y.Doc()
		Y.applyUpdate(client, Y.encodeStateAsUpdate(room))
	}
	return problem
}

/** The room's document, as the read view builds it, passes ProseMirror's own check. */
function expectRoomValid() {
	expect(checkDocument(fragment(room)).problem).toBeNull()
	expect(() => yXmlFragmentToProsemirror(schema, fragment(room)).check()).not.toThrow()
}

describe('updates that keep the document valid are accepted', () => {
	test('typing, from the structs alone', () => {
		expect(send(() => textOf(block(1)).insert(5, ' typed'))).toBeNull()
		expect(send(() => textOf(block(1)).delete(0, 5))).toBeNull()
		expect(kinds.map((k) => k.kind)).toEqual(['text', 'text'])
		expect(yXmlFragmentToProsemirror(schema, fragment(room)).child(1).textContent).toBe(' typed paragraph.')
		expectRoomValid()
	})

	test('marks, a safe link and a heading level', () => {
		expect(send(() => textOf(block(1)).format(0, 5, { strong: {} }))).toBeNull()
		expect(send(() => textOf(block(1)).format(6, 9, { link: { href: 'https://example.org/a', title: null } }))).toBeNull()
		expect(send(() => textOf(block(1)).format(0, 3, { link: { href: '/documents/1' } }))).toBeNull()
		expect(send(() => block(0).setAttribute('level', 3 as never))).toBeNull()
		expect(kinds.every((k) => k.kind === 'text')).toBe(true)
		expectRoomValid()
	})

	test('a paste of several chained items', () => {
		expect(
			send(() => {
				const text = textOf(block(1))
				text.insert(0, 'one ', { em: {} })
				text.insert(4, 'two ', { strong: {} })
				text.insert(8, 'three ')
			}),
		).toBeNull()
		expectRoomValid()
	})

	test('structural edits: a new paragraph, a list item, a deleted block', () => {
		expect(send(() => fragment().insert(2, [paragraph('Enter pressed.')]))).toBeNull()
		expect(send(() => (block(4) as Element).insert(1, [listItem('Second item')]))).toBeNull()
		expect(send(() => fragment().delete(1, 1))).toBeNull()
		expect(kinds.map((k) => k.kind)).toEqual(['structural', 'structural', 'structural'])
		expectRoomValid()
		expect(fragment(room).length).toBe(5)
	})

	test('many structural edits in a row, and text after them (the shadow kept in step)', () => {
		for (let i = 0; i < 20; i++) expect(send(() => fragment().insert(1, [paragraph(`P${i}`)]))).toBeNull()
		expect(send(() => textOf(block(1)).insert(0, 'x'))).toBeNull()
		expect(send(() => fragment().delete(2, 5))).toBeNull()
		expectRoomValid()
	})

	test('an update that arrives before one it depends on: held, then checked with it', () => {
		// Two edits made offline; the second reaches the server first (it waits, pending).
		let first: Uint8Array | null = null
		let second: Uint8Array | null = null
		client.once('update', (u: Uint8Array) => (first = u))
		fragment().insert(1, [paragraph('Offline one.')])
		client.once('update', (u: Uint8Array) => (second = u))
		textOf(block(1)).insert(0, 'And more. ')
		expect(check.problem(second!, Y.decodeUpdate(second!))).toBeNull()
		Y.applyUpdate(room, second!)
		expect(room.store.pendingStructs).not.toBeNull()
		expect(check.problem(first!, Y.decodeUpdate(first!))).toBeNull()
		Y.applyUpdate(room, first!)
		expect(yXmlFragmentToProsemirror(schema, fragment(room)).child(1).textContent).toBe('And more. Offline one.')
		expectRoomValid()
	})
})

describe('updates that would break the document are refused', () => {
	test.each<[string, (doc: Y.Doc) => void, RegExp]>([
		['an unknown node (script)', () => fragment().insert(1, [new Y.XmlElement('script')]), /unknown node type "script"/],
		['a new heading of level 99', () => fragment().insert(1, [element('heading', { level: 99 }, [new Y.XmlText('x')])]), /heading level/],
		['a heading level set to 99', () => block(0).setAttribute('level', 99 as never), /heading level/],
		['a heading level that is a string', () => block(0).setAttribute('level', '2'), /heading level/],
		['an unknown attribute', () => block(1).setAttribute('onclick', 'alert(1)'), /unknown attribute "onclick"/],
		['bare text at the top level', () => fragment().insert(1, [new Y.XmlText('bare')]), /text is not allowed here in doc/],
		['a list item outside a list', () => fragment().insert(1, [listItem('loose')]), /list_item is not allowed here in doc/],
		['a paragraph inside a paragraph', () => block(1).insert(0, [paragraph('inner')]), /paragraph is not allowed here in paragraph/],
		['an empty blockquote', () => fragment().insert(1, [new Y.XmlElement('blockquote')]), /blockquote is missing required content/],
		['the last paragraph of a blockquote deleted', () => block(2).delete(0, 1), /blockquote is missing required content/],
		['the whole document deleted', () => fragment().delete(0, fragment().length), /doc is missing required content/],
		['a javascript: link', () => textOf(block(1)).format(0, 5, { link: { href: 'javascript:alert(document.cookie)' } }), /refused URL|href must be an http\(s\), mailto or same-site URL/],
		['a tab-split java\tscript: link', () => textOf(block(1)).format(0, 5, { link: { href: 'java\tscript:alert(1)' } }), /refused URL|href must be an http\(s\), mailto or same-site URL/],
		['a protocol-relative link', () => textOf(block(1)).format(0, 5, { link: { href: '//evil.example' } }), /refused URL|href must be an http\(s\), mailto or same-site URL/],
		['a link without an href', () => textOf(block(1)).format(0, 5, { link: { title: 'x' } }), /bad link/],
		['a link with an unknown attribute', () => textOf(block(1)).format(0, 5, { link: { href: 'https://a.example', onclick: 'x' } }), /unknown attribute "onclick" on link/],
		['an unsafe link in a new paragraph', () => fragment().insert(1, [paragraph('click', { link: { href: 'javascript:x' } })]), /refused URL|href must be an http\(s\), mailto or same-site URL/],
		['an unknown mark', () => textOf(block(1)).format(0, 5, { blink: {} }), /unknown mark "blink"/],
		['a mark in a code block', () => textOf(block(4)).format(0, 2, { strong: {} }), /strong is not allowed in code_block/],
		['two links over the same text', () => textOf(block(1)).format(0, 5, { link: { href: 'https://a.example' }, 'link--abcdefgh': { href: 'https://b.example' } }), /exclude each other/],
		['an embedded object in text', () => textOf(block(1)).insertEmbed(0, { image: 'x' }), /embedded object/],
		['a change to another root type', () => client.getMap('elsewhere').set('x', 1), /outside the document/],
	])('%s', (_what, change, reason) => {
		const before = Y.encodeStateVector(room)
		const problem = send(change)
		expect(problem).toMatch(reason)
		expect(Y.encodeStateVector(room)).toEqual(before)
	})

	test('5,000 nested blockquotes, refused without recursion', () => {
		const started = performance.now()
		const problem = send(() => {
			let parent: Y.XmlElement | Y.XmlFragment = fragment()
			for (let i = 0; i < 5000; i++) {
				const quote = new Y.XmlElement('blockquote')
				parent.insert(parent === fragment() ? 1 : 0, [quote])
				parent = quote
			}
			parent.insert(0, [paragraph('deep')])
		})
		expect(problem).toMatch(/nested deeper than 100 levels/)
		expect(kinds.at(-1)!.micros / 1000, `the check, of ${performance.now() - started} ms in all`).toBeLessThan(5000)
	})

	test('nesting up to the limit is accepted, one more level is not', () => {
		open(undefined, { ...defaultDocumentLimits, maxDepth: 4 })
		const nest = (levels: number) => () => {
			let parent: Y.XmlElement | Y.XmlFragment = fragment()
			for (let i = 0; i < levels; i++) {
				const quote = new Y.XmlElement('blockquote')
				parent.insert(parent === fragment() ? 1 : 0, [quote])
				parent = quote
			}
			parent.insert(0, [paragraph('deep')])
		}
		expect(send(nest(3))).toBeNull()
		expect(send(nest(4))).toMatch(/nested deeper than 4 levels/)
	})

	test('an oversized document: text past the limit, typed or pasted', () => {
		open(undefined, { ...defaultDocumentLimits, maxTextLength: 100 })
		expect(send(() => textOf(block(1)).insert(0, 'x'.repeat(40)))).toBeNull()
		expect(send(() => textOf(block(1)).insert(0, 'x'.repeat(60)))).toMatch(/more than 100 characters/)
		// Deleting makes room again: the bound is measured anew near the limit.
		expect(send(() => textOf(block(1)).delete(0, 40))).toBeNull()
		expect(send(() => textOf(block(1)).insert(0, 'y'.repeat(40)))).toBeNull()
		expect(send(() => fragment().insert(1, [paragraph('z'.repeat(60))]))).toMatch(/more than 100 characters/)
	})

	test('too many nodes', () => {
		open(undefined, { ...defaultDocumentLimits, maxNodes: 12 })
		expect(send(() => fragment().insert(1, [paragraph('a'), paragraph('b')]))).toBeNull()
		expect(send(() => fragment().insert(1, [paragraph('c'), paragraph('d'), paragraph('e')]))).toMatch(/more than 12 nodes/)
	})

	test('after a refusal, honest structural edits are still checked against the room’s own state', () => {
		expect(send(() => fragment().insert(1, [new Y.XmlElement('script')]))).not.toBeNull()
		expect(send(() => fragment().insert(1, [paragraph('After the refusal.')]))).toBeNull()
		expect(send(() => textOf(block(1)).insert(0, 'More. '))).toBeNull()
		expect(yXmlFragmentToProsemirror(schema, fragment(room)).child(1).textContent).toBe('More. After the refusal.')
		expectRoomValid()
	})

	test('a plain value, not a node, sent straight into the fragment', () => {
		// Crafted: the same root read as an array, so the item's content is a value and not a type.
		const forged = new Y.Doc()
		forged.getArray(documentFragmentName).insert(0, ['bare string'])
		const update = Y.encodeStateAsUpdate(forged)
		expect(check.problem(update, Y.decodeUpdate(update))).toMatch(/not a node|text outside/)
	})
})

function paragraph(text: string, attributes?: Record<string, unknown>): Y.XmlElement {
	const element = new Y.XmlElement('paragraph')
	const content = new Y.XmlText()
	content.insert(0, text, attributes)
	element.insert(0, [content])
	return element
}

function listItem(text: string): Y.XmlElement {
	const item = new Y.XmlElement('list_item')
	item.insert(0, [paragraph(text)])
	return item
}

function element(name: string, attributes: Record<string, unknown>, children: (Y.XmlElement | Y.XmlText)[]): Y.XmlElement {
	const result = new Y.XmlElement(name) as Element
	for (const [key, value] of Object.entries(attributes)) result.setAttribute(key, value)
	result.insert(0, children)
	return result as Y.XmlElement
}
