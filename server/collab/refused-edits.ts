import * as Y from 'yjs'

/** Who sent an update: the verified account and the awareness client id its socket speaks for. */
export interface Sender {
	userId: string
	awarenessClientId: number | null
}

/**
 * What a room refused from readers, so that it stays refused once they may
 * write. A Yjs update's new content is structs numbered (client id, clock);
 * every later change a client makes builds on its earlier clocks, and every
 * sync step 2 it sends (on each reconnect) repeats what the server lacks,
 * refused changes included, with its whole delete set. Applying those after
 * a promotion would apply what was refused (issue 12, attack 10); leaving
 * them out is impossible, since the rest depends on them. So a client with
 * refused changes can write nothing more from the Y.Doc that holds them: it
 * has to start over from the server's state, with a new Y.Doc and client id.
 *
 * Remembered per room, by client id and the account that sent it (so that a
 * reader cannot get another person's client id refused by naming it in a
 * crafted update), for as long as the document is loaded in this process.
 */
export class RefusedEdits {
	/** Client ids with refused changes, with the account that sent them. */
	private readonly clients = new Map<number, string>()

	/**
	 * Remembers a reader's update, refused. Returns whether it held anything
	 * `doc` lacks: new content, or deletions of what is still there. A stock
	 * client's sync step 2 repeats what the server already has (its delete
	 * set, always); that alone is nothing refused.
	 */
	refuse(update: Uint8Array, doc: Y.Doc, sender: Sender): boolean {
		const { structs, ds } = Y.decodeUpdate(update)
		const newClients = new Set<number>()
		for (const struct of structs) {
			if (struct instanceof Y.Skip) continue
			if (struct.id.clock + struct.length > Y.getState(doc.store, struct.id.client)) newClients.add(struct.id.client)
		}
		let deletesSomething = false
		for (const [client, deletions] of ds.clients) {
			if (deletions.some(({ clock, len }) => !isDeletedIn(doc, client, clock, len))) deletesSomething = true
		}
		if (newClients.size === 0 && !deletesSomething) return false
		for (const client of newClients) this.clients.set(client, sender.userId)
		// Deletions carry no client id of their own: they count against the sender's awareness id,
		// which the stock provider takes from its Y.Doc.
		if (sender.awarenessClientId !== null) this.clients.set(sender.awarenessClientId, sender.userId)
		return true
	}

	/** Whether an update from `sender` comes from, or carries content of, a client whose changes this room refused from the same account. */
	buildsOnRefused(update: Uint8Array, sender: Sender): boolean {
		if (this.clients.size === 0) return false
		if (this.isRefused(sender.awarenessClientId, sender.userId)) return true
		for (const client of Y.parseUpdateMeta(update).to.keys()) if (this.isRefused(client, sender.userId)) return true
		return false
	}

	/** Whether `clientId` is a client whose changes were refused from `userId`. */
	isRefused(clientId: number | null, userId: string): boolean {
		return clientId !== null && this.clients.get(clientId) === userId
	}
}

/** Whether every item from `clock` to `clock + length` of `client` is in `doc` and deleted there. */
function isDeletedIn(doc: Y.Doc, client: number, clock: number, length: number): boolean {
	const structs = doc.store.clients.get(client)
	if (!structs || clock + length > Y.getState(doc.store, client)) return false
	for (let i = Y.findIndexSS(structs, clock); i < structs.length; i++) {
		const struct = structs[i]!
		if (struct.id.clock >= clock + length) break
		if (!struct.deleted) return false
	}
	return true
}
