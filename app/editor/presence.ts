import * as decoding from 'lib0/decoding'
import * as awarenessProtocol from 'y-protocols/awareness'
import type { WebsocketProvider } from 'y-websocket'

export interface PresenceKeeperOptions {
	/** How long to wait for the server to echo this client's announced state. Default 1000 ms. */
	confirmWithinMs: number
	/** Announcements in a row without an echo before giving up until the next reconnect. Default 5. */
	maxAttempts: number
}

const defaults: PresenceKeeperOptions = { confirmWithinMs: 1000, maxAttempts: 5 }

/**
 * Keeps this client's presence (its awareness state) known to the server
 * and the others' known here, across reconnects. The stock provider and
 * y-protocols lose it in two ways (y-websocket#122):
 *
 * - On disconnect the provider removes the others' states locally, which
 *   bumps their clocks; after reconnecting, the server's (unchanged) states
 *   look old and are ignored. So the clocks of states removed here are
 *   forgotten on connect.
 * - The server removes this client when its old socket closes, at the last
 *   clock it accepted + 1. If the old socket closes only after the new one
 *   announced itself (a close frame delivered late, a half-open socket
 *   dropped by the server's ping), the server ignored that announcement (the
 *   client id was still held) and then removes the client for everyone. So
 *   this client announces itself past any removal, and again until the
 *   server's broadcast echoes its state back.
 *
 * https://github.com/yjs/y-websocket/issues/122
 */
export class PresenceKeeper {
	private readonly options: PresenceKeeperOptions
	/** The newest clock of this client's state that the server has broadcast back. */
	private confirmedClock = -1
	private attempts = 0
	private timer: ReturnType<typeof setTimeout> | null = null

	constructor(
		private readonly provider: WebsocketProvider,
		options: Partial<PresenceKeeperOptions> = {},
	) {
		this.options = { ...defaults, ...options }
	}

	/** To call when a socket opens, before the provider sends its first messages. */
	connected() {
		const { awareness } = this.provider
		for (const clientId of [...awareness.meta.keys()]) {
			if (clientId !== awareness.clientID && !awareness.states.has(clientId)) awareness.meta.delete(clientId)
		}
		this.confirmedClock = -1
		this.attempts = 0
		// Two ticks: past the server's removal of the previous socket (last accepted clock + 1).
		this.announce(2)
	}

	/** Applies an awareness message from the server, as y-websocket's own handler does, and keeps this client present. */
	receive(update: Uint8Array) {
		const { awareness } = this.provider
		const ownId = awareness.clientID
		const clockBefore = this.ownClock()
		const own = ownEntry(update, ownId)
		awarenessProtocol.applyAwarenessUpdate(awareness, update, this.provider)
		if (!own) return
		if (own.state !== 'null') {
			this.confirmedClock = Math.max(this.confirmedClock, own.clock)
			return
		}
		if (awareness.getLocalState() === null || !this.provider.wsconnected) return
		// y-protocols re-announces by itself when the removal is newer than the local clock.
		if (clockBefore >= own.clock) {
			awareness.meta.set(ownId, { clock: clockBefore, lastUpdated: Date.now() })
			this.announce(1)
		} else {
			this.check()
		}
	}

	destroy() {
		if (this.timer) clearTimeout(this.timer)
		this.timer = null
	}

	private ownClock(): number {
		return this.provider.awareness.meta.get(this.provider.awareness.clientID)?.clock ?? 0
	}

	private announce(ticks: number) {
		const { awareness } = this.provider
		const state = awareness.getLocalState()
		if (state === null) return
		for (let i = 0; i < ticks; i++) awareness.setLocalState(state)
		this.check()
	}

	/** Announces again unless the server echoes the current state within the window. */
	private check() {
		if (this.timer) clearTimeout(this.timer)
		this.timer = setTimeout(() => {
			this.timer = null
			if (!this.provider.wsconnected || this.confirmedClock >= this.ownClock()) {
				this.attempts = 0
				return
			}
			if (++this.attempts > this.options.maxAttempts) return
			this.announce(1)
		}, this.options.confirmWithinMs)
	}
}

/** This client's entry in an awareness update: its clock and its state as JSON ('null' for a removal). */
function ownEntry(update: Uint8Array, clientId: number): { clock: number; state: string } | null {
	const decoder = decoding.createDecoder(update)
	const count = decoding.readVarUint(decoder)
	let found: { clock: number; state: string } | null = null
	for (let i = 0; i < count; i++) {
		const id = decoding.readVarUint(decoder)
		const clock = decoding.readVarUint(decoder)
		const state = decoding.readVarString(decoder)
		if (id === clientId) found = { clock, state }
	}
	return found
}
