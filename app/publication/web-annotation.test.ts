import { describe, expect, test } from 'vitest'
import { motivations } from '#app/annotations/types.ts'
import {
	annotationId,
	publishedReply,
	publishedVersion,
	publishedVersions,
	testUrls,
} from '#tests/support/publication-fixtures.ts'
import {
	assertionsOf,
	checkAnnotationMusts,
	checkCollectionMusts,
	checkPageMusts,
	mustTests,
	samples,
} from '#tests/support/w3c-annotation-suite.ts'
import {
	annotationContext,
	containerContext,
	defaultPageSize,
	pageIri,
	parsePrefer,
	preferIris,
	toAnnotationPage,
	toContainer,
	toWebAnnotation,
	type AnnotationPage,
	type ContainerPreference,
	type WebAnnotation,
} from './web-annotation.ts'

const root = publishedVersion({ annotationId: annotationId(1), tags: ['method', 'sources'] })
const reply = publishedReply(root, { annotationId: annotationId(2) })
const containerId = testUrls.container(root.edition.documentId, root.edition.number)

describe('toWebAnnotation', () => {
	test('a root annotation points into its edition with both selectors', () => {
		const doc = toWebAnnotation(root, testUrls)
		expect(doc['@context']).toBe('http://www.w3.org/ns/anno.jsonld')
		expect(doc.id).toBe(`https://scholion.test/a/${root.annotationId}/v/1`)
		expect(doc.type).toBe('Annotation')
		expect(doc.motivation).toBe('commenting')
		expect(doc.target).toEqual({
			type: 'SpecificResource',
			source: `https://scholion.test/read/${root.edition.documentId}/e/2`,
			selector: [
				{
					type: 'TextQuoteSelector',
					exact: 'weaves algebraical patterns',
					prefix: 'the Analytical Engine ',
					suffix: ' just as the Jacquard-loom',
				},
				{ type: 'TextPositionSelector', start: 1204, end: 1231 },
			],
		})
		expect(doc.creator).toEqual({ type: 'Person', name: 'Ada Byron' })
		expect(doc.created).toBe('2026-03-10T14:05:00.000Z')
		expect(doc.canonical).toBe(`https://scholion.test/a/${root.annotationId}`)
		expect(doc['schema:creativeWorkStatus']).toBe('Published')
		// Version 1, never retracted: nothing was modified after creation.
		expect(doc).not.toHaveProperty('modified')
		expect(doc).not.toHaveProperty('generated')
	})

	test('the body is the Markdown source, and each tag is a tagging body', () => {
		const doc = toWebAnnotation(root, testUrls)
		expect(doc.body).toEqual([
			{ type: 'TextualBody', value: root.body, format: 'text/markdown', purpose: 'commenting' },
			{ type: 'TextualBody', value: 'method', purpose: 'tagging' },
			{ type: 'TextualBody', value: 'sources', purpose: 'tagging' },
		])
		expect(doc.body?.[0]).not.toHaveProperty('language')
	})

	test('the language is given only when known, and generated only when asked', () => {
		const doc = toWebAnnotation(root, testUrls, { language: 'en', generated: new Date('2026-04-01T12:00:00+02:00') })
		expect(doc.body?.[0]?.language).toBe('en')
		expect(doc.generated).toBe('2026-04-01T10:00:00.000Z')
		expect(doc.generator).toEqual({ type: 'Software', name: 'Scholion' })
	})

	test('a highlight without words and tags has no body', () => {
		const doc = toWebAnnotation(publishedVersion({ motivation: 'highlighting', body: '', bodyHtml: '' }), testUrls)
		expect(doc).not.toHaveProperty('body')
		expect(doc.motivation).toBe('highlighting')
	})

	test.each(motivations.map((motivation) => [motivation]))('motivation %s is the W3C motivation of the same name', (motivation) => {
		expect(toWebAnnotation(publishedVersion({ motivation }), testUrls).motivation).toBe(motivation)
	})

	test("a reply targets its parent's current IRI and is replying", () => {
		const doc = toWebAnnotation(reply, testUrls)
		expect(doc.motivation).toBe('replying')
		expect(doc.target).toBe(`https://scholion.test/a/${root.annotationId}`)
		expect(doc.body?.[0]?.purpose).toBe('replying')
	})

	test('a superseded version links to the version that replaced it', () => {
		const doc = toWebAnnotation(
			publishedVersion({ number: 2, standing: 'superseded', supersededBy: 3, publishedAt: '2026-03-16T09:00:00+01:00' }),
			testUrls,
		)
		expect(doc['schema:creativeWorkStatus']).toBe('Superseded')
		expect(doc['dcterms:isReplacedBy']).toEqual({ id: doc.id.replace(/\/v\/2$/, '/v/3') })
		expect(doc.modified).toBe('2026-03-16T08:00:00.000Z')
	})

	test('a retracted version stays resolvable and carries its notice', () => {
		const doc = toWebAnnotation(
			publishedVersion({ standing: 'retracted', retraction: { at: '2026-03-20T12:00:00+01:00', notice: 'The quote was misattributed.' } }),
			testUrls,
		)
		expect(doc['schema:creativeWorkStatus']).toBe('Retracted')
		expect(doc['schema:correction']).toEqual({
			type: 'schema:CorrectionComment',
			'schema:text': 'The quote was misattributed.',
			'schema:dateCreated': '2026-03-20T11:00:00.000Z',
		})
		expect(doc.modified).toBe('2026-03-20T11:00:00.000Z')
		expect(doc.body).toBeDefined()
	})

	test('a root annotation without a selector is a programming error', () => {
		expect(() => toWebAnnotation(publishedVersion({ selector: null }), testUrls)).toThrow(RangeError)
	})
})

describe('parsePrefer', () => {
	test.each([
		[null, 'descriptions'],
		['', 'descriptions'],
		['return=representation;include="http://www.w3.org/ns/ldp#PreferMinimalContainer"', 'minimal'],
		['return=representation; include="http://www.w3.org/ns/oa#PreferContainedIRIs"', 'iris'],
		['return=representation;include="http://www.w3.org/ns/oa#PreferContainedDescriptions"', 'descriptions'],
		[
			'return=representation;include="http://www.w3.org/ns/oa#PreferContainedIRIs http://www.w3.org/ns/ldp#PreferMinimalContainer"',
			'minimal',
		],
		['respond-async, return=representation;include="http://www.w3.org/ns/oa#PreferContainedIRIs"', 'iris'],
		['return=minimal', 'descriptions'],
		['include="http://example.org/other"', 'descriptions'],
	] as const)('%j → %s', (header, expected) => {
		expect(parsePrefer(header)).toBe(expected)
	})
})

describe('containers and pages', () => {
	const versions = publishedVersions(250)

	test('the full container embeds the first page of descriptions', () => {
		const container = toContainer({ id: containerId, label: 'Annotations on edition 2', versions, urls: testUrls })
		expect(container['@context']).toEqual(['http://www.w3.org/ns/anno.jsonld', 'http://www.w3.org/ns/ldp.jsonld'])
		expect(container.type).toEqual(['BasicContainer', 'AnnotationCollection'])
		expect(container.total).toBe(250)
		expect(container.label).toBe('Annotations on edition 2')
		expect(container.modified).toBe('2026-03-14T12:09:00.000Z')
		expect(container.last).toBe(`${containerId}?page=2`)
		const first = container.first as AnnotationPage
		expect(first.id).toBe(`${containerId}?page=0`)
		expect(first.next).toBe(`${containerId}?page=1`)
		expect(first).not.toHaveProperty('prev')
		expect(first.startIndex).toBe(0)
		expect(first.items).toHaveLength(defaultPageSize)
		const item = first.items[0] as WebAnnotation
		expect(item.id).toBe(testUrls.version(versions[0]!.annotationId, 1))
		// Embedded annotations inherit the container's context.
		expect(item).not.toHaveProperty('@context')
	})

	test('PreferContainedIRIs embeds the first page with IRIs, on IRIs pages', () => {
		const container = toContainer({ id: containerId, label: 'A', versions, urls: testUrls, preference: 'iris' })
		const first = container.first as AnnotationPage
		expect(first.id).toBe(`${containerId}?iris=1&page=0`)
		expect(first.items.slice(0, 2)).toEqual([testUrls.version(versions[0]!.annotationId, 1), testUrls.version(versions[1]!.annotationId, 1)])
		expect(container.last).toBe(`${containerId}?iris=1&page=2`)
	})

	test('PreferMinimalContainer gives first and last as IRIs, no annotations', () => {
		const container = toContainer({ id: containerId, label: 'A', versions, urls: testUrls, preference: 'minimal' })
		expect(container.first).toBe(`${containerId}?page=0`)
		expect(container.last).toBe(`${containerId}?page=2`)
		expect(JSON.stringify(container)).not.toContain('"items"')
	})

	test('an empty container has a total of 0 and no pages to link', () => {
		const container = toContainer({ id: containerId, label: 'A', versions: [], urls: testUrls })
		expect(container.total).toBe(0)
		expect(container).not.toHaveProperty('first')
		expect(container).not.toHaveProperty('last')
		expect(toAnnotationPage({ containerId, page: 0, versions: [], urls: testUrls })?.items).toEqual([])
		expect(toAnnotationPage({ containerId, page: 1, versions: [], urls: testUrls })).toBeNull()
	})

	test('pages link next and prev, say what they are part of, and hold every annotation once', () => {
		const seen: string[] = []
		let page: ReturnType<typeof toAnnotationPage> = toAnnotationPage({ containerId, page: 0, versions, urls: testUrls, label: 'A' })
		let count = 0
		while (page) {
			expect(page['@context']).toBe(annotationContext)
			expect(page.partOf).toEqual({
				id: containerId,
				total: 250,
				label: 'A',
				modified: '2026-03-14T12:09:00.000Z',
				first: `${containerId}?page=0`,
				last: `${containerId}?page=2`,
			})
			expect(page.startIndex).toBe(count * defaultPageSize)
			seen.push(...page.items.map((item) => (item as WebAnnotation).id))
			if (!page.next) break
			const next = Number(new URL(page.next).searchParams.get('page'))
			page = toAnnotationPage({ containerId, page: next, versions, urls: testUrls, label: 'A' })
			expect(page?.prev).toBe(pageIri(containerId, next - 1))
			count += 1
		}
		expect(count).toBe(2)
		expect(seen).toEqual(versions.map((version) => testUrls.version(version.annotationId, 1)))
	})

	test('page size is honoured, and a page past the last is null', () => {
		const page = toAnnotationPage({ containerId, page: 4, versions, urls: testUrls, pageSize: 50 })
		expect(page?.items).toHaveLength(50)
		expect(page).not.toHaveProperty('next')
		expect(toAnnotationPage({ containerId, page: 5, versions, urls: testUrls, pageSize: 50 })).toBeNull()
		expect(toAnnotationPage({ containerId, page: -1, versions, urls: testUrls })).toBeNull()
		expect(toAnnotationPage({ containerId, page: 0.5, versions, urls: testUrls })).toBeNull()
	})

	test('the preference IRIs are the ones the protocol names', () => {
		expect(preferIris).toEqual({
			minimal: 'http://www.w3.org/ns/ldp#PreferMinimalContainer',
			iris: 'http://www.w3.org/ns/oa#PreferContainedIRIs',
			descriptions: 'http://www.w3.org/ns/oa#PreferContainedDescriptions',
		})
		expect(containerContext).toEqual([annotationContext, 'http://www.w3.org/ns/ldp.jsonld'])
	})
})

describe('the W3C annotation-model suite harness', () => {
	test('loads every MUST assertion of the three lists', () => {
		expect(assertionsOf(mustTests.annotation)).toHaveLength(54)
		expect(assertionsOf(mustTests.collection)).toHaveLength(10)
		expect(assertionsOf(mustTests.page)).toHaveLength(15)
	})

	// SOURCE.txt: correct/anno11..13 use a Composite/List/Independents target
	// that the final schemas no longer accept.
	const compositeTargets = ['anno11.json', 'anno12.json', 'anno13.json']
	const correctAnnotations = samples('correct').filter((sample) => sample.name.startsWith('anno'))

	test.each(correctAnnotations.filter((sample) => !compositeTargets.includes(sample.name)).map((sample) => [sample.name, sample.doc]))(
		'correct sample %s passes the annotation MUSTs',
		(_name, doc) => {
			expect(checkAnnotationMusts(doc)).toEqual([])
		},
	)

	test.each(compositeTargets)('correct sample %s fails only on its Composite-style target (a known quirk)', (name) => {
		const sample = correctAnnotations.find((candidate) => candidate.name === name)
		expect(checkAnnotationMusts(sample?.doc).map((failure) => failure.assertion)).toEqual([
			'annotations/3.2-targetObjectsRecognized.json',
		])
	})

	test.each(['collection1.json', 'example41.json'])('correct sample %s passes the collection MUSTs', (name) => {
		const sample = samples('correct').find((candidate) => candidate.name === name)
		expect(checkCollectionMusts(sample?.doc)).toEqual([])
	})

	// SOURCE.txt: example42/43 give partOf as a string; the schemas want an object.
	test.each(['example42.json', 'example43.json'])('correct page sample %s passes the page MUSTs once partOf is an object', (name) => {
		const doc = samples('correct').find((candidate) => candidate.name === name)?.doc as { partOf: string }
		expect(checkPageMusts(doc).length).toBeGreaterThan(0)
		expect(checkPageMusts({ ...doc, partOf: { id: doc.partOf } })).toEqual([])
	})

	test('every incorrect annotation sample that is JSON fails a MUST, with its message', () => {
		const incorrect = samples('incorrect')
		expect(incorrect.filter((sample) => sample.doc === undefined)).toHaveLength(17)
		for (const sample of incorrect.filter((candidate) => candidate.doc !== undefined)) {
			const failures = checkAnnotationMusts(sample.doc)
			expect(failures.length, sample.name).toBeGreaterThan(0)
			for (const failure of failures) expect(failure.errorMessage).toMatch(/^error: /i)
		}
	})

	test('incorrect samples fail for the reason they were written for', () => {
		const byName = (name: string) => checkAnnotationMusts(samples('incorrect').find((sample) => sample.name === name)?.doc)
		expect(byName('anno3.json').map((failure) => failure.assertion)).toContain('annotations/3.1-annotationContextValidated.json')
		expect(byName('anno28.json').map((failure) => failure.assertion)).toContain('annotations/3.3.1-annotationCreatedValidated.json')
		expect(byName('anno36.json').map((failure) => failure.assertion)).toContain('annotations/3.3.7-annotationCanonicalValidated.json')
	})

	test('it fails our own documents when they break a MUST', () => {
		const doc = toWebAnnotation(root, testUrls)
		expect(checkAnnotationMusts({ ...doc, '@context': 'https://www.w3.org/ns/anno.jsonld' }).map((f) => f.assertion)).toEqual([
			'annotations/3.1-annotationContextValidated.json',
		])
		expect(checkAnnotationMusts({ ...doc, created: '2026-03-10T14:05:00' }).map((f) => f.assertion)).toEqual([
			'annotations/3.3.1-annotationCreatedValidated.json',
		])
		expect(checkAnnotationMusts({ ...doc, id: '/a/relative' }).map((f) => f.assertion)).toEqual([
			'annotations/3.1-annotationIdValidated.json',
		])
		const page = toAnnotationPage({ containerId, page: 0, versions: [root], urls: testUrls })
		expect(checkPageMusts({ ...page, partOf: containerId }).length).toBeGreaterThan(0)
		const container = toContainer({ id: containerId, label: 'A', versions: [root], urls: testUrls, preference: 'minimal' })
		expect(checkCollectionMusts({ ...container, first: undefined }).map((f) => f.assertion)).toEqual([
			'collections/5.1-collectionFirstValidated.json',
		])
	})
})

describe('what the serializer emits passes the W3C MUSTs', () => {
	const urls = testUrls
	const annotations: [string, unknown][] = [
		['root annotation with tags', toWebAnnotation(root, urls)],
		['root annotation without tags', toWebAnnotation(publishedVersion(), urls)],
		['root annotation with language and generated', toWebAnnotation(root, urls, { language: 'en', generated: new Date() })],
		['highlight without body', toWebAnnotation(publishedVersion({ motivation: 'highlighting', body: '', bodyHtml: '' }), urls)],
		['reply', toWebAnnotation(reply, urls)],
		['reply with tags', toWebAnnotation(publishedReply(root, { tags: ['agree'] }), urls)],
		[
			'retracted',
			toWebAnnotation(publishedVersion({ standing: 'retracted', retraction: { at: '2026-03-20T11:00:00Z', notice: 'Withdrawn.' } }), urls),
		],
		['superseded', toWebAnnotation(publishedVersion({ number: 2, standing: 'superseded', supersededBy: 3 }), urls)],
		...motivations.map((motivation): [string, unknown] => [`motivation ${motivation}`, toWebAnnotation(publishedVersion({ motivation }), urls)]),
	]

	test.each(annotations)('annotation: %s', (_name, doc) => {
		expect(checkAnnotationMusts(doc)).toEqual([])
	})

	const versions = [root, reply, ...publishedVersions(230)]
	const preferences: ContainerPreference[] = ['descriptions', 'iris', 'minimal']

	test.each(preferences)('container, Prefer %s', (preference) => {
		const container = toContainer({ id: containerId, label: 'Annotations', versions, urls, preference })
		expect(checkCollectionMusts(container)).toEqual([])
		// With the first page embedded, the page MUSTs apply to it too.
		if (preference !== 'minimal') expect(checkPageMusts(container)).toEqual([])
	})

	test('empty container', () => {
		expect(checkCollectionMusts(toContainer({ id: containerId, label: 'Annotations', versions: [], urls }))).toEqual([])
	})

	test.each([
		['first', 0],
		['middle', 1],
		['last', 2],
	] as const)('%s page, descriptions and IRIs', (_name, number) => {
		for (const preference of ['descriptions', 'iris'] as const) {
			const page = toAnnotationPage({ containerId, page: number, versions, urls, preference, label: 'Annotations' })
			expect(page).not.toBeNull()
			expect(checkPageMusts(page)).toEqual([])
			if (preference === 'descriptions') {
				// Each embedded annotation, given back the context it inherits, is a valid annotation.
				for (const item of page!.items) expect(checkAnnotationMusts({ '@context': annotationContext, ...(item as object) })).toEqual([])
			}
		}
	})
})
