import { describe, expect, test } from 'vitest'
import {
	collabReducer,
	connectionLabel,
	initialCollabStatus,
	saveLabels,
	saveState,
	type CollabEvent,
	type CollabStatus,
} from './collab-status.ts'

const run = (status: CollabStatus, ...events: CollabEvent[]) => events.reduce(collabReducer, status)
const writer = () => initialCollabStatus(true)
const saying = (status: CollabStatus) => saveLabels[saveState(status)]

describe('saving', () => {
	test('nothing changed here is nothing to save', () => {
		expect(saying(run(writer(), { type: 'connected' }, { type: 'synced' }))).toBe('All changes saved')
	})

	test('a change is saving until the stored state vector reaches this client’s clock', () => {
		const typed = run(writer(), { type: 'connected' }, { type: 'local-change', clock: 5, deletionOnly: false })
		expect(saying(typed)).toBe('Saving…')
		expect(saying(run(typed, { type: 'saved', clock: 3 }))).toBe('Saving…')
		expect(saying(run(typed, { type: 'saved', clock: 5 }))).toBe('All changes saved')
	})

	test('a deletion, which does not advance the clock, waits for the next "saved"', () => {
		const saved = run(writer(), { type: 'connected' }, { type: 'local-change', clock: 5, deletionOnly: false }, { type: 'saved', clock: 5 })
		const deleted = run(saved, { type: 'local-change', clock: 5, deletionOnly: true })
		expect(saying(deleted)).toBe('Saving…')
		expect(saying(run(deleted, { type: 'saved', clock: 5 }))).toBe('All changes saved')
	})

	test('offline, unsaved changes say so; back online they are saved again', () => {
		const offline = run(writer(), { type: 'connected' }, { type: 'disconnected', code: 1006 }, { type: 'reconnect-slow' })
		expect(offline.connection).toBe('offline')
		const typed = run(offline, { type: 'local-change', clock: 2, deletionOnly: false })
		expect(saying(typed)).toBe('Not saved yet — offline')
		expect(saying(run(typed, { type: 'connected' }))).toBe('Saving…')
		expect(saying(run(typed, { type: 'connected' }, { type: 'saved', clock: 2 }))).toBe('All changes saved')
	})

	test('a reader has nothing to save; a writer made reader cannot save what is left', () => {
		expect(saying(initialCollabStatus(false))).toBe('')
		const typed = run(writer(), { type: 'connected' }, { type: 'local-change', clock: 1, deletionOnly: false })
		expect(saying(run(typed, { type: 'access', readOnly: true }))).toBe('Not saved — you can no longer edit this document')
	})
})

describe('connection', () => {
	test('a lost connection is "Reconnecting…", then "Offline" when it takes too long', () => {
		const lost = run(writer(), { type: 'connected' }, { type: 'disconnected' })
		expect(connectionLabel(lost.connection, true)).toBe('Reconnecting…')
		const slow = run(lost, { type: 'reconnect-slow' })
		expect(connectionLabel(slow.connection, true)).toBe(
			'Offline — your edits are kept on this device and will be sent when the connection returns',
		)
		expect(run(slow, { type: 'connected' }).connection).toBe('connected')
	})

	test('the browser going offline is "Offline" at once', () => {
		const status = run(writer(), { type: 'connected' }, { type: 'browser-offline' })
		expect(status.connection).toBe('offline')
		expect(run(status, { type: 'browser-online' }).connection).toBe('reconnecting')
	})

	test('4401 and 4403 are terminal: later closes do not hide them, only a retry does', () => {
		const ended = run(writer(), { type: 'connected' }, { type: 'disconnected', code: 4401 })
		expect(ended.connection).toBe('session-ended')
		expect(run(ended, { type: 'disconnected' }, { type: 'reconnect-slow' }, { type: 'browser-offline' }).connection).toBe('session-ended')
		expect(run(ended, { type: 'retry' }).connection).toBe('reconnecting')
		expect(run(writer(), { type: 'disconnected', code: 4403 }).connection).toBe('forbidden')
	})

	test('a rate-limit close (4529) and a server restart (1001) are not terminal', () => {
		expect(run(writer(), { type: 'connected' }, { type: 'disconnected', code: 4529 }).connection).toBe('reconnecting')
		expect(run(writer(), { type: 'connected' }, { type: 'disconnected', code: 1001 }).connection).toBe('reconnecting')
	})

	test('message 101 switches writing on and off', () => {
		const reader = run(writer(), { type: 'access', readOnly: true })
		expect(reader.canWrite).toBe(false)
		expect(run(reader, { type: 'access', readOnly: false }).canWrite).toBe(true)
	})
})
