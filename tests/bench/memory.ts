/**
 * `npm run bench:memory`: server memory across 1,000 open-and-close cycles of
 * one document. Starts the production server (fresh embedded database, demo
 * seeded, documents unloaded 50 ms after their last connection leaves),
 * then opens a stock y-websocket client on a seed document, waits for sync,
 * makes one edit, closes it, and lets the document unload: 1,000 times.
 * Prints the server's resident memory every 100 cycles; "flat" means the
 * last figures are no higher than the early ones plus noise.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { demoDocuments } from '#seeds/demo.ts'
import { collabClient, waitFor } from '#tests/support/collab-client.ts'
import { FormClient } from '#tests/support/http-client.ts'
import { memoryKiB, startServerProcess } from './server-process.ts'

const cycles = Number(process.argv[2] ?? 1000)
const root = path.resolve(import.meta.dirname, '../..')
const dataDir = mkdtempSync(path.join(tmpdir(), 'scholion-bench-memory-'))
const server = await startServerProcess({
	root,
	env: {
		NODE_ENV: 'production',
		PORT: '0',
		DATA_DIR: dataDir,
		DATABASE_URL: process.env.DATABASE_URL,
		SEED_DEMO: '1',
		COLLAB_UNLOAD_AFTER_MS: '50',
	},
})
try {
	const client = new FormClient(server.url)
	const login = await client.post('/login', { email: 'reviewer@scholion.test', password: 'scholion-demo' })
	if (login.status !== 302) throw new Error(`login failed: ${login.status}`)
	const documentId = demoDocuments[0].id
	const samples: { cycle: number; rssMiB: number }[] = []
	const sample = (cycle: number) => samples.push({ cycle, rssMiB: Math.round(memoryKiB(server.pid).rss / 102.4) / 10 })
	sample(0)
	for (let cycle = 1; cycle <= cycles; cycle++) {
		const c = collabClient(server.url, documentId, { cookie: client.cookieHeader })
		await waitFor(() => c.provider.synced, `sync in cycle ${cycle}`, 10_000)
		c.doc.getText('bench-memory').insert(0, `${cycle % 10}`)
		c.destroy()
		// Let the document unload before the next cycle opens it again.
		await new Promise((resolve) => setTimeout(resolve, 70))
		if (cycle % 100 === 0) sample(cycle)
	}
	await new Promise((resolve) => setTimeout(resolve, 1000))
	sample(cycles)
	console.log(`\nServer resident memory across ${cycles} open-and-close cycles of one document\n`)
	console.log('| cycle | RSS (MiB) |\n|---:|---:|')
	for (const s of samples) console.log(`| ${s.cycle} | ${s.rssMiB} |`)
	const early = samples.find((s) => s.cycle === 100) ?? samples[0]!
	const last = samples.at(-1)!
	console.log(`\nRSS after cycle 100: ${early.rssMiB} MiB; at the end: ${last.rssMiB} MiB (${(last.rssMiB - early.rssMiB).toFixed(1)} MiB change)`)
} finally {
	await server.stop()
	rmSync(dataDir, { recursive: true, force: true })
}
