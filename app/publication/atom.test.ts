import { JSDOM } from 'jsdom'
import { expect, test } from 'vitest'
import { publishedVersion, testUrls } from '#tests/support/publication-fixtures.ts'
import { entryTitle, firstWords, renderAtom, toAtomFeed, xmlEscape } from './atom.ts'

test('xmlEscape escapes markup and drops what XML 1.0 cannot carry', () => {
	expect(xmlEscape(`a & b < c > d "e" 'f' ]]>`)).toBe('a &amp; b &lt; c &gt; d &quot;e&quot; &apos;f&apos; ]]&gt;')
	expect(xmlEscape('bell\u0007 nul\u0000 \uFFFF lone\uD800 tab\tok 😀')).toBe('bell nul  lone tab\tok 😀')
})

test('titles: the kind and the first words; retracted ones say so', () => {
	expect(firstWords('A [linked](http://x.test) **bold** claim with `code` in it, more words than twelve here and there', 12)).toBe(
		'A linked bold claim with code in it, more words than twelve…',
	)
	const version = publishedVersion({ body: 'Is this sourced?', motivation: 'questioning' })
	expect(entryTitle(version)).toBe('Question: Is this sourced?')
	expect(entryTitle({ ...version, standing: 'retracted', retraction: { at: '2026-04-01T00:00:00.000Z', notice: 'Withdrawn.' } })).toBe(
		'Retracted: Question: Is this sourced?',
	)
})

test('a feed whose texts are hostile still parses, and gives the texts back exactly', () => {
	const hostile = 'x ]]> & <b>y</b> "z"'
	const version = publishedVersion({ body: hostile, bodyHtml: `<p>${hostile.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</p>` })
	const xml = renderAtom(
		toAtomFeed({ selfHref: 'https://scholion.test/feeds/x.atom?a=1&b=2', title: hostile, authorName: hostile, latest: version.edition, versions: [version], urls: testUrls }),
	)
	const doc = new new JSDOM('').window.DOMParser().parseFromString(xml, 'application/xml')
	expect(doc.getElementsByTagName('parsererror')).toHaveLength(0)
	expect(doc.querySelector('feed > title')?.textContent).toBe(hostile)
	expect(doc.querySelector('feed > link[rel=self]')?.getAttribute('href')).toBe('https://scholion.test/feeds/x.atom?a=1&b=2')
	const html = doc.querySelector('entry > content')?.textContent ?? ''
	expect(new JSDOM(html).window.document.body.textContent).toContain(hostile)
})
