import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { findUserByEmail, type User } from '#db/queries/accounts.ts'
import { createDocument } from '#db/queries/documents.ts'
import { createGroup } from '#db/queries/groups.ts'
import { findDocumentSearch } from '#db/queries/search.ts'
import { demoDocuments, demoGroups, seedDemo } from '#seeds/demo.ts'
import { documentFragmentName, documentToYUpdate } from '#app/editor/yjs.ts'
import { importDocument } from '#server/import/index.ts'
import { publishedQuery, workspaceQuery } from '#server/search/query.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { anchorFor } from '#tests/support/annotations.ts'
import { FormClient } from '#tests/support/http-client.ts'

let app: TestApp
const seminarText = demoDocuments[0].id
const users: Record<'owner' | 'moderator' | 'reviewer' | 'reader', User> = {} as never

beforeAll(async () => {
	app = await startTestApp({ placeAnchorsAfterMs: 20 })
	await seedDemo(app.database.db, { published: true })
	for (const role of ['owner', 'moderator', 'reviewer', 'reader'] as const) {
		users[role] = (await findUserByEmail(app.database.db, `${role}@scholion.test`))!
	}
})
afterAll(async () => {
	await app?.close()
})

async function anchorOn(documentId: string, quote: string) {
	return app.server.collab.withDocument(documentId, (room) => {
		const copy = new Y.Doc()
		Y.applyUpdate(copy, Y.encodeStateAsUpdate(room.doc))
		return anchorFor(copy, quote)
	})
}

async function annotate(
	author: User,
	quote: string,
	body: string,
	options: { status?: 'draft' | 'submitted'; tags?: string[]; motivation?: 'commenting' | 'questioning'; documentId?: string } = {},
) {
	const documentId = options.documentId ?? seminarText
	return app.server.annotations.create(author, documentId, {
		motivation: options.motivation ?? 'commenting',
		body,
		tags: options.tags ?? [],
		status: options.status ?? 'submitted',
		anchor: await anchorOn(documentId, quote),
	})
}

function search(user: User, query: Record<string, string>) {
	return app.server.search.search(user, workspaceQuery.parse(query))
}

const ids = (page: { hits: { id: string }[] }) => page.hits.map((h) => h.id)

async function newDocument(groupId: string, title: string, text: string) {
	const result = importDocument({ bytes: new TextEncoder().encode(text), filename: `${title}.txt` })
	if (!result.ok) throw new Error(result.error)
	return createDocument(app.database.db, {
		groupId,
		title,
		sourceFormat: result.format,
		sourceName: null,
		wordCount: result.wordCount,
		createdBy: users.owner.id,
		state: documentToYUpdate(result.doc),
	})
}

async function login(email: string) {
	const client = new FormClient(app.url)
	expect((await client.post('/login', { email, password: 'scholion-demo' })).status).toBe(302)
	return client
}

describe('search in the workspace finds only what the searcher may see', () => {
	test('a reader never finds a draft; its author does', async () => {
		const draft = await annotate(users.reviewer, 'Orphans disappeared', 'Zeugma of fates: a private thought.', { status: 'draft' })
		expect(ids(await search(users.reviewer, { q: 'zeugma' }))).toEqual([draft.id])
		const own = (await search(users.reviewer, { q: 'zeugma' })).hits[0]
		expect(own).toMatchObject({ kind: 'annotation', status: 'draft', href: `/documents/${seminarText}#annotation-${draft.id}` })
		expect(ids(await search(users.reader, { q: 'zeugma' }))).toEqual([])
		expect(ids(await search(users.owner, { q: 'zeugma' }))).toEqual([])
		// Not even by asking for drafts, or by the filters alone.
		expect(ids(await search(users.reader, { status: 'draft' }))).toEqual([])
		expect(ids(await search(users.reader, { document: seminarText }))).not.toContain(draft.id)

		const page = await (await login('reader@scholion.test')).get('/search?q=zeugma')
		expect(page.status).toBe(200)
		const html = await page.text()
		expect(html).toContain('No results')
		expect(html).not.toContain('Zeugma')
	})

	test("another group's documents and annotations are never found; an open community's are", async () => {
		const closed = await createGroup(app.database.db, { name: 'Closed reading group', kind: 'seminar', ownerId: users.owner.id })
		const community = await createGroup(app.database.db, { name: 'Open readers', kind: 'community', ownerId: users.owner.id })
		const closedDoc = await newDocument(closed.id, 'Closed notes', 'The quixotic expedition set out at dawn and nobody returned to tell of it.')
		const openDoc = await newDocument(community.id, 'Open notes', 'A quixotic plan, drafted in the open, for anyone who cares to read it closely.')
		const annotation = await annotate(users.owner, 'quixotic expedition', 'Quixotic indeed: who financed it?', { documentId: closedDoc.id })

		const readerHits = await search(users.reader, { q: 'quixotic' })
		expect(ids(readerHits)).toEqual([openDoc.id])
		expect(readerHits.hits[0]).toMatchObject({ kind: 'document', documentTitle: 'Open notes' })
		expect(ids(await search(users.owner, { q: 'quixotic' })).sort()).toEqual([annotation.id, closedDoc.id, openDoc.id].sort())
		// A filter naming the other group does not open it.
		expect(ids(await search(users.reader, { q: 'quixotic', group: closed.id }))).toEqual([])
	})

	test('ranking: a match in the body comes before a match in the quote only; snippets mark the words', async () => {
		const quoteOnly = await annotate(users.reviewer, 'Siberian city every third resident', 'How was this counted?', { documentId: demoDocuments[2].id })
		const inBody = await annotate(users.moderator, 'Orphans disappeared', 'Compare the Siberian figures with the census.', {})
		const page = await search(users.reviewer, { q: 'siberian', in: 'annotations' })
		const order = ids(page)
		expect(order.indexOf(inBody.id)).toBeGreaterThanOrEqual(0)
		expect(order.indexOf(inBody.id)).toBeLessThan(order.indexOf(quoteOnly.id))
		const hit = page.hits.find((h) => h.id === inBody.id)!
		expect(hit.kind === 'annotation' && hit.body.filter((r) => r.match).map((r) => r.text)).toEqual(['Siberian'])
		const quoted = page.hits.find((h) => h.id === quoteOnly.id)!
		expect(quoted.kind === 'annotation' && quoted.quote.filter((r) => r.match).map((r) => r.text)).toEqual(['Siberian'])
	})

	test('filters: tag, kind, author, status, dates, document; stemming finds other forms of a word', async () => {
		const tagged = await annotate(users.reviewer, 'Orphans disappeared', 'The authors argued this without sources.', {
			tags: ['Provenance'],
			motivation: 'questioning',
		})
		const other = await annotate(users.moderator, 'Orphans disappeared', 'Nobody argues with the orphan figures here.', {})
		expect(ids(await search(users.reader, { q: 'argue' })).sort()).toEqual([tagged.id, other.id].sort())
		expect(ids(await search(users.reader, { q: 'argue', tag: 'provenance' }))).toEqual([tagged.id])
		expect(ids(await search(users.reader, { tag: 'provenance' }))).toEqual([tagged.id])
		expect(ids(await search(users.reader, { q: 'argue', motivation: 'questioning' }))).toEqual([tagged.id])
		expect(ids(await search(users.reader, { q: 'argue', author: users.moderator.id }))).toEqual([other.id])
		expect(ids(await search(users.reader, { q: 'argue', status: 'submitted' })).sort()).toEqual([tagged.id, other.id].sort())
		const today = new Date().toISOString().slice(0, 10)
		expect(ids(await search(users.reader, { q: 'argue', from: today, to: today })).length).toBe(2)
		expect(ids(await search(users.reader, { q: 'argue', to: '2020-01-01' }))).toEqual([])
		expect(ids(await search(users.reader, { q: 'argue', document: demoDocuments[1].id }))).toEqual([])
	})

	test('the page refuses a malformed filter with a message, and renders snippets as text with <mark>', async () => {
		await annotate(users.reviewer, 'Orphans disappeared', 'An <img src=x onerror=alert(1)> zebra **crossing** of the record.')
		const reviewer = await login('reviewer@scholion.test')
		const bad = await reviewer.get('/search?q=zebra&group=not-a-group&from=yesterday')
		const badHtml = await bad.text()
		expect(badHtml).toContain('Choose a group from the list.')
		expect(badHtml).toContain('Use a date like 2026-03-01.')
		expect(badHtml).not.toContain('Results</h2>')
		const good = await (await reviewer.get('/search?q=zebra')).text()
		expect(good).toContain('<mark>zebra</mark>')
		expect(good).not.toContain('<img src=x')
		expect(good).not.toContain('**crossing**')
	})

	test("a document in a language PostgreSQL has no configuration for is indexed with 'simple' and found by its exact words", async () => {
		const polish = await newDocument(
			demoGroups.seminar.id,
			'Kronika',
			'Wczoraj poszliśmy do biblioteki miejskiej, gdzie przeczytaliśmy stare kroniki o powodzi. Bibliotekarka pokazała nam mapy i listy mieszkańców, których domy zniknęły pod wodą.',
		)
		const found = await search(users.reader, { q: 'kroniki' })
		expect(ids(found)).toContain(polish.id)
		expect((await findDocumentSearch(app.database.db, polish.id))?.language).toBe('simple')
		expect((await findDocumentSearch(app.database.db, seminarText))?.language).toBe('english')
	})

	test('the live text is searched: words typed into a document are found after the edit settles', async () => {
		await search(users.reader, { q: 'anything' }) // indexes every document once
		await app.server.collab.withDocument(seminarText, (room) => {
			const first = room.doc.getXmlFragment(documentFragmentName).get(0) as Y.XmlElement
			room.doc.transact(() => (first.get(0) as Y.XmlText).insert(0, 'Serendipitous marginalia. '), 'test')
		})
		// What the debounced re-placing after edits runs (an edit from a socket schedules it).
		await app.server.annotations.placeAnchors(seminarText)
		await app.server.search.settle()
		const hits = await search(users.reader, { q: 'serendipitous' })
		expect(hits.hits).toEqual([expect.objectContaining({ kind: 'document', id: seminarText })])
	})
})

describe('the public search', () => {
	test('finds published annotations and editions only; a retracted one only when asked, marked', async () => {
		const { publication } = app.server
		const shared = await annotate(users.reviewer, 'Orphans disappeared', 'Heliotrope claim awaiting review.')
		const draft = await annotate(users.reviewer, 'Orphans disappeared', 'Heliotrope private draft.', { status: 'draft' })
		const publicSearch = (q: Record<string, string>) => app.server.search.searchPublished(publishedQuery.parse(q))
		expect(ids(await publicSearch({ q: 'heliotrope' }))).toEqual([])

		await publication.decide(users.moderator, shared.id, { verdict: 'approve', reason: 'A fair question.' })
		const found = await publicSearch({ q: 'heliotrope' })
		expect(ids(found)).toEqual([shared.id])
		expect(found.hits[0]).toMatchObject({ kind: 'annotation', standing: 'published', permalink: `/a/${shared.id}` })
		expect(found.hits[0]!.kind === 'annotation' && found.hits[0]!.inEdition).toMatch(new RegExp(`^/read/${seminarText}/e/\\d+#note-${shared.id}$`))
		expect(ids(await publicSearch({ q: 'heliotrope' }))).not.toContain(draft.id)

		// The seeded published layer: an edition's text and a published annotation.
		const seeded = await publicSearch({ q: 'archival evidence' })
		expect(seeded.hits.some((h) => h.kind === 'edition')).toBe(true)
		expect(seeded.hits.some((h) => h.kind === 'annotation')).toBe(true)

		await publication.retract(users.moderator, shared.id, 'Withdrawn: the question was answered elsewhere.')
		expect(ids(await publicSearch({ q: 'heliotrope' }))).toEqual([])
		const withRetracted = await publicSearch({ q: 'heliotrope', retracted: '1' })
		expect(withRetracted.hits).toEqual([expect.objectContaining({ id: shared.id, standing: 'retracted', retractionNotice: expect.stringContaining('Withdrawn') })])

		const page = await fetch(`${app.url}/read/search?q=heliotrope&retracted=1`)
		expect(page.status).toBe(200)
		const html = await page.text()
		expect(html).toContain('Retracted')
		expect(html).toContain('<mark>Heliotrope</mark>')
	})
})
