import { readFileSync } from 'node:fs'
import type { Mark, Node as ProseMirrorNode } from 'prosemirror-model'
import { describe, expect, test } from 'vitest'
import { documentPlainText } from '#app/editor/plain-text.ts'
import { schema } from '#app/editor/schema.ts'
import { formatFromFilename, importDocument, MAX_IMPORT_BYTES, type SourceFormat } from './index.ts'

// Builders in the style of prosemirror-test-builder: doc(h(1, 'Title'), p('Text', em('here'))).
type Inline = string | ProseMirrorNode
const inline = (content: Inline[]) => content.map((c) => (typeof c === 'string' ? schema.text(c) : c))
const doc = (...blocks: ProseMirrorNode[]) => schema.node('doc', null, blocks)
const p = (...content: Inline[]) => schema.node('paragraph', null, inline(content))
const h = (level: number, ...content: Inline[]) => schema.node('heading', { level }, inline(content))
const blockquote = (...blocks: ProseMirrorNode[]) => schema.node('blockquote', null, blocks)
const pre = (text: string) => schema.node('code_block', null, schema.text(text))
const ul = (...items: ProseMirrorNode[]) => schema.node('bullet_list', null, items)
const ol = (order: number, ...items: ProseMirrorNode[]) => schema.node('ordered_list', { order }, items)
const li = (...blocks: ProseMirrorNode[]) => schema.node('list_item', null, blocks)
const br = () => schema.node('hard_break')
const marked = (mark: Mark) => (text: string) => schema.text(text, [mark])
const em = marked(schema.mark('em'))
const strong = marked(schema.mark('strong'))
const code = marked(schema.mark('code'))
const link = (href: string, text: string, title: string | null = null) => marked(schema.mark('link', { href, title }))(text)

const encoder = new TextEncoder()

/** Imports `source` and fails the test with the importer's own message if it is refused. */
function imported(source: string | Uint8Array, format: SourceFormat, filename: string | null = null) {
	const bytes = typeof source === 'string' ? encoder.encode(source) : source
	const result = importDocument({ bytes, format, filename })
	if (!result.ok) throw new Error(`import refused: ${result.error}`)
	return result
}

function refusal(bytes: Uint8Array | string, filename: string | null, format: SourceFormat | null = null) {
	const result = importDocument({ bytes: typeof bytes === 'string' ? encoder.encode(bytes) : bytes, filename, format })
	if (result.ok) throw new Error('expected the import to be refused')
	return result.error
}

/** The document as JSON, for diffs that show which node differs. */
const json = (node: ProseMirrorNode) => node.toJSON() as unknown

const blocksOf = (node: ProseMirrorNode) => {
	const blocks: ProseMirrorNode[] = []
	node.forEach((child) => blocks.push(child))
	return blocks
}

const textblocks = (node: ProseMirrorNode) => {
	const blocks: ProseMirrorNode[] = []
	node.descendants((child) => {
		if (child.isTextblock) blocks.push(child)
		return !child.isTextblock
	})
	return blocks
}

/**
 * The text as a reader sees it, list numbers included: documentPlainText
 * leaves them out because they belong to the list, not to the text.
 */
function readerText(node: ProseMirrorNode): string {
	let text = ''
	node.descendants((child, _pos, parent, index) => {
		if (child.type.name === 'list_item' && parent?.type.name === 'ordered_list') {
			text += `${(parent.attrs.order as number) + index}.`
		}
		if (!child.isTextblock) return true
		text += documentPlainText(doc(child)) + '\n\n'
		return false
	})
	return text
}

const withoutWhitespace = (text: string) => text.replace(/\s+/gu, '')

const seed = (name: string) => {
	const bytes = readFileSync(new URL(`../../seeds/documents/${name}`, import.meta.url))
	return { bytes, text: new TextDecoder().decode(bytes), result: imported(bytes, 'txt', name) }
}

describe('the seed texts', () => {
	const stalin = seed('stalin-1924-1953.txt')
	const parisar = seed('on-stalin-parisar-2007.txt')

	test('keep every character: only whitespace and list markers move', () => {
		expect(withoutWhitespace(documentPlainText(stalin.result.doc))).toBe(withoutWhitespace(stalin.text))
		// Parisar's comments become an ordered list: its numbers come back as the list renders them.
		expect(withoutWhitespace(readerText(parisar.result.doc))).toBe(withoutWhitespace(parisar.text))
	})

	test('the PDF copy is reflowed into its title and fifteen paragraphs', () => {
		const blocks = blocksOf(stalin.result.doc)
		expect(json(blocks[0]!)).toEqual(json(h(1, 'STALIN 1924 – 1953')))
		expect(stalin.result.title).toBe('STALIN 1924 – 1953')
		const paragraphs = blocks.slice(1)
		expect(paragraphs.map((block) => block.type.name)).toEqual(Array(15).fill('paragraph'))
		expect(paragraphs.map((block) => block.textContent.slice(0, 24))).toEqual([
			'In the early 1920s the C',
			'Stalin used a relative l',
			'To hold power by coverin',
			'The latter started with ',
			'Most Party and Governmen',
			'Poisons, developed by St',
			'Inspired by Hitler’s pur',
			'Millions more were execu',
			'Right before the war Gul',
			'It is reported that 110,',
			'After the WWII GULAG swe',
			'Repressions against Zion',
			'After a few fizzles in t',
			'However, Stalin conspire',
			'Practically every modern',
		])
	})

	test('the PDF copy has no line breaks, empty paragraphs or doubled spaces from joining', () => {
		for (const block of textblocks(stalin.result.doc)) {
			expect(block.textContent).not.toMatch(/\n/)
			expect(block.textContent.trim()).not.toBe('')
			expect(block.textContent).toBe(block.textContent.trim())
		}
		// The source's own double space ("in 1941  450,000") is the only one left.
		expect(documentPlainText(stalin.result.doc).match(/ {2,}/g)).toEqual(['  '])
	})

	test('sentences broken by stray blank lines in the PDF copy are whole again', () => {
		const texts = textblocks(stalin.result.doc).map((block) => block.textContent)
		expect(texts.some((t) => t.includes('Cheka under new name NKVD and new leaders was greatly expanded'))).toBe(true)
		expect(texts.some((t) => t.includes('were tested on inmates and used against undesirables.'))).toBe(true)
	})

	test('the blog post keeps one paragraph per line, with its salutation on its own', () => {
		const texts = textblocks(parisar.result.doc).map((block) => block.textContent)
		expect(texts).toContain('Dear Parisar')
		expect(texts).toContain('Best Joseph.')
		expect(texts).toContain('Leave a Reply')
		expect(texts).toContain('You are commenting using your account. Log\u00a0Out\u00a0/\u00a0 Change\u00a0)')
		expect(texts.find((t) => t.startsWith('I have researched'))).toMatch(/I hope to publish an article about this next year\.$/)
	})

	test('the blog post is titled by its heading, not by the masthead', () => {
		const blocks = blocksOf(parisar.result.doc)
		expect(blocks[0]!.type.name).toBe('paragraph')
		expect(blocks[0]!.textContent).toMatch(/^parisar …+\.परिसर$/)
		expect(json(blocks[2]!)).toEqual(json(h(1, 'On Stalin')))
		expect(parisar.result.title).toBe('On Stalin')
		expect(blocks.filter((block) => block.type.name === 'heading')).toHaveLength(1)
	})

	test('the four comments are one ordered list, each signed in a second paragraph', () => {
		const lists = blocksOf(parisar.result.doc).filter((block) => block.type.name === 'ordered_list')
		expect(lists).toHaveLength(1)
		const list = lists[0]!
		expect(list.attrs.order).toBe(1)
		const items = blocksOf(list)
		expect(items.map((item) => blocksOf(item).map((child) => child.textContent.slice(0, 20)))).toEqual([
			['Stalin didn’t really', 'Comment by Marthanda'],
			['I am webmaster of I ', 'Comment by Marthanda'],
			['[…] From the page “O', 'Pingback by Marxist-'],
			['Dear Parisar, i’m pl', 'Comment by khan | Ju'],
		])
	})

	test('Devanagari and curly punctuation survive', () => {
		const text = documentPlainText(parisar.result.doc)
		expect(text).toContain('परिसर')
		expect(text).toContain('प्रगतिशील छात्रों का मंच')
		expect(text).toContain('“Did Mao Really Kill Millions in the Great Leap Forward?”')
		expect(documentPlainText(stalin.result.doc)).toContain('Stalin was an egalitarian murderer – he murdered')
	})

	test('word counts are those of the source, less the four list numbers', () => {
		const words = (text: string) => text.split(/\s+/u).filter(Boolean).length
		expect(stalin.result.wordCount).toBe(words(stalin.text))
		expect(parisar.result.wordCount).toBe(words(parisar.text) - 4)
	})
})

/** Hard-wraps prose at `width` columns the way a mail client or PDF export does. */
function hardWrap(paragraph: string, width: number): string {
	const lines: string[] = []
	let line = ''
	for (const word of paragraph.split(' ')) {
		if (line && line.length + 1 + word.length > width) {
			lines.push(line)
			line = word
		} else {
			line = line ? `${line} ${word}` : word
		}
	}
	return [...lines, line].join('\n')
}

const prose = [
	'The committee met on a Tuesday and, after a long and at times heated discussion of the budget, agreed to postpone the vote on the new reading room until the spring.',
	'Several members objected that the proposal had been circulated too late for anyone to read it properly, and asked for the minutes to record their objection in full.',
	'The chair promised a revised draft, with costs broken down by year and by source of funding, before the next meeting of the committee in March.',
]

describe('plain text', () => {
	test('a hard-wrapped text is reflowed back into its paragraphs', () => {
		const source = prose.map((paragraph) => hardWrap(paragraph, 72)).join('\n\n')
		expect(json(imported(source, 'txt').doc)).toEqual(json(doc(...prose.map((text) => p(text)))))
	})

	test('in a hard-wrapped text, first-line indents and short last lines end paragraphs too', () => {
		const indented = prose.map((paragraph) => `  ${hardWrap(paragraph, 72)}`).join('\n')
		expect(json(imported(indented, 'txt').doc)).toEqual(json(doc(...prose.map((text) => p(text)))))
		const flush = prose.map((paragraph) => hardWrap(paragraph, 72)).join('\n')
		expect(json(imported(flush, 'txt').doc)).toEqual(json(doc(...prose.map((text) => p(text)))))
	})

	test('a word hyphenated across a line break is joined without a space, keeping its hyphen', () => {
		const source = [
			'The committee met on a Tuesday and, after a long and at times heated inter-',
			'national discussion of the budget, agreed to postpone the vote on the new',
			'reading room until the spring, when the accounts of the year would be known.',
		].join('\n')
		expect(imported(source, 'txt').doc.textContent).toContain('heated inter-national discussion')
	})

	test('a number that wraps to the start of a line is text, not a list item', () => {
		const source = [
			'The committee met on a Tuesday and, after a long and at times heated discussion',
			'of the budget, agreed to postpone the vote on the reading room to chapter',
			'12. The chair promised a revised draft, with costs broken down by year and by',
			'source of funding, before the next meeting of the committee in March.',
		].join('\n')
		expect(json(imported(source, 'txt').doc)).toEqual(json(doc(p(source.replace(/\n/g, ' ')))))
	})

	test('without hard wrapping every line is a paragraph', () => {
		const source = 'First line\nSecond line, right after it.\n\nA third after a blank line\n'
		expect(json(imported(source, 'txt').doc)).toEqual(
			json(doc(p('First line'), p('Second line, right after it.'), p('A third after a blank line'))),
		)
	})

	test('a lone short line over prose is a heading; the first is the title, later ones sections', () => {
		const source = `Minutes\n\n${prose[0]}\n\nNext steps\n\n${prose[1]}\n\nA closing line that stays a paragraph`
		const result = imported(source, 'txt')
		expect(json(result.doc)).toEqual(
			json(doc(h(1, 'Minutes'), p(prose[0]!), h(2, 'Next steps'), p(prose[1]!), p('A closing line that stays a paragraph'))),
		)
		expect(result.title).toBe('Minutes')
	})

	test('lines that end in punctuation, start lower-case or stand over short text are not headings', () => {
		const source = `Dear committee,\n\n${prose[0]}\n\nsee below\n\n${prose[1]}\n\nSigned\n\nThe chair`
		const result = imported(source, 'txt')
		expect(blocksOf(result.doc).every((block) => block.type.name === 'paragraph')).toBe(true)
		expect(result.title).toBeNull()
	})

	test('bullets and numbers become lists, starting where the source starts', () => {
		const source = 'Agenda:\n\n- budget\n- reading room\n• never mixed with dashes\n\n3. third\n4. fourth\n\n* * *\n'
		expect(json(imported(source, 'txt').doc)).toEqual(
			json(
				doc(
					p('Agenda:'),
					ul(li(p('budget')), li(p('reading room'))),
					ul(li(p('never mixed with dashes'))),
					ol(3, li(p('third')), li(p('fourth'))),
					p('* * *'),
				),
			),
		)
	})

	test('an indented line under an item is a further paragraph of that item', () => {
		const source = '  1) First point\n\n     signed A\n\n  2) Second point\n     signed B\nAfter the list'
		expect(json(imported(source, 'txt').doc)).toEqual(
			json(doc(ol(1, li(p('First point'), p('signed A')), li(p('Second point'), p('signed B'))), p('After the list'))),
		)
	})

	test('Windows and old Mac line ends and a byte order mark leave no trace', () => {
		const crlf = imported('\uFEFFFirst\r\nSecond\r\rThird', 'txt')
		expect(json(crlf.doc)).toEqual(json(doc(p('First'), p('Second'), p('Third'))))
		const bom = imported(new Uint8Array([0xef, 0xbb, 0xbf, ...encoder.encode('Text')]), 'txt')
		expect(json(bom.doc)).toEqual(json(doc(p('Text'))))
	})
})

describe('Markdown', () => {
	test('headings, marks, links, quotes, lists and code become nodes and marks', () => {
		const source = [
			'# The *title*',
			'',
			'Some *emphasis*, **strong**, `code` and a [link](https://example.org "Example").',
			'A soft break  ',
			'and a hard one.',
			'',
			'> quoted',
			'',
			'- one',
			'- two',
			'',
			'3. three',
			'4. four',
			'',
			'```',
			'let x = 1',
			'```',
		].join('\n')
		const result = imported(source, 'md')
		expect(json(result.doc)).toEqual(
			json(
				doc(
					h(1, 'The ', em('title')),
					p(
						'Some ', em('emphasis'), ', ', strong('strong'), ', ', code('code'), ' and a ',
						link('https://example.org', 'link', 'Example'), '.', ' A soft break', br(), 'and a hard one.',
					),
					blockquote(p('quoted')),
					ul(li(p('one')), li(p('two'))),
					ol(3, li(p('three')), li(p('four'))),
					pre('let x = 1\n'),
				),
			),
		)
		expect(result.title).toBe('The title')
		expect(result.format).toBe('md')
	})

	test('a javascript: link loses its link but keeps its words, and raw scripts vanish', () => {
		const source = [
			'[click me](javascript:alert(1)) or <a href="javascript:alert(2)">this</a> or [that](/relative)',
			'',
			'<script>alert("boo")</script>',
			'',
			'After',
		].join('\n')
		const result = imported(source, 'md')
		const text = documentPlainText(result.doc)
		expect(text).toContain('click me')
		expect(text).toContain('this')
		expect(text).not.toMatch(/alert\("boo"\)|boo/)
		const links: string[] = []
		result.doc.descendants((node) => {
			for (const mark of node.marks) if (mark.type.name === 'link') links.push(mark.attrs.href as string)
		})
		expect(links).toEqual(['/relative'])
	})
})

describe('HTML', () => {
	const page = (head: string, body: string) => `<!doctype html><html><head>${head}</head><body>${body}</body></html>`

	test('structure and marks are kept; scripts, styles and unsafe links are not', () => {
		const html = page(
			'<title>Ignored</title><style>p { color: red }</style><script>var secret = 1</script>',
			`<h2>Report</h2>
			<p>Plain, <em>em</em>, <i>i</i>, <strong>strong</strong>, <b>b</b>, <code>code</code>,
			<a href="https://example.org/a" title="T" onclick="steal()">safe</a>, <a href="JavaScript:steal()">unsafe</a>,
			<a href="mailto:editor@example.org">mail</a>.</p>
			<blockquote><p>Quote</p></blockquote>
			<ol start="2"><li>two</li><li>three</li></ol>
			<hr><pre>  keep   spacing</pre>
			<script>document.write('injected')</script>`,
		)
		const result = imported(html, 'html')
		expect(json(result.doc)).toEqual(
			json(
				doc(
					h(2, 'Report'),
					p(
						'Plain, ', em('em'), ', ', em('i'), ', ', strong('strong'), ', ', strong('b'), ', ', code('code'), ', ',
						link('https://example.org/a', 'safe', 'T'), ', unsafe, ', link('mailto:editor@example.org', 'mail'), '.',
					),
					blockquote(p('Quote')),
					ol(2, li(p('two')), li(p('three'))),
					schema.node('horizontal_rule'),
					pre('  keep   spacing'),
				),
			),
		)
		expect(result.title).toBe('Report')
	})

	test('the page title is the fallback title', () => {
		expect(imported(page('<title>\n  A   page\n</title>', '<p>Text</p>'), 'html').title).toBe('A page')
		expect(imported('<p>No head at all</p>', 'html').title).toBeNull()
	})

	test('text inside tags the schema lacks is kept, block by block', () => {
		const html = page(
			'',
			'<div>In a <span>div</span></div><section><div>Nested</div></section>' +
				'<table><tr><td>cell one</td><td>cell two</td></tr></table>Loose <font>text</font>',
		)
		const texts = textblocks(imported(html, 'html').doc).map((block) => block.textContent)
		expect(texts).toEqual(['In a div', 'Nested', 'cell one', 'cell two', 'Loose text'])
	})

	test('every visible character is kept', () => {
		const visible = '“Quoted” – ‘single’ — परिसर 🎉 & <angle> 5 × 3'
		const html = page('', `<p>${visible.replace('&', '&amp;').replace('<angle>', '&lt;angle&gt;')}</p>`)
		expect(documentPlainText(imported(html, 'html').doc)).toBe(visible)
	})

	test('a page with nothing but images and scripts is refused', () => {
		expect(refusal(page('', '<img src="a.png"><script>x()</script>'), 'gallery.html')).toBe('“gallery.html” has no text to import.')
	})
})

describe('refusals', () => {
	test('an empty or blank source', () => {
		expect(refusal(new Uint8Array(0), 'empty.txt')).toBe('“empty.txt” is empty.')
		expect(refusal(' \n\t \r\n\u00a0', null, 'txt')).toBe('The pasted text contains only blank space; there is no text to import.')
	})

	test('a source over the size limit, refused on its length before it is read', () => {
		// All zero bytes: were the content looked at first, it would be called binary instead.
		const huge = new Uint8Array(50 * 1024 * 1024)
		const started = performance.now()
		expect(refusal(huge, 'huge.txt')).toBe('“huge.txt” is 50 MB; Scholion imports files of up to 5 MB.')
		// Comparing a length takes microseconds; reading 50 MB would take far longer.
		expect(performance.now() - started).toBeLessThan(100)
		expect(MAX_IMPORT_BYTES).toBe(5 * 1024 * 1024)
	})

	test('the size limit can be set by the caller', () => {
		const bytes = encoder.encode('x'.repeat(600 * 1024))
		const result = importDocument({ bytes, filename: 'notes.md' }, { maxBytes: 512 * 1024 })
		expect(result).toEqual({ ok: false, error: '“notes.md” is 0.59 MB; Scholion imports files of up to 0.5 MB.' })
		expect(importDocument({ bytes, filename: 'notes.md' }, { maxBytes: 1024 * 1024 }).ok).toBe(true)
	})

	test('binary files', () => {
		const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52])
		expect(refusal(png, 'scan.txt')).toMatch(/^“scan.txt” looks like a binary file/)
		const controls = new Uint8Array(Array.from({ length: 100 }, (_, i) => (i % 5 === 0 ? 0x01 : 0x41)))
		expect(refusal(controls, 'data.txt')).toMatch(/looks like a binary file/)
		expect(refusal(new Uint8Array([0xff, 0xfe, 0x48, 0x00, 0x69, 0x00]), 'windows.txt')).toMatch(/is UTF-16 text; Scholion needs UTF-8/)
	})

	test('text in another encoding than UTF-8', () => {
		expect(refusal(new Uint8Array([0x48, 0x69, 0xc3, 0x28]), 'latin.txt')).toMatch(/^“latin.txt” is not UTF-8 text\./)
		// "café" in Latin-1.
		expect(refusal(new Uint8Array([0x63, 0x61, 0x66, 0xe9]), null, 'md')).toMatch(/^The pasted text is not UTF-8 text\./)
	})

	test('an unsupported or unknown format', () => {
		expect(refusal('hello', 'photo.png')).toBe('Scholion imports .txt, .md and .html files; “photo.png” is none of these.')
		expect(refusal('hello', 'README')).toBe('Scholion imports .txt, .md and .html files; “README” is none of these.')
		expect(refusal('hello', null)).toBe('Say whether the text is plain text, Markdown or HTML.')
	})
})

describe('formats', () => {
	test('come from the extension, in any case', () => {
		const names = ['a.txt', 'b.TEXT', 'c.md', 'd.Markdown', 'e.html', 'f.HTM', 'g.png', 'h', 'i.md.zip', 'j.txt.']
		expect(names.map(formatFromFilename)).toEqual(['txt', 'txt', 'md', 'md', 'html', 'html', null, null, null, null])
	})

	test('an explicit format wins over the extension', () => {
		const result = importDocument({ bytes: encoder.encode('# Heading'), filename: 'notes.txt', format: 'md' })
		expect(result.ok && result.format).toBe('md')
		expect(result.ok && json(result.doc)).toEqual(json(doc(h(1, 'Heading'))))
	})
})
