import { EditorState, Plugin } from 'prosemirror-state'
import { DecorationSet } from 'prosemirror-view'
import { describe, expect, test, vi } from 'vitest'
import * as Y from 'yjs'
import { drawableRemoteState, guardedCursorPlugin } from './remote-cursor.ts'
import { schema } from './schema.ts'
import { documentFragmentName } from './yjs.ts'

// The editor draws other people's carets from whatever they publish; one
// peer's malformed state must not stop it.

function fragmentWith(text: string) {
	const doc = new Y.Doc()
	const fragment = doc.getXmlFragment(documentFragmentName)
	const paragraph = new Y.XmlElement('paragraph')
	const words = new Y.XmlText(text)
	paragraph.insert(0, [words])
	fragment.insert(0, [paragraph])
	return { fragment, words }
}

describe('drawableRemoteState', () => {
	const { fragment, words } = fragmentWith('Some words')
	const filter = drawableRemoteState(fragment)
	const at = Y.createRelativePositionFromTypeIndex(words, 2)

	test('draws others with a cursor in the text, or none; never this client', () => {
		expect(filter(1, 2, { user: { name: 'A', color: '#000000' }, cursor: { anchor: at, head: at } })).toBe(true)
		expect(filter(1, 2, { user: { name: 'A' } })).toBe(true)
		expect(filter(1, 1, { cursor: { anchor: at, head: at } })).toBe(false)
	})

	test.each([
		['positions as numbers', { cursor: { anchor: 1, head: 2 } }],
		['a string', { cursor: 'here' }],
		['no head', { cursor: { anchor: at } }],
		['another root type', { cursor: { anchor: { tname: 'other' }, head: { tname: 'other' } } }],
		['ids of strings', { cursor: { anchor: { item: { client: 'a', clock: 'b' } }, head: { item: { client: 'a', clock: 'b' } } } }],
		['a user that is a string', { user: 'Mallory', cursor: null }],
	])('skips %s', (_what, state) => {
		expect(filter(1, 2, state as Record<string, unknown>)).toBe(false)
		expect([...fragment.doc!.share.keys()]).toEqual([documentFragmentName])
	})
})

describe('guardedCursorPlugin', () => {
	test('a failure to draw keeps the previous carets and lets the transaction through', () => {
		const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
		const failing = new Plugin<DecorationSet>({
			state: {
				init: () => {
					throw new TypeError('bad cursor')
				},
				apply: () => {
					throw new TypeError('bad cursor')
				},
			},
		})
		const state = EditorState.create({ schema, plugins: [guardedCursorPlugin(failing)] })
		expect(failing.getState(state)).toBe(DecorationSet.empty)
		const next = state.apply(state.tr.insertText('still typing', 1))
		expect(next.doc.textContent).toBe('still typing')
		expect(warn).toHaveBeenCalledTimes(2)
		warn.mockRestore()
	})
})
