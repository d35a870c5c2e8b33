import { describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { RefusedEdits } from './refused-edits.ts'

// What counts as a reader's refused change, and who is held to it later.

function serverAndReader() {
	const server = new Y.Doc()
	server.getText('t').insert(0, 'shared text')
	const reader = new Y.Doc()
	Y.applyUpdate(reader, Y.encodeStateAsUpdate(server))
	return { server, reader, sender: { userId: 'reader', awarenessClientId: reader.clientID } }
}

describe('RefusedEdits', () => {
	test('a sync step 2 holding only what the server has is nothing refused', () => {
		const { server, reader, sender } = serverAndReader()
		server.getText('t').delete(0, 7)
		Y.applyUpdate(reader, Y.encodeStateAsUpdate(server))
		const refused = new RefusedEdits()
		expect(refused.refuse(Y.encodeStateAsUpdate(reader, Y.encodeStateVector(server)), server, sender)).toBe(false)
		expect(refused.isRefused(reader.clientID, 'reader')).toBe(false)
	})

	test('an insertion, or a deletion of what is still there, is refused and held against the same account only', () => {
		for (const change of [(t: Y.Text) => t.insert(0, 'typed '), (t: Y.Text) => t.delete(0, 3)]) {
			const { server, reader, sender } = serverAndReader()
			const before = Y.encodeStateVector(reader)
			change(reader.getText('t'))
			const refused = new RefusedEdits()
			expect(refused.refuse(Y.encodeStateAsUpdate(reader, before), server, sender)).toBe(true)
			reader.getText('t').insert(0, 'later ')
			const later = Y.encodeStateAsUpdate(reader, Y.encodeStateVector(server))
			expect(refused.buildsOnRefused(later, sender)).toBe(true)
			expect(refused.buildsOnRefused(later, { userId: 'someone else', awarenessClientId: null })).toBe(false)
		}
	})
})
