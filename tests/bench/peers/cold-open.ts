/**
 * Cold open for one server of `npm run bench:peers`: documents of 30,000
 * words with a long edit history (10,000 updates each, sent one message per
 * update through the server's own protocol, so each stores them its own
 * way), then a restart, then a fresh client per document: time from
 * creating the client (socket open included) to synced with the whole text,
 * and the server's resident memory per loaded document.
 */
import * as Y from 'yjs'
import { documentFragmentName } from '#app/editor/yjs.ts'
import { cpuSeconds, memoryKiB } from '../server-process.ts'
import { mulberry32 } from '../sync-plan.ts'
import { peerClient, sleep, until, type ClientTarget, type PeerClient } from './clients.ts'

export interface HistoryDocument {
	id: string
	/** The imported document's Yjs state. */
	base: Uint8Array
	/** The edit history: one Yjs update per edit, in order. */
	updates: Uint8Array[]
	/** Length of the fragment's text after the history, to check what a fresh client gets. */
	finalLength: number
}

export interface ColdOpenFigures {
	documents: number
	updatesPerDocument: number
	/** Time from a fresh client's creation to its sync, per document in turn (the first is the coldest). */
	syncedMs: number[]
	syncedMsMedian: number
	/** (RSS with every document loaded − RSS before) / documents. */
	memoryPerDocumentMiB: number
	rssBeforeMiB: number
	rssLoadedMiB: number
	/** Whether every fresh client got the whole history. */
	complete: boolean
}

/** A 30,000-word document's history: inserts of a word at random places, and some short deletions. */
export function makeHistory(id: string, base: Uint8Array, edits: number, seed: number): HistoryDocument {
	const doc = new Y.Doc()
	Y.applyUpdate(doc, base)
	doc.clientID = 900_000 + seed
	const paragraphs = doc
		.getXmlFragment(documentFragmentName)
		.toArray()
		.flatMap((node) => (node instanceof Y.XmlElement ? node.toArray() : []))
		.filter((child): child is Y.XmlText => child instanceof Y.XmlText)
	const updates: Uint8Array[] = []
	doc.on('update', (update: Uint8Array) => updates.push(update))
	const random = mulberry32(seed)
	const words = ['source', 'claim', 'archive', 'however', 'reported', 'figure', 'method', 'cited']
	for (let i = 0; i < edits; i++) {
		const paragraph = paragraphs[Math.floor(random() * paragraphs.length)]!
		if (random() < 0.2 && paragraph.length > 10) {
			paragraph.delete(Math.floor(random() * (paragraph.length - 5)), 1 + Math.floor(random() * 4))
		} else {
			paragraph.insert(Math.floor(random() * (paragraph.length + 1)), ` ${words[Math.floor(random() * words.length)]}`)
		}
	}
	const finalLength = textLength(doc)
	doc.destroy()
	return { id, base, updates, finalLength }
}

/** Sends each document's history through one client, one message per update, then lets the server store it. */
export async function seedHistory(target: ClientTarget, serverPid: number, documents: HistoryDocument[], progress: (m: string) => void) {
	for (const document of documents) {
		const doc = new Y.Doc()
		Y.applyUpdate(doc, document.base)
		const client = peerClient(target, document.id, doc)
		try {
			await until(() => client.synced, 30_000, () => `the seeding client of ${document.id} to sync`)
			for (let from = 0; from < document.updates.length; from += 100) {
				for (const update of document.updates.slice(from, from + 100)) Y.applyUpdate(doc, update)
				await sleep(20)
			}
			// Let the server take everything in before the client leaves.
			await sleep(1000)
		} finally {
			client.destroy()
		}
	}
	// Hocuspocus stores on the last client's leaving; y-websocket writes LevelDB in the background,
	// well after the updates were answered: wait for the server to go quiet before it is stopped.
	const quietAfterMs = await waitForIdle(serverPid, 120_000)
	progress(`  seeded ${documents.length} × ${documents[0]?.updates.length} updates; the server was idle ${Math.round(quietAfterMs)} ms later`)
}

/** Waits until the process uses under 3 % of a core over a second (at most `maxMs`); resolves with the time waited. */
export async function waitForIdle(pid: number, maxMs: number): Promise<number> {
	const started = performance.now()
	let last = cpuSeconds(pid)
	while (performance.now() - started < maxMs) {
		await sleep(1000)
		const now = cpuSeconds(pid)
		if (now - last < 0.03) break
		last = now
	}
	return performance.now() - started
}

/** Opens every document with a fresh client, one after another, on a freshly started server. */
export async function coldOpen(target: ClientTarget, serverPid: number, documents: HistoryDocument[]): Promise<ColdOpenFigures> {
	await sleep(1500)
	const rssBefore = await minRss(serverPid)
	const clients: PeerClient[] = []
	const syncedMs: number[] = []
	let complete = true
	try {
		for (const document of documents) {
			const started = performance.now()
			const client = peerClient(target, document.id)
			clients.push(client)
			// Synced and holding the whole text: the y-websocket reference server answers the sync
			// before its persistence has loaded, and sends the content after as an update.
			const ready = () => client.synced && textLength(client.doc) === document.finalLength
			try {
				await until(ready, 20_000, () => `a fresh client of ${document.id} to sync`)
			} catch {
				complete = false
			}
			syncedMs.push(Math.round((performance.now() - started) * 10) / 10)
		}
		await sleep(1500)
		const rssLoaded = await minRss(serverPid)
		const sorted = [...syncedMs].sort((a, b) => a - b)
		return {
			documents: documents.length,
			updatesPerDocument: documents[0]?.updates.length ?? 0,
			syncedMs,
			syncedMsMedian: sorted[Math.floor(sorted.length / 2)] ?? NaN,
			memoryPerDocumentMiB: Math.round(((rssLoaded - rssBefore) / 1024 / documents.length) * 10) / 10,
			rssBeforeMiB: Math.round(rssBefore / 102.4) / 10,
			rssLoadedMiB: Math.round(rssLoaded / 102.4) / 10,
			complete,
		}
	} finally {
		for (const client of clients) client.destroy()
	}
}

/** The lowest of a few RSS readings over half a second: less of the garbage collector's sawtooth. */
async function minRss(pid: number): Promise<number> {
	let low = Infinity
	for (let i = 0; i < 5; i++) {
		low = Math.min(low, memoryKiB(pid).rss)
		await sleep(100)
	}
	return low
}

function textLength(doc: Y.Doc): number {
	let length = 0
	const walk = (node: Y.XmlElement | Y.XmlFragment) => {
		for (const child of node.toArray()) {
			if (child instanceof Y.XmlText) length += child.length
			else if (child instanceof Y.XmlElement) walk(child)
		}
	}
	walk(doc.getXmlFragment(documentFragmentName))
	return length
}
