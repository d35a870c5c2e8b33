import fc from 'fast-check'
import { JSDOM } from 'jsdom'
import { describe, expect, test } from 'vitest'
import { maxUrlLength, safeHref } from './safe-url.ts'

/**
 * safeHref is the one rule for a user's URL rendered as a link. Hostile
 * inputs reach it after an HTML parser has decoded entities (pasted HTML,
 * HTML import), so most cases are written as HTML and parsed by jsdom first,
 * exactly as the editor's clipboard or the importer would read them.
 */
const site = 'https://scholion.test/groups/g/documents/d'

/** The href of `<a href=…>` written as raw HTML, as a parser hands it over. */
const parsedHref = (rawAttribute: string): string | null =>
	new JSDOM(`<a href=${rawAttribute}>x</a>`).window.document.querySelector('a')!.getAttribute('href')

/** Where a browser on a Scholion page would go for `href` (WHATWG URL parser, as in Chromium). */
const destination = (href: string) => new URL(href, site)

describe('safeHref refuses what would run or leave the site unannounced', () => {
	test.each([
		['javascript:alert(1)'],
		['JaVaScRiPt:alert(1)'],
		['"java\tscript:alert(1)"'],
		['"java&#x09;script:alert(1)"'],
		['"java&#10;script:alert(1)"'],
		['"java&#13;script:alert(1)"'],
		['" javascript:alert(1)"'],
		['"&#1;java&#3;script:alert(1)"'],
		['javascript&colon;alert(1)'],
		['&#106;avascript:alert(1)'],
		['&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)'],
		['"jav&#x0D;ascript:alert(1)"'],
		['data:text/html,<script>alert(1)</script>'],
		['DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='],
		['vbscript:msgbox(1)'],
		['file:///etc/passwd'],
		['blob:https://scholion.test/1'],
		['//evil.example'],
		['//evil.example/path?q'],
		['"\t//evil.example"'],
		['" //evil.example"'],
		['/\\evil.example'],
		['\\\\evil.example'],
		['\\/evil.example'],
		['"/&#x09;/evil.example"'],
		['http://'],
		['""'],
	])('%s', (raw) => {
		const href = parsedHref(raw)
		expect(safeHref(href), `parsed as ${JSON.stringify(href)}`).toBeNull()
	})

	test('control characters as a Yjs update or JSON can carry them, unparsed', () => {
		for (const href of ['\u0000javascript:alert(1)', ' \u0000\u001fjavascript:alert(1)\u0000', 'java\u0000script:alert(1)', '/\u0000/evil.example', '\u007fjavascript:alert(1)']) {
			expect(safeHref(href), JSON.stringify(href)).toBeNull()
		}
	})

	test('anything that is not a string', () => {
		for (const value of [null, undefined, 1, {}, ['https://example.org'], { toString: () => 'https://example.org' }]) {
			expect(safeHref(value)).toBeNull()
		}
	})

	test(`a URL longer than ${maxUrlLength} characters is refused, not cut`, () => {
		const atLimit = `https://example.org/${'a'.repeat(maxUrlLength - 'https://example.org/'.length)}`
		expect(safeHref(atLimit)).toBe(atLimit)
		expect(safeHref(`${atLimit}a`)).toBeNull()
		expect(safeHref(`/${'a'.repeat(1_000_000)}`)).toBeNull()
	})
})

describe('safeHref keeps ordinary links', () => {
	test.each([
		['https://example.org/a?b=c#d', 'https://example.org/a?b=c#d'],
		['HTTP://EXAMPLE.ORG', 'HTTP://EXAMPLE.ORG'],
		['mailto:editor@example.org?subject=Hi', 'mailto:editor@example.org?subject=Hi'],
		['MailTo:editor@example.org', 'MailTo:editor@example.org'],
		['/a/1', '/a/1'],
		['/read/x/e/1#note-3', '/read/x/e/1#note-3'],
		['notes.html', 'notes.html'],
		['../up', '../up'],
		['#section', '#section'],
		['?page=2', '?page=2'],
		// Read as a browser reads it: the tab and the surrounding spaces are gone.
		['"  https://exam\tple.org/ "', 'https://example.org/'],
	])('%s', (raw, expected) => {
		expect(safeHref(parsedHref(raw))).toBe(expected)
	})
})

test('whatever safeHref accepts, a browser follows to http(s) or mailto, and a path stays on the site', () => {
	// Strings built from the characters that bypasses are made of.
	const piece = fc.constantFrom(
		'javascript', 'data', 'vbscript', 'http', 'https', 'mailto', 'evil.example', ':', '/', '\\', '//', '\t', '\n', '\r',
		'\u0000', '\u0001', ' ', '\u00a0', '\u200b', '&', '#', '?', '%0a', '%2f', '@', '.', 'a',
	)
	fc.assert(
		fc.property(fc.array(piece, { maxLength: 12 }).map((pieces) => pieces.join('')), (raw) => {
			const href = safeHref(raw)
			if (href === null) return
			let url: URL
			try {
				url = destination(href)
			} catch {
				// An href that no browser can parse is inert.
				return
			}
			expect(['http:', 'https:', 'mailto:']).toContain(url.protocol)
			const relative = !/^[a-z][a-z0-9+.-]*:/i.test(href)
			if (relative) expect(url.origin).toBe(new URL(site).origin)
		}),
		{ seed: 12, numRuns: 20_000 },
	)
})
