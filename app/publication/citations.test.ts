import { Cite, plugins } from '@citation-js/core'
import '@citation-js/plugin-bibtex'
import '@citation-js/plugin-ris'
import { describe, expect, test } from 'vitest'
import { edition, publishedReply, publishedVersion, testUrls } from '#tests/support/publication-fixtures.ts'
import type { PublicationUrls } from './types.ts'
import { cslTemplates, editionCitation, editionCslItem, versionCitation, versionCslItem } from './citations.server.ts'

const version = publishedVersion({ number: 2 })
const permalink = testUrls.version(version.annotationId, 2)
const title = 'Menabrea reads the engine as a calculator; Lovelace insists it manipulates symbols'

describe('versionCitation', () => {
	const citation = versionCitation(version, testUrls)

	test('APA: author, date, the first words as title, [Annotation], the edition, the group, the permalink', () => {
		expect(citation.apa).toBe(
			`Byron, A. (2026, March 14). ${title} [Annotation, version 2]. ` +
				`Sketch of the Analytical Engine, Edition 2; Sources seminar. ${permalink}`,
		)
	})

	test('MLA 9th edition', () => {
		expect(citation.mla).toBe(
			'Byron, Ada. “Menabrea Reads the Engine as a Calculator; Lovelace Insists It Manipulates Symbols.” ' +
				`Sketch of the Analytical Engine, Edition 2, Sources seminar, 14 Mar. 2026, ${permalink}.`,
		)
	})

	test('Chicago author-date', () => {
		expect(citation.chicago).toMatch(/^Byron, Ada\. 2026\. “Menabrea Reads the Engine/)
		expect(citation.chicago).toContain('Sketch of the Analytical Engine, Edition 2. Sources seminar.')
		expect(citation.chicago).toContain(permalink)
	})

	test('the MLA and Chicago styles are the CSL project’s, registered with Citation.js', () => {
		const templates = plugins.config.get('@csl').templates
		expect(templates.get(cslTemplates.mla)).toContain('<id>http://www.zotero.org/styles/modern-language-association</id>')
		expect(templates.get(cslTemplates.mla)).toContain('<title>Modern Language Association 9th edition</title>')
		expect(templates.get(cslTemplates.chicago)).toContain('<id>http://www.zotero.org/styles/chicago-author-date</id>')
	})

	test('BibTeX parses back with Citation.js to the same author, title, year and URL', () => {
		expect(citation.bibtex).toMatch(/^@misc\{/)
		const [item] = new Cite(citation.bibtex).data
		expect(item?.author).toEqual([{ given: 'Ada', family: 'Byron' }])
		expect(item?.title).toBe(title)
		expect(item?.URL).toBe(permalink)
		expect((item?.issued as { 'date-parts': number[][] })['date-parts'][0]?.[0]).toBe(2026)
	})

	test('RIS has one record from TY to ER, with the permalink, and parses back', () => {
		const lines = citation.ris.split('\n')
		expect(lines[0]).toBe('TY  - ICOMM')
		expect(lines.at(-1)).toBe('ER  - ')
		expect(lines).toContain('AU  - Byron, Ada')
		expect(lines).toContain('PY  - 2026')
		expect(lines).toContain(`UR  - ${permalink}`)
		expect(lines).toContain(`TI  - ${title}`)
		const [item] = new Cite(citation.ris).data
		expect(item?.title).toBe(title)
		expect(item?.URL).toBe(permalink)
	})

	test('RIS keeps a long permalink and title on one line each (Citation.js’s own text output wraps them at 70)', () => {
		const origin = 'https://annotations.a-rather-long-university-name.example.edu'
		const longUrls: PublicationUrls = { ...testUrls, version: (id, n) => `${origin}/a/${id}/v/${n}` }
		const { ris } = versionCitation(version, longUrls)
		const url = longUrls.version(version.annotationId, 2)
		expect(url.length).toBeGreaterThan(70)
		expect(ris.split('\n')).toContain(`UR  - ${url}`)
		expect(new Cite(ris).data[0]?.URL).toBe(url)
	})

	test('CSL-JSON parses to the item the other formats were made from', () => {
		const parsed = JSON.parse(citation.cslJson) as unknown[]
		expect(parsed).toEqual([versionCslItem(version, testUrls)])
		expect(parsed[0]).toMatchObject({ type: 'post', genre: 'Annotation, version 2', publisher: 'Sources seminar', URL: permalink })
		expect(citation.cslJson).toContain('\n  ')
	})

	test('no accessed date unless one is given, so the same version always cites the same', () => {
		expect(versionCitation(version, testUrls)).toEqual(citation)
		expect(citation.cslJson).not.toContain('accessed')
		expect(citation.ris).not.toMatch(/^Y2 {2}- /m)
		const accessed = versionCitation(version, testUrls, { accessed: new Date('2026-04-02T23:30:00-02:00') })
		expect(JSON.parse(accessed.cslJson)[0].accessed).toEqual({ 'date-parts': [[2026, 4, 3]] })
		expect(accessed.bibtex).toContain('accessed 2026-04-03')
		expect(accessed.ris).toContain('Y2  - 2026/4/3/')
	})

	test('a retracted version says so', () => {
		const retracted = versionCitation(
			publishedVersion({ standing: 'retracted', retraction: { at: '2026-03-20T11:00:00Z', notice: 'Withdrawn.' } }),
			testUrls,
		)
		expect(retracted.apa).toContain('[Retracted annotation]')
		expect(retracted.chicago).toContain('Retracted annotation.')
		expect(JSON.parse(retracted.cslJson)[0].status).toBe('retracted')
	})

	test('a reply is cited as a reply, a highlight by its quote, a mononym whole', () => {
		expect(versionCitation(publishedReply(version), testUrls).apa).toMatch(
			/^Babbage, C\. \(2026, March 15\)\. Agreed, though the Notes are careful to say it originates nothing \[Reply to an annotation\]\./,
		)
		const highlight = publishedVersion({ motivation: 'highlighting', body: '', bodyHtml: '', author: { id: null, name: 'Plato' } })
		expect(versionCitation(highlight, testUrls).apa).toMatch(/^Plato\. \(2026, March 14\)\. Highlight on “weaves algebraical patterns” \[Annotation\]\./)
	})

	test('the title is the first twenty words of the rendered body, without Markdown', () => {
		const long = publishedVersion({
			body: 'ignored: the rendered body is what counts',
			bodyHtml: `<p>${Array.from({ length: 30 }, (_, i) => `<em>w${i + 1}</em>`).join(' ')}</p>`,
		})
		expect(versionCslItem(long, testUrls).title).toBe(Array.from({ length: 20 }, (_, i) => `w${i + 1}`).join(' '))
	})
})

describe('editionCitation', () => {
	const theEdition = edition()
	const citation = editionCitation(theEdition, testUrls)
	const url = testUrls.edition(theEdition.documentId, 2)

	test('APA, MLA and Chicago name the document, the edition, the group and the edition’s permalink', () => {
		expect(citation.apa).toBe(`Sketch of the Analytical Engine (2nd ed.). (2026). Sources seminar. ${url}`)
		expect(citation.mla).toBe(`Sketch of the Analytical Engine. 2nd ed., Sources seminar, 2026, ${url}.`)
		expect(citation.chicago).toBe(`Sketch of the Analytical Engine. 2026. 2nd ed. Sources seminar. ${url}.`)
	})

	test('BibTeX, RIS and CSL-JSON parse back', () => {
		const [fromBibtex] = new Cite(citation.bibtex).data
		expect(fromBibtex).toMatchObject({ type: 'book', title: 'Sketch of the Analytical Engine', edition: '2', URL: url })
		expect(citation.ris.split('\n')[0]).toBe('TY  - BOOK')
		expect(citation.ris).toMatch(/\nER {2}- $/)
		expect(new Cite(citation.ris).data[0]).toMatchObject({ title: 'Sketch of the Analytical Engine', URL: url })
		expect(JSON.parse(citation.cslJson)).toEqual([editionCslItem(theEdition, testUrls)])
	})
})
