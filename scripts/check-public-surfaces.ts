/**
 * `npm run check:public-surfaces -- <baseUrl>`: visits every public surface
 * of the demo's editorial board as an anonymous visitor (no cookie) and
 * prints each URL with its status. Fails (exit 1) unless every one answers
 * 404 (the public search: finds nothing) and no response contains the
 * manuscript's text, its title or a reviewer's name.
 *
 * Annotation ids (of any status: drafts, submitted, accepted, published)
 * are read from the database when DATABASE_URL names it; a PGlite folder
 * is held open by the running server, so without DATABASE_URL only the
 * documents' surfaces, and ids passed with --annotation=<id>, are checked.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { eq, inArray } from 'drizzle-orm'
import type { Database } from '#db/client.ts'
import { annotations, documents, memberships, users } from '#db/schema/index.ts'
import { demoAccounts, demoDocuments, demoGroups } from '#seeds/demo.ts'

const here = path.dirname(fileURLToPath(import.meta.url))

export interface BoardTargets {
	groupId: string
	documents: { id: string; title: string; file?: string }[]
	annotationIds: string[]
	/** Strings no anonymous response may contain: the manuscript's sentences and title, reviewers' names. */
	forbidden: string[]
}

export interface SurfaceResult {
	method: string
	url: string
	status: number
	/** Why this answer fails the check, or null. */
	problem: string | null
}

/** The demo board's documents and what must not leak of them, with annotation ids and members' names from `db` if given. */
export async function demoBoardTargets(db?: Database): Promise<BoardTargets> {
	const seeded = demoDocuments.filter((d) => d.group === 'board').map((d) => ({ id: d.id, title: d.title, file: d.file as string }))
	const docs: BoardTargets['documents'] = [...seeded]
	const forbidden = new Set<string>(demoAccounts.map((a) => a.name))
	let annotationIds: string[] = []
	if (db) {
		for (const row of await db.select({ id: documents.id, title: documents.title }).from(documents).where(eq(documents.groupId, demoGroups.board.id))) {
			if (!docs.some((d) => d.id === row.id)) docs.push(row)
		}
		annotationIds = (
			await db
				.select({ id: annotations.id })
				.from(annotations)
				.where(inArray(annotations.documentId, docs.map((d) => d.id)))
		).map((r) => r.id)
		const members = await db
			.select({ name: users.name })
			.from(memberships)
			.innerJoin(users, eq(users.id, memberships.userId))
			.where(eq(memberships.groupId, demoGroups.board.id))
		for (const { name } of members) forbidden.add(name)
	}
	for (const doc of docs) {
		forbidden.add(doc.title)
		if (doc.file) for (const sentence of distinctiveSentences(readFileSync(path.join(here, '../seeds/documents', doc.file), 'utf8'))) forbidden.add(sentence)
	}
	return { groupId: demoGroups.board.id, documents: docs, annotationIds, forbidden: [...forbidden] }
}

/** A few long runs of the text's words, as they would appear in a page (whitespace collapsed). */
function distinctiveSentences(text: string): string[] {
	const lines = text.split(/\r?\n/).map((l) => l.replace(/\s+/g, ' ').trim()).filter((l) => l.length >= 60)
	const step = Math.max(1, Math.floor(lines.length / 8))
	return lines.filter((_, i) => i % step === 0).slice(0, 8).map((l) => l.slice(0, 50))
}

/** Every public surface of the board's documents and annotations, as an anonymous visitor. */
export async function checkPublicSurfaces(baseUrl: string, targets: BoardTargets): Promise<SurfaceResult[]> {
	const base = baseUrl.replace(/\/$/, '')
	const requests: { method: string; path: string; headers?: Record<string, string>; body?: string; expect: 'not-found' | 'no-hits' }[] = []
	const get = (p: string, headers?: Record<string, string>) => requests.push({ method: 'GET', path: p, headers, expect: 'not-found' })
	const ld = { Accept: 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"' }
	for (const { id } of targets.documents) {
		get(`/read/${id}`)
		for (const n of [1, 2]) {
			get(`/read/${id}/e/${n}`)
			get(`/read/${id}/e/${n}/print`)
			get(`/read/${id}/e/${n}/annotations/`)
			get(`/read/${id}/e/${n}/annotations/`, ld)
			get(`/read/${id}/e/${n}/annotations?page=0`)
			get(`/read/${id}/e/${n}/annotations?iris=1&page=0`)
			requests.push({ method: 'HEAD', path: `/read/${id}/e/${n}/annotations/`, expect: 'not-found' })
		}
		get(`/feeds/documents/${id}.atom`)
		requests.push({ method: 'GET', path: `/read/search?q=${encodeURIComponent('Stalin')}&document=${id}`, expect: 'no-hits' })
		requests.push({ method: 'GET', path: `/read/search?q=${encodeURIComponent('Stalin')}&document=${id}&retracted=1`, expect: 'no-hits' })
	}
	get(`/feeds/groups/${targets.groupId}.atom`)
	requests.push({ method: 'GET', path: `/read/search?q=${encodeURIComponent('manuscript under review')}`, expect: 'no-hits' })
	for (const id of targets.annotationIds) {
		for (const p of [`/a/${id}`, `/a/${id}/v/1`, `/a/${id}/v/2`]) {
			get(p)
			get(p, ld)
			get(`${p}?format=jsonld`)
			get(`${p}.jsonld`)
			requests.push({
				method: 'POST',
				path: p,
				headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: base },
				body: 'reason=Checking+whether+this+exists',
				expect: 'not-found',
			})
		}
	}

	const results: SurfaceResult[] = []
	for (const request of requests) {
		const response = await fetch(base + request.path, {
			method: request.method,
			headers: request.headers,
			body: request.body,
			redirect: 'manual',
		})
		const text = request.method === 'HEAD' ? '' : await response.text()
		const leaked = targets.forbidden.find((s) => text.includes(s) || text.includes(escapeHtml(s)))
		let problem: string | null = null
		if (leaked) problem = `contains “${leaked}”`
		else if (request.expect === 'not-found' && response.status !== 404) problem = `answered ${response.status}, not 404`
		else if (request.expect === 'no-hits' && (response.status !== 200 || /search-hit|class="hit/.test(text) || !/No results|Nothing found|0 results/i.test(text)))
			problem = `search answered ${response.status} with results`
		results.push({ method: request.method, url: base + request.path, status: response.status, problem })
	}
	return results
}

function escapeHtml(s: string): string {
	return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;')
}

async function main() {
	const args = process.argv.slice(2)
	const baseUrl = args.find((a) => !a.startsWith('--'))
	if (!baseUrl) {
		console.error('Usage: npm run check:public-surfaces -- <baseUrl> [--annotation=<id> …]   (DATABASE_URL: also every annotation id of the board)')
		process.exit(2)
	}
	let targets: BoardTargets
	if (process.env.DATABASE_URL) {
		const { openDatabase } = await import('#db/client.ts')
		const database = await openDatabase({ url: process.env.DATABASE_URL })
		try {
			targets = await demoBoardTargets(database.db)
		} finally {
			await database.close()
		}
	} else {
		targets = await demoBoardTargets()
	}
	targets.annotationIds.push(...args.filter((a) => a.startsWith('--annotation=')).map((a) => a.slice('--annotation='.length)))
	const results = await checkPublicSurfaces(baseUrl, targets)
	for (const r of results) console.log(`${r.status} ${r.method} ${r.url}${r.problem ? `  ✗ ${r.problem}` : ''}`)
	const failed = results.filter((r) => r.problem)
	console.log(
		failed.length === 0
			? `All ${results.length} answers keep the board's manuscript and reviews private (${targets.annotationIds.length} annotation ids checked).`
			: `${failed.length} of ${results.length} answers fail the check.`,
	)
	process.exit(failed.length === 0 ? 0 : 1)
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main()
