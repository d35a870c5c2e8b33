import { describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { documentFragmentName } from '#app/editor/yjs.ts'
import { checkAwarenessState, maxAwarenessStateLength } from './awareness-check.ts'

// What a reader may put in its awareness state, which every peer's
// yCursorPlugin decodes: only Scholion's fields, in their shapes and sizes,
// with a cursor that points into this document.

function documentWith(text: string) {
	const doc = new Y.Doc()
	const fragment = doc.getXmlFragment(documentFragmentName)
	const paragraph = new Y.XmlElement('paragraph')
	const words = new Y.XmlText(text)
	paragraph.insert(0, [words])
	fragment.insert(0, [paragraph])
	return { doc, fragment, paragraph, words }
}

/** A cursor as y-prosemirror publishes it: RelativePosition objects, stringified with the state. */
function cursor(anchor: Y.RelativePosition, head = anchor) {
	return { anchor, head }
}

const check = (state: unknown, doc: Y.Doc) => checkAwarenessState(JSON.stringify(state), doc)

describe('a well-formed state', () => {
	const { doc, fragment, words } = documentWith('The text of the document')
	const inText = Y.createRelativePositionFromTypeIndex(words, 4)
	const atStart = Y.createRelativePositionFromTypeIndex(fragment, 0, -1)

	test('a cursor in the text, at the start and none at all, with or without a claimed user', () => {
		expect(check({ cursor: cursor(inText, Y.createRelativePositionFromTypeIndex(words, 8)) }, doc)).toMatchObject({ ok: true })
		expect(check({ user: { name: 'Irena', color: '#a0b1c2' }, cursor: cursor(atStart) }, doc)).toMatchObject({ ok: true })
		expect(check({ cursor: null }, doc)).toEqual({ ok: true, state: { cursor: null } })
		expect(check({ user: { name: 'Irena', color: '#a0b1c2' } }, doc)).toMatchObject({ ok: true })
		expect(check({}, doc)).toEqual({ ok: true, state: {} })
	})

	test('in the compact JSON of Y.relativePositionToJSON too', () => {
		expect(check({ cursor: cursor(Y.relativePositionToJSON(inText) as Y.RelativePosition) }, doc)).toMatchObject({ ok: true })
	})

	test('a removal (null) is always accepted', () => {
		expect(checkAwarenessState('null', doc)).toEqual({ ok: true, state: null })
	})
})

describe('a malformed state is refused', () => {
	const { doc, words } = documentWith('The text of the document')
	const good = Y.createRelativePositionFromTypeIndex(words, 2)
	const cases: [string, unknown][] = [
		['a cursor of numbers (ProseMirror positions)', { cursor: { anchor: 12, head: 17 } }],
		['a cursor as a string', { cursor: 'here' }],
		['a cursor without its head', { cursor: { anchor: good } }],
		['a cursor with a field more', { cursor: { ...cursor(good), extra: 1 } }],
		['a position with an id of strings', { cursor: cursor({ item: { client: 'a', clock: 'b' } } as never) }],
		['a position with a negative clock', { cursor: cursor({ item: { client: 1, clock: -1 } } as never) }],
		['a position with a fractional client', { cursor: cursor({ item: { client: 1.5, clock: 0 } } as never) }],
		['a position with a huge assoc', { cursor: cursor({ ...good, assoc: 1e9 } as never) }],
		['a user that is a string', { user: 'Mallory' }],
		['a user colour that is not #rrggbb', { user: { name: 'M', color: 'red; background: url(x)' } }],
		['a field Scholion does not publish', { cursor: null, script: '<img onerror=alert(1)>' }],
		['__proto__', JSON.parse('{"__proto__": {"polluted": true}}')],
		['an array', [1, 2]],
		['a number', 42],
	]
	test.each(cases)('%s', (_what, state) => {
		expect(check(state, doc)).toMatchObject({ ok: false })
	})

	test('not JSON (a malformed message: it throws), or longer than the limit', () => {
		expect(() => checkAwarenessState('{"cursor":', doc)).toThrow(SyntaxError)
		expect(check({ user: { name: 'x'.repeat(maxAwarenessStateLength) } }, doc)).toMatchObject({ ok: false })
	})
})

describe('a well-formed cursor that does not point into this document goes out as no cursor', () => {
	const { doc, paragraph } = documentWith('The text of the document')
	const other = documentWith('Another document')
	const foreign = Y.createRelativePositionFromTypeIndex(other.words, 3)
	const cases: [string, unknown][] = [
		['ids of another document', foreign],
		['a clock past what the server has', { item: { client: doc.clientID, clock: 10_000 }, type: null, tname: null, assoc: 0 }],
		['another root type by name', { type: null, tname: 'comments', item: null, assoc: 0 }],
		['no type, name or item', { type: null, tname: null, item: null, assoc: 0 }],
		['a type id that is not a type', { type: { client: doc.clientID, clock: 5 }, tname: null, item: null, assoc: 0 }],
	]
	test.each(cases)('%s', (_what, position) => {
		expect(check({ cursor: { anchor: position, head: position } }, doc)).toEqual({ ok: true, state: { cursor: null } })
	})

	test('and nothing is added to the document by looking', () => {
		check({ cursor: { anchor: { tname: 'comments' }, head: { tname: 'comments' } } }, doc)
		expect([...doc.share.keys()]).toEqual([documentFragmentName])
		expect(paragraph.length).toBe(1)
	})
})
