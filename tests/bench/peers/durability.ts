/**
 * Durability for one server of `npm run bench:peers`: 20 clients stream
 * edits into one document; at a random moment the server gets SIGKILL and,
 * in the same tick, every client is closed, so nothing can be sent again.
 * The server is restarted on the same storage and a fresh client counts the
 * edits that were confirmed before the kill (seen by another client, or,
 * for Scholion, acknowledged as stored by message 100) and are now missing.
 */
import * as decoding from 'lib0/decoding'
import * as Y from 'yjs'
import { documentFragmentName } from '#app/editor/yjs.ts'
import { mulberry32 } from '../sync-plan.ts'
import { peerClient, sleep, until, type ClientTarget, type PeerClient } from './clients.ts'
import type { PeerServer } from './servers.ts'

export interface DurabilityFigures {
	clients: number
	/** When the kill came, in ms after the first edit. */
	killAfterMs: number
	sent: number
	/** Edits seen by another client or acknowledged as stored before the kill. */
	confirmed: number
	/** Of those, missing after the restart. */
	lost: number
	/** Edits sent but confirmed to nobody, and missing after the restart (not counted as lost). */
	unconfirmedMissing: number
	restartMs: number
}

const messageSaved = 100
const clientIdBase = 50_000

/** ` [ww:kkkkk]`, fixed width, so that a writer's clock names its edits. */
function editText(writer: number, k: number): string {
	return ` [${String(writer).padStart(2, '0')}:${String(k).padStart(5, '0')}]`
}
const editLength = editText(0, 0).length

export async function runDurability(options: {
	target: ClientTarget
	documentId: string
	clients: number
	rate: number
	/** The kill comes uniformly at random in this window after the first edit, in ms. */
	killBetweenMs: [number, number]
	seed: number
	server: PeerServer
	restart: () => Promise<PeerServer>
}): Promise<DurabilityFigures> {
	const { target, documentId } = options
	const random = mulberry32(options.seed)
	const killAfterMs = options.killBetweenMs[0] + random() * (options.killBetweenMs[1] - options.killBetweenMs[0])
	const clients: PeerClient[] = []
	/** Per writer: the highest clock acknowledged as stored (Scholion's message 100). */
	const acked = new Float64Array(options.clients)
	for (let i = 0; i < options.clients; i++) {
		const doc = new Y.Doc()
		doc.clientID = clientIdBase + i
		const client = peerClient({ ...target, extensions: true }, documentId, doc)
		client.onFrame = (frame) => {
			const decoder = decoding.createDecoder(frame)
			if (decoding.readVarUint(decoder) !== messageSaved) return
			const stateVector = Y.decodeStateVector(decoding.readVarUint8Array(decoder))
			for (let w = 0; w < options.clients; w++) acked[w] = Math.max(acked[w]!, stateVector.get(clientIdBase + w) ?? 0)
		}
		clients.push(client)
	}
	await until(() => clients.every((c) => c.synced), 30_000, () => `${clients.filter((c) => !c.synced).length} durability clients to sync`)
	const paragraphs = clients.map((client) =>
		client.doc
			.getXmlFragment(documentFragmentName)
			.toArray()
			.filter((node): node is Y.XmlElement => node instanceof Y.XmlElement && node.nodeName === 'paragraph')
			.flatMap((p) => p.toArray().filter((child): child is Y.XmlText => child instanceof Y.XmlText)),
	)
	const sentPerWriter = new Array<number>(options.clients).fill(0)
	const started = performance.now()
	let sent = 0
	await new Promise<void>((resolve) => {
		const ticker = setInterval(() => {
			const elapsed = performance.now() - started
			const due = Math.floor((elapsed * options.rate) / 1000)
			for (; sent < due; sent++) {
				const writer = sent % options.clients
				const own = paragraphs[writer]!
				const paragraph = own[Math.floor(random() * own.length)]!
				paragraph.insert(Math.floor(random() * (paragraph.length + 1)), editText(writer, sentPerWriter[writer]!++))
			}
			if (elapsed >= killAfterMs) {
				clearInterval(ticker)
				resolve()
			}
		}, 5)
	})
	// The moment of the kill: what every client has seen, then the server and every client go at once.
	const confirmedClock = new Float64Array(options.clients)
	for (let w = 0; w < options.clients; w++) {
		let seen = 0
		for (let c = 0; c < options.clients; c++) if (c !== w) seen = Math.max(seen, Y.getState(clients[c]!.doc.store, clientIdBase + w))
		confirmedClock[w] = Math.max(seen, acked[w]!)
	}
	const killed = options.server.kill()
	for (const client of clients) client.destroy()
	await killed

	const restartStarted = performance.now()
	const server = await options.restart()
	const restartMs = performance.now() - restartStarted
	const reader = peerClient({ ...target, baseUrl: server.url }, documentId)
	try {
		await until(() => reader.synced, 30_000, () => 'the fresh client to sync after the restart')
		// The y-websocket reference server syncs before its LevelDB has loaded; take the state once it is quiet.
		await settled(reader.doc, 1000, 10_000)
		// A writer's edits integrate in clock order, so the stored clock says how many survived.
		let confirmed = 0
		let lost = 0
		let unconfirmedMissing = 0
		for (let w = 0; w < options.clients; w++) {
			const confirmedEdits = Math.floor(confirmedClock[w]! / editLength)
			const stored = Math.floor(Y.getState(reader.doc.store, clientIdBase + w) / editLength)
			confirmed += confirmedEdits
			lost += Math.max(0, confirmedEdits - stored)
			unconfirmedMissing += Math.max(0, sentPerWriter[w]! - Math.max(stored, confirmedEdits))
		}
		return { clients: options.clients, killAfterMs: Math.round(killAfterMs), sent, confirmed, lost, unconfirmedMissing, restartMs: Math.round(restartMs) }
	} finally {
		reader.destroy()
	}
}

/** Resolves once the document has had no update for `quietMs` (at most `maxMs` in all). */
async function settled(doc: Y.Doc, quietMs: number, maxMs: number): Promise<void> {
	let last = performance.now()
	const onUpdate = () => (last = performance.now())
	doc.on('update', onUpdate)
	const started = performance.now()
	try {
		while (performance.now() - last < quietMs && performance.now() - started < maxMs) await sleep(50)
	} finally {
		doc.off('update', onUpdate)
	}
}
