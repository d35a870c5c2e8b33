/**
 * The public reader workload of `npm run bench:peers`: requests per second
 * and latency of Scholion's server-rendered reader page of a 30,000-word
 * edition with 2,000 published annotations (`/read/:documentId/e/1`),
 * against the same HTML served as a static file by a bare node:http server
 * in its own process (the ceiling). autocannon, in this process, drives
 * both alike. The fixture is written straight into the database (an
 * edition row as Editions.freeze writes it, and annotation_versions rows
 * with their selectors), as a benchmark fixture may.
 */
import { spawn } from 'node:child_process'
import { createHash, randomUUID } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import autocannon from 'autocannon'
import * as Y from 'yjs'
import { documentPlainText, countWords } from '#app/editor/plain-text.ts'
import { yDocToDocument } from '#app/editor/yjs.ts'
import { openDatabase } from '#db/client.ts'
import { annotationVersions } from '#db/schema/publication.ts'
import { insertEdition } from '#db/queries/publication.ts'
import { mulberry32 } from '../sync-plan.ts'
import { cpuSeconds } from '../server-process.ts'
import type { PeerServer } from './servers.ts'

export interface ReaderTargetFigures {
	requestsPerSecond: number
	p50Ms: number
	p99Ms: number
	errors: number
	/** Responses other than 200. */
	non2xx: number
	bytesPerPage: number
	/** The server process's CPU over the run, in % of one core. */
	serverCpuPercent: number
}

export interface ReaderFigures {
	status: 'measured' | 'not available'
	url?: string
	words?: number
	annotations?: number
	connections?: number
	seconds?: number
	scholion?: ReaderTargetFigures
	static?: ReaderTargetFigures
	note?: string
}

export interface ReaderFixture {
	documentId: string
	groupId: string
	userId: string
	/** The document's Yjs state as Scholion serves it. */
	state: Uint8Array
}

const motivations = ['commenting', 'questioning', 'assessing', 'tagging', 'highlighting'] as const

/** Writes edition 1 of the document and `count` published annotations on it, spread over the text. */
export async function seedReaderEdition(databaseUrl: string, fixture: ReaderFixture, count: number, seed: number) {
	const handle = await openDatabase({ url: databaseUrl, migrate: false })
	try {
		const ydoc = new Y.Doc()
		Y.applyUpdate(ydoc, fixture.state)
		const doc = yDocToDocument(ydoc)
		const plainText = documentPlainText(doc)
		const edition = await insertEdition(handle.db, {
			documentId: fixture.documentId,
			number: 1,
			title: 'Reader benchmark: 30,000 words',
			contentHash: `sha256:${createHash('sha256').update(plainText).digest('hex')}`,
			content: doc.toJSON(),
			plainText,
			wordCount: countWords(plainText),
			yjsState: fixture.state,
			createdBy: fixture.userId,
		})
		// Selectors count code points in the plain text.
		const points = Array.from(plainText)
		const words = [...points.join('').matchAll(/\S+/g)]
		const codePointOffset = (utf16: number) => Array.from(plainText.slice(0, utf16)).length
		const random = mulberry32(seed)
		const rows = []
		for (let i = 0; i < count; i++) {
			const first = Math.floor(random() * (words.length - 8))
			const last = first + 1 + Math.floor(random() * 6)
			const start = codePointOffset(words[first]!.index)
			const end = codePointOffset(words[last]!.index + words[last]![0].length)
			rows.push({
				annotationId: randomUUID(),
				number: 1,
				documentId: fixture.documentId,
				groupId: fixture.groupId,
				editionId: edition.id,
				motivation: motivations[i % motivations.length]!,
				body: `Note ${i + 1}: which source supports *this* reading? Compare the **archive** figures before citing it.`,
				tags: i % 3 === 0 ? ['sources'] : [],
				authorId: fixture.userId,
				authorName: 'Peers Bench',
				exact: points.slice(start, end).join(''),
				prefix: points.slice(Math.max(0, start - 32), start).join(''),
				suffix: points.slice(end, end + 32).join(''),
				startOffset: start,
				endOffset: end,
				annotationCreatedAt: new Date(),
			})
		}
		for (let from = 0; from < rows.length; from += 500) await handle.db.insert(annotationVersions).values(rows.slice(from, from + 500))
		return { words: countWords(plainText) }
	} finally {
		await handle.close()
	}
}

export async function runReader(options: {
	server: PeerServer
	documentId: string
	words: number
	annotations: number
	scratch: string
	seconds: number
	connections: number
	progress: (message: string) => void
}): Promise<ReaderFigures> {
	const pagePath = `/read/${options.documentId}/e/1`
	const response = await fetch(options.server.url + pagePath)
	const html = await response.text()
	if (response.status !== 200) {
		return { status: 'not available', note: `GET ${pagePath} answered ${response.status}` }
	}
	const file = path.join(options.scratch, 'reader.html')
	writeFileSync(file, html)
	const scholion = await load(options.server.url + pagePath, options.server.pid, options.seconds, options.connections)
	options.progress(`  Scholion ${pagePath}: ${scholion.requestsPerSecond} req/s, p50 ${scholion.p50Ms} p99 ${scholion.p99Ms} ms`)
	const ceiling = await startStaticServer(file)
	try {
		const staticFigures = await load(ceiling.url, ceiling.pid, options.seconds, options.connections)
		options.progress(`  static file: ${staticFigures.requestsPerSecond} req/s, p50 ${staticFigures.p50Ms} p99 ${staticFigures.p99Ms} ms`)
		return {
			status: 'measured',
			url: pagePath,
			words: options.words,
			annotations: options.annotations,
			connections: options.connections,
			seconds: options.seconds,
			scholion,
			static: staticFigures,
		}
	} finally {
		ceiling.stop()
	}
}

async function load(url: string, pid: number, seconds: number, connections: number): Promise<ReaderTargetFigures> {
	// A short warm-up: the JIT, and Scholion's first render.
	await autocannon({ url, connections, duration: 2, timeout: 30 })
	const cpuBefore = cpuSeconds(pid)
	const started = performance.now()
	const result = await autocannon({ url, connections, duration: seconds, timeout: 30 })
	const cpu = cpuSeconds(pid) - cpuBefore
	return {
		requestsPerSecond: Math.round(result.requests.average),
		p50Ms: result.latency.p50,
		p99Ms: result.latency.p99,
		errors: result.errors + result.timeouts,
		non2xx: result.non2xx,
		bytesPerPage: result.requests.total > 0 ? Math.round(result.throughput.total / result.requests.total) : 0,
		serverCpuPercent: Math.round((cpu / ((performance.now() - started) / 1000)) * 1000) / 10,
	}
}

/** The ceiling: a bare node:http server in its own process answering every request with the file (read once, at start). */
function startStaticServer(file: string): Promise<{ url: string; pid: number; stop(): void }> {
	const source = `
const http = require('node:http'); const fs = require('node:fs')
const body = fs.readFileSync(${JSON.stringify(file)})
const server = http.createServer((req, res) => { res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': body.length }); res.end(body) })
server.listen(0, '127.0.0.1', () => console.log('listening ' + server.address().port))`
	const child = spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'inherit'] })
	const stop = () => child.kill('SIGKILL')
	process.once('exit', stop)
	return new Promise((resolve, reject) => {
		child.once('exit', (code) => reject(new Error(`the static server exited (${code})`)))
		child.stdout.setEncoding('utf8')
		child.stdout.on('data', (chunk: string) => {
			const match = /listening (\d+)/.exec(chunk)
			if (match) resolve({ url: `http://127.0.0.1:${match[1]}/`, pid: child.pid!, stop })
		})
	})
}
