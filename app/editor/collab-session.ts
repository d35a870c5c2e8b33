import * as decoding from 'lib0/decoding'
import type { EditorState } from 'prosemirror-state'
import type { EditorView } from 'prosemirror-view'
import { messageAwareness, WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { collabReducer, initialCollabStatus, isTerminal, terminalCloseCodes, type CollabEvent, type CollabStatus } from './collab-status.ts'
import type { KeymapHooks } from './commands.ts'
import { createEditor } from './create-editor.ts'
import { highlightsPlugin } from './highlights.ts'
import { PresenceKeeper } from './presence.ts'
import { documentFragmentName, unlinkUnsafeHrefs } from './yjs.ts'

export { isSafeHref, removeLink, setLink } from './commands.ts'
export { describeShortcut, isItemEnabled, toolbarItems, type ToolbarItem } from './toolbar.ts'

/**
 * The browser side of one open document: a Y.Doc kept in sync with
 * /collab/:documentId by the stock y-websocket provider, the ProseMirror
 * view bound to it, and a snapshot of everything the page shows about it
 * (connection, saving, who is here, the editor state for the toolbar).
 * Loaded with a dynamic import so that none of this reaches the server's
 * render path.
 */

// Scholion's extra messages (server/collab/protocol.ts; the browser may not import server/).
const messageSaved = 100
const messageAccess = 101
const messageAnnotations = 102

/** The origin of this client's repair of links the schema refuses. */
const unlinkOrigin = Symbol('unlink unsafe hrefs')
/**
 * The server's close code for a client holding changes it refused (made while
 * it could not write; server/collab/protocol.ts `closeCodes.refusedEdits`):
 * nothing more from this Y.Doc will be taken, so the page starts over.
 */
const startOverCloseCode = 4409

/** After this long without a connection, "Reconnecting…" becomes "Offline". */
const offlineAfterMs = 8000

export interface Person {
	/** The user's id when the server has vouched for it, else the awareness client id. */
	key: string
	name: string
	color: string
	self: boolean
}

export interface SessionSnapshot {
	status: CollabStatus
	/** Everyone with this document open: this user first, then the others by name. */
	people: readonly Person[]
	/** The editor's state once the document has arrived and the view exists. */
	editorState: EditorState | null
}

export interface CollabSessionOptions {
	documentId: string
	/** The signed-in user as the room shows them (their pseudonym in a pseudonymous room), from the loader: shown as "(you)" and published as this client's awareness. */
	user: { id: string; name: string; color: string }
	/** A steward's legend of a pseudonymous room (pseudonym → name): their carets and "Who is here" show the person. */
	legend?: readonly { label: string; name: string }[]
	/** The loader's answer to "may this user edit?"; message 101 overrides it. */
	canWrite: boolean
	hooks: KeymapHooks
	/** Id of the element that explains the editor's keys. */
	describedBy?: string
	/** The endpoint, without the document id. Default: `/collab` on this page's origin. */
	endpoint?: string
	/**
	 * Called when the server will take nothing more from this session because
	 * it holds changes the server refused (typed while the user could not
	 * write, e.g. in flight when they were made a reader, then promoted again).
	 * The caller destroys this session and opens a new one, which starts from
	 * the server's text: the refused changes are discarded, as they were refused.
	 */
	onStartOver?(): void
}

export class CollabSession {
	readonly doc = new Y.Doc()
	readonly provider: WebsocketProvider
	private readonly presence: PresenceKeeper
	view: EditorView | null = null
	snapshot: SessionSnapshot
	/** Called when a highlight in the text is clicked (the annotation margin sets it). */
	highlightActivated: ((annotationId: string) => void) | null = null
	private readonly listeners = new Set<() => void>()
	private offlineTimer: ReturnType<typeof setTimeout> | null = null
	private destroyed = false

	constructor(private readonly options: CollabSessionOptions) {
		this.snapshot = {
			status: initialCollabStatus(options.canWrite, typeof navigator !== 'undefined' && navigator.onLine === false),
			people: [],
			editorState: null,
		}
		this.provider = new WebsocketProvider(options.endpoint ?? defaultEndpoint(), options.documentId, this.doc, {
			connect: false,
			params: { scholion: '1' },
			// Tabs would otherwise sync with each other directly; the server is to be the only
			// path, so that what it refuses (a reader's change) cannot travel around it.
			disableBc: true,
			shouldReconnect: (event) => !terminalCloseCodes.has(event.code) && event.code !== startOverCloseCode,
		})
		this.presence = new PresenceKeeper(this.provider)
		this.provider.messageHandlers[messageSaved] = (_encoder, decoder) => {
			const stored = Y.decodeStateVector(decoding.readVarUint8Array(decoder))
			this.dispatch({ type: 'saved', clock: stored.get(this.doc.clientID) ?? 0 })
		}
		this.provider.messageHandlers[messageAccess] = (_encoder, decoder) => {
			this.dispatch({ type: 'access', readOnly: decoding.readVarUint(decoder) === 1 })
		}
		// Annotation events are for the annotation panel, which installs its own handler here; until
		// then they are ignored, because y-websocket logs console.error for a type it has no handler for.
		this.provider.messageHandlers[messageAnnotations] = () => {}
		this.provider.messageHandlers[messageAwareness] = (_encoder, decoder) => {
			this.presence.receive(decoding.readVarUint8Array(decoder))
		}
		this.provider.on('status', ({ status }) => {
			if (status !== 'connected') return
			this.presence.connected()
			this.dispatch({ type: 'connected' })
		})
		this.provider.on('connection-close', (event) => {
			if (event?.code === startOverCloseCode && this.options.onStartOver) this.options.onStartOver()
			else this.dispatch({ type: 'disconnected', code: event?.code })
		})
		this.provider.on('sync', (synced) => {
			if (!synced) return
			if (!this.view) this.createView()
			this.dispatch({ type: 'synced' })
		})
		// Registered before the view's binding exists, so that it runs first and the binding never
		// sees a link the schema refuses (see unlinkUnsafeHrefs).
		this.doc.getXmlFragment(documentFragmentName).observeDeep(this.onRemoteChange)
		// Registered after the provider's own listener, so its update is on the wire first.
		this.doc.on('update', this.onDocumentUpdate)
		this.provider.awareness.on('change', this.onAwarenessChange)
		// The server replaces `user` with what it verified; this copy is for the page itself.
		this.provider.awareness.setLocalStateField('user', { name: options.user.name, color: options.user.color })
		window.addEventListener('online', this.onOnline)
		window.addEventListener('offline', this.onOffline)
		this.snapshot = { ...this.snapshot, people: this.readPeople() }
		// Offline at the start: the read view stays until the 'online' event connects.
		if (!this.snapshot.status.browserOffline) this.provider.connect()
		this.updateOfflineTimer()
	}

	/** For useSyncExternalStore. */
	subscribe = (listener: () => void): (() => void) => {
		this.listeners.add(listener)
		return () => this.listeners.delete(listener)
	}

	/** Whether the editor accepts typing: allowed by the server, and with a connection that may come back. */
	get mayEdit(): boolean {
		const { canWrite, connection } = this.snapshot.status
		return canWrite && !isTerminal(connection)
	}

	/** Tries again after a terminal close, e.g. once the user has logged in again in another tab. */
	retry() {
		this.dispatch({ type: 'retry' })
		this.provider.connect()
	}

	destroy() {
		if (this.destroyed) return
		this.destroyed = true
		if (this.offlineTimer) clearTimeout(this.offlineTimer)
		window.removeEventListener('online', this.onOnline)
		window.removeEventListener('offline', this.onOffline)
		this.listeners.clear()
		this.presence.destroy()
		// The view first: its cursor plugin clears this user's cursor while the socket is still open.
		this.view?.destroy()
		this.view = null
		this.doc.off('update', this.onDocumentUpdate)
		this.doc.getXmlFragment(documentFragmentName).unobserveDeep(this.onRemoteChange)
		this.provider.awareness.off('change', this.onAwarenessChange)
		// Sends "this client left" before closing, so others' presence lists update at once.
		this.provider.destroy()
		this.provider.awareness.destroy()
		this.doc.destroy()
	}

	private createView() {
		this.view = createEditor({
			fragment: this.doc.getXmlFragment(documentFragmentName),
			awareness: this.provider.awareness,
			canWrite: () => this.mayEdit,
			hooks: this.options.hooks,
			describedBy: this.options.describedBy,
			nameOf: (shown) => this.nameOf(shown),
			onStateChange: (editorState) => this.publish({ ...this.snapshot, editorState }),
			plugins: [highlightsPlugin({ onActivate: (id) => this.highlightActivated?.(id) })],
		})
		this.snapshot = { ...this.snapshot, editorState: this.view.state }
	}

	private dispatch(event: CollabEvent) {
		if (this.destroyed) return
		const status = collabReducer(this.snapshot.status, event)
		if (status === this.snapshot.status) return
		const couldEdit = this.mayEdit
		this.publish({ ...this.snapshot, status })
		// Editability and aria-readonly are props of the view; setProps re-reads them.
		if (this.view && couldEdit !== this.mayEdit) this.view.setProps({})
		this.updateOfflineTimer()
	}

	private publish(snapshot: SessionSnapshot) {
		this.snapshot = snapshot
		for (const listener of this.listeners) listener()
	}

	private updateOfflineTimer() {
		const { connection } = this.snapshot.status
		const waiting = connection === 'connecting' || connection === 'reconnecting'
		if (waiting && !this.offlineTimer) {
			this.offlineTimer = setTimeout(() => {
				this.offlineTimer = null
				this.dispatch({ type: 'reconnect-slow' })
			}, offlineAfterMs)
		} else if (!waiting && this.offlineTimer) {
			clearTimeout(this.offlineTimer)
			this.offlineTimer = null
		}
	}

	private onDocumentUpdate = (_update: Uint8Array, _origin: unknown, _doc: Y.Doc, transaction: Y.Transaction) => {
		// Only changes made on this page count towards "saved"; the provider applies the server's as non-local.
		if (!transaction.local) return
		const clientId = this.doc.clientID
		const clock = Y.getState(this.doc.store, clientId)
		const deletionOnly = clock === (transaction.beforeState.get(clientId) ?? 0) && transaction.deleteSet.clients.size > 0
		this.dispatch({ type: 'local-change', clock, deletionOnly })
	}

	/** Links arrive only from the server (stored before the schema's href rule); this editor's own went through the schema. */
	private onRemoteChange = (events: Y.YEvent<any>[], transaction: Y.Transaction) => {
		if (transaction.local || transaction.origin === unlinkOrigin) return
		const changed = events.flatMap((event) =>
			event.target instanceof Y.XmlText
				? [event.target]
				: [...event.changes.added].flatMap((item) => (item.content instanceof Y.ContentType ? [item.content.type] : [])),
		)
		unlinkUnsafeHrefs(changed, unlinkOrigin)
	}

	private onAwarenessChange = () => {
		const people = this.readPeople()
		if (!samePeople(people, this.snapshot.people)) this.publish({ ...this.snapshot, people })
	}

	/**
	 * The browser knows about a lost network long before a socket times out.
	 * Closing the socket then, rather than waiting, keeps the state honest
	 * (nothing is "Saving…" into a dead socket) and stops reconnect attempts
	 * that cannot succeed; the Y.Doc keeps the edits and sends them on return.
	 */
	private onOffline = () => {
		this.dispatch({ type: 'browser-offline' })
		if (!isTerminal(this.snapshot.status.connection)) this.provider.disconnect()
	}

	private onOnline = () => {
		this.dispatch({ type: 'browser-online' })
		if (!isTerminal(this.snapshot.status.connection)) this.provider.connect()
	}

	/** A presence name as this user may know it: the steward's legend names a pseudonym's person. */
	private nameOf(shown: string): string {
		return this.options.legend?.find((entry) => entry.label === shown)?.name ?? shown
	}

	/**
	 * This user, then everyone else with the document open, once each: the
	 * server stamps every state with the user's verified id, so two tabs of
	 * one person show as one name.
	 */
	private readPeople(): Person[] {
		const { user } = this.options
		const others = new Map<string, Person>()
		for (const [clientId, state] of this.provider.awareness.getStates()) {
			if (clientId === this.doc.clientID) continue
			const who: unknown = state.user
			if (!who || typeof who !== 'object') continue
			const { id, name, color } = who as Record<string, unknown>
			if (typeof name !== 'string' || typeof color !== 'string') continue
			// Without an id (a pseudonymous room) a pseudonym names one person on the document, so it keys their tabs.
			const key = typeof id === 'string' ? id : `name:${name}`
			if (key === user.id || key === `name:${user.name}` || others.has(key)) continue
			others.set(key, { key, name: this.nameOf(name), color, self: false })
		}
		const sorted = [...others.values()].sort((a, b) => a.name.localeCompare(b.name))
		return [{ key: user.id, name: user.name, color: user.color, self: true }, ...sorted]
	}
}

export function openCollabSession(options: CollabSessionOptions): CollabSession {
	return new CollabSession(options)
}

function defaultEndpoint(): string {
	const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:'
	return `${scheme}//${window.location.host}/collab`
}

function samePeople(a: readonly Person[], b: readonly Person[]): boolean {
	return a.length === b.length && a.every((p, i) => p.key === b[i]?.key && p.name === b[i]?.name && p.color === b[i]?.color)
}
