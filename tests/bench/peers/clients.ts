/**
 * One client of a server under test, through that server's native client in
 * Node: the stock y-websocket WebsocketProvider (3.x) for Scholion and for the
 * y-websocket reference server, @hocuspocus/provider for Hocuspocus. Each
 * client has its own socket and its own Y.Doc.
 */
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider'
import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { webSocketWith } from '#tests/support/collab-client.ts'

export type ServerKind = 'scholion' | 'hocuspocus' | 'y-websocket'

export const serverKinds: ServerKind[] = ['scholion', 'hocuspocus', 'y-websocket']

/** Where a client connects, and with what (Scholion needs a session cookie and its Origin). */
export interface ClientTarget {
	kind: ServerKind
	/** http://127.0.0.1:PORT */
	baseUrl: string
	cookie?: string
	/** Scholion only: ask for the "saved" acknowledgements (message 100). */
	extensions?: boolean
}

export interface PeerClient {
	doc: Y.Doc
	readonly synced: boolean
	/** Close codes seen under the client. */
	closes: number[]
	/** Raw frames received, for protocols with acknowledgements (Scholion's message 100). */
	onFrame?: (data: Uint8Array) => void
	destroy(): void
}

export function peerClient(target: ClientTarget, documentName: string, doc = new Y.Doc()): PeerClient {
	const closes: number[] = []
	if (target.kind === 'hocuspocus') {
		const socket = new HocuspocusProviderWebsocket({
			url: target.baseUrl.replace(/^http/, 'ws'),
			WebSocketPolyfill: WebSocket,
			// The default (30 s without a message) would not fire in a run; keep it.
		})
		const provider = new HocuspocusProvider({ websocketProvider: socket, name: documentName, document: doc })
		provider.attach()
		provider.on('close', (event: { event: { code: number } }) => closes.push(event.event.code))
		return {
			doc,
			get synced() {
				return provider.synced
			},
			closes,
			destroy() {
				provider.destroy()
				socket.destroy()
				doc.destroy()
			},
		}
	}
	const headers: Record<string, string> = { Origin: new URL(target.baseUrl).origin }
	if (target.cookie) headers.Cookie = target.cookie
	const client: PeerClient = {
		doc,
		get synced() {
			return provider.synced
		},
		closes,
		destroy() {
			provider.destroy()
			doc.destroy()
		},
	}
	const polyfill = webSocketWith(headers)
	const provider = new WebsocketProvider(
		target.baseUrl.replace(/^http/, 'ws') + (target.kind === 'scholion' ? '/collab' : ''),
		documentName,
		doc,
		{
			WebSocketPolyfill: class extends polyfill {
				constructor(url: string | URL, protocols?: string | string[]) {
					super(url, protocols)
					this.binaryType = 'arraybuffer'
					this.addEventListener('message', (event) => {
						if (client.onFrame && event.data instanceof ArrayBuffer) client.onFrame(new Uint8Array(event.data))
					})
				}
			} as never,
			params: target.kind === 'scholion' && target.extensions ? { scholion: '1' } : {},
			disableBc: true,
		},
	)
	if (target.kind === 'scholion' && target.extensions) {
		// Scholion's own messages (100 saved, 101 access, 102 annotations) are read from the raw frames.
		for (const type of [100, 101, 102]) provider.messageHandlers[type] = () => {}
	}
	provider.on('connection-close', (event) => {
		if (event) closes.push(event.code)
	})
	return client
}

/** Waits until `test` is true, polling; throws naming `what` after `timeoutMs`. */
export async function until(test: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
	const deadline = performance.now() + timeoutMs
	while (!test()) {
		if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`)
		await sleep(10)
	}
}

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms))
}
