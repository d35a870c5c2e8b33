/**
 * The live editor's connection and saving state, as a pure reducer so that
 * every transition can be tested without a socket. The session
 * (collab-session.ts) turns provider events, Scholion's "saved" and
 * "access" messages and the browser's online/offline events into
 * `CollabEvent`s; the React component only reads the result.
 */

/**
 * Where the connection stands, as the person at the keyboard sees it. The
 * last four are terminal: the provider stops reconnecting (see
 * `terminalCloseCodes`) until the user asks it to try again.
 */
export type ConnectionState =
	| 'connecting'
	| 'connected'
	| 'reconnecting'
	| 'offline'
	| 'session-ended'
	| 'forbidden'
	| 'gone'
	| 'refused'

/** Close codes after which reconnecting cannot help (server/collab/protocol.ts `closeCodes`). */
export const terminalCloseCodes: ReadonlyMap<number, ConnectionState> = new Map([
	[4401, 'session-ended'],
	[4403, 'forbidden'],
	[4410, 'gone'],
	[4400, 'refused'],
	[4422, 'refused'],
])

export interface CollabStatus {
	connection: ConnectionState
	/** Whether the server lets this user change the text: the loader's answer until message 101 says otherwise. */
	canWrite: boolean
	/** This client's Yjs clock: it grows with every insertion or formatting change made here. */
	localClock: number
	/** This client's clock in the last "saved" state vector (message 100). */
	savedClock: number
	/**
	 * A change made here that only deletes. Deletions do not advance a Yjs
	 * clock, so the state vector in "saved" cannot show them; such a change
	 * counts as stored once a "saved" message arrives after it was made.
	 */
	deletionPending: boolean
	/** Whether the browser reports being offline (navigator.onLine). */
	browserOffline: boolean
	/** The document has been received from the server at least once, so the live editor can replace the read view. */
	synced: boolean
}

export type CollabEvent =
	/** The provider opened a socket and the handshake begins. */
	| { type: 'connected' }
	/** The first full exchange of document state finished. */
	| { type: 'synced' }
	/** A socket closed or could not be opened; `code` is absent when this page closed it. */
	| { type: 'disconnected'; code?: number }
	/** Reconnecting has failed for long enough that "Reconnecting…" would be a promise not kept. */
	| { type: 'reconnect-slow' }
	/** The user asked to try again after a terminal close. */
	| { type: 'retry' }
	| { type: 'browser-offline' }
	| { type: 'browser-online' }
	/** A change made here: the new local clock, and whether it only deleted. */
	| { type: 'local-change'; clock: number; deletionOnly: boolean }
	/** Message 100: this client's clock in the stored state vector. */
	| { type: 'saved'; clock: number }
	/** Message 101. */
	| { type: 'access'; readOnly: boolean }

export function initialCollabStatus(canWrite: boolean, browserOffline = false): CollabStatus {
	return {
		connection: browserOffline ? 'offline' : 'connecting',
		canWrite,
		localClock: 0,
		savedClock: 0,
		deletionPending: false,
		browserOffline,
		synced: false,
	}
}

export function isTerminal(connection: ConnectionState): boolean {
	return connection === 'session-ended' || connection === 'forbidden' || connection === 'gone' || connection === 'refused'
}

export function collabReducer(status: CollabStatus, event: CollabEvent): CollabStatus {
	switch (event.type) {
		case 'connected':
			return { ...status, connection: 'connected' }
		case 'synced':
			return status.synced ? status : { ...status, synced: true }
		case 'disconnected': {
			const terminal = event.code === undefined ? undefined : terminalCloseCodes.get(event.code)
			if (terminal) return { ...status, connection: terminal }
			// A terminal state stays until the user retries: the provider is no longer trying.
			if (isTerminal(status.connection)) return status
			if (status.browserOffline || status.connection === 'offline') return { ...status, connection: 'offline' }
			return { ...status, connection: status.connection === 'connecting' ? 'connecting' : 'reconnecting' }
		}
		case 'reconnect-slow':
			return status.connection === 'connecting' || status.connection === 'reconnecting'
				? { ...status, connection: 'offline' }
				: status
		case 'retry':
			return isTerminal(status.connection) ? { ...status, connection: 'reconnecting' } : status
		case 'browser-offline':
			return {
				...status,
				browserOffline: true,
				connection: isTerminal(status.connection) ? status.connection : 'offline',
			}
		case 'browser-online':
			return {
				...status,
				browserOffline: false,
				connection: status.connection === 'offline' ? 'reconnecting' : status.connection,
			}
		case 'local-change':
			return {
				...status,
				localClock: Math.max(status.localClock, event.clock),
				deletionPending: status.deletionPending || event.deletionOnly,
			}
		case 'saved':
			return { ...status, savedClock: Math.max(status.savedClock, event.clock), deletionPending: false }
		case 'access':
			return status.canWrite === !event.readOnly ? status : { ...status, canWrite: !event.readOnly }
	}
}

/**
 * What the saving indicator says. `none` for someone who cannot write and
 * has nothing unsaved: there is nothing of theirs to save.
 */
export type SaveState = 'none' | 'saved' | 'saving' | 'unsaved-offline' | 'unsaved-refused' | 'unsaved-stopped'

export function hasUnsavedChanges(status: CollabStatus): boolean {
	return status.localClock > status.savedClock || status.deletionPending
}

export function saveState(status: CollabStatus): SaveState {
	const unsaved = hasUnsavedChanges(status)
	if (!unsaved) return status.canWrite ? 'saved' : 'none'
	// The server drops a reader's changes, so waiting would never end.
	if (!status.canWrite) return 'unsaved-refused'
	if (status.connection === 'connected') return 'saving'
	if (isTerminal(status.connection)) return 'unsaved-stopped'
	return 'unsaved-offline'
}

export const saveLabels: Record<SaveState, string> = {
	none: '',
	saved: 'All changes saved',
	saving: 'Saving…',
	'unsaved-offline': 'Not saved yet — offline',
	'unsaved-refused': 'Not saved — you can no longer edit this document',
	'unsaved-stopped': 'Not saved — the connection was closed',
}

/** The connection line; readers are promised no edits. Terminal states are worded by the component, which adds links. */
export function connectionLabel(connection: ConnectionState, canWrite: boolean): string {
	switch (connection) {
		case 'connecting':
			return 'Connecting…'
		case 'connected':
			return 'Connected'
		case 'reconnecting':
			return 'Reconnecting…'
		case 'offline':
			return canWrite
				? 'Offline — your edits are kept on this device and will be sent when the connection returns'
				: 'Offline — the text will update when the connection returns'
		case 'session-ended':
			return 'Your session ended — log in again'
		case 'forbidden':
			return 'You no longer have access to this document'
		case 'gone':
			return 'This document has been deleted'
		case 'refused':
			return 'The server refused a change from this page — reload to continue'
	}
}
