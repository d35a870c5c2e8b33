import { JSDOM } from 'jsdom'
import { DOMParser, DOMSerializer, Mark, type Node as ProseMirrorNode } from 'prosemirror-model'
import { defaultMarkdownSerializer } from 'prosemirror-markdown'
import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { importDocument } from '#server/import/index.ts'
import { DocumentView } from '#app/components/DocumentView.tsx'
import { renderMarkdown } from '#app/markdown/render.ts'
import { safeHref } from './safe-url.ts'
import { documentFromJSON, schema, type DocumentJSON } from './schema.ts'
import { documentFragmentName, documentToYUpdate, unlinkUnsafeHrefs, yDocToDocument } from './yjs.ts'

/**
 * Every way a link gets into a document or onto a page goes through the
 * schema's link mark or safeHref: the attack is a writer's `javascript:` or
 * `//evil.example` link that runs, or leads away, when a reader clicks it.
 */

const hostileHrefs = ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'java\tscript:alert(1)', 'data:text/html,x', 'vbscript:x', '//evil.example', '/\\evil.example', '\\\\evil.example']
const hostileHtml = `<p>Read <a href="javascript:alert(1)">this</a>, <a href="//evil.example">that</a>, <a href="java&#x09;script:alert(2)">other</a>, <a href="/\\evil.example">slash</a> and <a href="https://example.org/ok" title="T">the source</a>.</p>`

const { window } = new JSDOM('')
const linksOf = (doc: ProseMirrorNode) => {
	const hrefs: string[] = []
	doc.descendants((node) => {
		for (const mark of node.marks) if (mark.type.name === 'link') hrefs.push(mark.attrs.href as string)
	})
	return hrefs
}

/** A link mark the schema would refuse, made behind its back (as a forged Yjs update or old JSON would carry it). */
const forgedLink = (href: string) => new (Mark as unknown as new (type: unknown, attrs: unknown) => Mark)(schema.marks.link, { href, title: null })

describe('the schema', () => {
	test.each(hostileHrefs)('refuses a link mark to %j', (href) => {
		expect(() => schema.mark('link', { href })).toThrow(RangeError)
		expect(() => schema.nodeFromJSON({ type: 'text', text: 'x', marks: [{ type: 'link', attrs: { href } }] })).toThrow(RangeError)
	})

	test('Node.check refuses a document carrying an unsafe link (what the server checks updates with)', () => {
		const doc = schema.node('doc', null, [schema.node('paragraph', null, [schema.text('click', [forgedLink('javascript:alert(1)')])])])
		expect(() => doc.check()).toThrow(/href/)
		const fine = schema.node('doc', null, [schema.node('paragraph', null, [schema.text('click', [schema.mark('link', { href: '/a/1' })])])])
		expect(() => fine.check()).not.toThrow()
	})

	test('parsing pasted HTML keeps the words of an unsafe link and drops the link', () => {
		const host = window.document.createElement('div')
		host.innerHTML = hostileHtml
		const doc = DOMParser.fromSchema(schema).parse(host)
		expect(doc.textContent).toBe('Read this, that, other, slash and the source.')
		expect(linksOf(doc)).toEqual(['https://example.org/ok'])
	})

	test('rendering a forged unsafe link gives its words without a link', () => {
		const fragment = DOMSerializer.fromSchema(schema).serializeFragment(
			schema.node('paragraph', null, [schema.text('click', [forgedLink('javascript:alert(1)')])]).content,
			{ document: window.document },
		)
		const host = window.document.createElement('div')
		host.append(fragment)
		expect(host.innerHTML).toBe('<span>click</span>')
	})
})

describe('imports', () => {
	test('HTML', () => {
		const result = importDocument({ bytes: new TextEncoder().encode(hostileHtml), format: 'html' })
		if (!result.ok) throw new Error(result.error)
		expect(linksOf(result.doc)).toEqual(['https://example.org/ok'])
		expect(result.doc.textContent).toContain('this, that, other, slash')
	})

	test('Markdown, its links and its raw HTML', () => {
		const source = [
			'[a](javascript:alert(1)) [b](//evil.example) [c](<//evil.example/x>) [d](/\\evil.example) [e](java%09script:x)',
			'[f](https://example.org/ok) [g](/a/1) [h](mailto:x@example.org) <a href="//evil.example">i</a> <a href="jav&#x09;ascript:x">j</a>',
			'',
			'[k]: //evil.example',
			'',
			'[k] <//evil.example>',
		].join('\n')
		const result = importDocument({ bytes: new TextEncoder().encode(source), format: 'md' })
		if (!result.ok) throw new Error(result.error)
		const hrefs = linksOf(result.doc)
		for (const href of hrefs) expect(safeHref(href), href).toBe(href)
		for (const href of hrefs) expect(new URL(href, 'https://scholion.test/').host).not.toBe('evil.example')
		expect(hrefs).toContain('https://example.org/ok')
		expect(hrefs).toContain('mailto:x@example.org')
		// markdown-it leaves a javascript: link as the text it was written as; the others keep their words.
		expect(result.doc.textContent).toContain(' b c d e f g h i j')
	})
})

describe('documents stored before the rule', () => {
	/** A Y.Doc whose text carries links as a forged update (or an older server) would have stored them. */
	function storedWithLinks() {
		const ydoc = new Y.Doc()
		Y.applyUpdate(ydoc, documentToYUpdate(schema.node('doc', null, [schema.node('paragraph', null, [schema.text('one two three')])])))
		const text = (ydoc.getXmlFragment(documentFragmentName).get(0) as Y.XmlElement).get(0) as Y.XmlText
		text.format(0, 3, { link: { href: 'javascript:alert(1)', title: null } })
		text.format(4, 3, { link: { href: 'https://example.org/', title: null } })
		text.format(8, 5, { link: { href: '//evil.example', title: null } })
		return { ydoc, text }
	}

	test('read from Yjs: every word, only the safe link (read view, search, exports, editions, anchoring)', () => {
		const { ydoc } = storedWithLinks()
		const doc = yDocToDocument(ydoc)
		expect(doc.textContent).toBe('one two three')
		expect(linksOf(doc)).toEqual(['https://example.org/'])
		// The Markdown export serializes this document: no unsafe link in it.
		expect(defaultMarkdownSerializer.serialize(doc)).toBe('one [two](https://example.org/) three')
	})

	test('unlinkUnsafeHrefs takes the link off in the Y.Doc itself, keeping the words (what the editor does before it binds)', () => {
		const { ydoc, text } = storedWithLinks()
		expect(unlinkUnsafeHrefs([ydoc.getXmlFragment(documentFragmentName)], 'test')).toBe(2)
		expect(text.toDelta()).toEqual([
			{ insert: 'one ' },
			{ insert: 'two', attributes: { link: { href: 'https://example.org/', title: null } } },
			{ insert: ' three' },
		])
		expect(unlinkUnsafeHrefs([ydoc.getXmlFragment(documentFragmentName)], 'test')).toBe(0)
	})

	test('an edition frozen with an unsafe link (reader, print) opens without it', () => {
		const json: DocumentJSON = {
			type: 'doc',
			content: [{ type: 'paragraph', content: [{ type: 'text', text: 'click', marks: [{ type: 'link', attrs: { href: 'javascript:alert(1)', title: null } }, { type: 'em' }] }] }],
		}
		const doc = documentFromJSON(json)
		expect(doc.textContent).toBe('click')
		expect(doc.firstChild!.firstChild!.marks.map((m) => m.type.name)).toEqual(['em'])
	})

	test('the read view renders an unsafe link in JSON as plain words', () => {
		const html = renderToStaticMarkup(
			createElement(DocumentView, {
				doc: {
					type: 'doc',
					content: hostileHrefs.map((href) => ({ type: 'paragraph', content: [{ type: 'text', text: 'x', marks: [{ type: 'link', attrs: { href } }] }] })),
				},
			}),
		)
		expect(html).not.toContain('href')
		expect(html).not.toContain('<a')
	})
})

test('annotation bodies: Markdown links go through safeHref', () => {
	const html = renderMarkdown('[a](//evil.example) [b](/\\evil.example) [c](https://example.org/) [d](/a/1) <//evil.example> https://example.org/x')
	const links = [...new JSDOM(html).window.document.querySelectorAll('a')].map((a) => a.getAttribute('href'))
	for (const href of links) if (href !== null) expect(new URL(href, 'https://scholion.test/').host).not.toBe('evil.example')
	expect(links).toContain('https://example.org/')
	expect(links).toContain('/a/1')
	expect(links).not.toContain('//evil.example')
})
