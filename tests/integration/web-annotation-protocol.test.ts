import { JSDOM } from 'jsdom'
import type { AppLoadContext } from '@remix-run/node'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { documentFragmentName } from '#app/editor/yjs.ts'
import { preferIris, type AnnotationContainer, type AnnotationPage, type WebAnnotation } from '#app/publication/web-annotation.ts'
import { annotationJsonLd } from '#app/utils/web-annotation-http.server.ts'
import { findUserByEmail, type User } from '#db/queries/accounts.ts'
import { createGroup } from '#db/queries/groups.ts'
import { demoDocuments, demoGroups, seedDemo } from '#seeds/demo.ts'
import { openToThePublic } from '#tests/support/publication-fixtures.ts'
import { publicationUrls } from '#server/publication/urls.ts'
import { anchorFor } from '#tests/support/annotations.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { checkAnnotationMusts, checkCollectionMusts, checkPageMusts } from '#tests/support/w3c-annotation-suite.ts'

/**
 * The published layer over HTTP, as a Web Annotation client and a feed
 * reader see it: the edition container and its pages, single annotations
 * with content negotiation, the Atom feeds; every document the server
 * emits checked against the W3C annotation-model MUSTs.
 */

let app: TestApp
let urls: ReturnType<typeof publicationUrls>
const board = demoGroups.board.id
const seminar = demoGroups.seminar.id
const manuscript = demoDocuments[2].id
const unfrozenSeminarText = demoDocuments[0].id
const frozenSeminarText = demoDocuments[1].id
const users = {} as Record<'owner' | 'moderator' | 'reviewer', User>
const bulkCount = 100
/** Published roots pinned to edition 1 of the manuscript, plus one reply. */
const ids = { bulk: [] as string[], approved: '', reply: '', retracted: '', pending: '', rejected: '', emptyGroup: '' }
const trickyBody = 'Which **decree** names him? Tom & Jerry’s "quote" ]]> <script>alert(1)</script> and a \u0007 bell.'
const retractionNotice = 'Retracted at the author’s request: the decree is <i>not</i> in the archive.'
const containerPath = `/read/${manuscript}/e/1/annotations/`
const ldAccept = { Accept: 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"' }

beforeAll(async () => {
	app = await startTestApp({ placeAnchorsAfterMs: 20 })
	urls = publicationUrls(app.origin)
	await seedDemo(app.database.db)
	// This file tests the protocol on the board's manuscript: its published layer is opened on purpose.
	await openToThePublic(app.database.db, board)
	for (const role of ['owner', 'moderator', 'reviewer'] as const) {
		users[role] = (await findUserByEmail(app.database.db, `${role}@scholion.test`))!
	}
	const { publication, annotations } = app.server
	const anchorOn = (documentId: string, quote: string) =>
		app.server.collab.withDocument(documentId, (room) => {
			const copy = new Y.Doc()
			Y.applyUpdate(copy, Y.encodeStateAsUpdate(room.doc))
			return anchorFor(copy, quote)
		})
	const create = async (body: string, quote = 'Comissar of Nationalities') =>
		annotations.create(users.reviewer, manuscript, { motivation: 'questioning', body, tags: ['sources'], status: 'submitted', anchor: await anchorOn(manuscript, quote) })

	// Over a hundred published without approval, for paging; then the board's workflow.
	await publication.setPolicy(users.owner, board, { requiresApproval: false, approvalQuorum: 1 })
	const bulkAnchor = await anchorOn(manuscript, 'Ordjonikidze')
	for (let i = 0; i < bulkCount; i++) {
		const a = await annotations.create(users.reviewer, manuscript, { motivation: 'commenting', body: `Bulk note ${i}.`, tags: [], status: 'submitted', anchor: bulkAnchor })
		ids.bulk.push(a.id)
	}
	await publication.setPolicy(users.owner, board, { requiresApproval: true, approvalQuorum: 1 })

	const approved = await create(trickyBody)
	await publication.decide(users.moderator, approved.id, { verdict: 'approve', reason: 'A fair question.' })
	ids.approved = approved.id
	const reply = await annotations.reply(users.moderator, approved.id, 'The decree of 1922, *probably*.')
	await publication.decide(users.owner, reply.id, { verdict: 'approve', reason: 'Answers it.' })
	ids.reply = reply.id
	const retracted = await create('This will be retracted.')
	await publication.decide(users.moderator, retracted.id, { verdict: 'approve', reason: 'ok' })
	await publication.retract(users.moderator, retracted.id, retractionNotice)
	ids.retracted = retracted.id
	ids.pending = (await create('Still waiting for a moderator: secret-pending-words.')).id
	const rejected = await create('Rejected: secret-rejected-words.')
	await publication.decide(users.owner, rejected.id, { verdict: 'reject', reason: 'Off topic.' })
	ids.rejected = rejected.id

	// A seminar text frozen with nothing published on it; the other seminar text never frozen; a group with no edition at all.
	await publication.freezeEdition(users.moderator, frozenSeminarText)
	ids.emptyGroup = (await createGroup(app.database.db, { name: 'Private reading group', kind: 'seminar', ownerId: users.owner.id })).id
}, 180_000)

afterAll(async () => {
	await app?.close()
})

const get = (path: string, init: RequestInit = {}) => fetch(app.url + path, init)

/** Every id of a published thing the test made, and the two that must never be seen. */
const unpublished = () => [ids.pending, ids.rejected]

function expectNoUnpublished(text: string) {
	for (const id of unpublished()) expect(text).not.toContain(id)
	expect(text).not.toContain('secret-pending-words')
	expect(text).not.toContain('secret-rejected-words')
}

function expectMusts(kind: 'annotation' | 'collection' | 'page', doc: unknown) {
	const check = { annotation: checkAnnotationMusts, collection: checkCollectionMusts, page: checkPageMusts }[kind]
	expect(check(doc), `${kind} ${JSON.stringify(doc).slice(0, 120)}`).toEqual([])
}

function expectItemsMusts(items: (WebAnnotation | string)[]) {
	for (const item of items) {
		expect(typeof item).toBe('object')
		expectMusts('annotation', { '@context': 'http://www.w3.org/ns/anno.jsonld', ...(item as WebAnnotation) })
	}
}

const strongEtag = /^"[A-Za-z0-9_-]{43}"$/

describe('the container of an edition', () => {
	test('GET: a BasicContainer with every protocol header, its first page of descriptions embedded, all W3C MUSTs met', async () => {
		const response = await get(containerPath, { headers: ldAccept })
		expect(response.status).toBe(200)
		expect(response.headers.get('content-type')).toBe('application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"')
		expect(response.headers.get('link')).toContain('<http://www.w3.org/ns/ldp#BasicContainer>; rel="type"')
		expect(response.headers.get('link')).toContain('<http://www.w3.org/TR/annotation-protocol/>; rel="http://www.w3.org/ns/ldp#constrainedBy"')
		expect(response.headers.get('allow')).toBe('GET,HEAD,OPTIONS')
		expect(response.headers.get('etag')).toMatch(strongEtag)
		expect(response.headers.get('vary')).toBe('Accept, Prefer')
		expect(response.headers.get('content-location')).toBe(urls.container(manuscript, 1))
		expect(response.headers.get('preference-applied')).toBeNull()
		const text = await response.text()
		expectNoUnpublished(text)
		const container = JSON.parse(text) as AnnotationContainer
		expectMusts('collection', container)
		expect(container.id).toBe(urls.container(manuscript, 1))
		expect(container.type).toEqual(['BasicContainer', 'AnnotationCollection'])
		expect(container.total).toBe(bulkCount + 3)
		const first = container.first as AnnotationPage
		expect(first.items).toHaveLength(100)
		expectItemsMusts(first.items)
		expect(container.last).toBe(`${urls.container(manuscript, 1)}?page=1`)
	})

	test('the IRI without the trailing slash serves the same container and names the canonical one', async () => {
		const [slash, bare] = await Promise.all([get(containerPath, { headers: ldAccept }), get(containerPath.slice(0, -1), { headers: ldAccept })])
		expect(bare.status).toBe(200)
		expect(bare.headers.get('content-location')).toBe(urls.container(manuscript, 1))
		expect(bare.headers.get('etag')).toBe(slash.headers.get('etag'))
		expect(await bare.text()).toBe(await slash.text())
	})

	test('HEAD gives the same headers and no body; OPTIONS says what is allowed', async () => {
		const [full, head] = await Promise.all([get(containerPath), get(containerPath, { method: 'HEAD' })])
		expect(head.status).toBe(200)
		for (const name of ['content-type', 'link', 'allow', 'etag', 'vary', 'content-location']) {
			expect(head.headers.get(name), name).toBe(full.headers.get(name))
		}
		expect(await head.text()).toBe('')
		const options = await get(containerPath, { method: 'OPTIONS' })
		expect(options.status).toBe(204)
		expect(options.headers.get('allow')).toBe('GET,HEAD,OPTIONS')
	})

	test('the container is read-only: POST, PUT, PATCH and DELETE from the app itself get 405 with Allow', async () => {
		for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
			const response = await get(containerPath, {
				method,
				headers: { Origin: app.origin, 'Content-Type': 'application/ld+json' },
				body: method === 'DELETE' ? undefined : JSON.stringify({ type: 'Annotation', target: 'x' }),
			})
			expect(response.status, method).toBe(405)
			expect(response.headers.get('allow')).toBe('GET,HEAD,OPTIONS')
			expect((await response.json()).description).toMatch(/read-only/)
		}
		expect((await app.server.publication.published.edition(manuscript, 1))!.annotations).toHaveLength(bulkCount + 2)
	})

	test('If-None-Match with the ETag (strong or weak form) gives 304 with the same ETag and no body', async () => {
		const etag = (await get(containerPath)).headers.get('etag')!
		for (const header of [etag, `W/${etag}`, `"other", ${etag}`]) {
			const response = await get(containerPath, { headers: { 'If-None-Match': header } })
			expect(response.status, header).toBe(304)
			expect(response.headers.get('etag')).toBe(etag)
			expect(await response.text()).toBe('')
		}
		expect((await get(containerPath, { headers: { 'If-None-Match': '"stale"' } })).status).toBe(200)
	})

	test('Prefer: the minimal container, contained IRIs and contained descriptions, each applied and told', async () => {
		const prefer = (iris: string) => ({ ...ldAccept, Prefer: `return=representation;include="${iris}"` })
		const minimal = await get(containerPath, { headers: prefer(preferIris.minimal) })
		expect(minimal.headers.get('preference-applied')).toBe('return=representation')
		const minimalBody = (await minimal.json()) as AnnotationContainer
		expectMusts('collection', minimalBody)
		expect(minimalBody.first).toBe(`${urls.container(manuscript, 1)}?page=0`)
		expect(minimalBody.last).toBe(`${urls.container(manuscript, 1)}?page=1`)
		expect(JSON.stringify(minimalBody)).not.toContain('/a/')

		const iris = await get(containerPath, { headers: prefer(preferIris.iris) })
		expect(iris.headers.get('preference-applied')).toBe('return=representation')
		const irisBody = (await iris.json()) as AnnotationContainer
		expectMusts('collection', irisBody)
		const irisFirst = irisBody.first as AnnotationPage
		expect(irisFirst.id).toBe(`${urls.container(manuscript, 1)}?iris=1&page=0`)
		expect(irisFirst.items.every((item) => typeof item === 'string' && item.startsWith(`${app.origin}/a/`))).toBe(true)

		const descriptions = await get(containerPath, { headers: prefer(preferIris.descriptions) })
		expect(descriptions.headers.get('preference-applied')).toBe('return=representation')
		const descriptionsBody = (await descriptions.json()) as AnnotationContainer
		expectMusts('collection', descriptionsBody)
		expectItemsMusts((descriptionsBody.first as AnnotationPage).items)

		const both = (await (await get(containerPath, { headers: prefer(`${preferIris.minimal} ${preferIris.iris}`) })).json()) as AnnotationContainer
		expect(both.first).toBe(`${urls.container(manuscript, 1)}?iris=1&page=0`)

		const etags = new Set([minimal, iris, descriptions].map((r) => r.headers.get('etag')))
		expect(etags.size).toBe(3)
	})

	test('next from the first page walks every item exactly once, prev walks back, partOf names the container; pages meet the MUSTs', async () => {
		for (const kind of ['descriptions', 'iris'] as const) {
			const container = (await (await get(containerPath, { headers: kind === 'iris' ? { Prefer: `return=representation;include="${preferIris.iris}"` } : {} })).json()) as AnnotationContainer
			let next: string | undefined = (container.first as AnnotationPage).id
			const seen: string[] = []
			const pages: AnnotationPage[] = []
			while (next) {
				const response = await fetch(next, { headers: ldAccept })
				expect(response.status).toBe(200)
				expect(response.headers.get('content-location')).toBe(next)
				expect(response.headers.get('etag')).toMatch(strongEtag)
				expect(response.headers.get('allow')).toBe('GET,HEAD,OPTIONS')
				const text = await response.text()
				expectNoUnpublished(text)
				const page = JSON.parse(text) as AnnotationPage
				expectMusts('page', page)
				if (kind === 'descriptions') expectItemsMusts(page.items)
				expect(page.partOf).toMatchObject({ id: urls.container(manuscript, 1), total: bulkCount + 3 })
				expect(page.startIndex).toBe(seen.length)
				seen.push(...page.items.map((item) => (typeof item === 'string' ? item : item.id)))
				pages.push(page)
				next = page.next
			}
			expect(pages).toHaveLength(2)
			expect(pages[1]!.prev).toBe(pages[0]!.id)
			expect(pages[0]).not.toHaveProperty('prev')
			expect(seen).toHaveLength(bulkCount + 3)
			expect(new Set(seen).size).toBe(seen.length)
			const expected = [...ids.bulk, ids.approved, ids.reply, ids.retracted].map((id) => urls.version(id, 1))
			expect([...seen].sort()).toEqual([...expected].sort())
		}
	})

	test('a reply follows its parent and targets the parent’s IRI; the retracted version says so', async () => {
		const page = (await (await get(`${containerPath}?page=1`)).json()) as AnnotationPage
		const items = page.items as WebAnnotation[]
		const at = items.findIndex((item) => item.id === urls.version(ids.approved, 1))
		expect(items[at + 1]).toMatchObject({ id: urls.version(ids.reply, 1), motivation: 'replying', target: urls.annotation(ids.approved) })
		expect(items.find((item) => item.id === urls.version(ids.retracted, 1))).toMatchObject({
			'schema:creativeWorkStatus': 'Retracted',
			'schema:correction': { 'schema:text': retractionNotice },
		})
	})

	test('404 for an unknown edition or document, a forged id, or a page out of range; 400 for a malformed page', async () => {
		const missing = [
			`/read/${manuscript}/e/2/annotations/`,
			`/read/${manuscript}/e/0/annotations/`,
			`/read/${manuscript}/e/one/annotations/`,
			`/read/${unfrozenSeminarText}/e/1/annotations/`,
			'/read/5c1ed0c0-0000-4000-8000-00000000ffff/e/1/annotations/',
			'/read/not-a-document/e/1/annotations/',
			`${containerPath}?page=2`,
			`${containerPath}?iris=1&page=2`,
		]
		for (const path of missing) {
			const response = await get(path, { headers: ldAccept })
			expect(response.status, path).toBe(404)
			expect(response.headers.get('content-type')).toMatch(/^application\/ld\+json/)
		}
		for (const path of [`${containerPath}?page=-1`, `${containerPath}?page=one`, `${containerPath}?iris=yes&page=0`]) {
			expect((await get(path)).status, path).toBe(400)
		}
	})

	test('an edition frozen with nothing published has an empty container that still meets the MUSTs', async () => {
		const response = await get(`/read/${frozenSeminarText}/e/1/annotations/`)
		expect(response.status).toBe(200)
		const container = (await response.json()) as AnnotationContainer
		expectMusts('collection', container)
		expect(container.total).toBe(0)
		const page = (await (await get(`/read/${frozenSeminarText}/e/1/annotations/?page=0`)).json()) as AnnotationPage
		expectMusts('page', page)
		expect(page.items).toEqual([])
	})
})

describe('a single annotation', () => {
	const current = () => `/a/${ids.approved}`

	test('Accept: JSON-LD gives the current version with its Link type, ETag, Vary and Allow, meeting the MUSTs', async () => {
		const response = await get(current(), { headers: ldAccept })
		expect(response.status).toBe(200)
		expect(response.headers.get('content-type')).toBe('application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"')
		expect(response.headers.get('link')).toBe('<http://www.w3.org/ns/ldp#Resource>; rel="type"')
		expect(response.headers.get('etag')).toMatch(strongEtag)
		expect(response.headers.get('vary')).toBe('Accept')
		expect(response.headers.get('allow')).toBe('GET,HEAD,OPTIONS')
		expect(response.headers.get('content-location')).toBe(urls.version(ids.approved, 1))
		const annotation = (await response.json()) as WebAnnotation
		expectMusts('annotation', annotation)
		expect(annotation).toMatchObject({ id: urls.version(ids.approved, 1), canonical: urls.annotation(ids.approved) })
		expect(annotation.body?.[0]).toMatchObject({ type: 'TextualBody', value: trickyBody, format: 'text/markdown' })
	})

	test('HEAD has the same headers and no body; OPTIONS answers Allow; 304 on If-None-Match', async () => {
		const full = await get(current(), { headers: ldAccept })
		const head = await get(current(), { method: 'HEAD', headers: ldAccept })
		expect(head.status).toBe(200)
		for (const name of ['content-type', 'link', 'allow', 'etag', 'vary', 'content-location']) {
			expect(head.headers.get(name), name).toBe(full.headers.get(name))
		}
		expect(await head.text()).toBe('')
		const options = await get(current(), { method: 'OPTIONS', headers: ldAccept })
		expect(options.status).toBe(204)
		expect(options.headers.get('allow')).toBe('GET,HEAD,OPTIONS')
		const again = await get(current(), { headers: { ...ldAccept, 'If-None-Match': full.headers.get('etag')! } })
		expect(again.status).toBe(304)
		expect(await again.text()).toBe('')
	})

	test('every way of asking for JSON-LD gets it: the profile, plain ld+json, json over html, ?format=jsonld, the .jsonld address', async () => {
		const asks: [string, Record<string, string>][] = [
			[current(), { Accept: 'application/ld+json' }],
			[current(), { Accept: 'application/json, text/plain, */*' }],
			[current(), { Accept: 'text/html;q=0.5, application/json' }],
			[`${current()}?format=jsonld`, {}],
			[`${current()}.jsonld`, {}],
			[`/a/${ids.approved}/v/1`, ldAccept],
			[`/a/${ids.approved}/v/1.jsonld`, {}],
			[`/a/${ids.reply}`, ldAccept],
			[`/a/${ids.retracted}/v/1?format=jsonld`, {}],
		]
		for (const [path, headers] of asks) {
			const response = await get(path, { headers })
			expect(response.status, path).toBe(200)
			expect(response.headers.get('content-type'), path).toMatch(/^application\/ld\+json/)
			expectMusts('annotation', await response.json())
		}
		const retracted = (await (await get(`/a/${ids.retracted}.jsonld`)).json()) as WebAnnotation
		expect(retracted['schema:creativeWorkStatus']).toBe('Retracted')
	})

	test('a browser, or a client that accepts anything, gets the permalink page, not JSON-LD', async () => {
		for (const accept of ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', '*/*', 'text/html, application/json']) {
			for (const path of [current(), `/a/${ids.approved}/v/1`]) {
				const response = await get(path, { headers: { Accept: accept } })
				expect(response.status, `${path} ${accept}`).toBe(200)
				expect(response.headers.get('content-type'), accept).toMatch(/^text\/html/)
				expect(await response.text()).toContain('Which <strong>decree</strong> names him?')
			}
		}
	})

	test('unpublished, unknown and forged ids are 404 with a JSON-LD error; the .jsonld address refuses writes', async () => {
		for (const path of [
			`/a/${ids.pending}`,
			`/a/${ids.rejected}`,
			`/a/${ids.pending}/v/1`,
			`/a/${ids.approved}/v/2`,
			`/a/${ids.approved}/v/0`,
			'/a/00000000-0000-4000-8000-000000000000',
			'/a/not-an-id',
		]) {
			const response = await get(path, { headers: ldAccept })
			expect(response.status, path).toBe(404)
			expect(response.headers.get('content-type'), path).toMatch(/^application\/ld\+json/)
			const text = await response.text()
			expect(JSON.parse(text)).toMatchObject({ '@type': 'Error', statusCode: 404 })
			expectNoUnpublished(text)
		}
		const post = await get(`/a/${ids.approved}.jsonld`, { method: 'POST', headers: { Origin: app.origin }, body: '{}' })
		expect(post.status).toBe(405)
		expect(post.headers.get('allow')).toBe('GET,HEAD,OPTIONS')
	})

	test('annotationJsonLd answers only a request for JSON-LD, for the permalink loaders', async () => {
		const context = { db: app.database.db, publication: app.server.publication, appOrigin: app.origin } as AppLoadContext
		const html = new Request(`${app.origin}/a/${ids.approved}`, { headers: { Accept: 'text/html' } })
		expect(await annotationJsonLd(html, context, ids.approved, undefined)).toBeNull()
		const ld = new Request(`${app.origin}/a/${ids.approved}/v/1`, { headers: ldAccept })
		const response = await annotationJsonLd(ld, context, ids.approved, 1)
		expect(response?.status).toBe(200)
		expectMusts('annotation', await response!.json())
		expect((await annotationJsonLd(ld, context, ids.pending, undefined))?.status).toBe(404)
	})
})

describe('Atom feeds', () => {
	function parseFeed(xml: string) {
		const { window } = new JSDOM('')
		const doc = new window.DOMParser().parseFromString(xml, 'application/xml')
		expect(doc.getElementsByTagName('parsererror')).toHaveLength(0)
		const atom = 'http://www.w3.org/2005/Atom'
		const feed = doc.documentElement
		expect(feed.namespaceURI).toBe(atom)
		expect(feed.localName).toBe('feed')
		const child = (parent: Element, name: string) => Array.from(parent.children).find((e) => e.localName === name)
		const entries = Array.from(feed.children)
			.filter((e) => e.localName === 'entry')
			.map((entry) => ({
				id: child(entry, 'id')?.textContent,
				title: child(entry, 'title')?.textContent ?? '',
				author: child(child(entry, 'author')!, 'name')?.textContent,
				published: child(entry, 'published')?.textContent,
				updated: child(entry, 'updated')?.textContent,
				content: child(entry, 'content'),
				links: Array.from(entry.children)
					.filter((e) => e.localName === 'link')
					.map((l) => ({ rel: l.getAttribute('rel'), href: l.getAttribute('href'), type: l.getAttribute('type') })),
			}))
		return {
			id: child(feed, 'id')?.textContent,
			title: child(feed, 'title')?.textContent,
			updated: child(feed, 'updated')?.textContent,
			self: Array.from(feed.children).find((e) => e.localName === 'link' && e.getAttribute('rel') === 'self')?.getAttribute('href'),
			entries,
		}
	}

	test('the group feed: newest published versions with permalinks, edition links, authors and escaped HTML; nothing unpublished', async () => {
		const response = await get(`/feeds/groups/${board}.atom`)
		expect(response.status).toBe(200)
		expect(response.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8')
		expect(response.headers.get('etag')).toMatch(strongEtag)
		const xml = await response.text()
		expectNoUnpublished(xml)
		const feed = parseFeed(xml)
		expect(feed.title).toBe('Editorial board — published annotations')
		expect(feed.self).toBe(`${app.origin}/feeds/groups/${board}.atom`)
		expect(feed.id).toBe(feed.self)
		expect(Number.isNaN(Date.parse(feed.updated ?? ''))).toBe(false)
		expect(feed.entries).toHaveLength(50)
		const [newest] = feed.entries
		expect(newest!.id).toBe(urls.version(ids.retracted, 1))

		const approved = feed.entries.find((e) => e.id === urls.version(ids.approved, 1))!
		expect(approved.title).toMatch(/^Question: Which decree names him\?/)
		expect(approved.author).toBe('Priya Raman')
		expect(approved.published).toMatch(/Z$/)
		expect(approved.links).toEqual(
			expect.arrayContaining([
				{ rel: 'alternate', type: 'text/html', href: urls.version(ids.approved, 1) },
				{ rel: 'related', type: 'text/html', href: urls.edition(manuscript, 1) },
			]),
		)
		expect(approved.content?.getAttribute('type')).toBe('html')
		const html = new JSDOM(approved.content?.textContent ?? '').window.document
		expect(html.querySelector('strong')?.textContent).toBe('decree')
		expect(html.querySelector('script')).toBeNull()
		expect(html.body.textContent).toContain('Tom & Jerry’s "quote" ]]>')
		expect(html.querySelector('blockquote')?.textContent).toBe('Comissar of Nationalities')

		const reply = feed.entries.find((e) => e.id === urls.version(ids.reply, 1))!
		expect(reply.title).toMatch(/^Reply: The decree of 1922/)
		expect(reply.author).toBe('Tomás Reyes')

		const retracted = feed.entries.find((e) => e.id === urls.version(ids.retracted, 1))!
		expect(retracted.title).toBe('Retracted: Question: This will be retracted.')
		const notice = new JSDOM(retracted.content?.textContent ?? '').window.document.body.textContent ?? ''
		expect(notice).toContain(retractionNotice)
		expect(notice).not.toContain('This will be retracted.')
		expect(Date.parse(retracted.updated!)).toBeGreaterThan(Date.parse(retracted.published!))
	})

	test('the document feed names the document and links its edition; ETag gives 304', async () => {
		const response = await get(`/feeds/documents/${manuscript}.atom`)
		expect(response.status).toBe(200)
		const xml = await response.text()
		expectNoUnpublished(xml)
		const feed = parseFeed(xml)
		expect(feed.title).toBe(`${demoDocuments[2].title} — published annotations`)
		expect(feed.entries.map((e) => e.id)).toContain(urls.version(ids.approved, 1))
		const again = await get(`/feeds/documents/${manuscript}.atom`, { headers: { 'If-None-Match': response.headers.get('etag')! } })
		expect(again.status).toBe(304)
	})

	test('a frozen edition with nothing published gives an empty valid feed, for its document and its group', async () => {
		for (const path of [`/feeds/documents/${frozenSeminarText}.atom`, `/feeds/groups/${seminar}.atom`]) {
			const response = await get(path)
			expect(response.status, path).toBe(200)
			const feed = parseFeed(await response.text())
			expect(feed.entries).toEqual([])
			expect(feed.self).toBe(app.origin + path)
		}
	})

	test('no edition, an unknown or a forged id: 404, so feeds never tell that a private group or document exists', async () => {
		for (const path of [
			`/feeds/groups/${ids.emptyGroup}.atom`,
			`/feeds/documents/${unfrozenSeminarText}.atom`,
			'/feeds/groups/00000000-0000-4000-8000-000000000000.atom',
			'/feeds/documents/00000000-0000-4000-8000-000000000000.atom',
			'/feeds/groups/not-a-group.atom',
		]) {
			expect((await get(path)).status, path).toBe(404)
		}
	})
})
