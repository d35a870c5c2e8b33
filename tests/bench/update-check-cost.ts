/**
 * What the server's schema check (server/collab/update-check.ts) costs per
 * client update, measured in this process on the bench's seminar text and on
 * 10 and 100 copies of it: typing (checked from the update's structs alone),
 * a structural edit (Enter: a new paragraph, checked on the room's shadow
 * copy; the first one makes the shadow), and the shadow's upkeep (every
 * update the room applies is applied to the shadow too). bench:sync prints it
 * after its scenarios; the load scenarios only type, so their server-side
 * figure covers the first path alone.
 */
import { readFileSync } from 'node:fs'
import * as Y from 'yjs'
import { schema } from '#app/editor/schema.ts'
import { documentFragmentName, documentToYUpdate } from '#app/editor/yjs.ts'
import { UpdateCheck } from '#server/collab/update-check.ts'

export interface UpdateCheckCostRow {
	copies: number
	paragraphs: number
	/** Encoded size of the document, in KiB. */
	stateKiB: number
	typingMicros: number
	firstStructuralMs: number
	structuralMicros: number
	/** Applying one typed update to the shadow as well, once the room has one, in µs. */
	shadowUpkeepMicros: number
}

export function measureUpdateCheckCost(seedTextPath: string, copiesList = [1, 10, 100]): UpdateCheckCostRow[] {
	const paragraphs = readFileSync(seedTextPath, 'utf8')
		.split(/\n\s*\n/)
		.map((text) => text.replace(/\s+/g, ' ').trim())
		.filter(Boolean)
	// The first run warms the JIT up and is not reported.
	return [copiesList[0]!, ...copiesList].map((copies) => {
		const blocks = Array.from({ length: copies }, () => paragraphs.map((text) => schema.node('paragraph', null, [schema.text(text)]))).flat()
		const initial = documentToYUpdate(schema.node('doc', null, blocks))
		const room = new Y.Doc()
		Y.applyUpdate(room, initial)
		const check = new UpdateCheck(room)
		const client = new Y.Doc()
		Y.applyUpdate(client, initial)
		const fragment = client.getXmlFragment(documentFragmentName)
		const middle = Math.floor(blocks.length / 2)

		/** Makes a change on the client; returns the time to check its update, in µs, and applies it to the room. */
		const edit = (change: () => void) => {
			let update: Uint8Array | null = null
			client.once('update', (u: Uint8Array) => (update = u))
			Y.transact(client, change)
			const decoded = Y.decodeUpdate(update!)
			const started = performance.now()
			const problem = check.problem(update!, decoded)
			const checked = performance.now()
			if (problem) throw new Error(`the bench's own edit was refused: ${problem}`)
			Y.applyUpdate(room, update!)
			return { checkMicros: (checked - started) * 1000 }
		}
		const type = (i: number) => edit(() => ((fragment.get(middle) as Y.XmlElement).get(0) as Y.XmlText).insert(i % 50, 'x'))
		const enter = (i: number) =>
			edit(() => {
				const paragraph = new Y.XmlElement('paragraph')
				paragraph.insert(0, [new Y.XmlText(`New paragraph ${i}`)])
				fragment.insert(middle + 1, [paragraph])
			})
		// Medians: a busy machine's preemptions would dominate a mean of µs-long calls.
		const median = (values: number[]) => Float64Array.from(values).sort()[Math.floor(values.length / 2)]!

		for (let i = 0; i < 200; i++) type(i)
		const typing = Array.from({ length: 2000 }, (_, i) => type(i))
		const firstStructural = enter(0).checkMicros
		for (let i = 1; i < 20; i++) enter(i)
		const structural = Array.from({ length: 200 }, (_, i) => enter(i + 20).checkMicros)
		// The shadow's upkeep: each update the room applies is applied to a copy as well.
		const copy = new Y.Doc()
		Y.applyUpdate(copy, Y.encodeStateAsUpdate(room))
		let last: Uint8Array | null = null
		room.on('update', (u: Uint8Array) => (last = u))
		const upkeep = Array.from({ length: 2000 }, (_, i) => {
			type(i)
			const started = performance.now()
			Y.applyUpdate(copy, last!)
			return (performance.now() - started) * 1000
		})
		copy.destroy()
		const row: UpdateCheckCostRow = {
			copies,
			paragraphs: blocks.length,
			stateKiB: Math.round(initial.length / 1024),
			typingMicros: round(median(typing.map((t) => t.checkMicros))),
			firstStructuralMs: round(firstStructural / 1000),
			structuralMicros: round(median(structural)),
			shadowUpkeepMicros: round(median(upkeep)),
		}
		check.destroy()
		room.destroy()
		client.destroy()
		return row
	}).slice(1)
}

export function updateCheckTable(rows: UpdateCheckCostRow[]): string {
	const header = [
		'document',
		'paragraphs',
		'state KiB',
		'typing: check µs (median)',
		'structural: first check ms (makes the shadow)',
		'structural: check µs (median)',
		'shadow upkeep µs per update (median)',
	]
	const lines = rows.map((r) => [
		r.copies === 1 ? 'seminar text' : `${r.copies} × seminar text`,
		r.paragraphs,
		r.stateKiB,
		r.typingMicros,
		r.firstStructuralMs,
		r.structuralMicros,
		r.shadowUpkeepMicros,
	])
	return [header, header.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n')
}

function round(n: number): number {
	return Math.round(n * 10) / 10
}
