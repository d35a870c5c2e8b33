import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'

/**
 * A WebSocket class for the stock WebsocketProvider that sends the headers a
 * browser would (session cookie, Origin). y-websocket constructs sockets as
 * `new WS(url, protocols)`, so the headers ride on a subclass.
 */
export function webSocketWith(headers: Record<string, string>): typeof WebSocket {
	return class extends WebSocket {
		constructor(url: string | URL, protocols?: string | string[]) {
			super(url, protocols, { headers })
		}
	} as typeof WebSocket
}

export interface CollabClient {
	doc: Y.Doc
	provider: WebsocketProvider
	/** Close events seen: code and reason. */
	closes: { code: number; reason: string }[]
	destroy(): void
}

/**
 * A stock y-websocket client (WebsocketProvider 3.x) for `documentId`,
 * speaking to the app at `baseUrl` with the given session cookie.
 */
export function collabClient(
	baseUrl: string,
	documentId: string,
	options: { cookie?: string; origin?: string; params?: Record<string, string>; doc?: Y.Doc } = {},
): CollabClient {
	const doc = options.doc ?? new Y.Doc()
	const headers: Record<string, string> = { Origin: options.origin ?? new URL(baseUrl).origin }
	if (options.cookie) headers.Cookie = options.cookie
	const provider = new WebsocketProvider(baseUrl.replace(/^http/, 'ws') + '/collab', documentId, doc, {
		WebSocketPolyfill: webSocketWith(headers) as never,
		params: options.params ?? {},
		// Node has BroadcastChannel: without this, clients in one test process would
		// talk to each other directly and bypass the server under test.
		disableBc: true,
	})
	const closes: { code: number; reason: string }[] = []
	provider.on('connection-close', (event) => {
		if (event) closes.push({ code: event.code, reason: event.reason })
	})
	return {
		doc,
		provider,
		closes,
		destroy() {
			provider.destroy()
			doc.destroy()
		},
	}
}

/** Waits until `test` is true, polling; throws with `what` after `timeoutMs`. */
export async function waitFor(test: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
	const start = Date.now()
	while (!test()) {
		if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`)
		await new Promise((resolve) => setTimeout(resolve, 10))
	}
}
